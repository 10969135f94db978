from datetime import date, time
from decimal import Decimal

import factory

from capacity.tests.factories import PersonFactory, UnitFactory
from scheduler.models import (
    CoverRequirement,
    PayRate,
    PersonContract,
    Roster,
    RosterAssignment,
    ShiftType,
    TimesheetEntry,
    WorkRules,
)


class ShiftTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftType

    department = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda s: f"Shift {s.code}")
    start_time = time(7, 0)
    duration_minutes = 480
    paid_minutes = 450


class WorkRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkRules

    name = factory.Sequence(lambda n: f"Contract {n}")
    contract_minutes_per_week = 2250
    max_minutes_per_week = 2880


class PersonContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonContract

    person = factory.SubFactory(PersonFactory)
    work_rules = factory.SubFactory(WorkRulesFactory)


class CoverRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverRequirement

    department = factory.SubFactory(UnitFactory)
    date = date(2025, 3, 3)
    shift_type = factory.SubFactory(ShiftTypeFactory)
    minimum = 1
    preferred = 2


class RosterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roster

    department = factory.SubFactory(UnitFactory)
    start_date = date(2025, 3, 3)
    end_date = date(2025, 3, 30)


class RosterAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterAssignment

    roster = factory.SubFactory(RosterFactory)
    person = factory.SubFactory(PersonFactory)
    date = date(2025, 3, 3)
    shift_type = factory.SubFactory(ShiftTypeFactory)


class PayRateFactory(factory.django.DjangoModelFactory):
    """A person's rate, valid from their hire date on (unless told otherwise)."""

    class Meta:
        model = PayRate

    person = factory.SubFactory(PersonFactory)
    valid_from = factory.LazyAttribute(lambda r: r.person.hire_date if r.person else date(2020, 1, 6))
    hourly_rate = Decimal("20.00")


class TimesheetEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimesheetEntry

    person = factory.SubFactory(PersonFactory)
    department = factory.LazyAttribute(lambda e: e.person.department)
    date = date(2025, 3, 3)
    start = time(7, 0)
    end = time(15, 0)
    break_minutes = 30
    worked_minutes = 450
