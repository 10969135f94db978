from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import wait_for
from ops.models import Job
from ops.tasks import jobs_fail_stale


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_the_broker(celery_worker_process):
    # given a job whose message was lost long ago, and a fresh one
    stale = Job.objects.create(kind="test.lost")
    Job.objects.filter(id=stale.id).update(created_at=timezone.now() - timedelta(hours=2))
    fresh = Job.objects.create(kind="test.fresh")

    # when the clean-up task goes through Redis to the worker process
    jobs_fail_stale.apply_async(kwargs={"older_than_minutes": 30})

    # then the worker marked only the stale job as failed
    wait_for(lambda: Job.objects.get(id=stale.id).status == Job.Status.FAILED, timeout=60)
    assert Job.objects.get(id=fresh.id).status == Job.Status.QUEUED
    assert "never picked up" in Job.objects.get(id=stale.id).error
