"""A roster whose job ends without a solution (cancelled while queued, failed as stale) leaves "solving" in
the same commit: its page shows the outcome instead of a progress panel that reloads itself forever, and
it can be solved again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from ops.jobs import job_fail_stale
from ops.models import Job
from scheduler.models import Roster
from scheduler.services.rosters import roster_generate, roster_resolve
from web.tests.test_pages import solved_roster

pytestmark = pytest.mark.django_db


def _queued_roster(ward, planner):
    return roster_generate(
        unit=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        time_limit=3,
        user=planner,
    )


def test_cancelling_a_queued_solve_ends_job_and_roster(
    client, ward, planner, django_capture_on_commit_callbacks
):
    # given a roster whose solve is still queued (no worker has taken it)
    with django_capture_on_commit_callbacks(execute=False):
        roster = _queued_roster(ward, planner)
    client.force_login(planner)

    # when the planner cancels the job
    response = client.post(f"/api/jobs/{roster.job_id}/cancel")

    # then the job is cancelled, the roster is a draft again, and its page shows no progress panel
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Job.Status.CANCELLED
    roster.refresh_from_db()
    assert roster.status == Roster.Status.DRAFT
    html = client.get(reverse("roster-detail", args=[roster.id])).content.decode()
    assert "data-job-panel" not in html
    assert "cancelled" in html
    # and it can be solved again
    with django_capture_on_commit_callbacks(execute=False):
        again = roster_resolve(roster=roster, user=planner, time_limit=3)
    assert again.status == Roster.Status.SOLVING and again.job_id != response.json()["id"]


def test_a_cancelled_resolve_keeps_the_earlier_solution(ward, planner, django_capture_on_commit_callbacks):
    # given a solved roster being re-solved, its job still queued
    roster = solved_roster(ward)
    with django_capture_on_commit_callbacks(execute=False):
        roster_resolve(roster=roster, user=planner, time_limit=3)
    roster.refresh_from_db()

    # when that job is cancelled
    from ops.jobs import job_request_cancel

    job_request_cancel(job_id=roster.job_id)

    # then the roster is solved again, with its assignments
    roster.refresh_from_db()
    assert roster.status == Roster.Status.SOLVED
    assert roster.assignments.exists()


def test_a_stale_job_releases_its_roster(ward, planner, django_capture_on_commit_callbacks):
    # given a roster whose job never reached a worker
    with django_capture_on_commit_callbacks(execute=False):
        roster = _queued_roster(ward, planner)
    Job.objects.filter(id=roster.job_id).update(created_at=roster.created_at - timedelta(hours=2))

    # when stale jobs are failed
    assert job_fail_stale(older_than=timedelta(minutes=30)) == 1

    # then the roster is a draft again
    roster.refresh_from_db()
    assert roster.status == Roster.Status.DRAFT
    assert Job.objects.get(id=roster.job_id).status == Job.Status.FAILED
