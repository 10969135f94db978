"""The entry point the app calls: progress, cancellation, warm start, explanations, assignment fills."""

from __future__ import annotations

import threading

from scheduler.solver import solve
from scheduler.solver.cpsat import solve_cpsat
from scheduler.solver.domain import (
    FEASIBLE,
    OPTIMAL,
    UNKNOWN,
    Absence,
    Contract,
    Cover,
    Person,
    Pin,
    ShiftType,
)
from scheduler.solver.evaluate import evaluate

from .builders import DAY, avoids, person, problem, wants


def _cover_problem(days=7, people=4):
    staff = [person(chr(65 + i), max_consecutive_shifts=3, min_total_minutes=480) for i in range(people)]
    cover = tuple(Cover(d, "D", preferred=2, weight_under=10, weight_over=1) for d in range(days))
    return problem(days, staff=staff, cover=cover, requests=wants("A", [0, 1]) + avoids("B", [2], weight=2))


def test_progress_reports_incumbents_and_bound():
    seen = []
    solution = solve(_cover_problem(), engine="cpsat", time_limit=5, workers=1, progress=seen.append)
    assert solution.status == OPTIMAL
    assert seen and seen[-1].objective is not None
    assert all(p.elapsed >= 0 for p in seen)


def test_cancel_event_stops_the_search_with_the_best_roster_so_far():
    event = threading.Event()
    event.set()
    solution = solve_cpsat(_cover_problem(28, 8), time_limit=30, workers=1, cancel=event)
    assert solution.status in (UNKNOWN, FEASIBLE, OPTIMAL)
    assert solution.timings.solve < 30


def test_lns_path_agrees_with_the_referee():
    prob = _cover_problem(14, 6)
    solution = solve_cpsat(prob, time_limit=3, workers=2, lns=True)
    assert evaluate(prob, solution.roster).objective == solution.objective


def test_warm_start_from_reference_keeps_a_good_roster():
    prob = _cover_problem()
    first = solve(prob, engine="cpsat", time_limit=5, workers=1)
    again = solve(prob, engine="cpsat", time_limit=5, workers=1, hint=first.roster)
    assert again.objective == first.objective


def test_shortfall_explains_who_is_blocked_and_why():
    # given three people for a shift needing three: one on leave, one lacking rest, one free
    late = ShiftType("L", 480, start_minute=16 * 60)
    early = ShiftType("E", 480, start_minute=6 * 60)
    staff = [person("A"), person("B", min_rest_minutes=720), person("C")]
    prob = problem(
        2,
        staff=staff,
        shifts=(late, early),
        absences=(Absence("A", 1, "leave"),),
        pins=(Pin("B", 0, "L"),),
        cover=(Cover(1, "E", minimum=3),),
    )
    # when solved
    solution = solve(prob, engine="cpsat", time_limit=5, workers=1)
    # then two are missing, with the reasons per person
    assert [(v.rule, v.amount) for v in solution.violations] == [("cover_minimum", 2)]
    (shortfall,) = solution.shortfalls
    assert shortfall.missing == 2
    assert shortfall.blocked_people == {"A": ("days_off",), "B": ("min_rest_between_shifts",)}
    assert shortfall.reasons == {"days_off": 1, "min_rest_between_shifts": 1}


def test_assignment_fills_open_shifts_without_breaking_rules():
    icu = ShiftType("S", 480, required_skills=frozenset({"icu"}))
    staff = [
        Person("A", Contract(max_total_minutes=480), skills={"icu": None}),
        Person("B", skills={"icu": None}),
        Person("C"),
        Person("D", skills={"icu": None}),
    ]
    reference = {"A": ("S", None), "B": (None, None), "C": (None, None), "D": (None, None)}
    prob = problem(
        2,
        staff=staff,
        shifts=(DAY, icu),
        reference=reference,
        absences=(Absence("D", 1),),
        cover=(Cover(1, "S", preferred=2, weight_under=10),),
        requests=avoids("B", [1], "S", 3),
    )
    # when filling day 1 only
    solution = solve(prob, engine="auto", fill_days=[1], hint=reference)
    # then only B can take it (A at max minutes, C lacks the skill, D absent), and A's day 0 is kept
    assert solution.engine == "assign"
    assert solution.roster == {"A": ("S", None), "B": (None, "S"), "C": (None, None), "D": (None, None)}
    referee = evaluate(prob, solution.roster)
    assert referee.violations == () and referee.objective == solution.objective == 10 + 3


def test_large_model_path_constructs_first_then_searches(monkeypatch):
    # given a problem treated as large: the roster comes from the person-by-person construction and LNS
    from scheduler.solver.cpsat import solve as cpsat

    monkeypatch.setattr(cpsat, "LARGE_MODEL_CELLS", 0)
    prob = _cover_problem(14, 5)
    solution = cpsat.solve_cpsat(prob, time_limit=5, workers=1)
    referee = evaluate(prob, solution.roster)
    assert referee.violations == ()
    assert referee.objective == solution.objective
    assert solution.timings.first_feasible is not None


def test_huge_model_path_solves_a_rolling_horizon_without_building_the_full_model(monkeypatch):
    # given a 5-week problem treated as too large for one model
    from scheduler.solver.cpsat import solve as cpsat

    monkeypatch.setattr(cpsat, "HUGE_MODEL_CELLS", 0)
    prob = _cover_problem(35, 5)
    # when solved
    solution = cpsat.solve_cpsat(prob, time_limit=8, workers=1)
    # then the windows give a roster the referee accepts, scored the same
    assert solution.status == FEASIBLE and "rolling horizon" in solution.message
    referee = evaluate(prob, solution.roster)
    assert referee.violations == () and referee.objective == solution.objective
