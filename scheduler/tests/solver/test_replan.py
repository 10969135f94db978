"""Re-planning one person over the whole horizon against the others' cover (solver/replan.py)."""

from __future__ import annotations

import random

from scheduler.solver.domain import Cover, Weights
from scheduler.solver.evaluate import evaluate
from scheduler.solver.replan import PersonReplanner, merit

from .builders import person, problem

DAYS = 28
SHIFTS = 480 * 10  # ten shifts exactly


def _late_demand(**kwargs):
    """Cover wanted only in weeks 3-4 (100 a missing person), 10 for each person too many anywhere."""
    cover = tuple(
        Cover(d, "D", preferred=int(d >= 14), weight_under=100, weight_over=10) for d in range(DAYS)
    )
    staff = kwargs.pop("staff", None) or [person("A", min_total_minutes=SHIFTS, max_total_minutes=SHIFTS)]
    return problem(DAYS, staff=staff, cover=cover, **kwargs)


def test_a_person_re_planned_over_the_horizon_moves_work_between_distant_weeks():
    # given A's ten shifts all in the first fortnight, where nobody is wanted: a window of days cannot move
    # them, since A's total inside any window is fixed by the days outside it
    prob = _late_demand()
    early = tuple("D" if d < 14 and d % 7 < 5 else None for d in range(DAYS))
    roster = {"A": early}
    before = merit(prob, roster)
    # when A is re-planned
    taken = PersonReplanner(prob, roster).replan(prob.staff[0])
    # then the row is taken, A works in the weeks that want cover, and the referee agrees it is better
    assert taken
    assert all(s is None for s in roster["A"][:14])
    assert sum(s is not None for s in roster["A"][14:]) == 10
    assert evaluate(prob, roster).violations == ()
    assert merit(prob, roster) < before


def test_a_refused_row_leaves_the_roster_and_its_cover_count_unchanged():
    prob = _late_demand()
    early = tuple("D" if d < 14 and d % 7 < 5 else None for d in range(DAYS))
    roster = {"A": early}
    planner = PersonReplanner(prob, roster)
    cover = dict(planner.cover)
    assert not planner.replan(prob.staff[0], accept=lambda _old, _new, _merits: False)
    assert roster["A"] == early
    assert planner.cover == cover


def test_a_rule_across_people_is_scored_on_the_whole_roster():
    # given B idle and A able to fill the wanted weeks, but a fairness weight on the spread of worked
    # minutes that makes every shift A adds cost more than the cover it gives
    staff = [person("A", max_total_minutes=SHIFTS), person("B", max_total_minutes=0)]
    prob = _late_demand(staff=staff, weights=Weights(fairness_minutes=1))
    roster = {"A": (None,) * DAYS, "B": (None,) * DAYS}
    objective = evaluate(prob, roster).objective
    # when A is re-planned: alone, A's row would look better (no spread with one person)
    taken = PersonReplanner(prob, roster).replan(prob.staff[0])
    # then the whole roster's objective decides, and the row is refused
    assert not taken
    assert evaluate(prob, roster).objective == objective


def test_a_sweep_never_makes_the_roster_worse():
    prob = _late_demand(
        staff=[person(p, min_total_minutes=480 * 4, max_total_minutes=480 * 8) for p in "ABC"],
    )
    roster = {p: tuple("D" if d % 7 in (0, 1, 2, 3) and d < 14 else None for d in range(DAYS)) for p in "ABC"}
    before = merit(prob, roster)
    taken = PersonReplanner(prob, roster).sweep(seed=1, deadline=float("inf"), cancelled=lambda: False)
    assert taken >= 1
    assert merit(prob, roster) < before
    assert evaluate(prob, roster).violations == ()


def _equal_demand():
    """Cover of one wanted on every day: any ten days are as good as any other ten."""
    cover = tuple(Cover(d, "D", preferred=1, weight_under=100, weight_over=10) for d in range(DAYS))
    staff = [person("A", min_total_minutes=SHIFTS, max_total_minutes=SHIFTS)]
    return problem(DAYS, staff=staff, cover=cover)


def test_a_row_of_equal_merit_is_taken_only_with_sideways_moves():
    # given A's ten shifts, where any other ten days would cost the same
    prob = _equal_demand()
    first = tuple("D" if d < 14 and d % 7 < 5 else None for d in range(DAYS))
    # when A is re-planned without sideways moves, the row stays; with them, A moves to rows of equal merit
    roster = {"A": first}
    assert not PersonReplanner(prob, roster).replan(prob.staff[0])
    assert roster["A"] == first
    seen = set()
    for seed in range(5):
        roster = {"A": first}
        before = merit(prob, roster)
        if PersonReplanner(prob, roster, sideways=random.Random(seed)).replan(prob.staff[0]):
            seen.add(roster["A"])
        # then the merit never rises and every rule holds
        assert merit(prob, roster) == before
        assert evaluate(prob, roster).violations == ()
    assert seen  # the ties fell elsewhere at least once in five seeds
    assert len(seen) > 1  # and not always to the same row
