from datetime import timedelta

from celery import shared_task

from ops.jobs import job_fail_stale
from ops.task_base import LoggedTask


@shared_task(base=LoggedTask, name="ops.tasks.jobs_fail_stale")
def jobs_fail_stale(*, older_than_minutes: int = 30) -> int:
    """Beat task: a job still queued after this long lost its message (broker restart); say so."""
    return job_fail_stale(older_than=timedelta(minutes=older_than_minutes))
