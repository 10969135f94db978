"""The weekly minimum of a person with leave: prorated by the days they are available, and waived for a
week whose available days cannot hold the contract's shortest stretch of work."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from capacity.models import Leave
from capacity.tests.factories import PersonFactory, UnitFactory
from scheduler.models import Roster, RosterAssignment
from scheduler.problem_builder import build_problem
from scheduler.solver.explain import blocking_rules
from scheduler.tests.factories import PersonContractFactory, ShiftTypeFactory, WorkRulesFactory

pytestmark = pytest.mark.django_db
MONDAY = date(2031, 3, 3)


def test_a_lone_day_before_a_week_of_leave_does_not_make_the_person_infeasible():
    # given a contract of at least 24 h a week in stretches of at least two days, a person who worked
    # three days before the roster and then had days off, and leave from the roster's Tuesday to Sunday
    # (the demo drew such leave relative to today, so on some dates the roster could not be built)
    unit = UnitFactory()
    shift = ShiftTypeFactory(department=unit, code="E", start_time=time(7), duration_minutes=480)
    rules = WorkRulesFactory(
        min_minutes_per_week=1440, min_consecutive_work_days=2, min_consecutive_days_off=2
    )
    person = PersonFactory(department=unit)
    PersonContractFactory(person=person, work_rules=rules)
    before = Roster.objects.create(
        department=unit,
        start_date=MONDAY - timedelta(days=14),
        end_date=MONDAY - timedelta(days=1),
        status=Roster.Status.PUBLISHED,
    )
    for days_back in (5, 4):
        RosterAssignment.objects.create(
            roster=before, person=person, date=MONDAY - timedelta(days=days_back), shift_type=shift
        )
    Leave.objects.create(
        person=person,
        start_date=MONDAY + timedelta(days=1),
        end_date=MONDAY + timedelta(days=6),
        kind=Leave.Kind.ANNUAL,
        status=Leave.Status.APPROVED,
    )
    roster = Roster.objects.create(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13))
    # when the roster's problem is built
    problem = build_problem(roster).problem
    # then the week with one available day waives the minimum, and the person's rules can all hold
    assert problem.history[str(person.pk)][-1] is None
    assert problem.person(str(person.pk)).contract.min_weekly_minutes is None
    assert blocking_rules(problem) == {}


def test_a_week_with_a_stretch_left_keeps_its_share_of_the_minimum():
    unit = UnitFactory()
    ShiftTypeFactory(department=unit, code="E", start_time=time(7), duration_minutes=480)
    rules = WorkRulesFactory(min_minutes_per_week=1400, min_consecutive_work_days=2)
    person = PersonFactory(department=unit)
    PersonContractFactory(person=person, work_rules=rules)
    Leave.objects.create(
        person=person,
        start_date=MONDAY + timedelta(days=2),
        end_date=MONDAY + timedelta(days=6),
        kind=Leave.Kind.ANNUAL,
        status=Leave.Status.APPROVED,
    )
    roster = Roster.objects.create(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13))
    contract = build_problem(roster).problem.person(str(person.pk)).contract
    assert contract.min_weekly_minutes == 400  # Monday and Tuesday: 2 of 7 days
