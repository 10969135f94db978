import threading

import pytest
from django.db import connection, connections

from ops.errors import ApplicationError
from ops.jobs import (
    job_claim,
    job_create,
    job_fail,
    job_report_progress,
    job_request_cancel,
    job_succeed,
)
from ops.models import Job

pytestmark = pytest.mark.django_db


def test_a_queued_job_is_claimed_once():
    job = job_create(kind="test.echo", params={"n": 1})
    assert job_claim(job_id=job.id) is True
    assert job_claim(job_id=job.id) is False
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.attempts == 1
    assert job.started_at is not None


def test_a_redelivered_message_may_take_over_a_running_job():
    job = job_create(kind="test.echo")
    job_claim(job_id=job.id)
    assert job_claim(job_id=job.id, reclaim_running=True) is True
    job.refresh_from_db()
    assert job.attempts == 2


def test_progress_writes_are_throttled_but_completion_is_not():
    job = job_create(kind="test.echo")
    job_claim(job_id=job.id)
    assert job_report_progress(job_id=job.id, progress=10, message="first") is True
    assert job_report_progress(job_id=job.id, progress=20, message="too soon") is False
    job.refresh_from_db()
    assert (job.progress, job.message) == (10, "first")
    assert job_report_progress(job_id=job.id, progress=100, message="done") is True


def test_finishing_is_recorded_once():
    job = job_create(kind="test.echo")
    job_claim(job_id=job.id)
    assert job_succeed(job_id=job.id, result={"ok": True}) is True
    assert job_fail(job_id=job.id, error="late failure") is False
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"ok": True}
    assert job.progress == 100


def test_cancelling_a_queued_job_ends_it_and_a_worker_cannot_claim_it():
    job = job_create(kind="test.echo")
    job_request_cancel(job_id=job.id)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job_claim(job_id=job.id) is False


def test_cancelling_a_running_job_asks_it_to_stop():
    job = job_create(kind="test.echo")
    job_claim(job_id=job.id)
    job_request_cancel(job_id=job.id)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.cancel_requested is True


def test_cancelling_a_finished_job_is_a_conflict():
    job = job_create(kind="test.echo")
    job_claim(job_id=job.id)
    job_succeed(job_id=job.id)
    with pytest.raises(ApplicationError) as error:
        job_request_cancel(job_id=job.id)
    assert error.value.status == 409


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_job_on_postgres_exactly_one_wins():
    # given a queued job and two threads, each with its own database connection
    job = job_create(kind="test.race")
    barrier = threading.Barrier(2)
    outcomes: list[bool] = []
    lock = threading.Lock()

    def worker():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            won = job_claim(job_id=job.id)
            with lock:
                outcomes.append(won)
        finally:
            connections.close_all()

    # when both claim at the same moment
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly one claim succeeds and the job was started once
    assert sorted(outcomes) == [False, True]
    job.refresh_from_db()
    assert job.attempts == 1


def test_the_sweep_fails_lost_queued_jobs_and_abandoned_running_ones(settings):
    from datetime import timedelta

    from django.utils import timezone

    from ops.jobs import job_fail_stale

    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - timedelta(hours=1)
    lost = job_create(kind="test.lost")
    abandoned = job_create(kind="test.abandoned")
    job_claim(job_id=abandoned.id)
    alive = job_create(kind="test.alive")
    job_claim(job_id=alive.id)
    Job.objects.filter(id=lost.id).update(created_at=long_ago)
    Job.objects.filter(id=abandoned.id).update(progress_at=long_ago)

    assert job_fail_stale(older_than=timedelta(minutes=30)) == 2

    statuses = dict(Job.objects.values_list("id", "status"))
    assert statuses == {lost.id: "failed", abandoned.id: "failed", alive.id: "running"}
