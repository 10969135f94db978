"""The one entry point the Django app calls: ``solve(problem, options) -> Solution``.

It chooses the engine (``auto``), dispatches to it, stops early at a requested gap or when the best roster
stalls, and writes on the `Solution` what was actually run: engine, time limit, workers, the reason for the
choice and why the search ended (`stop_reason`)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from .domain import INFEASIBLE, OPTIMAL, Problem, Progress, Roster, Solution
from .incumbent import IncumbentPool
from .options import AUTO, MIN_TIME_LIMIT_S, SolveOptions
from .result import Cancel, ProgressFn, is_cancelled
from .select import Choice, choose_engine


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    progress: ProgressFn = None,
    cancel: Cancel = None,
    hint: Roster | None = None,
    fill_days: Sequence[int] | None = None,
    **overrides,
) -> Solution:
    """Solve `problem` with `options` (engine "auto", "cpsat", "colgen", "milp" or "assign"; limit in s).

    Keyword `overrides` (engine=, time_limit=, workers=, seed=, early_stop_gap=, stall_share=) replace
    single options, so ``solve(problem, engine="milp", time_limit=5)`` reads as before.

    `progress` receives `Progress(elapsed, objective, bound, phase)`; `cancel` (callable or threading.Event)
    stops the search and returns the best roster so far. `hint` (default: the problem's reference roster)
    warm-starts the search. `fill_days` (assign engine, or auto with one day) fills open shifts on those days
    only, keeping the rest of the hint/reference roster.

    The result is never a bare "infeasible": unmet cover minimums come back as `violations` on the closest
    roster, with `shortfalls` explaining who could not fill them and why; contracts that cannot hold at all
    come back with `blocking_rules` per person.
    """
    options = dataclasses.replace(options or SolveOptions(), **overrides).validated()
    engine, time_limit, workers = options.engine, float(options.time_limit), options.workers
    choice: Choice | None = None
    if engine == AUTO:
        choice = choose_engine(
            problem,
            time_limit=time_limit,
            workers=workers,
            fill_days=len(fill_days) if fill_days is not None else None,
        )
        engine, time_limit, workers = choice.engine, choice.time_limit, choice.workers
    asked_to_stop = cancel
    # One pool the engines share their best roster through (each makes its own when given none, so
    # passing a fresh one changes nothing in the search): the progress reports say what that roster breaks.
    pool = IncumbentPool() if engine in ("cpsat", "colgen") else None
    if pool is not None and progress is not None:
        progress = IncumbentFacts(problem, pool, progress).report
    watcher = EarlyStop(
        gap=options.early_stop_gap,
        stall_s=options.stall_share * time_limit if options.stall_share is not None else None,
        progress=progress,
        cancel=cancel,
    )
    progress, cancel = watcher.watch, watcher.stop
    started = time.monotonic()

    def run(problem: Problem, limit: float) -> tuple[Solution, int, tuple[str, ...]]:
        return _run_engine(
            engine, problem, limit, workers, options.seed, progress, cancel, hint, pool, fill_days
        )

    solution, workers, unpriced = run(problem, time_limit)
    if solution.status == INFEASIBLE and engine != "assign":
        if not solution.blocking_rules:
            from .explain import blocking_rules  # CP-SAT and column generation name them; the MILP does not

            solution = dataclasses.replace(solution, blocking_rules=blocking_rules(problem))
        if solution.blocking_rules and not is_cancelled(asked_to_stop):
            solution = _roster_around_blocking_rules(
                solution, problem, time_limit - (time.monotonic() - started), run
            )
    if solution.violations and solution.objective is not None:
        from .explain import explain_shortfalls

        solution = dataclasses.replace(solution, shortfalls=explain_shortfalls(problem, solution.roster))
    reason = choice.reason if choice is not None else f"{engine} as requested"
    if engine == "colgen" and unpriced:  # asked for by name: the roster is scored on them, not optimised
        note = f"colgen does not optimise {', '.join(unpriced)} (scored only)"
        solution = dataclasses.replace(solution, message=f"{note}. {solution.message}".strip())
    if choice is not None:
        solution = dataclasses.replace(solution, message=f"{choice.reason}. {solution.message}".strip())
    return dataclasses.replace(
        solution,
        engine=solution.engine or engine,
        time_limit=time_limit,
        workers=workers,
        engine_reason=reason,
        stop_reason=stop_reason(
            solution,
            watcher.reason,
            cancelled=is_cancelled(asked_to_stop),
            ran_s=time.monotonic() - started,
            time_limit=time_limit,
        ),
    )


def _run_engine(engine, problem, time_limit, workers, seed, progress, cancel, hint, pool, fill_days):
    """(solution, workers used, rules colgen scores but does not optimise)."""
    unpriced: tuple[str, ...] = ()
    if engine == "cpsat":
        from .cpsat import solve_cpsat

        solution = solve_cpsat(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            progress=progress,
            cancel=cancel,
            hint=hint,
            incumbents=pool,
        )
    elif engine == "colgen":
        from .colgen import solve_colgen, unsupported_rules

        unpriced = unsupported_rules(problem)
        solution = solve_colgen(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            progress=progress,
            cancel=cancel,
            hint=hint,
            incumbents=pool,
        )
    elif engine == "milp":
        from .milp import solve_milp

        solution = solve_milp(
            problem, time_limit=time_limit, workers=workers, progress=progress, cancel=cancel, hint=hint
        )
    elif engine == "assign":
        from .assign import solve_assign

        solution = solve_assign(problem, roster=hint, days=fill_days, progress=progress)
        workers = 1
    else:
        raise ValueError(f"engine {engine!r} is not available in this build")
    return solution, workers, unpriced


def _roster_around_blocking_rules(
    infeasible: Solution, problem: Problem, remaining_s: float, run
) -> Solution:
    """The roster of everyone else when some people's own rules cannot all hold (scheduler.solver.waive),
    solved in the time left; `infeasible` itself when no time is left or the loosened problem fails too.
    Its violations are the referee's on the original problem: the waived rules show as broken."""
    from .evaluate import evaluate
    from .waive import describe, waive_blocking_rules

    if remaining_s < MIN_TIME_LIMIT_S:
        return infeasible
    loosened, waived = waive_blocking_rules(problem, dict(infeasible.blocking_rules))
    again, _, _ = run(loosened, remaining_s)
    if again.status == INFEASIBLE:
        return infeasible
    evaluation = evaluate(problem, again.roster)
    who = f"{len(waived)} {'person' if len(waived) == 1 else 'people'}"
    return dataclasses.replace(
        again,
        violations=tuple(evaluation.violations),
        blocking_rules=infeasible.blocking_rules,
        message=(
            f"the contract rules of {who} cannot all hold (see blocking_rules), so the roster is made "
            f"with {describe(waived)}. {again.message}"
        ).strip(),
    )


# Why a search ended, as `Solution.stop_reason`, the job summary and the pages say it.
STOP_REASONS = ("optimal", "gap", "stalled", "cancelled", "time_limit", "completed")
# An engine that returns this long before its limit ended by itself (a greedy engine, a finished LP).
_BEFORE_LIMIT_SHARE = 0.9


def stop_reason(solution: Solution, watched: str, *, cancelled: bool, ran_s: float, time_limit: float) -> str:
    """Proven optimal wins over every other reason (a gap stop that happens to be proven says so); then
    the early stop that fired, the person's cancel, an engine that finished well inside its limit, and
    otherwise the time limit."""
    if solution.status == OPTIMAL or (solution.status == INFEASIBLE and not cancelled and not watched):
        return "optimal"  # INFEASIBLE is proven too: this is the closest roster there is
    if watched:
        return watched
    if cancelled:
        return "cancelled"
    if ran_s < _BEFORE_LIMIT_SHARE * time_limit:
        return "completed"
    return "time_limit"


class IncumbentFacts:
    """Adds to each progress report what the referee finds in the pool's best roster: the hard rules it
    breaks and the cover slots below preferred. Evaluated when the pool holds a newer roster, at most
    every FACTS_INTERVAL_S, so the engines' callbacks stay cheap."""

    FACTS_INTERVAL_S = 0.5

    def __init__(self, problem: Problem, pool: IncumbentPool, progress) -> None:
        self.problem, self.pool, self.progress = problem, pool, progress
        self.version, self.checked_at = 0, float("-inf")
        self.facts: tuple[int, int] | None = None

    def report(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self.checked_at >= self.FACTS_INTERVAL_S:
            newer = self.pool.newer_than(self.version)
            if newer is not None:
                from .evaluate import evaluate

                self.checked_at, self.version = now, newer.version
                evaluation = evaluate(self.problem, newer.roster)
                below = sum(1 for t in evaluation.penalties if t.rule == "cover_under_preferred")
                self.facts = (len(evaluation.violations), below)
        if self.facts is not None:
            p = dataclasses.replace(p, hard_violations=self.facts[0], below_preferred=self.facts[1])
        self.progress(p)


class EarlyStop:
    """Wraps the progress and cancel callbacks: the search stops once an incumbent is within `gap` of the
    bound, or once the incumbent has not improved for `stall_s` seconds. The engines already poll `cancel`
    and keep their best roster, so no engine needs an option of its own; `reason` says which stop fired
    ("gap", "stalled") or is empty."""

    def __init__(
        self, *, gap: float | None, stall_s: float | None, progress: ProgressFn, cancel: Cancel
    ) -> None:
        self.gap, self.stall_s = gap, stall_s
        self.progress, self.cancel = progress, cancel
        self.reason = ""
        self.best: float | None = None
        self.improved_at: float | None = None

    def watch(self, p: Progress) -> None:
        if p.objective is not None and (self.best is None or p.objective < self.best - 1e-6):
            self.best, self.improved_at = p.objective, time.monotonic()
        if not self.reason and self.gap is not None and p.objective is not None and p.bound is not None:
            spread = abs(p.objective) or 1.0
            if (p.objective - p.bound) / spread <= self.gap:
                self.reason = "gap"
        if self.progress is not None:
            self.progress(p)

    def stop(self) -> bool:
        if self.reason:
            return True
        if is_cancelled(self.cancel):
            return True
        stalled_for = time.monotonic() - self.improved_at if self.improved_at is not None else None
        if self.stall_s is not None and stalled_for is not None and stalled_for >= self.stall_s:
            self.reason = "stalled"
            return True
        return False
