from datetime import date
from decimal import Decimal

import pytest

from capacity.models import Assignment, AssignmentWeekHours
from capacity.services import (
    BULK_UPDATE_MAX_ITEMS,
    assignment_create,
    assignment_delete,
    assignment_update,
    assignments_bulk_update_hours,
    clean_hours,
    week_hours_resync_people,
    weekly_hours_normalise,
)
from capacity.tests.factories import AssignmentFactory, PersonFactory, ProjectFactory, UnitFactory
from ops import cache as ops_cache
from ops.errors import ApplicationError

pytestmark = pytest.mark.django_db


def facts(assignment) -> dict[str, Decimal]:
    rows = AssignmentWeekHours.objects.filter(assignment=assignment).order_by("week_start")
    return {r.week_start.isoformat(): r.hours for r in rows}


def test_clean_hours_counts_negative_blank_and_junk_as_zero():
    assert [clean_hours(v) for v in (None, "", -3, "x", True, "NaN", "7.5", 4)] == [
        0,
        0,
        0,
        0,
        0,
        0,
        Decimal("7.5"),
        4,
    ]


def test_normalise_maps_keys_to_mondays_and_sums_them():
    # given a Sunday and a Monday of the same planning week, and a cleared week
    raw = {"2025-03-02": 4, "2025-03-03": "2.5", "2025-03-10": None, "2025-03-17": 0}
    # when
    stored = weekly_hours_normalise(raw)
    # then
    assert stored == {"2025-03-03": 6.5}


@pytest.mark.parametrize(
    "raw", [{"soon": 3}, {"2025-03-03": -1}, {"2025-03-03": 169}, {"2025-03-03": "x"}, [1]]
)
def test_normalise_refuses_what_is_not_hours(raw):
    with pytest.raises(ApplicationError) as refused:
        weekly_hours_normalise(raw)
    assert refused.value.status == 400


def test_create_writes_fact_rows_and_bumps_the_cache():
    # given
    person = PersonFactory(hire_date=date(2020, 1, 6))
    project = ProjectFactory(department=person.department)
    before = ops_cache.namespace_version("capacity")
    # when
    assignment = assignment_create(
        person=person, project=project, role=person.role, weekly_hours={"2025-03-05": 8, "2025-03-10": 4}
    )
    # then
    assert assignment.weekly_hours == {"2025-03-03": 8, "2025-03-10": 4}
    assert facts(assignment) == {"2025-03-03": Decimal("8.00"), "2025-03-10": Decimal("4.00")}
    assert ops_cache.namespace_version("capacity") > before


def test_fact_rows_leave_out_weeks_before_the_hire_date():
    # given someone hired on a Wednesday
    person = PersonFactory(hire_date=date(2025, 3, 12))
    # when
    assignment = AssignmentFactory(person=person, weekly_hours={"2025-03-03": 8, "2025-03-10": 4})
    # then the week of the hire date counts, the week before does not
    assert facts(assignment) == {"2025-03-10": Decimal("4.00")}


def test_update_replaces_hours_bumps_version_and_rewrites_facts():
    # given
    assignment = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    # when
    updated = assignment_update(assignment=assignment, expected_version=1, weekly_hours={"2025-03-17": 2})
    # then
    assert updated.version == 2 and assignment.version == 2
    assert facts(assignment) == {"2025-03-17": Decimal("2.00")}


def test_update_with_a_stale_version_is_refused_with_412_and_changes_nothing():
    # given
    assignment = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    assignment_update(assignment=assignment, weekly_hours={"2025-03-03": 9})
    # when
    with pytest.raises(ApplicationError) as refused:
        assignment_update(assignment=assignment, expected_version=1, weekly_hours={"2025-03-03": 1})
    # then
    assert refused.value.status == 412
    assert refused.value.extra["current_version"] == 2
    assert facts(assignment) == {"2025-03-03": Decimal("9.00")}


def test_moving_an_assignment_to_another_person_moves_its_facts():
    # given
    assignment = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    other = PersonFactory(role=assignment.role)
    # when
    assignment_update(assignment=assignment, person=other)
    # then
    row = AssignmentWeekHours.objects.get(assignment=assignment)
    assert (row.person_id, row.department_id) == (other.pk, other.department_id)


def test_delete_removes_facts_and_bumps_the_cache():
    # given
    assignment = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    before = ops_cache.namespace_version("capacity")
    # when
    assignment_delete(assignment=assignment)
    # then
    assert not AssignmentWeekHours.objects.filter(assignment_id=assignment.pk).exists()
    assert ops_cache.namespace_version("capacity") > before


def test_bulk_update_merges_hours_and_returns_fresh_versions():
    # given
    first = AssignmentFactory(weekly_hours={"2025-03-03": 8, "2025-03-10": 8})
    second = AssignmentFactory(weekly_hours={})
    # when
    updated = assignments_bulk_update_hours(
        items=[
            {
                "assignment_id": first.pk,
                "weekly_hours": {"2025-03-10": None, "2025-03-17": 6},
                "expected_version": 1,
            },
            {"assignment_id": second.pk, "weekly_hours": {"2025-03-02": 5}, "expected_version": 1},
        ]
    )
    # then
    assert [a.version for a in updated] == [2, 2]
    assert Assignment.objects.get(pk=first.pk).weekly_hours == {"2025-03-03": 8, "2025-03-17": 6}
    assert facts(first) == {"2025-03-03": Decimal("8.00"), "2025-03-17": Decimal("6.00")}
    assert facts(second) == {"2025-03-03": Decimal("5.00")}


def test_bulk_update_is_all_or_nothing_when_one_version_is_stale():
    # given
    fresh = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    stale = AssignmentFactory(weekly_hours={"2025-03-03": 8}, version=3)
    # when
    with pytest.raises(ApplicationError) as refused:
        assignments_bulk_update_hours(
            items=[
                {"assignment_id": fresh.pk, "weekly_hours": {"2025-03-03": 1}, "expected_version": 1},
                {"assignment_id": stale.pk, "weekly_hours": {"2025-03-03": 1}, "expected_version": 2},
            ]
        )
    # then
    assert refused.value.status == 412
    assert refused.value.extra["stale"] == [
        {"assignment_id": stale.pk, "expected_version": 2, "current_version": 3}
    ]
    assert Assignment.objects.get(pk=fresh.pk).version == 1
    assert facts(fresh) == {"2025-03-03": Decimal("8.00")}


def test_bulk_update_refuses_one_assignment_twice_with_409():
    assignment = AssignmentFactory()
    item = {"assignment_id": assignment.pk, "weekly_hours": {"2025-03-03": 1}, "expected_version": 1}
    with pytest.raises(ApplicationError) as refused:
        assignments_bulk_update_hours(items=[item, dict(item)])
    assert refused.value.status == 409
    assert refused.value.extra == {"assignment_ids": [assignment.pk]}


def test_bulk_update_refuses_more_than_the_maximum_with_413():
    items = [
        {"assignment_id": i, "weekly_hours": {}, "expected_version": 1}
        for i in range(BULK_UPDATE_MAX_ITEMS + 1)
    ]
    with pytest.raises(ApplicationError) as refused:
        assignments_bulk_update_hours(items=items)
    assert refused.value.status == 413


def test_bulk_update_refuses_invalid_hours_before_writing_anything():
    good = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    bad = AssignmentFactory()
    with pytest.raises(ApplicationError) as refused:
        assignments_bulk_update_hours(
            items=[
                {"assignment_id": good.pk, "weekly_hours": {"2025-03-03": 1}, "expected_version": 1},
                {"assignment_id": bad.pk, "weekly_hours": {"2025-03-03": -2}, "expected_version": 1},
            ]
        )
    assert refused.value.status == 400 and refused.value.extra["assignment_id"] == bad.pk
    assert Assignment.objects.get(pk=good.pk).weekly_hours == {"2025-03-03": 8}


def test_resync_after_a_department_move_rewrites_the_persons_facts():
    # given
    assignment = AssignmentFactory(weekly_hours={"2025-03-03": 8})
    person = assignment.person
    person.department = UnitFactory()
    person.save()
    # when
    week_hours_resync_people(person_ids=[person.pk])
    # then
    assert AssignmentWeekHours.objects.get(assignment=assignment).department_id == person.department_id
