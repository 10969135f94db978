from datetime import date, time, timedelta

import pytest

from capacity.models import Leave
from capacity.tests.factories import (
    AssignmentFactory,
    LeaveFactory,
    PersonFactory,
    PersonSkillFactory,
    ProjectFactory,
    SkillTagFactory,
    UnitFactory,
)
from scheduler.models import CoverRequirement, Roster
from scheduler.problem_builder import build_problem
from scheduler.tests.factories import (
    CoverRequirementFactory,
    PayRateFactory,
    PersonContractFactory,
    RosterAssignmentFactory,
    RosterFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)


@pytest.fixture
def unit():
    return UnitFactory()


def test_people_contracts_skills_and_shifts_become_the_problem(unit):
    # given a unit with an organisation-wide shift, a unit shift overriding the same code, and a nurse
    organisation = unit.parent.parent or unit.parent
    ShiftTypeFactory(department=organisation, code="E", start_time=time(7, 0), duration_minutes=480)
    ShiftTypeFactory(department=unit, code="E", start_time=time(6, 30), duration_minutes=450)
    ShiftTypeFactory(
        department=organisation, code="N", start_time=time(21, 30), duration_minutes=600, is_night=True
    )
    nurse = PersonFactory(department=unit)
    PayRateFactory(person=nurse, hourly_rate=20, overtime_multiplier=1.5)
    PersonFactory(department=unit, active=False)
    rules = WorkRulesFactory(
        contract_minutes_per_week=2250,
        max_minutes_per_week=2880,
        min_rest_hours=11,
        max_shifts_per_type={"N": 3},
    )
    PersonContractFactory(person=nurse, work_rules=rules)
    PersonSkillFactory(
        person=nurse, skill=SkillTagFactory(name="Medication"), certified_until=MONDAY + timedelta(days=3)
    )
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13))

    # when the problem is built
    problem = build_problem(roster).problem

    # then the unit's own Early wins, the inactive person is left out, and the contract carries over
    assert [(s.id, s.start_minute, s.length_minutes) for s in problem.shift_types] == [
        ("E", 390, 450),
        ("N", 1290, 600),
    ]
    assert problem.shift("N").night is True
    assert [p.id for p in problem.staff] == [str(nurse.pk)]
    contract = problem.staff[0].contract
    assert contract.max_weekly_minutes == 2880
    assert contract.min_rest_minutes == 11 * 60
    assert contract.max_shifts_per_type == {"N": 3}
    assert contract.contract_minutes == 2250 * 2
    assert problem.staff[0].skills == {"Medication": MONDAY + timedelta(days=3)}
    assert problem.staff[0].hourly_rate == 20
    assert problem.staff[0].overtime_premium == 10
    assert problem.num_days == 14


def test_manual_cover_overrides_forecast_cover(unit):
    shift = ShiftTypeFactory(department=unit, code="L")
    CoverRequirementFactory(
        department=unit,
        date=MONDAY,
        shift_type=shift,
        minimum=1,
        preferred=2,
        source=CoverRequirement.Source.FORECAST,
    )
    CoverRequirementFactory(
        department=unit,
        date=MONDAY,
        shift_type=shift,
        minimum=3,
        preferred=4,
        source=CoverRequirement.Source.MANUAL,
    )
    CoverRequirementFactory(
        department=unit,
        date=MONDAY + timedelta(days=1),
        shift_type=shift,
        minimum=2,
        preferred=2,
        source=CoverRequirement.Source.FORECAST,
    )
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6))

    cover = build_problem(roster).problem.cover

    assert [(c.day, c.shift, c.minimum, c.preferred) for c in cover] == [(0, "L", 3, 4), (1, "L", 2, 2)]


def test_leave_other_units_shifts_and_hire_date_make_absences(unit):
    shift = ShiftTypeFactory(department=unit.parent, code="E")
    person = PersonFactory(department=unit, hire_date=MONDAY + timedelta(days=5))
    LeaveFactory(
        person=person,
        start_date=MONDAY + timedelta(days=6),
        end_date=MONDAY + timedelta(days=7),
        status=Leave.Status.APPROVED,
    )
    LeaveFactory(
        person=person,
        start_date=MONDAY + timedelta(days=9),
        end_date=MONDAY + timedelta(days=9),
        status=Leave.Status.REQUESTED,
    )
    other_unit = UnitFactory(parent=unit.parent)
    elsewhere = RosterFactory(
        department=other_unit,
        start_date=MONDAY,
        end_date=MONDAY + timedelta(days=13),
        status=Roster.Status.PUBLISHED,
    )
    RosterAssignmentFactory(
        roster=elsewhere, person=person, date=MONDAY + timedelta(days=8), shift_type=shift
    )
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13))

    absences = {(a.day, a.kind) for a in build_problem(roster).problem.absences}

    assert absences == {
        (0, "not_yet_hired"),
        (1, "not_yet_hired"),
        (2, "not_yet_hired"),
        (3, "not_yet_hired"),
        (4, "not_yet_hired"),
        (6, "leave"),
        (7, "leave"),
        (8, "booked_elsewhere"),
    }


def test_pins_reference_and_history_come_from_rosters(unit):
    early = ShiftTypeFactory(department=unit, code="E")
    night = ShiftTypeFactory(department=unit, code="N", is_night=True)
    person = PersonFactory(department=unit)
    previous = RosterFactory(
        department=unit,
        start_date=MONDAY - timedelta(days=14),
        end_date=MONDAY - timedelta(days=1),
        status=Roster.Status.PUBLISHED,
    )
    RosterAssignmentFactory(roster=previous, person=person, date=MONDAY - timedelta(days=1), shift_type=night)
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=6))
    RosterAssignmentFactory(
        roster=roster, person=person, date=MONDAY + timedelta(days=2), shift_type=early, pinned=True
    )
    RosterAssignmentFactory(roster=roster, person=person, date=MONDAY + timedelta(days=3), shift_type=night)

    problem = build_problem(roster, use_reference=True).problem

    assert [(p.person, p.day, p.shift) for p in problem.pins] == [(str(person.pk), 2, "E")]
    assert problem.reference[str(person.pk)] == (None, None, "E", "N", None, None, None)
    assert problem.history[str(person.pk)][-1] == "N"
    assert len(problem.history[str(person.pk)]) == 14


def test_a_week_whose_only_free_day_cannot_hold_a_legal_run_waives_the_weekly_minimum():
    from scheduler.problem_builder import _least_available_share

    monday = date(2026, 12, 7)
    # leave Tuesday to Sunday of the first week: Monday alone cannot hold a run of two shifts
    assert _least_available_share(monday, 28, set(range(1, 7)), min_run=2) == 0.0
    # without a minimum run the Monday counts, as before
    assert _least_available_share(monday, 28, set(range(1, 7)), min_run=1) == 1 / 7
    # a free Sunday whose run goes on into the next week counts; the lone Monday does not
    assert _least_available_share(monday, 28, set(range(1, 6)), min_run=2) == 1 / 7
    # the last free days of the horizon may go on past it
    assert _least_available_share(monday, 28, set(range(21, 27)), min_run=2) == 1 / 7


def test_project_hours_count_towards_the_contracts_minimums_as_they_do_against_its_maximums(unit):
    # given a 48-hour maximum and a 24-hour minimum a week (80 and 30 hours over two weeks), and two people
    # with project hours: 32 and 8 in the two weeks, and 32 in both
    ShiftTypeFactory(department=unit.parent, code="E")
    rules = WorkRulesFactory(
        min_minutes_per_week=1440,
        max_minutes_per_week=2880,
        min_minutes_per_horizon=1800,
        max_minutes_per_horizon=4800,
    )
    varying, steady = (PersonFactory(department=unit) for _ in range(2))
    for person, hours in ((varying, (32, 8)), (steady, (32, 32))):
        PersonContractFactory(person=person, work_rules=rules)
        AssignmentFactory(
            person=person,
            project=ProjectFactory(department=unit),
            weekly_hours={MONDAY.isoformat(): hours[0], (MONDAY + timedelta(days=7)).isoformat(): hours[1]},
        )
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=13))

    # when the problem is built
    contracts = {p.id: p.contract for p in build_problem(roster).problem.staff}

    # then the busiest week's project hours come off the weekly maximum, the quietest week's off the weekly
    # minimum (no higher than the maximum: no week can break both), the horizon's off the horizon's bounds
    varying_contract, steady_contract = contracts[str(varying.pk)], contracts[str(steady.pk)]
    assert (varying_contract.max_weekly_minutes, varying_contract.min_weekly_minutes) == (960, 960)
    assert (varying_contract.max_total_minutes, varying_contract.min_total_minutes) == (2400, None)
    assert (steady_contract.max_weekly_minutes, steady_contract.min_weekly_minutes) == (960, None)
    assert (steady_contract.max_total_minutes, steady_contract.min_total_minutes) == (960, None)
    for contract in (varying_contract, steady_contract):
        assert (
            contract.min_weekly_minutes is None or contract.min_weekly_minutes <= contract.max_weekly_minutes
        )
