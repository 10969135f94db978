"""A scenario's Problem: each change applied to a copy of the roster's inputs, nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from capacity.models import LabourBudget
from scheduler.models import WorkRules
from scheduler.problem_builder import build_problem, week_budgets
from scheduler.scenario_changes import scenario_changes_parse, scenario_problem
from scheduler.solver import domain as sd
from scheduler.tests.scenario_setup import START, scenario_ward, solved_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return scenario_ward()


def test_the_builder_gives_each_weeks_budget(ward):
    # given budgets of 150 h and 3000 on both weeks of a two-week roster
    roster = solved_roster(ward)
    # then the problem carries one budget per week over its days, in minutes and cost units
    budgets = build_problem(roster).problem.budgets
    assert budgets == (
        sd.Budget(days=tuple(range(7)), minutes=9000, cost=3000),
        sd.Budget(days=tuple(range(7, 14)), minutes=9000, cost=3000),
    )


def test_a_week_cut_by_the_horizon_gets_its_share():
    # a roster from a Thursday for six days: four days of the first week, two of the next
    thursday = START + timedelta(days=3)
    amounts = {START: (Decimal(70), Decimal(700)), START + timedelta(weeks=1): (None, Decimal(140))}
    assert week_budgets(thursday, 6, amounts) == (
        sd.Budget(days=(0, 1, 2, 3), minutes=2400, cost=400),
        sd.Budget(days=(4, 5), minutes=None, cost=40),
    )


def _scenario(roster, **changes):
    built, names = scenario_problem(roster, scenario_changes_parse(changes))
    return built.problem, names


def test_cover_is_scaled_half_up_then_set_per_shift(ward):
    roster = solved_roster(ward)
    problem, _ = _scenario(
        roster, cover_scale=1.5, cover=[{"date": "2031-03-04", "shift": "L", "minimum": 4}]
    )
    levels = {(c.day, c.shift): (c.minimum, c.preferred) for c in problem.cover}
    assert levels[(0, "E")] == (2, 3)  # 1 x 1.5 and 2 x 1.5, rounded half up
    assert levels[(1, "L")] == (4, 4)  # set: the preferred level is never below the minimum


def test_people_left_out_borrowed_and_hired(ward):
    from capacity.tests.factories import PersonFactory

    roster = solved_roster(ward)
    borrowed = PersonFactory(name="Borrowed")
    problem, names = _scenario(
        roster,
        remove_people=[ward.people[0].pk],
        add_people=[borrowed.pk, {"like": ward.people[2].pk, "count": 2}],
    )
    ids = [p.id for p in problem.staff]
    assert str(ward.people[0].pk) not in ids and str(borrowed.pk) in ids
    assert ids[-2:] == ["new-1", "new-2"]
    like = problem.person(str(ward.people[2].pk))
    assert problem.person("new-2").contract == like.contract and problem.person("new-2").hourly_rate == 22
    assert names["new-1"] == f"New hire 1 (like {ward.people[2].name})"


def test_contract_rules_weights_and_budgets_change_in_memory_only(ward):
    roster = solved_roster(ward)
    problem, _ = _scenario(
        roster,
        work_rules={str(ward.rules.pk): {"max_consecutive_work_days": 3, "min_rest_hours": 12}},
        rule_weights={"labour_budget_over": 7},
        budget={"hours": 100},
    )
    contract = problem.staff[0].contract
    assert (contract.max_consecutive_shifts, contract.min_rest_minutes) == (3, 720)
    assert problem.weights.labour_budget_over == 7
    # the hours are the scenario's, the cost is still the stored budget's
    assert problem.budgets[0] == sd.Budget(days=tuple(range(7)), minutes=6000, cost=3000)
    # and nothing was written
    rules = WorkRules.objects.get(pk=ward.rules.pk)
    assert (rules.max_consecutive_work_days, rules.min_rest_hours) == (None, 11)
    assert LabourBudget.objects.get(department=ward.unit, week_start=date(2031, 3, 3)).hours == 150
    base = build_problem(roster).problem
    assert base.staff[0].contract.max_consecutive_shifts is None and base.budgets[0].minutes == 9000
