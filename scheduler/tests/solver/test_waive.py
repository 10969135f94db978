"""A person whose own rules cannot all hold no longer empties the roster (scheduler.solver.waive)."""

from __future__ import annotations

import pytest

from scheduler.solver import solve
from scheduler.solver.domain import INFEASIBLE, Absence, Cover, Pin
from scheduler.solver.evaluate import evaluate
from scheduler.solver.waive import LEFT_OUT, waive_blocking_rules

from .builders import person, problem

ENGINES = ["cpsat", "colgen", "milp"]
COVER = tuple(Cover(d, "D", minimum=1, preferred=1, weight_under=100) for d in range(3))


def _broken(prob, roster) -> set[tuple[str, str]]:
    return {(v.rule, v.person) for v in evaluate(prob, roster).violations}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_minimum_that_cannot_hold_is_waived_and_everyone_else_is_rostered(engine):
    # given A, who must work 3 days but is away on two of them, and B, who can cover every day
    prob = problem(
        3,
        staff=[person("A", min_total_minutes=3 * 480), person("B", max_consecutive_shifts=3)],
        cover=COVER,
        absences=(Absence("A", 0), Absence("A", 1)),
    )

    # when it is solved
    solution = solve(prob, engine=engine, time_limit=10, workers=1)

    # then the roster covers every day, and says that A's minimum could not hold
    assert solution.status != INFEASIBLE
    assert solution.blocking_rules == {"A": ("min_total_minutes",)}
    assert "min_total_minutes of person A waived" in solution.message
    assert _broken(prob, solution.roster) == {("min_total_minutes", "A")}
    assert {(v.rule, v.person) for v in solution.violations} == {("min_total_minutes", "A")}
    assert all(any(solution.roster[p][d] == "D" for p in "AB") for d in range(3))


@pytest.mark.parametrize("engine", ["cpsat", "colgen"])
def test_a_person_whose_limits_conflict_is_left_out_and_the_rest_rostered(engine):
    # given A, pinned to a shift on a day away (no minimum to waive), and B
    prob = problem(
        3,
        staff=[person("A"), person("B")],
        cover=COVER,
        absences=(Absence("A", 1),),
        pins=(Pin("A", 1, "D"),),
    )

    solution = solve(prob, engine=engine, time_limit=10, workers=1)

    assert solution.status != INFEASIBLE
    assert "person A left out" in solution.message
    assert solution.roster["A"] == (None, None, None)
    assert all(solution.roster["B"][d] == "D" for d in range(3))
    assert _broken(prob, solution.roster) == {("pinned_assignments", "A")}


def test_the_loosened_problem_changes_only_the_blocking_people():
    prob = problem(
        2,
        staff=[person("A", min_weekly_minutes=600, min_total_minutes=900), person("B"), person("C")],
        pins=(Pin("C", 0, "D"), Pin("B", 1, "D")),
    )

    loosened, waived = waive_blocking_rules(
        prob, {"A": ("min_total_minutes", "min_weekly_minutes"), "C": ("pinned_assignments",)}
    )

    assert waived == {"A": "min_weekly_minutes", "C": LEFT_OUT}
    a, b, c = loosened.staff
    assert (a.contract.min_weekly_minutes, a.contract.min_total_minutes) == (None, 900)
    assert a.contract.id != prob.staff[0].contract.id  # not grouped with the unchanged contract
    assert (b, c) == prob.staff[1:]
    assert loosened.pins == (Pin("B", 1, "D"),)
    assert {(x.person, x.day) for x in loosened.absences} == {("C", 0), ("C", 1)}
