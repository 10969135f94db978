"""The whole organisation planned at once: shared people, the parent job's counts, cancelling, the command."""

import subprocess
import sys
from collections import Counter
from datetime import date, time, timedelta

import pytest
from django.core.management import CommandError, call_command

from capacity.models import Department
from capacity.selectors import units_sharing_people
from capacity.tests.factories import DepartmentFactory, PersonFactory, UnitFactory
from conftest import ROOT, wait_for
from ops.jobs import job_request_cancel
from ops.models import Job
from scheduler.models import CoverRequirement, Roster, RosterAssignment
from scheduler.problem_builder import build_problem
from scheduler.services.batch import roster_batch_plan
from scheduler.services.solving import roster_solve_run
from scheduler.solver.evaluate import evaluate
from scheduler.tests.factories import (
    CoverRequirementFactory,
    PersonContractFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

MONDAY = date(2025, 3, 3)


def _two_short_staffed_units_sharing_a_person(weeks: int = 1):
    """Two wards of one site, each with three people of its own and cover of two per early and late
    shift every day (one at least): both want more people than they have, so both would roster the
    one person of the first ward who may also work in the second, every day they could."""
    root = DepartmentFactory(name="Org")
    site = DepartmentFactory(name="Site", kind=Department.Kind.SITE, parent=root)
    first, second = (UnitFactory(name=f"Ward {n}", parent=site) for n in "AB")
    rules = WorkRulesFactory(max_consecutive_work_days=5, min_rest_hours=11, min_minutes_per_week=0)
    for unit in (first, second):
        early = ShiftTypeFactory(department=unit, code="E", start_time=time(7))
        late = ShiftTypeFactory(department=unit, code="L", start_time=time(14))
        for person in [PersonFactory(department=unit) for _ in range(3)]:
            PersonContractFactory(person=person, work_rules=rules)
        for offset in range(7 * weeks):
            for shift in (early, late):
                CoverRequirementFactory(
                    department=unit,
                    date=MONDAY + timedelta(days=offset),
                    shift_type=shift,
                    minimum=1,
                    preferred=2,
                )
    shared = PersonFactory(department=first, name="Sam Shared")
    PersonContractFactory(person=shared, work_rules=rules)
    shared.other_units.add(second)
    return root, first, second, [shared]


def _double_bookings(rosters) -> list[tuple]:
    cells = Counter(
        RosterAssignment.objects.filter(roster__in=rosters).values_list("person_id", "date").iterator()
    )
    return [cell for cell, n in cells.items() if n > 1]


@pytest.mark.django_db
def test_units_sharing_people_are_grouped_through_chains_of_people():
    site = DepartmentFactory(kind=Department.Kind.SITE)
    a, b, c, d = (UnitFactory(parent=site) for _ in range(4))
    PersonFactory(department=a).other_units.add(b)  # a-b
    floater = PersonFactory(department=site)  # homed on the site: links only the units it may work in
    floater.other_units.add(c, d)
    PersonFactory(department=a)
    assert units_sharing_people(unit_ids=[a.pk, b.pk, c.pk, d.pk]) == [[a.pk, b.pk], [c.pk, d.pk]]
    assert units_sharing_people(unit_ids=[a.pk, c.pk]) == [[a.pk], [c.pk]]


@pytest.mark.django_db
def test_a_shared_person_is_offered_to_both_units_and_blocked_where_booked_elsewhere():
    # given a person of A who may work in B, with a shift in a solved roster of A
    root, first, second, shared = _two_short_staffed_units_sharing_a_person()
    monday = MONDAY
    in_first = Roster.objects.create(
        department=first, start_date=monday, end_date=monday + timedelta(days=6), status=Roster.Status.SOLVED
    )
    shift = build_problem(in_first).shift_types["E"]
    RosterAssignment.objects.create(
        roster=in_first, person=shared[0], date=monday + timedelta(days=2), shift_type=shift
    )
    in_second = Roster.objects.create(
        department=second, start_date=monday, end_date=monday + timedelta(days=6), status=Roster.Status.DRAFT
    )

    # when B's problem is built
    problem = build_problem(in_second).problem

    # then the shared people are B's staff too, and the booked day is an absence "booked_elsewhere"
    staff = {p.id for p in problem.staff}
    assert {str(p.pk) for p in shared} <= staff
    assert ("booked_elsewhere", 2) in {
        (a.kind, a.day) for a in problem.absences if a.person == str(shared[0].pk)
    }


@pytest.mark.django_db
def test_an_edit_that_double_books_a_shared_person_is_refused_in_plain_words():
    from ops.errors import ApplicationError
    from scheduler.services.roster_edits import CellChange, roster_cells_change

    root, first, second, shared = _two_short_staffed_units_sharing_a_person()
    monday = MONDAY
    in_first = Roster.objects.create(
        department=first, start_date=monday, end_date=monday + timedelta(days=6), status=Roster.Status.SOLVED
    )
    early = build_problem(in_first).shift_types["E"]
    RosterAssignment.objects.create(roster=in_first, person=shared[0], date=monday, shift_type=early)
    in_second = Roster.objects.create(
        department=second, start_date=monday, end_date=monday + timedelta(days=6), status=Roster.Status.SOLVED
    )

    with pytest.raises(ApplicationError) as refused:
        roster_cells_change(roster=in_second, changes=[CellChange(shared[0].pk, monday, "L")])

    assert refused.value.status == 422
    assert "already works a shift in another unit" in refused.value.message
    assert shared[0].name in refused.value.message
    assert not RosterAssignment.objects.filter(roster=in_second).exists()
    # the same day in the person's other unit is free once A's shift is gone
    RosterAssignment.objects.filter(roster=in_first).delete()
    two_lates = [CellChange(shared[0].pk, monday + timedelta(days=d), "L") for d in (0, 1)]
    roster_cells_change(roster=in_second, changes=two_lates)
    assert RosterAssignment.objects.filter(roster=in_second, person=shared[0]).count() == 2


@pytest.mark.django_db
def test_an_undo_that_would_double_book_a_shared_person_is_refused():
    from ops.errors import ApplicationError
    from scheduler.services.roster_edits import CellChange, roster_cells_change, roster_undo

    # given B's roster (no cover asked, so clearing is free) where the shared person's lates were cleared
    root, first, second, shared = _two_short_staffed_units_sharing_a_person()
    CoverRequirement.objects.filter(department=second).delete()
    in_second = Roster.objects.create(
        department=second, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), status=Roster.Status.SOLVED
    )
    two_lates = [CellChange(shared[0].pk, MONDAY + timedelta(days=d), "L") for d in (0, 1)]
    roster_cells_change(roster=in_second, changes=two_lates)
    roster_cells_change(roster=in_second, changes=[CellChange(c.person_id, c.day, None) for c in two_lates])
    # and A has booked them on the Monday since
    in_first = Roster.objects.create(
        department=first, start_date=MONDAY, end_date=MONDAY + timedelta(days=6), status=Roster.Status.SOLVED
    )
    early = build_problem(in_first).shift_types["E"]
    RosterAssignment.objects.create(roster=in_first, person=shared[0], date=MONDAY, shift_type=early)

    # when the clearing is undone, the undo is refused naming the person and the day
    with pytest.raises(ApplicationError) as refused:
        roster_undo(roster=in_second)
    assert refused.value.status == 422
    assert "Sam Shared already works a shift in another unit" in refused.value.message
    assert [c["date"] for c in refused.value.extra["cells"]] == [MONDAY.isoformat()]
    assert not RosterAssignment.objects.filter(roster=in_second).exists()


@pytest.mark.django_db
def test_the_parent_counts_units_done_and_ends_with_the_last(django_capture_on_commit_callbacks):
    # given a batch over the two units (the solves not sent: this process runs them one by one)
    root, first, second, shared = _two_short_staffed_units_sharing_a_person()
    with django_capture_on_commit_callbacks(execute=False):
        parent = roster_batch_plan(department=root, start_date=MONDAY, weeks=1, engine="cpsat", time_limit=2)
    children = list(parent.children.order_by("id"))
    assert parent.result["chains"] == [[first.pk, second.pk]]

    # when the first unit's solve ends, the parent counts one of two and keeps running
    assert roster_solve_run(job_id=children[0].id) == "succeeded"
    parent.refresh_from_db()
    assert (parent.status, parent.progress, parent.message) == (Job.Status.RUNNING, 50, "1 of 2 done")
    assert (parent.result["units_done"], parent.result["units_total"]) == (1, 2)

    # and when the second ends, the parent has succeeded with both counted
    assert roster_solve_run(job_id=children[1].id) == "succeeded"
    parent.refresh_from_db()
    assert parent.status == Job.Status.SUCCEEDED
    assert parent.progress == 100
    assert parent.result["units_done"] == 2
    assert parent.result["children"] == {"succeeded": 2, "failed": 0, "cancelled": 0}
    assert _double_bookings(Roster.objects.filter(job__parent=parent)) == []


@pytest.mark.django_db
def test_cancelling_the_parent_cancels_the_queued_units_and_frees_their_rosters(
    django_capture_on_commit_callbacks,
):
    root, first, second, shared = _two_short_staffed_units_sharing_a_person()
    with django_capture_on_commit_callbacks(execute=False):
        parent = roster_batch_plan(department=root, start_date=MONDAY, weeks=1, time_limit=5)

    job_request_cancel(job_id=parent.id)

    parent.refresh_from_db()
    assert parent.status == Job.Status.CANCELLED
    assert parent.result["children"]["cancelled"] == 2
    assert set(parent.children.values_list("status", flat=True)) == {Job.Status.CANCELLED}
    assert set(Roster.objects.filter(job__parent=parent).values_list("status", flat=True)) == {
        Roster.Status.DRAFT
    }
    # a message delivered after the cancel does nothing
    assert roster_solve_run(job_id=parent.children.first().id) == "not claimed"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_batch_on_a_real_worker_plans_every_unit_without_double_booking(celery_worker_process):
    # given two units where three people may work in both
    root, first, second, shared = _two_short_staffed_units_sharing_a_person(weeks=2)

    # when the organisation is planned for two weeks on the worker
    parent = roster_batch_plan(department=root, start_date=MONDAY, weeks=2, engine="cpsat", time_limit=4)
    parent = wait_for(lambda: Job.objects.filter(id=parent.id, status__in=Job.FINISHED).first(), timeout=180)

    # then both units' jobs succeeded under the parent, which counted them
    assert parent.status == Job.Status.SUCCEEDED, (parent.error, parent.result)
    assert (parent.result["units_done"], parent.result["units_total"]) == (2, 2)
    children = list(parent.children.order_by("id"))
    assert [c.status for c in children] == [Job.Status.SUCCEEDED] * 2
    # the two units share people, so the second was solved after the first had written its roster
    assert children[1].started_at >= children[0].finished_at
    rosters = list(Roster.objects.filter(job__parent=parent).order_by("department_id"))
    assert [r.status for r in rosters] == [Roster.Status.SOLVED] * 2
    # nobody works twice on one day, the shared people work in both units, and each roster is clean
    assert _double_bookings(rosters) == []
    worked_in = {
        unit
        for unit in RosterAssignment.objects.filter(roster__in=rosters, person__in=shared).values_list(
            "roster__department_id", flat=True
        )
    }
    assert worked_in == {first.pk, second.pk}
    for roster in rosters:
        assert roster.statistics["hard_violations"] == 0
        assert roster.statistics["left_off_booked_elsewhere"] == 0
        built = build_problem(roster)
        grid = {p.id: [None] * built.problem.num_days for p in built.problem.staff}
        for person_id, day, code in RosterAssignment.objects.filter(roster=roster).values_list(
            "person_id", "date", "shift_type__code"
        ):
            grid[str(person_id)][(day - roster.start_date).days] = code
        assert evaluate(built.problem, {k: tuple(v) for k, v in grid.items()}).violations == ()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "argv, says",
    [
        (["--start", "2025-02-30", "--weeks", "2"], "--start"),
        (["--start", "1800-01-06", "--weeks", "2"], "planning window"),
        (["--start", "2025-03-03", "--weeks", "0"], "weeks must be between 1 and 12"),
        (["--start", "2025-03-03", "--weeks", "2", "--department", "Nowhere"], "no department 'Nowhere'"),
        (["--start", "2025-03-03", "--weeks", "2", "--time-limit", "0"], "time_limit"),
    ],
)
def test_the_command_refuses_bad_input(argv, says):
    DepartmentFactory(name="Org")
    with pytest.raises(CommandError, match=says):
        call_command("plan_rosters", *argv)
    assert not Job.objects.exists()


def test_the_command_exits_non_zero_with_the_reason():
    result = subprocess.run(
        [sys.executable, "manage.py", "plan_rosters", "--start", "someday", "--weeks", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "--start" in result.stderr
