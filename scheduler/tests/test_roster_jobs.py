"""Roster jobs end to end, with a real Celery worker process on Redis and PostgreSQL."""

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from capacity.models import Department
from conftest import wait_for
from ops.errors import ApplicationError
from ops.jobs import job_request_cancel
from ops.models import Job
from scheduler.models import CoverRequirement, Roster, RosterAssignment, RosterDayOff, RosterEvent, ShiftType
from scheduler.problem_builder import build_problem
from scheduler.services.roster_edits import CellChange, roster_cells_change
from scheduler.services.rosters import roster_generate, roster_resolve
from scheduler.solver.evaluate import evaluate

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def unit():
    call_command("seed_demo", size="small", no_user=True, verbosity=0)
    return Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").first()


def _monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def _finished(job_id):
    job = Job.objects.get(id=job_id)
    return job if job.is_finished else None


def _roster_as_grid(roster):
    built = build_problem(roster)
    grid = {p.id: [None] * built.problem.num_days for p in built.problem.staff}
    for a in RosterAssignment.objects.filter(roster=roster).select_related("shift_type"):
        grid[str(a.person_id)][(a.date - roster.start_date).days] = a.shift_type.code
    return built.problem, {k: tuple(v) for k, v in grid.items()}


def test_a_generated_roster_has_no_hard_violation_and_progress_was_visible(celery_worker_process):
    # given a four-week roster request for a unit of the medium demo (25 people, three shifts)
    call_command("seed_demo", size="medium", no_user=True, verbosity=0)
    unit = Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").first()
    start = _monday()
    roster = roster_generate(
        unit=unit, start_date=start, end_date=start + timedelta(days=27), engine="cpsat", time_limit=20
    )

    # when the worker solves it, progress shows up on the job while it runs
    seen = wait_for(
        lambda: (
            (Job.objects.get(id=roster.job_id).result or {}).get("objective") is not None
            or _finished(roster.job_id)
        ),
        timeout=60,
    )
    job = wait_for(lambda: _finished(roster.job_id), timeout=90)

    # then the job succeeded once, the roster is solved, and the referee finds no hard violation
    assert seen
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.attempts == 1
    roster.refresh_from_db()
    assert roster.status == Roster.Status.SOLVED
    problem, grid = _roster_as_grid(roster)
    evaluation = evaluate(problem, grid)
    assert evaluation.violations == ()
    assert roster.objective == evaluation.objective
    assert roster.statistics["first_feasible_s"] is not None
    assert roster.statistics["penalties_by_rule"]
    assert RosterEvent.objects.filter(roster=roster, action=RosterEvent.Action.SOLVED).count() == 1


def test_a_second_generate_for_a_running_roster_is_a_conflict_naming_the_job(celery_worker_process, unit):
    start = _monday()
    first = roster_generate(unit=unit, start_date=start, end_date=start + timedelta(days=13), time_limit=8)
    with pytest.raises(ApplicationError) as conflict:
        roster_generate(unit=unit, start_date=start, end_date=start + timedelta(days=13), time_limit=8)
    assert conflict.value.status == 409
    assert conflict.value.extra["job_id"] == first.job_id
    wait_for(lambda: _finished(first.job_id), timeout=90)


def test_cancel_stops_the_solver_and_keeps_the_best_roster(celery_worker_process, unit, settings):
    # the early stops are read into the job's options here, when the roster is asked for: without them the
    # solve can only end by the clock or the cancel (with them it may finish on its gap before the cancel)
    settings.SOLVE_EARLY_STOP_GAP_PERCENT = 0
    settings.SOLVE_STALL_SHARE = 0
    start = _monday()
    roster = roster_generate(
        unit=unit, start_date=start, end_date=start + timedelta(days=27), engine="cpsat", time_limit=120
    )
    wait_for(
        lambda: (Job.objects.get(id=roster.job_id).result or {}).get("objective") is not None, timeout=60
    )

    job_request_cancel(job_id=roster.job_id)

    job = wait_for(lambda: _finished(roster.job_id), timeout=30)
    assert job.status == Job.Status.CANCELLED
    assert job.result["stopped_early"] is True
    roster.refresh_from_db()
    assert roster.status == Roster.Status.SOLVED
    assert roster.statistics["stopped_early"] is True
    assert RosterAssignment.objects.filter(roster=roster).count() > 0


def _pool_children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(c) for c in text)
    return children


def test_a_worker_killed_mid_solve_leads_to_exactly_one_result(celery_worker_process, unit):
    # given a solve that is running in the worker's pool process
    start = _monday()
    roster = roster_generate(
        unit=unit, start_date=start, end_date=start + timedelta(days=27), engine="cpsat", time_limit=5
    )
    wait_for(lambda: Job.objects.get(id=roster.job_id).status == Job.Status.RUNNING, timeout=60)

    # when that process is killed with SIGKILL
    for child in _pool_children(celery_worker_process.pid):
        os.kill(child, signal.SIGKILL)

    # then the message is redelivered, the job is re-claimed and finishes once with one roster written
    job = wait_for(lambda: _finished(roster.job_id), timeout=120)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.attempts == 2
    assert RosterEvent.objects.filter(roster=roster, action=RosterEvent.Action.SOLVED).count() == 1
    cells = list(RosterAssignment.objects.filter(roster=roster).values_list("person_id", "date"))
    assert len(cells) == len(set(cells)) == job.result["assignments"]


def test_a_resolve_after_a_pinned_edit_keeps_the_pin_and_reports_its_changes(celery_worker_process, unit):
    start = _monday()
    roster = roster_generate(
        unit=unit, start_date=start, end_date=start + timedelta(days=13), engine="cpsat", time_limit=4
    )
    wait_for(lambda: _finished(roster.job_id), timeout=90)
    roster.refresh_from_db()
    # a planner pins one of the shifts the solver gave, and locks a day off someone has
    cell = RosterAssignment.objects.filter(roster=roster, date=start + timedelta(days=2)).first()
    pinned_person, pinned_shift = cell.person, cell.shift_type
    roster_cells_change(
        roster=roster, changes=[CellChange(pinned_person.pk, cell.date, pinned_shift.code, locked=True)]
    )
    worked = set(RosterAssignment.objects.filter(roster=roster).values_list("person_id", "date"))
    cleared = next(
        (
            (person_id, start + timedelta(days=d))
            for person_id in sorted({p for p, _ in worked} - {pinned_person.pk})
            for d in range(4, 14)
            if (person_id, start + timedelta(days=d)) not in worked
        ),
    )
    roster_cells_change(roster=roster, changes=[CellChange(cleared[0], cleared[1], None, locked=True)])
    assert RosterDayOff.objects.filter(roster=roster, person_id=cleared[0], date=cleared[1]).exists()

    before = set(
        RosterAssignment.objects.filter(roster=roster).values_list("person_id", "date", "shift_type_id")
    )

    roster = roster_resolve(roster=roster, engine="cpsat", time_limit=4)
    job = wait_for(lambda: _finished(roster.job_id), timeout=90)

    # then the reported change count is the number of cells that differ, and the pin held
    assert job.status == Job.Status.SUCCEEDED, job.error
    after = set(
        RosterAssignment.objects.filter(roster=roster).values_list("person_id", "date", "shift_type_id")
    )
    changed_cells = {(p, d) for p, d, _ in before ^ after}
    assert job.result["changes"] == len(changed_cells)
    assert RosterAssignment.objects.get(roster=roster, person=pinned_person, date=cell.date).pinned is True
    assert (
        RosterAssignment.objects.get(roster=roster, person=pinned_person, date=cell.date).shift_type
        == pinned_shift
    )
    # and the day off the planner locked stayed off, still locked
    assert not RosterAssignment.objects.filter(roster=roster, person_id=cleared[0], date=cleared[1])
    assert RosterDayOff.objects.filter(roster=roster, person_id=cleared[0], date=cleared[1]).exists()
    # and the re-solve's changed cells are recorded for the grid's highlight
    roster.refresh_from_db()
    assert len(roster.statistics["changed_cells"]) == job.result["changes"]


def test_an_impossible_request_ends_with_a_roster_and_reasons(celery_worker_process, unit):
    # given a night that needs far more people than the unit has
    start = _monday()
    night = ShiftType.objects.get(code="N")
    CoverRequirement.objects.filter(
        department=unit, date=start + timedelta(days=2), shift_type=night, skill__isnull=True
    ).update(minimum=40, preferred=40)
    roster = roster_generate(
        unit=unit, start_date=start, end_date=start + timedelta(days=6), engine="cpsat", time_limit=4
    )

    job = wait_for(lambda: _finished(roster.job_id), timeout=90)

    # then the job still succeeds, with the closest roster and the unmet cover explained
    assert job.status == Job.Status.SUCCEEDED, job.error
    roster.refresh_from_db()
    assert RosterAssignment.objects.filter(roster=roster).count() > 0
    shortfalls = roster.statistics["shortfalls"]
    night_gap = [s for s in shortfalls if s["shift"] == "N" and s["date"] == str(start + timedelta(days=2))]
    assert night_gap and night_gap[0]["missing"] > 0
    assert night_gap[0]["reasons"]
