"""The RoleWeekHours rollup: after every write path it equals a fresh GROUP BY of the fact table; the
backfill rebuilds it and --reconcile reports its drift; concurrent writers of the same department, role
and week lose nothing (PostgreSQL)."""

import threading
import time
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.models import Sum

from capacity import catalogue
from capacity.models import Assignment, AssignmentWeekHours, RoleWeekHours
from capacity.selectors import role_week_hours_drift
from capacity.services import (
    assignment_create,
    assignment_delete,
    assignment_update,
    assignments_bulk_update_hours,
    role_week_hours_rebuild,
    week_hours_resync_people,
)
from capacity.tests.factories import (
    AssignmentFactory,
    PersonFactory,
    ProjectFactory,
    RoleFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

WEEK = date(2025, 3, 3)
NEXT = date(2025, 3, 10)


def rollup() -> dict[tuple, Decimal]:
    """The rollup's rows, leaving out those that fell to 0 (they may stay)."""
    return {
        (r.department_id, r.role_id, r.week_start): r.hours for r in RoleWeekHours.objects.all() if r.hours
    }


def grouped_facts() -> dict[tuple, Decimal]:
    rows = (
        AssignmentWeekHours.objects.values_list("department_id", "role_id", "week_start")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {(d, r, w): total for d, r, w, total in rows}


def assert_rollup_exact() -> dict[tuple, Decimal]:
    expected = grouped_facts()
    assert rollup() == expected
    assert role_week_hours_drift()[0] == []
    return expected


@pytest.fixture
def ward():
    unit, other_unit = UnitFactory(), UnitFactory()
    nurse = RoleFactory(name="Nurse")
    ada = PersonFactory(department=unit, role=nurse)
    ben = PersonFactory(department=unit, role=nurse)
    project = ProjectFactory(department=unit)
    return {
        "unit": unit,
        "other_unit": other_unit,
        "nurse": nurse,
        "ada": ada,
        "ben": ben,
        "project": project,
    }


def test_create_adds_to_the_rollup(ward):
    # when two assignments of one role land on the same week
    assignment_create(
        person=ward["ada"], project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-03": 8}
    )
    assignment_create(
        person=ward["ben"], project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-05": 4.5}
    )
    # then
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("12.50")}


def test_update_moves_the_rollup_by_the_difference(ward):
    # given
    mine = AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    AssignmentFactory(person=ward["ben"], project=ward["project"], weekly_hours={"2025-03-03": 2})
    # when the hours change weeks
    assignment_update(assignment=mine, weekly_hours={"2025-03-03": 1, "2025-03-10": 6})
    # then
    assert assert_rollup_exact() == {
        (ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("3.00"),
        (ward["unit"].pk, ward["nurse"].pk, NEXT): Decimal("6.00"),
    }


def test_update_of_person_and_role_moves_hours_between_rollup_rows(ward):
    # given
    assignment = AssignmentFactory(
        person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8}
    )
    elsewhere = PersonFactory(department=ward["other_unit"], role=RoleFactory(name="Carer"))
    # when the assignment goes to someone of another unit, then to an open placeholder of another role
    assignment_update(assignment=assignment, person=elsewhere, role=elsewhere.role)
    assert assert_rollup_exact() == {(ward["other_unit"].pk, elsewhere.role_id, WEEK): Decimal("8.00")}
    assignment_update(assignment=assignment, person=None, role=ward["nurse"])
    # then it counts against the project's unit again
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("8.00")}


def test_bulk_update_keeps_the_rollup_exact(ward):
    # given
    first = AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    second = AssignmentFactory(person=ward["ben"], project=ward["project"], weekly_hours={"2025-03-10": 3})
    # when
    assignments_bulk_update_hours(
        items=[
            {
                "assignment_id": first.pk,
                "weekly_hours": {"2025-03-03": None, "2025-03-10": 5},
                "expected_version": 1,
            },
            {"assignment_id": second.pk, "weekly_hours": {"2025-03-03": 2.25}, "expected_version": 1},
        ]
    )
    # then
    assert assert_rollup_exact() == {
        (ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("2.25"),
        (ward["unit"].pk, ward["nurse"].pk, NEXT): Decimal("8.00"),
    }


def test_delete_takes_the_hours_out_of_the_rollup(ward):
    # given
    gone = AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    AssignmentFactory(person=ward["ben"], project=ward["project"], weekly_hours={"2025-03-03": 1})
    # when
    assignment_delete(assignment=gone)
    # then
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("1.00")}


def test_person_resync_after_a_move_and_a_later_hire_date_keeps_the_rollup_exact(ward):
    # given
    AssignmentFactory(
        person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8, "2025-03-10": 4}
    )
    # when the person moves unit through the service, then their hire date moves past the first week
    catalogue.person_update(person=ward["ada"], department=ward["other_unit"])
    assert assert_rollup_exact() == {
        (ward["other_unit"].pk, ward["nurse"].pk, WEEK): Decimal("8.00"),
        (ward["other_unit"].pk, ward["nurse"].pk, NEXT): Decimal("4.00"),
    }
    type(ward["ada"]).objects.filter(pk=ward["ada"].pk).update(hire_date=date(2025, 3, 12))
    week_hours_resync_people(person_ids=[ward["ada"].pk])
    # then
    assert assert_rollup_exact() == {(ward["other_unit"].pk, ward["nurse"].pk, NEXT): Decimal("4.00")}


def test_project_move_carries_open_placeholders_in_the_rollup(ward):
    # given an open placeholder, counted against its project's unit
    AssignmentFactory(
        person=None, project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-03": 8}
    )
    # when
    catalogue.project_update(project=ward["project"], department=ward["other_unit"])
    # then
    assert assert_rollup_exact() == {(ward["other_unit"].pk, ward["nurse"].pk, WEEK): Decimal("8.00")}


def test_deleting_a_person_or_a_project_takes_their_assignments_out_of_the_rollup(ward):
    # given
    AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    AssignmentFactory(
        person=ward["ben"], project=ProjectFactory(department=ward["unit"]), weekly_hours={"2025-03-03": 3}
    )
    AssignmentFactory(
        person=None, project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-03": 1}
    )
    # when the person goes (their assignment cascades)
    catalogue.person_delete(person=ward["ada"])
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("4.00")}
    # and the project goes (the placeholder cascades)
    catalogue.project_delete(project=ward["project"])
    # then
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("3.00")}


def test_rows_that_fell_to_zero_do_not_block_deleting_the_department_or_role():
    # given a unit and a role whose only hours were removed again
    unit, role = UnitFactory(), RoleFactory(name="Porter")
    person = PersonFactory(department=unit, role=role)
    assignment_delete(assignment=AssignmentFactory(person=person, weekly_hours={"2025-03-03": 8}))
    catalogue.person_delete(person=person)
    assert RoleWeekHours.objects.filter(department=unit).exists()  # a row at 0 stayed
    # when
    catalogue.role_delete(role=role)
    catalogue.department_delete(department=unit)
    # then
    assert not RoleWeekHours.objects.filter(department_id=unit.pk).exists()


def test_admin_deletes_of_people_and_projects_take_their_hours_out_of_the_rollup(ward, rf, admin_user):
    # given (the admin's delete views refuse while fact rows exist, so call its delete methods directly)
    from django.contrib import admin

    from capacity.models import Person, Project

    AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    AssignmentFactory(person=ward["ben"], weekly_hours={"2025-03-03": 2})
    AssignmentFactory(
        person=None, project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-03": 1}
    )
    request = rf.post("/")
    request.user = admin_user
    # when
    admin.site._registry[Person].delete_queryset(request, Person.objects.filter(pk=ward["ada"].pk))
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("3.00")}
    admin.site._registry[Project].delete_model(request, ward["project"])
    # then
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("2.00")}


def _backfill(*args) -> str:
    out = StringIO()
    call_command("backfill_week_hours", *args, stdout=out)
    return out.getvalue()


def test_backfill_rebuilds_the_rollup_and_reconcile_reports_its_drift(ward):
    # given facts written behind the services' back, and a rollup row nobody's facts explain
    AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8}, sync=False)
    AssignmentFactory(person=ward["ben"], project=ward["project"], weekly_hours={"2025-03-03": 2})
    RoleWeekHours.objects.create(department=ward["other_unit"], role=ward["nurse"], week_start=NEXT, hours=5)
    # when reconciled
    report = _backfill("--reconcile")
    # then both drifts are reported and nothing is written
    assert "1 assignments differ" in report
    assert (
        "role-week rollup: 7.00 hours against 2.00 in the fact table, drift 5.00; 1 role-weeks differ"
        in report
    )
    assert f"department {ward['other_unit'].pk}, role {ward['nurse'].pk}, week 2025-03-10: 5.00" in report
    with pytest.raises(CommandError, match="1 role-weeks drift"):
        _backfill("--reconcile", "--fail-on-drift")
    # when backfilled
    assert "role-week rows rebuilt" in _backfill()
    # then
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("10.00")}
    assert "no drift" in _backfill("--reconcile")


def test_backfill_of_one_department_rebuilds_only_its_rollup(ward):
    # given drift in two units
    AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    RoleWeekHours.objects.filter(department=ward["unit"]).update(hours=1)
    RoleWeekHours.objects.create(department=ward["other_unit"], role=ward["nurse"], week_start=WEEK, hours=5)
    # when one unit is backfilled
    _backfill("--department", str(ward["unit"].pk))
    # then its drift is gone, the other's is still reported
    assert [row[:3] for row in role_week_hours_drift()[0]] == [
        (ward["other_unit"].pk, ward["nurse"].pk, WEEK)
    ]
    assert role_week_hours_drift(department_ids=[ward["unit"].pk])[0] == []


def test_rebuild_equals_the_maintained_rollup(ward):
    # given a history of writes
    a = AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    assignment_update(assignment=a, weekly_hours={"2025-03-10": 7.75})
    AssignmentFactory(
        person=None, project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-10": 0.25}
    )
    maintained = assert_rollup_exact()
    # when
    role_week_hours_rebuild()
    # then
    assert rollup() == maintained == {(ward["unit"].pk, ward["nurse"].pk, NEXT): Decimal("8.00")}


# --- concurrency (PostgreSQL) -----------------------------------------------------------------------


def _in_thread(target, errors: list):
    """Run `target` on a thread of its own, with its own database connection."""

    def run():
        try:
            target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _backend_waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_the_same_role_week_lose_nothing(ward):
    # given two assignments of the same unit, role and week, each edited by its own connection
    first = AssignmentFactory(person=ward["ada"], project=ward["project"], weekly_hours={"2025-03-03": 8})
    second = AssignmentFactory(person=ward["ben"], project=ward["project"], weekly_hours={"2025-03-03": 2})
    errors: list = []
    first_wrote, release_first = threading.Event(), threading.Event()
    second_pid: list[int] = []

    def first_writer():
        from django.db import transaction

        with transaction.atomic():
            assignment_update(assignment=Assignment.objects.get(pk=first.pk), weekly_hours={"2025-03-03": 10})
            first_wrote.set()
            assert release_first.wait(timeout=30), "never released"

    def second_writer():
        connection.ensure_connection()
        second_pid.append(connection.connection.info.backend_pid)
        assert first_wrote.wait(timeout=30)
        assignment_update(assignment=Assignment.objects.get(pk=second.pk), weekly_hours={"2025-03-03": 5})

    # when the second writes while the first holds its uncommitted rollup row, and then the first commits
    threads = [_in_thread(first_writer, errors), _in_thread(second_writer, errors)]
    assert first_wrote.wait(timeout=30)
    deadline = time.monotonic() + 30
    while not (second_pid and _backend_waits_for_a_lock(second_pid[0])) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert second_pid and _backend_waits_for_a_lock(second_pid[0]), "the second writer never overlapped"
    release_first.set()
    for thread in threads:
        thread.join(timeout=60)
    # then both edits count
    assert not errors, errors
    assert assert_rollup_exact() == {(ward["unit"].pk, ward["nurse"].pk, WEEK): Decimal("15.00")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_concurrent_edits_of_one_role_week_keep_the_rollup_exact(ward):
    # given one assignment per writer, all on the same unit, role and weeks
    people = [ward["ada"], ward["ben"]] + [
        PersonFactory(department=ward["unit"], role=ward["nurse"]) for _ in range(2)
    ]
    mine = [
        AssignmentFactory(person=p, project=ward["project"], weekly_hours={"2025-03-03": 1}) for p in people
    ]
    shared = AssignmentFactory(person=None, project=ward["project"], role=ward["nurse"], weekly_hours={})
    errors: list = []
    start = threading.Barrier(len(mine))

    def writer(index: int):
        def run():
            start.wait(timeout=30)
            for step in range(15):
                if step % 3 == 2:  # a resync of everyone, while the others write
                    week_hours_resync_people(person_ids=[p.pk for p in people])
                elif step % 3 == 1:
                    assignments_bulk_update_hours(
                        items=[
                            {
                                "assignment_id": mine[index].pk,
                                "weekly_hours": {"2025-03-10": step},
                                "expected_version": Assignment.objects.get(pk=mine[index].pk).version,
                            }
                        ]
                    )
                else:
                    assignment_update(
                        assignment=Assignment.objects.get(pk=mine[index].pk),
                        weekly_hours={"2025-03-03": index + step, "2025-03-10": step / 4},
                    )
                if index == 0:
                    assignment_update(
                        assignment=Assignment.objects.get(pk=shared.pk), weekly_hours={"2025-03-03": step}
                    )

        return run

    # when every writer edits at once
    threads = [_in_thread(writer(i), errors) for i in range(len(mine))]
    for thread in threads:
        thread.join(timeout=120)
    # then the rollup is what the fact table says, and the fact table what the assignments say
    assert not errors, errors
    expected = assert_rollup_exact()
    assert "no drift" in _backfill("--reconcile")
    # the last full edit of each writer was step 12, then a merge of step 13 into the next week; the shared
    # placeholder's last edit was step 14
    assert expected[(ward["unit"].pk, ward["nurse"].pk, WEEK)] == Decimal(sum(i + 12 for i in range(4)) + 14)
    assert expected[(ward["unit"].pk, ward["nurse"].pk, NEXT)] == Decimal(4 * 13)
