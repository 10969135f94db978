"""`solve_colgen`: column generation, and with 2+ workers a portfolio with CP-SAT polishing its rosters.

Every roster the column generation finds is checked by the referee (evaluate.py) before it is kept or
offered to the shared `IncumbentPool`; CP-SAT restarts its neighbourhood search from the pool's best, and the
column generation turns CP-SAT's rosters into columns. When `solve_cpsat` does not take a pool, the polish
runs after the column generation instead, with the best roster as its hint.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time

from ..domain import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Problem, Roster, Solution, empty_roster
from ..evaluate import evaluate
from ..incumbent import IncumbentPool
from ..result import Cancel, ProgressFn, Tracker, is_cancelled, make_solution
from .dive import cell_dive
from .engine import ColumnGeneration, integral_bound
from .model import build_model
from .rolling import ROLLING_DAYS, solve_rolling

log = logging.getLogger(__name__)

ENUMERATE_LIMIT = 3000  # rows per person up to which the pool is made complete (tiny problems: proof)
# of the time limit for column generation when the polish runs after it: it may stop at the first share
# once a dive has ended, and must stop at the second
SEQUENTIAL_SHARE = (0.5, 0.85)
PARALLEL_ROUND = 0.02  # pricing everyone once takes more of the time limit than this: polish beside it
GAP_BESIDE = 0.03  # above the bound by more than this after two dives: the polish starts beside them
SLOW_SHARE = 0.25  # of the time limit: an LP not converged by then has the polish started beside it
ROUND_SHARE = 0.15  # of the time limit: pricing everyone once may take at most this, else CP-SAT alone
SLICE = 0.1  # of the time limit: column generation between two looks at the pool's incumbents
# past the limit at most, for the construction when the limit ended with no roster: its programme compiles
# once per process (14 s at load 10, then 0.1 s a call), which a shorter bound made fail
FALLBACK_SECONDS = 30.0
MIP_BUDGET = 10.0  # seconds at most for one restricted-master MIP
EARLY_MIP = 0.02  # of the time limit for a pool MIP before the LP converged, when pricing is quick


def unsupported_rules(problem: Problem) -> tuple[str, ...]:
    """Rules `problem` uses that the column generation cannot price exactly.

    Every person-level rule is a node, an edge or a resource of the pricing graph; cover (soft, hard minimum
    with external cover) and the fairness spreads are rows of the master. What the engine gives up on large
    contracts is exactness of pricing (the beam), not a rule. `cover_shortfall_risk` (a cost per cover level,
    not linear in the count) has no master row, nor has `labour_budget_over` (a week's spend across people),
    so a problem using either is named here."""
    unsupported = []
    if problem.weights.cover_shortfall_risk and any(c.short_risk for c in problem.cover):
        unsupported.append("cover_shortfall_risk")
    if problem.weights.labour_budget_over and problem.budgets:
        unsupported.append("labour_budget_over")
    return tuple(unsupported)


def keeps_person_rules(violations) -> bool:
    """No broken hard rule but relaxed cover minimums (which the master prices; cover may fall short)."""
    return all(v.rule == "cover_minimum" for v in violations)


class _Best:
    """The engine's own best roster (by the referee), and the offers it makes to the pool."""

    def __init__(self, problem: Problem, pool: IncumbentPool, tracker: Tracker) -> None:
        self.problem, self.pool, self.tracker = problem, pool, tracker
        self.roster: Roster | None = None
        self.value = float("inf")  # referee objective + relaxed cover shortfall
        self.short = True  # no roster yet that meets every cover minimum
        self.lock = threading.Lock()

    def hint(self, otherwise: Roster | None) -> Roster | None:
        """The polish's starting roster: the best one, unless it leaves a cover minimum short. CP-SAT
        hinted with such a roster worked around it and kept it short (a ward at 10 s, 8 December: 1 of 12
        solves), where from scratch it met every minimum within a second; the best roster stays here."""
        return self.roster if self.roster is not None and not self.short else otherwise

    def consider(self, roster: Roster, source: str) -> bool:
        referee = evaluate(self.problem, roster)
        if not keeps_person_rules(referee.violations):  # a modelling slip: never keep or offer it
            broken = [v for v in referee.violations if v.rule != "cover_minimum"]
            log.error("colgen roster rejected by the referee: %s", broken[:3])
            return False
        shortfall = sum(v.amount for v in referee.violations)
        value = referee.objective + self.problem.weights.cover_minimum_relaxed * shortfall
        with self.lock:
            if value >= self.value - 1e-9:
                return False
            self.roster, self.value, self.short = dict(roster), value, bool(shortfall)
        if not shortfall:
            self.pool.offer(roster, referee.objective, source)
            self.tracker.report(referee.objective, None, source)
        return True


def solve_colgen(
    problem: Problem,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    progress: ProgressFn = None,
    cancel: Cancel = None,
    hint: Roster | None = None,
    incumbents: IncumbentPool | None = None,
    polish: bool = True,
) -> Solution:
    """Column generation within `time_limit` seconds; `polish=False` leaves CP-SAT out (tests of colgen).

    Horizons past `ROLLING_DAYS` are solved window by window (`rolling.py`). When the limit ends with no
    roster (a short limit on a loaded machine: a planner's 3 s re-solve once came back empty, which
    dropped their pins), the person-by-person construction gives one, a little past the limit."""
    solution = _solve(
        problem,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        progress=progress,
        cancel=cancel,
        hint=hint,
        incumbents=incumbents,
        polish=polish,
    )
    if solution.objective is None and solution.status != INFEASIBLE and not is_cancelled(cancel):
        return _constructed(problem, seed=seed, cancel=cancel) or solution
    return solution


def _constructed(problem: Problem, *, seed: int, cancel: Cancel) -> Solution | None:
    from ..cpsat.construct import construct_by_person

    tracker = Tracker(cancel=cancel)
    rows = construct_by_person(
        problem, deadline=time.monotonic() + FALLBACK_SECONDS, seed=seed, tracker=tracker
    )
    if rows is None or not keeps_person_rules(evaluate(problem, rows).violations):
        return None
    return make_solution(
        problem,
        rows,
        status=FEASIBLE,
        bound=None,
        engine="colgen",
        tracker=tracker,
        build=0.0,
        message="no roster within the time limit: the person-by-person construction's",
    )


def _solve(
    problem: Problem,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    progress: ProgressFn,
    cancel: Cancel,
    hint: Roster | None,
    incumbents: IncumbentPool | None,
    polish: bool,
) -> Solution:
    if problem.num_days > ROLLING_DAYS:
        return solve_rolling(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            tracker=Tracker(progress=progress, cancel=cancel),
            incumbents=incumbents,
        )
    outer = Tracker(progress=progress, cancel=cancel)
    deadline = outer.start + time_limit
    model = build_model(problem)
    cg = ColumnGeneration(model, seed=seed)
    seeded = cg.seed_pool(budget=ROUND_SHARE * time_limit)
    if seeded is False:  # a contract that cannot hold: CP-SAT names the blocking rules
        from ..cpsat import solve_cpsat

        solution = solve_cpsat(
            problem, time_limit=max(deadline - time.monotonic(), 1.0), workers=1, seed=seed
        )
        return _replace_engine(solution)
    if seeded is None:  # too long a horizon for pricing within the limit: CP-SAT (rolling horizon) alone
        from ..cpsat import solve_cpsat

        solution = solve_cpsat(
            problem,
            time_limit=max(deadline - time.monotonic(), 0.5),
            workers=workers,
            seed=seed,
            progress=progress,
            cancel=cancel,
            hint=hint,
            incumbents=incumbents,
        )
        note = f"column generation skipped (one pricing round ~{cg.round_seconds:.0f}s); CP-SAT alone"
        return _replace_engine(solution, note)
    return solve_seeded(
        problem,
        model,
        cg,
        outer,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        hint=hint,
        incumbents=incumbents,
        polish=polish,
    )


def solve_seeded(
    problem: Problem,
    model,
    cg: ColumnGeneration,
    outer: Tracker,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: Roster | None,
    incumbents: IncumbentPool | None,
    polish: bool,
) -> Solution:
    """The column generation (and its polish) from a seeded pool, within `time_limit` of `outer.start`."""
    lock = threading.Lock()
    cancel = outer.cancel

    def report(p) -> None:
        with lock:
            outer.report(p.objective, p.bound, f"cpsat:{p.phase}")

    deadline = outer.start + time_limit
    pool = incumbents if incumbents is not None else IncumbentPool()
    best = _Best(problem, pool, outer)
    start_rows = hint if hint is not None else problem.reference
    if start_rows is not None:
        _add_hint(cg, model, problem, start_rows)
    build = outer.elapsed()

    stop = threading.Event()
    cpsat_result: list[Solution] = []
    plan = _Plan(outer.start, time_limit, sequential=polish)

    def polish_beside() -> bool:
        """Start CP-SAT beside the column generation (once); False when it cannot run beside it."""
        if plan.thread is not None or not (polish and workers >= 2 and _takes_pool()):
            return plan.thread is not None
        plan.thread = threading.Thread(
            target=_polish,
            args=(problem, cpsat_result),
            kwargs=dict(
                time_limit=deadline - time.monotonic(),
                workers=workers - 1,
                seed=seed,
                progress=report,
                cancel=lambda: stop.is_set() or is_cancelled(cancel),
                hint=best.hint(hint),
                incumbents=pool,
            ),
            daemon=True,
        )
        plan.thread.start()
        plan.beside()
        cg.threads = 1  # CP-SAT's worker has the other core now
        return True

    # The polish runs beside the column generation when pricing is slow for the limit, or once the LP has
    # not converged within a quarter of the limit; there CP-SAT makes the progress. Both are Python threads
    # sharing the GIL, and beside CP-SAT a quickly converging column generation got through less than half
    # its columns (Instance12: 1071 against 2539 in 60 s), so there it runs first and CP-SAT polishes its
    # best roster after. Horizons past 8 weeks used to start it beside at once, when their pricing was slow
    # (the per-type counts multiplied the states); since the compiled pricing merges the counts that cannot
    # bind, Instance18 (12 weeks) at 60 s ended 4568, 4868 and 4574 without that rule against 5937, 6526
    # and 5786 with it (seeds 0-2, 4 December, load 0.9-2.9, side by side).
    #
    # Alone, the column generation prices people side by side on the workers (Instance18 from its seed
    # columns: the LP converged in 15.3 s and 15.3 s against 19.3 s and 22.0 s with one thread, the same
    # 1522 columns, alternately on 4 December at load 0.8-1.1)
    cg.threads = workers
    if cg.round_seconds > PARALLEL_ROUND * time_limit:
        polish_beside()
    proven = _column_generation(cg, model, best, pool, outer, plan, cancel, time_limit, polish_beside)
    parallel = plan.thread is not None
    stop.set()
    if plan.thread is not None:
        plan.thread.join()
    if polish and not parallel and not proven and not outer.cancelled() and time.monotonic() < deadline - 0.5:
        polish_hint = best.hint(hint)
        _polish(
            problem,
            cpsat_result,
            time_limit=deadline - time.monotonic(),
            workers=workers,
            seed=seed,
            progress=report,
            cancel=cancel,
            hint=polish_hint,
            incumbents=None,
        )
    bound = integral_bound(cg.bound)
    status = OPTIMAL if proven else FEASIBLE
    source = "colgen"
    for solution in cpsat_result:
        if solution.bound is not None and solution.objective is not None and not solution.violations:
            bound = solution.bound if bound is None else max(bound, solution.bound)
        if solution.objective is not None and best.consider(solution.roster, "cpsat"):
            source = "cpsat polish"
            status = OPTIMAL if solution.status == OPTIMAL else status
    if proven and best.roster is not None:
        bound = best.value  # the roster is optimal: its value is the bound (dropped if cover falls short)
    if best.roster is None:
        return Solution(
            roster=empty_roster(problem),
            objective=None,
            bound=bound,
            status=UNKNOWN,
            engine="colgen",
            message="cancelled" if outer.cancelled() else "no roster found within the time limit",
        )
    lp = "-" if cg.lp_value is None else f"{cg.lp_value:.1f}"
    message = f"{len(cg.master.columns)} columns; LP {lp}; best roster from {source}"
    return make_solution(
        problem,
        best.roster,
        status=status,
        bound=bound,
        engine="colgen",
        tracker=outer,
        build=build,
        message=message,
    )


class _Plan:
    """When the column generation may stop (`enough`: at the next ended dive; `last`: anyway), and how long
    its pool MIPs may run before the LP converged; the polish thread once it runs beside it."""

    def __init__(self, start: float, time_limit: float, *, sequential: bool) -> None:
        self.start, self.time_limit = start, time_limit
        self.thread: threading.Thread | None = None
        self.slow_after = start + SLOW_SHARE * time_limit
        if sequential:
            self.enough = start + SEQUENTIAL_SHARE[0] * time_limit
            self.last = start + SEQUENTIAL_SHARE[1] * time_limit
        else:
            self.enough = self.last = start + time_limit
        self.early_mip = EARLY_MIP

    def beside(self) -> None:
        # the whole limit is the column generation's now; an LP that may not converge within it makes the
        # pool MIP its roster, so that gets a whole slice
        self.enough = self.last = self.start + self.time_limit
        self.early_mip = SLICE


def _column_generation(cg, model, best, pool, tracker, plan, cancel, time_limit, polish_beside) -> bool:
    """Converge, then dive and solve the restricted master until `plan` says stop; True when proven
    optimal. `polish_beside()` is called when the LP has not converged by `plan.slow_after`, or when two
    dives ended far above the bound."""

    def bound_of() -> float | None:
        return integral_bound(cg.bound)

    dived = False

    def done() -> bool:
        # Past `enough` with no roster that meets every cover minimum, the polish gets the rest: CP-SAT
        # finds one within a second where the column generation's first came late (a ward at 10 s: first
        # roster at 5.8 s, one minimum still short at the limit, in 1 of 12 solves; 8 December).
        if (dived or best.short) and time.monotonic() >= plan.enough:
            return True
        bound = bound_of()
        return (
            time.monotonic() >= plan.last
            or is_cancelled(cancel)
            or (bound is not None and best.value <= bound + 1e-6)
        )

    cg.stop = lambda: time.monotonic() >= plan.last or is_cancelled(cancel)
    if cg.enumerate_pool(ENUMERATE_LIMIT):
        rows, optimal = cg.master.solve_integer(max(plan.last - time.monotonic(), 0.5))
        if rows is not None:
            best.consider(model.to_roster(rows), "colgen:complete-pool")
            if optimal:
                return True

    def absorb(version: int) -> int:
        newer = pool.newer_than(version)
        if newer is None:
            return version
        cg.add_roster(model.from_roster(newer.roster))
        best.consider(newer.roster, newer.source)
        return newer.version

    on_bound = lambda b: tracker.report(None, integral_bound(b), "colgen:lp")  # noqa: E731
    version = absorb(0)
    best.consider(model.to_roster(cg.rounded()), "colgen:rounding")  # within seconds: the seed columns
    converged, rounds = False, 0
    while not done():
        # column generation for a slice, then a roster from the pool (early, so one exists within seconds)
        converged = cg.converge(min(plan.last, time.monotonic() + SLICE * time_limit), on_bound=on_bound)
        if not converged and time.monotonic() >= plan.slow_after:
            polish_beside()
        version = absorb(version)
        best.consider(model.to_roster(cg.rounded()), "colgen:rounding")
        if done():
            break
        if not converged or rounds % 3 == 2:  # the pool (grown by the dives) as a MIP, now and then
            # before convergence the pool is poor and the time is the LP's: a short MIP only
            budget = min(
                max(plan.last - time.monotonic(), 0.0) * 0.3,
                MIP_BUDGET if converged else plan.early_mip * time_limit,
            )
            start = None if best.roster is None else model.from_roster(best.roster)
            rows, optimal = cg.master.solve_integer(budget, start=start)
            if rows is not None:
                best.consider(model.to_roster(rows), "colgen:pool-mip")
                if optimal and cg.complete:
                    return True
            if not converged:
                continue
            rounds += 1
        if done():
            break
        # repeated cell dives, each a little noisier than the last so they explore other near-ties; one that
        # cannot beat the best roster by a whole unit (costs are integers) is abandoned early
        left = plan.last - time.monotonic()
        rows = cell_dive(
            cg,
            plan.last,
            noise=min(0.02 * rounds, 0.2),
            cutoff=best.value - 1 + 2e-6,
            budget=max(0.5 * left, min(left, 5.0)),
        )
        rounds += 1
        if rows is not None:
            dived = True
            best.consider(model.to_roster(rows), "colgen:dive")
        bound = bound_of()
        if rounds >= 2 and bound and best.value > (1 + GAP_BESIDE) * bound:
            polish_beside()  # the dives stay far from the LP bound: CP-SAT's search beside them from now
    bound = bound_of()
    return bound is not None and best.value <= bound + 1e-6


def _add_hint(cg, model, problem, roster) -> None:
    """The hint's rows become columns, for the people whose own hard rules the hint keeps."""
    if any(p.id not in roster or len(roster[p.id]) != problem.num_days for p in problem.staff):
        return
    broken = {v.person for v in evaluate(problem, roster).violations if v.rule != "cover_minimum"}
    rows = model.from_roster(roster)
    for pm in model.people:
        if pm.person.id not in broken:
            cg.add_row(pm.index, rows[pm.index])


def _takes_pool() -> bool:
    from ..cpsat import solve_cpsat

    return "incumbents" in inspect.signature(solve_cpsat).parameters


def _polish(problem, out: list, *, time_limit, workers, seed, progress, cancel, hint, incumbents) -> None:
    from ..cpsat import solve_cpsat

    kwargs = dict(
        time_limit=max(time_limit, 0.5),
        workers=max(workers, 1),
        seed=seed,
        progress=progress,
        cancel=cancel,
        hint=hint,
    )
    if incumbents is not None:
        kwargs["incumbents"] = incumbents
    out.append(solve_cpsat(problem, **kwargs))


def _replace_engine(solution: Solution, note: str = "") -> Solution:
    import dataclasses

    message = f"{note}. {solution.message}".strip(". ") if note else solution.message
    return dataclasses.replace(solution, engine="colgen", message=message)
