"""The one entry point the Django app calls: ``solve(problem, options) -> Solution``.

It chooses the engine (``auto``), dispatches to it, stops early at a requested gap, and writes on the
`Solution` what was actually run: engine, time limit, workers and the reason for the choice."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .domain import Problem, Progress, Roster, Solution
from .options import AUTO, SolveOptions
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

    Keyword `overrides` (engine=, time_limit=, workers=, seed=, early_stop_gap=) replace single options, so
    ``solve(problem, engine="milp", time_limit=5)`` reads as before.

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
    unpriced: tuple[str, ...] = ()  # rules the engine asked for by name cannot optimise
    if options.early_stop_gap is not None:
        progress, cancel = _stop_at_gap(options.early_stop_gap, progress, cancel)
    if engine == "cpsat":
        from .cpsat import solve_cpsat

        solution = solve_cpsat(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=options.seed,
            progress=progress,
            cancel=cancel,
            hint=hint,
        )
    elif engine == "colgen":
        from .colgen import solve_colgen, unsupported_rules

        unpriced = unsupported_rules(problem)

        solution = solve_colgen(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=options.seed,
            progress=progress,
            cancel=cancel,
            hint=hint,
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
    )


def _stop_at_gap(gap: float, progress: ProgressFn, cancel: Cancel) -> tuple[ProgressFn, Cancel]:
    """Wrap the callbacks so the search stops once an incumbent is within `gap` of the bound. The engines
    already stop on `cancel` and keep their best roster, so no engine needs a gap option of its own."""
    reached = False

    def watch(p: Progress) -> None:
        nonlocal reached
        if p.objective is not None and p.bound is not None:
            spread = abs(p.objective) or 1.0
            reached = reached or (p.objective - p.bound) / spread <= gap
        if progress is not None:
            progress(p)

    def stop() -> bool:
        return reached or is_cancelled(cancel)

    return watch, stop
