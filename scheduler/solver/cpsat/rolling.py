"""Rolling horizon for problems whose full model is too large to build (Instance24: 1.7 M cells, > 12 GB).

1. A first roster window by window (`CONSTRUCT_DAYS` days each, in date order): each window is a
   sub-problem (`horizon.window`) with the roster so far as history and its share of the horizon's totals,
   filled person by person by the dynamic programme (`construct.py`); a window the programme cannot fill is
   solved by the CP-SAT model of that window.
2. Then, until the deadline, improvement sub-problems: a window of `REOPT_DAYS` days (plus a pinned tail
   of `TAIL_DAYS`, so runs crossing its end stay legal, and exact totals: everything outside is fixed) for a
   group of people, the others' shifts counted as external cover. The group is sized so the sub-model has
   about `SUB_CELLS` cells (fast to build); our neighbourhood search (`lns.py`) runs on its CP-SAT model
   from the current rows, with every worker, and the rows are taken when they lower its objective. Windows
   sweep the horizon in turn from a random start; groups are random.

The objective reported while searching is the sum of the windows' objectives, exact for day-local soft rules
(cover, requests; all the benchmark has). The final `Solution` is scored on the whole problem.
"""

from __future__ import annotations

import logging
import math
import random
import time

from ortools.sat.python import cp_model

from ..domain import FEASIBLE, UNKNOWN, Problem, Roster, Solution, empty_roster
from ..incumbent import IncumbentPool
from ..result import Tracker, make_solution
from .construct import construct_by_person, model_objective
from .context import build_model
from .horizon import days_off, only_people, window
from .lns import lns_search
from .run import run_model

log = logging.getLogger(__name__)

CONSTRUCT_DAYS = 28
REOPT_DAYS = 14
TAIL_DAYS = 7
LOOKAHEAD_DAYS = 7
SUB_CELLS = 30_000
SUB_TIME = 6.0  # seconds of neighbourhood search per improvement sub-problem
CHECK_SHARE = 0.12  # of the time limit kept for scoring the final roster on the whole problem


def solve_rolling(
    problem: Problem,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    incumbents: IncumbentPool | None,
) -> Solution:
    deadline = tracker.start + time_limit * (1 - CHECK_SHARE)
    roster = _construct(problem, deadline=deadline, seed=seed, tracker=tracker)
    if roster is None:
        return Solution(
            roster=empty_roster(problem),
            objective=None,
            bound=None,
            status=UNKNOWN,
            engine="cpsat",
            message="rolling horizon: no roster found within the time limit",
        )
    objective = _score(problem, roster)
    tracker.report(objective, None, "rolling-construct")
    if incumbents is not None:
        incumbents.offer(roster, objective, "cpsat:rolling-construct")
    roster, passes = _improve(
        problem,
        roster,
        objective,
        deadline=deadline,
        workers=workers,
        seed=seed,
        tracker=tracker,
        pool=incumbents,
    )
    return make_solution(
        problem,
        roster,
        status=FEASIBLE,
        bound=None,
        engine="cpsat",
        tracker=tracker,
        build=0.0,
        message=f"rolling horizon: {passes} improvement sub-problems",
    )


def _windows(problem: Problem, days: int) -> list[tuple[int, int]]:
    return [(start, min(start + days, problem.num_days)) for start in range(0, problem.num_days, days)]


def _score(problem: Problem, roster: Roster) -> float:
    """The roster's objective for progress and the pool: the referee's (`evaluate.py`, 0.7 s on Instance24,
    where the rules' own check takes 10 s; the final Solution is still scored by the rules)."""
    from ..evaluate import evaluate

    result = evaluate(problem, roster)
    return result.objective if result.feasible else math.inf


def _construct(problem: Problem, *, deadline: float, seed: int, tracker: Tracker) -> dict | None:
    roster: dict[str, list[str | None]] = {p.id: [None] * problem.num_days for p in problem.staff}
    off = days_off(problem)
    for start, end in _windows(problem, CONSTRUCT_DAYS):
        if tracker.cancelled() or time.monotonic() > deadline:
            return None
        frozen = {p: tuple(row) for p, row in roster.items()}
        # a week of look-ahead, dropped afterwards: a run must not end the window where a fixed day off
        # right after it would make the next window infeasible (the last day is exempt from the minimums)
        sub, _ = window(problem, start, end + LOOKAHEAD_DAYS, frozen, future="open", off=off)
        rows = construct_by_person(sub, deadline=deadline, seed=seed, tracker=tracker)
        if rows is None:  # the programme cannot fill this window: its CP-SAT model, first roster
            ctx = build_model(sub)
            status, solver = run_model(
                ctx.model,
                time_limit=max(0.5, deadline - time.monotonic()),
                workers=2,
                seed=seed,
                tracker=Tracker(cancel=tracker.cancel),
                phase="plain",
                stop_after_first=True,
            )
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                log.info("rolling: no roster for window %d-%d", start, end)
                return None
            rows = ctx.roster(solver.boolean_value)
        for person, row in rows.items():
            roster[person][start:end] = row[: end - start]
        log.debug("rolling: window %d-%d at %.1fs", start, end, tracker.elapsed())
    return {p: tuple(row) for p, row in roster.items()}


def _improve(
    problem: Problem,
    roster: Roster,
    objective: float,
    *,
    deadline: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    pool: IncumbentPool | None,
) -> tuple[Roster, int]:
    rng = random.Random(seed)
    current = {p: tuple(row) for p, row in roster.items()}
    people = [p.id for p in problem.staff]
    group = max(1, min(len(people), SUB_CELLS // max(1, (REOPT_DAYS + TAIL_DAYS) * len(problem.shift_types))))
    starts = list(range(0, problem.num_days, 7))
    off = days_off(problem)
    offset = rng.randrange(len(starts))
    passes = 0
    seen = 0
    while not tracker.cancelled() and deadline - time.monotonic() > 1.0:
        if pool is not None:  # another engine of the portfolio found a better roster: continue from it
            other = pool.newer_than(seen)
            if other is not None:
                seen = other.version
                if other.objective < objective - 1e-6:
                    current, objective = dict(other.roster), other.objective
        start = starts[(offset + passes) % len(starts)]
        end = min(start + REOPT_DAYS, problem.num_days)
        chosen = set(rng.sample(people, group))
        passes += 1
        sub, free = window(problem, start, end, current, future="fixed", tail=TAIL_DAYS, off=off)
        sub = only_people(sub, chosen, {p: row[start : start + sub.num_days] for p, row in current.items()})
        old_rows = {p: current[p][start : start + sub.num_days] for p in chosen}
        before = model_objective(sub, old_rows)
        if before is None:
            continue  # cannot happen for a roster that keeps every hard rule; be safe
        ctx = build_model(sub)
        # our neighbourhood search inside the sub-problem, from the current rows: CP-SAT alone on the
        # sub-model rarely got back to the hinted rows within seconds (measured: worse or no roster)
        rows, value = lns_search(
            ctx,
            old_rows,
            before[0],
            deadline=min(deadline, time.monotonic() + SUB_TIME),
            workers=workers,
            seed=seed + passes,
            tracker=Tracker(cancel=tracker.cancel),
        )
        log.debug("rolling: sub %d days %d-%d: %s -> %s", passes, start, end, before[0], value)
        if value >= before[0] - 1e-6:
            continue
        for person, row in rows.items():
            whole = list(current[person])
            whole[start : start + free] = row[:free]
            current[person] = tuple(whole)
        objective += value - before[0]
        tracker.report(objective, None, "rolling")
        if pool is not None:
            pool.offer(current, objective, "cpsat:rolling")
    log.info("rolling: %d sub-problems of %d people x %d days", passes, group, REOPT_DAYS)
    return current, passes
