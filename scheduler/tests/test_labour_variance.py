from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capacity.budgets import labour_budgets_set_range
from capacity.tests.factories import PersonFactory, UnitFactory
from ops import cache as ops_cache
from scheduler.labour_variance import (
    CAUSES,
    compute_labour_variance,
    labour_variance,
    labour_variance_csv,
    roster_against_budget,
)
from scheduler.models import Roster, RosterAssignment, TimesheetEntry
from scheduler.tests.factories import (
    PayRateFactory,
    PersonContractFactory,
    RosterFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)
from scheduler.timesheets import timesheet_upload, worked_minutes

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)  # no public holiday in the week in GB


@pytest.fixture(autouse=True)
def _fresh_cache():
    ops_cache.bump("capacity", "roster")


def _unit(country: str = "GB"):
    unit = UnitFactory(country=country)
    early = ShiftTypeFactory(
        department=unit, code="E", start_time=time(7), duration_minutes=480, paid_minutes=480
    )
    night = ShiftTypeFactory(
        department=unit, code="N", start_time=time(22), duration_minutes=540, paid_minutes=480, is_night=True
    )
    return unit, early, night


def _person(unit, rate, *, contract_hours=40, night=1):
    person = PersonFactory(department=unit)
    PersonContractFactory(
        person=person,
        work_rules=WorkRulesFactory(contract_minutes_per_week=contract_hours * 60, max_minutes_per_week=None),
    )
    PayRateFactory(person=person, hourly_rate=rate, night_multiplier=night, weekend_multiplier=1)
    return person


def _entry(unit, person, day, start, end, break_minutes=0, shift=None):
    return TimesheetEntry.objects.create(
        department=unit,
        person=person,
        date=day,
        start=start,
        end=end,
        break_minutes=break_minutes,
        worked_minutes=worked_minutes(start, end, break_minutes),
        shift_type=shift,
    )


def _figures(report, unit):
    [row] = [u for u in report["units"] if u["unitId"] == unit.pk]
    return row["weeks"][0]


def test_each_cause_of_the_difference_between_actual_and_rostered_cost():
    # given a published roster and a week of actuals:
    unit, early, night = _unit()
    ada = _person(unit, 20)
    bo = _person(unit, 25, night=Decimal("1.2"))
    roster = RosterFactory(
        department=unit,
        start_date=MONDAY,
        end_date=MONDAY + timedelta(days=6),
        status=Roster.Status.PUBLISHED,
    )
    for person, offset in ((ada, 0), (ada, 1), (bo, 3)):
        RosterAssignment.objects.create(
            roster=roster, person=person, date=MONDAY + timedelta(days=offset), shift_type=early
        )
    _entry(unit, ada, MONDAY, time(7), time(17))  # 2 hours longer than rostered
    # (Ada's Tuesday is not recorded)
    _entry(unit, bo, MONDAY + timedelta(days=2), time(7), time(15))  # unplanned
    _entry(unit, bo, MONDAY + timedelta(days=3), time(7), time(15), shift=night)  # worked as a night: x1.2
    labour_budgets_set_range(unit=unit, first_week=MONDAY, weeks=1, hours=Decimal(30), cost=Decimal(600))
    # when the variance is computed
    week = _figures(compute_labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=1), unit)
    # then
    assert week["budget"] == {"hours": 30.0, "cost": 600.0}
    assert week["rostered"] == {"hours": 24.0, "cost": 8 * 20 + 8 * 20 + 8 * 25}
    assert week["actual"] == {"hours": 26.0, "cost": 10 * 20 + 8 * 25 + 8 * 25 * 1.2}
    assert week["variance"]["causes"] == {
        "overtime": {"hours": 2.0, "cost": 40.0},  # 2 h at Ada's rostered 20 an hour
        "unplanned": {"hours": 8.0, "cost": 200.0},
        "missing": {"hours": -8.0, "cost": -160.0},
        "rate": {"hours": 0.0, "cost": 40.0},  # Bo's night premium
    }
    assert week["variance"]["cost"] == 120.0
    assert week["variance"]["rosteredAgainstBudget"] == -80.0
    assert week["variance"]["actualAgainstBudget"] == 40.0


def test_an_overtime_premium_earned_is_a_rate_difference():
    # given Ada on a 16-hour contract rostered two 8-hour shifts who works the second 2 hours longer
    unit, early, _night = _unit()
    ada = _person(unit, 20, contract_hours=16)
    roster = RosterFactory(
        department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), status="solved"
    )
    for offset in (0, 1):
        RosterAssignment.objects.create(
            roster=roster, person=ada, date=MONDAY + timedelta(days=offset), shift_type=early
        )
    _entry(unit, ada, MONDAY, time(7), time(15))
    _entry(unit, ada, MONDAY + timedelta(days=1), time(7), time(17))
    # when the variance is computed
    causes = _figures(compute_labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=1), unit)[
        "variance"
    ]["causes"]
    # then the 2 hours are overtime at the rostered rate, their premium (x1.5 - 1) a rate difference
    assert causes["overtime"] == {"hours": 2.0, "cost": 40.0}
    assert causes["rate"] == {"hours": 0.0, "cost": 20.0}


DAYS = 14
shift_plan = st.lists(
    st.tuples(
        st.integers(0, 2),  # person
        st.integers(0, DAYS - 1),  # day
        st.sampled_from(["E", "N"]),
        st.booleans(),  # rostered
        st.one_of(
            st.none(),
            st.tuples(st.integers(5 * 60, 23 * 60), st.integers(4 * 60, 13 * 60), st.integers(0, 60)),
        ),
    ),
    max_size=30,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=shift_plan,
    rates=st.lists(st.integers(10, 40), min_size=3, max_size=3),
    change_day=st.integers(0, DAYS),
    contract_hours=st.lists(st.integers(8, 40), min_size=3, max_size=3),
)
def test_the_causes_sum_to_actual_minus_rostered_on_generated_data(plan, rates, change_day, contract_hours):
    sid = transaction.savepoint()
    try:
        # given a roster and actuals drawn at random, rates that change on a random day, holidays (Good
        # Friday and Easter Monday 2025 fall in the window) and random contract hours (overtime)
        first = date(2025, 4, 14)
        unit, early, night = _unit()
        shifts = {"E": early, "N": night}
        people = []
        for rate, hours in zip(rates, contract_hours, strict=True):
            person = PersonFactory(department=unit)
            PersonContractFactory(
                person=person,
                work_rules=WorkRulesFactory(contract_minutes_per_week=hours * 60, max_minutes_per_week=None),
            )
            change = first + timedelta(days=change_day)
            PayRateFactory(
                person=person,
                hourly_rate=rate,
                valid_to=change - timedelta(days=1),
                night_multiplier=Decimal("1.25"),
                holiday_multiplier=2,
            )
            PayRateFactory(
                person=person, hourly_rate=rate + 3, valid_from=change, weekend_multiplier=Decimal("1.1")
            )
            people.append(person)
        roster = RosterFactory(
            department=unit, start_date=first, end_date=first + timedelta(days=DAYS - 1), status="published"
        )
        rows = []
        for who, day, code, rostered, worked in plan:
            when = first + timedelta(days=day)
            if rostered:
                RosterAssignment.objects.create(
                    roster=roster, person=people[who], date=when, shift_type=shifts[code]
                )
            if worked is not None:
                start, length, pause = worked
                end = (start + length) % (24 * 60)
                rows.append(
                    {
                        "person": people[who].pk,
                        "date": when.isoformat(),
                        "start": f"{start // 60:02d}:{start % 60:02d}",
                        "end": f"{end // 60:02d}:{end % 60:02d}",
                        "break_minutes": pause,
                        "shift": code if day % 2 else "",
                    }
                )
        if rows:
            timesheet_upload(unit=unit, rows=rows)
        labour_budgets_set_range(unit=unit, first_week=first, weeks=2, hours=Decimal(100), cost=Decimal(2000))

        # when the variance is computed
        report = compute_labour_variance(department_ids=[unit.pk], first_week=first, weeks=2)

        # then PostgreSQL's pricing in the query agrees with the Python path to the cent and the minute
        if connection.vendor == "postgresql":
            assert report == compute_labour_variance(
                department_ids=[unit.pk], first_week=first, weeks=2, in_database=False
            )

        # then in every week and in total, the causes sum to actual minus rostered, in cents and in hours
        figures = [*report["units"][0]["weeks"], report["totals"]]
        for f in figures:
            variance = f["variance"]
            cents = sum(Decimal(str(variance["causes"][c]["cost"])) for c in CAUSES)
            assert cents == Decimal(str(variance["cost"]))
            assert Decimal(str(f["actual"]["cost"])) - Decimal(str(f["rostered"]["cost"])) == cents
            hours = sum(variance["causes"][c]["hours"] for c in CAUSES)
            assert abs(hours - (f["actual"]["hours"] - f["rostered"]["hours"])) < 0.02
        # and the rostered cost is the roster's own cost against budget (another read of the same shifts)
        assert report["totals"]["rostered"]["cost"] == roster_against_budget(roster=roster)["cost"]
        assert report["totals"]["actual"]["hours"] == round(
            sum(e.worked_minutes for e in TimesheetEntry.objects.all()) / 60, 2
        )
    finally:
        transaction.savepoint_rollback(sid)


def _busy_units(count: int, people: int):
    units = []
    for _ in range(count):
        unit, early, _night = _unit()
        roster = RosterFactory(
            department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13), status="published"
        )
        for i in range(people):
            person = _person(unit, 20 + i)
            for offset in range(0, 14, 2):
                RosterAssignment.objects.create(
                    roster=roster, person=person, date=MONDAY + timedelta(days=offset), shift_type=early
                )
                _entry(unit, person, MONDAY + timedelta(days=offset), time(7), time(15, 30), 30)
        labour_budgets_set_range(
            unit=unit, first_week=MONDAY, weeks=2, hours=Decimal(100), cost=Decimal(2000)
        )
        units.append(unit)
    return units


@pytest.mark.parametrize(("units", "people"), [(1, 2), (3, 5)])
@pytest.mark.parametrize("in_database", [True, False], ids=["in-postgresql", "in-python"])
def test_the_report_takes_a_fixed_number_of_queries_whatever_its_size(
    units, people, in_database, django_assert_num_queries
):
    # units and budgets, then one query that prices and sums every shift (PostgreSQL) or the shifts,
    # actuals, people and rates read for Python to price (seven in all)
    if in_database and connection.vendor != "postgresql":
        pytest.skip("the in-database path is PostgreSQL's")
    scope = [u.pk for u in _busy_units(units, people)]
    with django_assert_num_queries(3 if in_database else 7):
        report = compute_labour_variance(
            department_ids=scope, first_week=MONDAY, weeks=2, in_database=in_database
        )
    assert len(report["units"]) == units
    assert report["totals"]["rostered"]["hours"] == units * people * 7 * 8


def test_the_report_is_cached_until_a_capacity_or_roster_write(django_assert_num_queries):
    # given a cached report
    [unit] = _busy_units(1, 2)
    first = labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=2)
    with django_assert_num_queries(0):
        assert labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=2) == first
    # when an actual is uploaded, then the report is computed again and shows it
    person = unit.people.first()
    timesheet_upload(
        unit=unit, rows=[{"person": person.pk, "date": "2025-03-04", "start": "07:00", "end": "15:00"}]
    )
    second = labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=2)
    assert second["totals"]["variance"]["causes"]["unplanned"]["hours"] == 8.0
    # and a roster write alone (the "roster" namespace) makes it stale too
    RosterAssignment.objects.filter(roster__department=unit, person=person, date=MONDAY).delete()
    ops_cache.bump("roster")
    third = labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=2)
    assert third["totals"]["rostered"]["hours"] == second["totals"]["rostered"]["hours"] - 8


def test_the_csv_has_one_row_per_unit_and_week_with_every_cause():
    [unit] = _busy_units(1, 1)
    text = labour_variance_csv(compute_labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=2))
    lines = text.strip().splitlines()
    assert lines[0].startswith("unit_id,unit,week,complete,budget_hours,budget_cost,rostered_hours")
    assert "rate_cost" in lines[0]
    assert [line.split(",")[2] for line in lines[1:]] == ["2025-03-03", "2025-03-10"]


@pytest.mark.postgres
def test_postgresql_and_python_pick_the_same_rate_own_then_role_on_contract_then_role():
    # given one role with a rate for everyone and a higher one on a contract, and four people rostered
    # one early shift each on Monday: one with a rate of their own, one on that contract, one on
    # another contract, and one with no contract (no overtime) whose role has no rate from Tuesday
    unit, early, _night = _unit()
    role = PersonFactory(department=unit).role
    on_contract = WorkRulesFactory(contract_minutes_per_week=2400, max_minutes_per_week=None)
    other = WorkRulesFactory(contract_minutes_per_week=2400, max_minutes_per_week=None)
    PayRateFactory(person=None, role=role, valid_from=date(2020, 1, 6), valid_to=MONDAY, hourly_rate=10)
    PayRateFactory(
        person=None, role=role, work_rules=on_contract, valid_from=date(2020, 1, 6), hourly_rate=12
    )
    own, contracted, elsewhere, loose = (PersonFactory(department=unit, role=role) for _ in range(4))
    PayRateFactory(person=own, hourly_rate=20)
    PersonContractFactory(person=contracted, work_rules=on_contract)
    PersonContractFactory(person=elsewhere, work_rules=other)
    roster = RosterFactory(
        department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), status="published"
    )
    for person in (own, contracted, elsewhere, loose):
        for day in (MONDAY, MONDAY + timedelta(days=1)):
            RosterAssignment.objects.create(roster=roster, person=person, date=day, shift_type=early)

    # when the variance is computed in the database and in Python
    in_sql = compute_labour_variance(department_ids=[unit.pk], first_week=MONDAY, weeks=1, in_database=True)
    in_python = compute_labour_variance(
        department_ids=[unit.pk], first_week=MONDAY, weeks=1, in_database=False
    )

    # then both price Monday at 20 + 12 + 10 + 10 an hour and Tuesday at 20 + 12 (the role's rate ended)
    assert in_sql == in_python
    assert _figures(in_sql, unit)["rostered"]["cost"] == 8 * (20 + 12 + 10 + 10) + 8 * (20 + 12)
