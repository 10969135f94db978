"""A small unit on fixed dates for the scenario tests: feasible whatever today's date is (no leave, no
project hours, nothing drawn relative to today), with a labour budget on its two weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from capacity.models import Department, LabourBudget
from capacity.tests.factories import DepartmentFactory, PersonFactory, RoleFactory, UnitFactory
from scheduler.models import Roster, RosterAssignment
from scheduler.tests.factories import (
    CoverRequirementFactory,
    PayRateFactory,
    PersonContractFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

START = date(2031, 3, 3)  # a Monday
DAYS = 14


@dataclass
class Ward:
    unit: Department
    people: list
    rules: object
    early: object
    late: object
    start: date = START
    end: date = START + timedelta(days=DAYS - 1)


def scenario_ward(*, name: str = "What-if Ward", people: int = 6) -> Ward:
    site = DepartmentFactory(kind=Department.Kind.SITE, name=f"{name} site")
    unit = UnitFactory(name=name, parent=site)
    role = RoleFactory(name=f"{name} nurse")
    rules = WorkRulesFactory(
        name=f"{name} contract", contract_minutes_per_week=2400, max_minutes_per_week=2880, min_rest_hours=11
    )
    staff = [
        PersonFactory(
            department=unit, role=role, name=f"{name} {i:02d}", email=f"whatif.{name[:4]}.{i}@example.test"
        )
        for i in range(people)
    ]
    for i, person in enumerate(staff):
        PersonContractFactory(person=person, work_rules=rules)
        PayRateFactory(person=person, hourly_rate=Decimal(20 + i))
    early = ShiftTypeFactory(
        department=unit, code="E", name="Early", start_time=time(7), duration_minutes=480
    )
    late = ShiftTypeFactory(department=unit, code="L", name="Late", start_time=time(14), duration_minutes=480)
    for offset in range(DAYS):
        for shift in (early, late):
            CoverRequirementFactory(
                department=unit, date=START + timedelta(days=offset), shift_type=shift, minimum=1, preferred=2
            )
    for week in range(DAYS // 7):
        LabourBudget.objects.create(
            department=unit, week_start=START + timedelta(weeks=week), hours=Decimal(150), cost=Decimal(3000)
        )
    return Ward(unit=unit, people=staff, rules=rules, early=early, late=late)


def solved_roster(ward: Ward, *, status: str = Roster.Status.SOLVED) -> Roster:
    """A roster of the ward with a plain rota written in (two people a shift, every day): a base that
    holds cells without needing a solve."""
    roster = Roster.objects.create(
        department=ward.unit, start_date=ward.start, end_date=ward.end, status=status, revision=3
    )
    rows = []
    for day in range(DAYS):
        for slot, shift in enumerate((ward.early, ward.late)):
            person = ward.people[(day + slot * 3) % len(ward.people)]
            rows.append(
                RosterAssignment(
                    roster=roster, person=person, date=ward.start + timedelta(days=day), shift_type=shift
                )
            )
    RosterAssignment.objects.bulk_create(rows)
    return roster
