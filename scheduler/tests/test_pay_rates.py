from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from capacity.tests.factories import PersonFactory, RoleFactory, UnitFactory
from conftest import using_postgres
from ops.errors import ApplicationError
from scheduler.labour_cost import WorkedShift, price_shifts
from scheduler.models import PayRate, RosterAssignment
from scheduler.pay_rates import (
    PersonTerms,
    Rate,
    RateBook,
    pay_rate_create,
    pay_rate_update,
    person_terms,
    rate_book,
)
from scheduler.problem_builder import build_problem
from scheduler.selectors import roster_hours_and_cost
from scheduler.tests.factories import (
    PayRateFactory,
    PersonContractFactory,
    RosterFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)


def test_the_most_specific_rate_valid_on_the_day_applies():
    # given a nurse on a contract, a role rate, a role-and-contract rate and, from the 10th, her own rate
    role = RoleFactory(name="Nurse")
    rules = WorkRulesFactory()
    nurse = PersonFactory(role=role)
    PersonContractFactory(person=nurse, work_rules=rules)
    pay_rate_create(role=role, valid_from=date(2025, 1, 1), hourly_rate=Decimal(15))
    pay_rate_create(role=role, work_rules=rules, valid_from=date(2025, 3, 5), hourly_rate=Decimal(17))
    pay_rate_create(person=nurse, valid_from=date(2025, 3, 10), hourly_rate=Decimal(21))
    # when the rates are read for the month
    book = rate_book(people=person_terms([nurse.pk]), start=MONDAY, end=date(2025, 3, 31))
    # then each day has the most specific rate valid on it
    assert book.rate_on(nurse.pk, date(2025, 3, 4)).hourly == 15
    assert book.rate_on(nurse.pk, date(2025, 3, 5)).hourly == 17
    assert book.rate_on(nurse.pk, date(2025, 3, 10)).hourly == 21
    assert book.rate_on(nurse.pk, date(2024, 12, 31)) is None


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [(date(2025, 3, 31), None), (date(2025, 1, 1), date(2025, 3, 1)), (date(2024, 1, 1), None)],
)
def test_the_service_refuses_an_overlapping_rate_on_every_database(valid_from, valid_to):
    # given a rate valid through March
    person = PersonFactory()
    first = pay_rate_create(
        person=person, valid_from=date(2025, 3, 1), valid_to=date(2025, 3, 31), hourly_rate=Decimal(20)
    )
    # when another rate of the same person overlaps it, then it is refused with 409 naming the rate
    with pytest.raises(ApplicationError) as refused:
        pay_rate_create(person=person, valid_from=valid_from, valid_to=valid_to, hourly_rate=Decimal(22))
    assert refused.value.status == 409
    assert refused.value.extra["overlaps"][0]["id"] == first.pk
    assert PayRate.objects.filter(person=person).count() == 1


def test_adjacent_rates_and_rates_of_other_subjects_do_not_overlap():
    # given a rate through March
    person, other = PersonFactory(), PersonFactory()
    rate = pay_rate_create(
        person=person, valid_from=date(2025, 3, 1), valid_to=date(2025, 3, 31), hourly_rate=Decimal(20)
    )
    # when the next rate starts the day after, and another person's rate covers the same days
    pay_rate_create(person=person, valid_from=date(2025, 4, 1), hourly_rate=Decimal(21))
    pay_rate_create(person=other, valid_from=date(2025, 3, 1), hourly_rate=Decimal(30))
    # then both are kept, and moving the first rate's end into the second is refused
    assert PayRate.objects.count() == 3
    with pytest.raises(ApplicationError):
        pay_rate_update(rate=rate, valid_to=date(2025, 4, 2))


def test_a_rate_without_a_subject_or_with_both_is_refused():
    person = PersonFactory()
    with pytest.raises(ApplicationError):
        pay_rate_create(valid_from=MONDAY, hourly_rate=Decimal(20))
    with pytest.raises(ApplicationError):
        pay_rate_create(person=person, role=person.role, valid_from=MONDAY, hourly_rate=Decimal(20))
    with pytest.raises(ApplicationError) as bad_dates:
        pay_rate_create(person=person, valid_from=MONDAY, valid_to=MONDAY - timedelta(days=1), hourly_rate=1)
    assert "valid_to" in str(bad_dates.value.extra) or "__all__" in str(bad_dates.value.extra)


@pytest.mark.postgres
@pytest.mark.parametrize("subject", ["person", "role", "role_and_contract"])
def test_postgresql_refuses_overlapping_rates_written_past_the_service(subject):
    # given a rate, written straight to the table (as a concurrent writer or a script would)
    person = PersonFactory()
    rules = WorkRulesFactory()
    fields = {
        "person": {"person": person},
        "role": {"role": person.role},
        "role_and_contract": {"role": person.role, "work_rules": rules},
    }[subject]
    PayRate.objects.create(valid_from=date(2025, 3, 1), hourly_rate=20, **fields)
    # when an overlapping open-ended rate is inserted, then the exclusion constraint refuses it
    assert using_postgres()
    with pytest.raises(IntegrityError), transaction.atomic():
        PayRate.objects.create(valid_from=date(2025, 6, 1), hourly_rate=21, **fields)
    # and a rate of the role on another contract (or on none) is another subject
    if subject == "role_and_contract":
        PayRate.objects.create(valid_from=date(2025, 6, 1), hourly_rate=21, role=person.role)


def _ward_with_nurse(rate_change: date | None):
    unit = UnitFactory(country="GB")
    shift = ShiftTypeFactory(
        department=unit, code="E", start_time=time(7), duration_minutes=480, paid_minutes=480
    )
    nurse = PersonFactory(department=unit)
    PersonContractFactory(
        person=nurse,
        work_rules=WorkRulesFactory(contract_minutes_per_week=40 * 60, max_minutes_per_week=None),
    )
    if rate_change is None:
        PayRateFactory(person=nurse, hourly_rate=20)
    else:
        PayRateFactory(person=nurse, hourly_rate=20, valid_to=rate_change - timedelta(days=1))
        PayRateFactory(person=nurse, hourly_rate=25, valid_from=rate_change)
    return unit, shift, nurse


def test_roster_cost_uses_the_rate_valid_on_each_shifts_date():
    # given a nurse whose rate rises from 20 to 25 on Thursday, rostered Monday to Friday (weekdays, no
    # holiday, within her 40 contract hours)
    unit, shift, nurse = _ward_with_nurse(rate_change=MONDAY + timedelta(days=3))
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6))
    for offset in range(5):
        RosterAssignment.objects.create(
            roster=roster, person=nurse, date=MONDAY + timedelta(days=offset), shift_type=shift
        )
    # when the roster's cost is read
    [row] = roster_hours_and_cost(roster=roster)
    # then three shifts cost 8 h x 20 and two 8 h x 25
    assert row["hours"] == 40
    assert row["overtime_hours"] == 0
    assert row["cost"] == 3 * 8 * 20 + 2 * 8 * 25


def test_weekend_night_and_holiday_premiums_take_the_highest_and_overtime_its_multiplier():
    # given a rate of 20 with overtime x1.5, nights x1.2, weekends x1.3, holidays x2
    rate = Rate(
        id=1,
        valid_from=date(2025, 1, 1),
        valid_to=None,
        hourly=Decimal(20),
        overtime=Decimal("1.5"),
        night=Decimal("1.2"),
        weekend=Decimal("1.3"),
        holiday=Decimal(2),
    )
    book = RateBook([(1, None, None, rate)], {1: PersonTerms(role_id=1)})
    saturday = date(2025, 3, 8)
    shifts = [
        WorkedShift("weekday", 1, MONDAY, 600),
        WorkedShift("saturday night", 1, saturday, 600, night=True),
        WorkedShift("holiday", 1, date(2025, 4, 18), 60, holiday=True),
    ]
    # when priced with 10 contract hours per week: the Saturday shift is all overtime
    costs = price_shifts(
        shifts, rates=book, contract_minutes=lambda _: 600, period=lambda d: d.isocalendar()[1]
    )
    # then
    assert costs["weekday"] == Decimal("200.00")
    assert costs["saturday night"] == Decimal("300.00")  # max(1.3, 1.2, overtime 1.5) = 1.5
    assert costs["holiday"] == Decimal("40.00")


def test_the_solver_gets_the_mean_rate_of_its_horizon():
    # given a rate rising from 20 to 27 after a week of a two-week roster
    unit, _shift, nurse = _ward_with_nurse(rate_change=MONDAY + timedelta(days=7))
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13))
    # when the problem is built, then the solver's one rate is the day-weighted mean
    person = build_problem(roster).problem.staff[0]
    assert person.hourly_rate == round((20 + 25) / 2)
    assert person.overtime_premium == round((10 + 12.5) / 2)
