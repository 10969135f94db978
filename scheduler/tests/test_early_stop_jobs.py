"""Early stop through a real worker: the job and the roster say why the solve stopped, in the summary,
the API and words; a comparison keeps its roster so it can be opened and adopted."""

from datetime import timedelta

import pytest

from api.testing import api_client, make_user
from conftest import wait_for
from ops.models import Job
from scheduler.models import Roster
from scheduler.services.rosters import roster_compare, roster_generate
from scheduler.solver.dispatch import STOP_REASONS
from web.tests.builders import planning_unit

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _finished(job_id):
    job = Job.objects.get(id=job_id)
    return job if job.is_finished else None


def test_a_solve_stops_at_the_gap_and_says_so(celery_worker_process, settings):
    # given a small ward and a deployment that stops within 99% of the best possible
    settings.SOLVE_EARLY_STOP_GAP_PERCENT = 99.0
    ward = planning_unit(name="Stop Ward", people=8, assignments=False)
    roster = roster_generate(
        unit=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        engine="cpsat",
        time_limit=60,
    )
    assert Job.objects.get(id=roster.job_id).params["early_stop_gap"] == pytest.approx(0.99)
    # when the worker solves it
    job = wait_for(lambda: _finished(roster.job_id), timeout=120)
    # then it ended on the gap (or a proof), never on the clock, and says why in words
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["stop_reason"] in ("gap", "optimal")
    assert job.result["stop_reason_text"] and "stopped: " in job.result["plain"]
    roster.refresh_from_db()
    assert roster.status == Roster.Status.SOLVED
    # and the roster's API summary carries the same reason
    body = api_client(make_user("planner", [ward.unit])).get(f"/api/rosters/{roster.id}").json()
    assert body["summary"]["stop_reason"] == job.result["stop_reason"]
    assert body["summary"]["plain"] == job.result["plain"]


def test_a_comparison_keeps_its_roster_and_its_stop_reason(celery_worker_process):
    ward = planning_unit(name="Compare Stop Ward", people=6, assignments=False)
    roster = roster_generate(
        unit=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        engine="cpsat",
        time_limit=5,
    )
    wait_for(lambda: _finished(roster.job_id), timeout=120)
    roster.refresh_from_db()
    jobs = roster_compare(roster=roster, engines=["cpsat"], time_limit=5)
    job = wait_for(lambda: _finished(jobs["cpsat"].id), timeout=120)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["stop_reason"] in STOP_REASONS
    assert set(job.result["roster"]) == {str(p.id) for p in ward.people}
    assert all(len(row) == 7 for row in job.result["roster"].values())
