"""CP-SAT engine (OR-Tools, snake_case API). Supports every rule in `rules/` (hard and soft).

Search, within one time limit, as a portfolio of two searches that share one incumbent pool:
- the plain full-model search: CP-SAT on the whole model with its own portfolio (on small models its
  LP-based workers, which prove them optimal), hinted with the best roster known at its start, offering
  every solution to the pool;
- our large neighbourhood search (`lns.py`) beside it, from the first roster in the pool: single-worker
  sub-solves with everything outside a neighbourhood fixed. It restarts from the pool's best whenever the
  full search (or another engine of a portfolio, through `incumbents`) found a better roster.
On large models a person-by-person construction (`construct.py`) runs first, so the neighbourhoods have a
roster before the full search's first one. Above `HUGE_MODEL_CELLS` no full model is built: a rolling
horizon over windows of days (`rolling.py`).

Why (bench/cpsat_family.py, SOLVER.md): on large 4-week models the former search (construction for 60% of
the time, then only our neighbourhoods) ended worse than the plain model, because its fixed 2 s sub-solves
mostly timed out on such models (cloning and presolving the full proto eats the budget), the neighbourhoods
then shrank, and CP-SAT's own search, which does better there, never ran.

Always a fixed seed, explicit `num_workers` and time limit. Progress (elapsed, incumbent, bound) goes to
`progress`; `cancel` (callable or threading.Event) stops the search and returns the best roster so far;
`hint` (default: the problem's reference roster) warm-starts the full model.
"""

from __future__ import annotations

import logging
import math
import threading
import time

from ortools.sat.python import cp_model

from ..construct import supports
from ..domain import FEASIBLE, INFEASIBLE, OPTIMAL, Problem, Roster, Solution, Timings, empty_roster
from ..incumbent import IncumbentPool
from ..result import Cancel, ProgressFn, Tracker, make_solution
from .construct import construct_by_person, model_objective
from .context import CpSatContext, build_model
from .lns import lns_search
from .run import no_roster, run_model

log = logging.getLogger(__name__)

HUGE_MODEL_CELLS = 1_000_000  # above this (staff x days x shift types), no full CP-SAT model: memory
# up to this size and from this time limit, the full search runs LP-based workers (proofs on Instance1-7);
# otherwise CP-SAT's default portfolio, which finds a first roster much sooner (medium-demo unit, 10 s,
# load 12: no roster with the LP workers, a first one at 5.5 s with the default)
LP_MODEL_CELLS = 4_000
LP_MIN_TIME = 30.0
# above this, construct a first roster person by person before the full search: on a loaded machine the plain
# search found no roster in 60 s for a 50 x 28 x 10 window of Instance22 (bench/cpsat_family.py), nor in 10 s
# for a 25 x 28 x 3 unit of the medium demo (bench/roster_quality.py)
LARGE_MODEL_CELLS = 1_000
CONSTRUCT_SHARE = 0.3  # of the time limit at most, on large models


def solve_cpsat(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    progress: ProgressFn = None,
    cancel: Cancel = None,
    hint: Roster | None = None,
    lns: bool | None = None,
    incumbents: IncumbentPool | None = None,
) -> Solution:
    tracker = Tracker(progress=progress, cancel=cancel)
    if problem.size > HUGE_MODEL_CELLS:
        from .rolling import solve_rolling

        return solve_rolling(
            problem, time_limit=time_limit, workers=workers, seed=seed, tracker=tracker, incumbents=incumbents
        )
    deadline = tracker.start + time_limit
    use_lns = (time_limit >= 5) if lns is None else lns
    pool = incumbents if incumbents is not None else IncumbentPool()
    # construction only where the programme serves every contract: its CP-SAT fallback per person is slower
    # than the full search (measured on the medium demo's units, which have weekly limits)
    large = problem.size > LARGE_MODEL_CELLS and use_lns and all(supports(p) for p in problem.staff)
    if large and pool.best() is None:  # a roster for the neighbourhoods, before the (slow to build) model
        _construct(problem, tracker=tracker, deadline=tracker.start + CONSTRUCT_SHARE * time_limit, pool=pool)
    ctx = build_model(problem)
    build = tracker.elapsed()
    log.debug("built %d cells at %.1fs", len(ctx.vars), build)
    hint = hint if hint is not None else problem.reference
    shared = pool.best()
    if shared is not None:
        hint = shared.roster  # the construction or another engine already has a roster: start from it
    if hint is not None:
        ctx.set_hint(hint)
    outcome = _portfolio(
        ctx,
        deadline=deadline,
        workers=workers,
        seed=seed,
        tracker=tracker,
        pool=pool,
        use_lns=use_lns,
        lp_time=time_limit >= LP_MIN_TIME,
    )
    if outcome == cp_model.INFEASIBLE:
        return _infeasible(problem, tracker, build)
    best = pool.best()
    roster, objective = (best.roster, best.objective) if best is not None else (None, math.inf)
    if ctx.fallback is not None and ctx.fallback[1] < objective:
        roster, objective = ctx.fallback  # relaxed cover minimums unmet: never shared, still the closest
    if roster is None:
        status_name = "cancelled" if tracker.cancelled() else "no roster found within the time limit"
        return no_roster(problem, status_name, bound=tracker.bound)
    proven = outcome == cp_model.OPTIMAL and objective <= (tracker.bound or -math.inf) + 1e-6
    bounded = tracker.bound is not None and objective <= tracker.bound + 1e-6
    status = OPTIMAL if proven or bounded else FEASIBLE
    message = f"{len(ctx.vars)} assignment variables; model objective {objective:g}"
    return make_solution(
        problem,
        roster,
        status=status,
        bound=tracker.bound,
        engine="cpsat",
        tracker=tracker,
        build=build,
        message=message,
    )


def solve_plain(problem: Problem, *, time_limit: float, workers: int = 2, seed: int = 0) -> Solution:
    """The reference the portfolio is held to: the full model, CP-SAT's default search, no hint, nothing of
    ours (benchmarks only)."""
    tracker = Tracker()
    ctx = build_model(problem)
    build = tracker.elapsed()
    status, solver = run_model(
        ctx.model,
        time_limit=time_limit - build,
        workers=workers,
        seed=seed,
        tracker=tracker,
        phase="plain",
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return no_roster(problem, "no roster found within the time limit", engine="plain")
    status_name = OPTIMAL if status == cp_model.OPTIMAL else FEASIBLE
    return make_solution(
        problem,
        ctx.roster(solver.boolean_value),
        status=status_name,
        bound=solver.best_objective_bound,
        engine="plain",
        tracker=tracker,
        build=build,
    )


def _construct(problem: Problem, *, tracker: Tracker, deadline: float, pool: IncumbentPool) -> None:
    built = construct_by_person(problem, deadline=deadline, seed=0, tracker=tracker)
    scored = None if built is None else model_objective(problem, built)
    log.debug("constructed: %s (%s) at %.1fs", built is not None, scored, tracker.elapsed())
    if scored is not None and scored[1]:  # meets every hard cover minimum: a roster for the pool
        tracker.report(scored[0], None, "construct")
        pool.offer(built, scored[0], "cpsat:construct")


def _portfolio(
    ctx: CpSatContext,
    *,
    deadline: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    pool: IncumbentPool,
    use_lns: bool,
    lp_time: bool,
) -> int:
    """The full-model search in a thread beside our neighbourhood search; returns the full search's status.

    Workers: the full search gets them all (CP-SAT's own portfolio needs its threads), and one LNS thread runs
    beside it (its sub-solves are single-worker and mostly wait on the GIL-free solver, so the full search
    loses little)."""
    result: dict[str, int] = {}
    full_done = threading.Event()

    def full() -> None:
        try:
            status, solver = run_model(
                ctx.model,
                time_limit=deadline - time.monotonic(),
                workers=workers,
                seed=seed,
                tracker=tracker,
                phase="full" if ctx.problem.size <= LP_MODEL_CELLS and lp_time else "plain",
                ctx=ctx,
                pool=pool,
                stop=full_done,
            )
            result["status"] = status
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                tracker.report(solver.objective_value, solver.best_objective_bound, "full")
                if status == cp_model.OPTIMAL:
                    tracker.bound = solver.objective_value  # proven: stops the neighbourhoods
            elif status == cp_model.UNKNOWN:
                tracker.report(None, solver.best_objective_bound, "full")
        finally:
            full_done.set()

    thread = threading.Thread(target=full, name="cpsat-full")
    thread.start()
    if use_lns:
        while _start(pool, ctx) is None and not full_done.is_set() and time.monotonic() < deadline:
            full_done.wait(0.05)  # the neighbourhoods start from the first roster found
        first = _start(pool, ctx)
        if first is not None and not full_done.is_set():
            roster, objective = lns_search(
                ctx,
                *first,
                deadline=deadline,
                workers=max(1, workers - 1),
                seed=seed,
                tracker=tracker,
                pool=pool,
                stop=full_done,
            )
            full_done.set()  # the neighbourhoods reached the bound or the deadline: stop the full search too
            if pool.best() is None and (ctx.fallback is None or objective < ctx.fallback[1]):
                ctx.fallback = (roster, objective)  # rosters with unmet cover minimums are never pooled
    thread.join()
    return result.get("status", cp_model.UNKNOWN)


def _start(pool: IncumbentPool, ctx: CpSatContext) -> tuple[Roster, float] | None:
    best = pool.best()
    return (best.roster, best.objective) if best is not None else ctx.fallback


def _infeasible(problem: Problem, tracker: Tracker, build: float) -> Solution:
    from ..explain import blocking_rules

    blockers = blocking_rules(problem)
    return Solution(
        roster=empty_roster(problem),
        objective=None,
        bound=None,
        status=INFEASIBLE,
        engine="cpsat",
        message="the contract rules cannot all hold, even with cover relaxed; see blocking_rules",
        blocking_rules=blockers,
        timings=Timings(build=build, solve=tracker.elapsed() - build),
    )


__all__ = ["FEASIBLE", "solve_cpsat"]
