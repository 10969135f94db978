"""The column generation's rolling horizon (colgen/rolling.py) on long horizons."""

from __future__ import annotations

import time

from scheduler.solver.colgen import solve_colgen
from scheduler.solver.colgen.rolling import ROLLING_DAYS, _improve
from scheduler.solver.evaluate import evaluate
from scheduler.solver.replan import merit as _merit
from scheduler.solver.result import Tracker

from .builders import day_night_problem


def _long_problem(days: int, people: int, **contract):
    return day_night_problem(
        days,
        people,
        extra_every=3,
        request_every=5,
        max_consecutive_shifts=5,
        max_weekends=days // 14,
        **contract,
    )


def test_a_long_horizon_is_solved_window_by_window_into_a_roster_the_referee_accepts():
    # given a horizon past the rolling threshold, with totals over the whole of it
    days = ROLLING_DAYS + 20
    prob = _long_problem(days, 4, min_total_minutes=480 * days // 3, max_total_minutes=480 * days // 2)
    seen: list[float] = []
    # when the column generation solves it
    solution = solve_colgen(
        prob,
        time_limit=20,
        workers=1,
        progress=lambda p: p.objective is not None and seen.append(p.objective),
    )
    # then it went window by window, and the referee finds no broken rule and the same objective
    assert solution.engine == "colgen"
    assert "rolling horizon" in solution.message
    referee = evaluate(prob, solution.roster)
    assert referee.violations == ()
    assert referee.objective == solution.objective
    # and the rosters it reported never got worse, ending at the one it returns
    assert seen == sorted(seen, reverse=True)
    assert seen[-1] == solution.objective


def test_windows_make_up_a_first_roster_short_of_a_minimum_total():
    # given a first roster that keeps every rule but leaves P0 four shifts short of their minimum total
    days = 56
    prob = _long_problem(days, 3, min_total_minutes=480 * 24, max_total_minutes=480 * 40)
    weekdays = tuple("D" if d % 7 < 5 else None for d in range(days))  # 40 shifts, no weekend
    rows = {p.id: weekdays for p in prob.staff}
    rows["P0"] = tuple(s if d < 28 else None for d, s in enumerate(weekdays))  # 20 shifts
    merit = _merit(prob, rows)
    assert merit[:2] == (0.0, 4 * 480.0)
    # when the windows re-solve it (until a sweep at every offset improves nothing)
    current, _passes, taken = _improve(
        prob, rows, merit, deadline=time.monotonic() + 120, workers=1, seed=0, tracker=Tracker(), pool=None
    )
    # then nobody is short any more and the referee finds no broken rule
    assert taken >= 1
    assert _merit(prob, current)[:2] == (0.0, 0.0)
    assert evaluate(prob, current).violations == ()
