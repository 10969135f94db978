"""A small planning unit that solves feasibly in a few seconds: the browser and page tests' data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from capacity.models import AccessGrant, Department
from capacity.tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    PersonFactory,
    ProjectFactory,
    RoleFactory,
    UnitFactory,
)
from scheduler.tests.factories import (
    CoverRequirementFactory,
    PayRateFactory,
    PersonContractFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

PASSWORD = "pages-test-pw"


@dataclass
class PlanningUnit:
    unit: Department
    people: list
    shift_types: list
    start: date


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def planning_unit(*, people: int = 14, weeks: int = 2, name: str = "Test Ward", assignments: bool = True):
    site = DepartmentFactory(kind=Department.Kind.SITE, name=f"{name} site")
    unit = UnitFactory(name=name, parent=site)
    role = RoleFactory(name=f"{name} nurse")
    rules = WorkRulesFactory(
        name=f"{name} contract", contract_minutes_per_week=2250, max_minutes_per_week=2880, min_rest_hours=11
    )
    staff = [
        PersonFactory(
            department=unit,
            role=role,
            name=f"{name} person {i:02d}",
            email=f"{name.lower().replace(' ', '.')}.{i}@example.test",
        )
        for i in range(people)
    ]
    for i, person in enumerate(staff):
        PersonContractFactory(person=person, work_rules=rules)
        PayRateFactory(person=person, hourly_rate=18 + i % 5)
    early = ShiftTypeFactory(
        department=unit, code="E", name="Early", start_time=time(7), duration_minutes=480
    )
    late = ShiftTypeFactory(department=unit, code="L", name="Late", start_time=time(14), duration_minutes=480)
    night = ShiftTypeFactory(
        department=unit,
        code="N",
        name="Night",
        start_time=time(21, 30),
        duration_minutes=600,
        paid_minutes=570,
        is_night=True,
    )
    start = next_monday()
    for offset in range(7 * weeks):
        for shift in (early, late, night):
            CoverRequirementFactory(
                department=unit, date=start + timedelta(days=offset), shift_type=shift, minimum=1, preferred=3
            )
    if assignments:
        project = ProjectFactory(department=unit, name=f"{name} project")
        monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        for person in staff:
            AssignmentFactory(
                person=person,
                project=project,
                role=role,
                weekly_hours={(monday + timedelta(weeks=w)).isoformat(): 20 for w in range(4)},
            )
    return PlanningUnit(unit=unit, people=staff, shift_types=[early, late, night], start=start)


def user_with_role(username: str, department: Department, role: str = "planner"):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    AccessGrant.objects.create(user=user, department=department, role=role, include_children=True)
    return user
