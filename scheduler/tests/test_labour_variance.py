from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import holidays as holiday_calendars
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capacity.budgets import labour_budgets_set_range
from capacity.models import LabourBudget
from capacity.tests.factories import PersonFactory, UnitFactory
from ops import cache as ops_cache
from scheduler.labour_variance import (
    CAUSES,
    compute_labour_variance,
    labour_variance,
    labour_variance_csv,
    roster_against_budget,
)
from scheduler.models import PayRate, Roster, RosterAssignment, TimesheetEntry
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
    # the units, then one query that prices and sums every shift and joins the budgets (PostgreSQL), or
    # the budgets, shifts, actuals, people and rates read for Python to price (seven in all)
    if in_database and connection.vendor != "postgresql":
        pytest.skip("the in-database path is PostgreSQL's")
    scope = [u.pk for u in _busy_units(units, people)]
    with django_assert_num_queries(2 if in_database else 7):
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


def _reference_week_figures(planned, actual, rate_on, allowance, holidays):
    """The report's money and hours per Monday, recomputed plainly from the definitions in
    scheduler.labour_variance's docstring (no product code): each shift at the rate valid on its day,
    minutes beyond the weekly contract (counted in date order, rostered and actual apart) paid at the
    overtime multiplier, the highest of the night, weekend and holiday multipliers otherwise, each shift
    rounded to the cent; then rostered and actual paired per person and day. `planned` and `actual`:
    {(person, day): (minutes, night)}."""

    def priced(shifts):
        cost, used = {}, {}
        for (who, day), (minutes, night) in sorted(shifts.items(), key=lambda item: item[0][1]):
            week = (who, day - timedelta(days=day.weekday()))
            before = used.get(week, 0)
            used[week] = before + minutes
            rate = rate_on(who, day)
            if rate is None:
                cost[(who, day)] = Decimal(0)
                continue
            hourly, overtime_x, night_x, weekend_x, holiday_x = rate
            overtime = max(0, minutes - max(0, allowance[who] - before))
            base = max(
                Decimal(1),
                night_x if night else Decimal(1),
                weekend_x if day.weekday() >= 5 else Decimal(1),
                holiday_x if day in holidays else Decimal(1),
            )
            pay = hourly * ((minutes - overtime) * base + overtime * max(base, overtime_x)) / 60
            cost[(who, day)] = pay.quantize(Decimal("0.01"), ROUND_HALF_UP)
        return cost

    planned_cost, actual_cost = priced(planned), priced(actual)
    weeks = {}
    for key in planned.keys() | actual.keys():
        monday = key[1] - timedelta(days=key[1].weekday())
        week = weeks.setdefault(
            monday,
            {f: Decimal(0) for f in ("rostered", "actual", *CAUSES)}
            | {f"{f}_minutes": 0 for f in ("rostered", "actual", *CAUSES)},
        )
        if key in planned:
            week["rostered"] += planned_cost[key]
            week["rostered_minutes"] += planned[key][0]
        if key in actual:
            week["actual"] += actual_cost[key]
            week["actual_minutes"] += actual[key][0]
        if key not in planned:
            week["unplanned"] += actual_cost[key]
            week["unplanned_minutes"] += actual[key][0]
        elif key not in actual:
            week["missing"] -= planned_cost[key]
            week["missing_minutes"] -= planned[key][0]
        else:
            extra = actual[key][0] - planned[key][0]
            longer = (planned_cost[key] * extra / planned[key][0]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            week["overtime"] += longer
            week["overtime_minutes"] += extra
            week["rate"] += actual_cost[key] - planned_cost[key] - longer
    return weeks


def _assert_matches_reference(report, expected):
    for row in report["units"][0]["weeks"]:
        week = expected.get(date.fromisoformat(row["week"]))
        if week is None:
            assert row["rostered"] == row["actual"] == {"hours": 0.0, "cost": 0.0}
            continue
        assert row["rostered"] == {
            "hours": round(week["rostered_minutes"] / 60, 2),
            "cost": float(week["rostered"]),
        }
        assert row["actual"] == {
            "hours": round(week["actual_minutes"] / 60, 2),
            "cost": float(week["actual"]),
        }
        assert row["variance"]["causes"] == {
            cause: {"hours": round(week[f"{cause}_minutes"] / 60, 2), "cost": float(week[cause])}
            for cause in CAUSES
        }
    budgets = [row["budget"] for row in report["units"][0]["weeks"]]
    assert budgets == [{"hours": 99.5, "cost": 2000.05}] * 2 + [{"hours": None, "cost": None}]
    assert report["totals"]["budget"] == {"hours": 199.0, "cost": 4000.1}
    assert report["totals"]["rostered"]["cost"] == float(
        sum((w["rostered"] for w in expected.values()), Decimal(0))
    )


REFERENCE_DAYS = 21
RATE_FIELDS = (
    "hourly_rate",
    "overtime_multiplier",
    "night_multiplier",
    "weekend_multiplier",
    "holiday_multiplier",
)


def _terms(values) -> dict:
    return dict(zip(RATE_FIELDS, values, strict=True))


reference_plan = st.lists(
    st.tuples(
        st.integers(0, 2),  # person
        st.integers(0, REFERENCE_DAYS - 1),  # day
        st.sampled_from(["E", "N"]),
        st.booleans(),  # rostered
        st.one_of(
            st.none(),
            st.tuples(
                st.integers(0, 24 * 60 - 1),  # start minute
                st.integers(3 * 60, 14 * 60),  # length
                st.integers(0, 45),  # break
                st.sampled_from([None, "E", "N"]),  # the shift named on the timesheet
            ),
        ),
    ),
    max_size=40,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=reference_plan,
    cents=st.lists(st.integers(1000, 4599), min_size=3, max_size=3),
    own_days=st.tuples(st.integers(0, REFERENCE_DAYS), st.integers(0, REFERENCE_DAYS)),
    contract_day=st.integers(0, REFERENCE_DAYS),
    contract_hours=st.lists(st.integers(6, 40), min_size=2, max_size=2),
)
def test_the_report_equals_a_plain_recomputation_on_generated_data(
    plan, cents, own_days, contract_day, contract_hours
):
    sid = transaction.savepoint()
    try:
        # given three people of one role on two contracts and rates of every kind: the role's for
        # everyone, a higher one on the first contract from a random day, and the first person's own
        # rate for a random stretch (so their rate comes from all three in turn); holidays (Good Friday
        # and Easter Monday 2025 fall in the window), weekends, nights and random contract hours
        first = date(2025, 4, 14)
        unit, early, night = _unit()
        shifts = {"E": early, "N": night}
        role = PersonFactory(department=unit).role
        contracts = [
            WorkRulesFactory(contract_minutes_per_week=hours * 60, max_minutes_per_week=None)
            for hours in contract_hours
        ]
        people = [PersonFactory(department=unit, role=role) for _ in range(3)]
        for person, contract in zip(people, (contracts[0], contracts[0], contracts[1]), strict=True):
            PersonContractFactory(person=person, work_rules=contract)
        allowance = {0: contracts[0].contract_minutes_per_week, 1: contracts[0].contract_minutes_per_week}
        allowance[2] = contracts[1].contract_minutes_per_week
        hourly = [Decimal(c) / 100 for c in cents]
        role_terms = (hourly[0], Decimal("1.5"), Decimal("1.25"), Decimal("1.1"), Decimal(2))
        contract_terms = (hourly[1], Decimal("1.35"), Decimal("1.3"), Decimal(1), Decimal("1.75"))
        own_terms = (hourly[2], Decimal("1.6"), Decimal(1), Decimal("1.2"), Decimal("2.5"))
        PayRateFactory(person=None, role=role, valid_from=date(2020, 1, 6), **_terms(role_terms))
        contract_from = first + timedelta(days=contract_day)
        PayRateFactory(
            person=None,
            role=role,
            work_rules=contracts[0],
            valid_from=contract_from,
            **_terms(contract_terms),
        )
        own_from, own_to = (first + timedelta(days=d) for d in sorted(own_days))
        PayRateFactory(person=people[0], valid_from=own_from, valid_to=own_to, **_terms(own_terms))

        def rate_on(who, day):
            if who == 0 and own_from <= day <= own_to:
                return own_terms
            if who in (0, 1) and day >= contract_from:
                return contract_terms
            return role_terms

        roster = RosterFactory(
            department=unit,
            start_date=first,
            end_date=first + timedelta(days=REFERENCE_DAYS - 1),
            status="published",
        )
        planned, actual = {}, {}
        for who, offset, code, rostered, worked in plan:
            day = first + timedelta(days=offset)
            if rostered:
                RosterAssignment.objects.create(
                    roster=roster, person=people[who], date=day, shift_type=shifts[code]
                )
                planned[(who, day)] = (shifts[code].paid_minutes, shifts[code].is_night)
            if worked is not None:
                begin, length, pause, named = worked
                start = time(begin // 60, begin % 60)
                finish = (begin + length) % (24 * 60)
                end = time(finish // 60, finish % 60)
                entry = _entry(unit, people[who], day, start, end, pause, shifts[named] if named else None)
                # night: as the timesheet names it, else as rostered, else when it ends the next day
                if named:
                    is_night = shifts[named].is_night
                else:
                    is_night = shifts[code].is_night if rostered else end < start
                actual[(who, day)] = (entry.worked_minutes, is_night)
        labour_budgets_set_range(
            unit=unit, first_week=first, weeks=2, hours=Decimal("99.5"), cost=Decimal("2000.05")
        )
        holidays = frozenset(holiday_calendars.country_holidays("GB", years=2025))

        # when the variance is computed (on PostgreSQL in the query and in Python, elsewhere in Python)
        paths = (True, False) if connection.vendor == "postgresql" else (False,)
        reports = [
            compute_labour_variance(department_ids=[unit.pk], first_week=first, weeks=3, in_database=path)
            for path in paths
        ]

        # then every week's money and hours are the plain recomputation's
        expected = _reference_week_figures(planned, actual, rate_on, allowance, holidays)
        for report in reports:
            _assert_matches_reference(report, expected)
    finally:
        transaction.savepoint_rollback(sid)


def test_the_query_prices_in_whole_cents_because_every_money_field_has_two_decimals():
    # scheduler.labour_variance_sql multiplies rates, multipliers and budgets by 100 into integers: a
    # third decimal would be rounded away there, so a field that gains one must change the query too
    fields = [PayRate._meta.get_field(name) for name in RATE_FIELDS]
    fields += [LabourBudget._meta.get_field(name) for name in ("hours", "cost")]
    assert {field.name: field.decimal_places for field in fields} == {field.name: 2 for field in fields}
