from datetime import timedelta

from celery import shared_task

from ops.audit import audit_prune as prune_audit_trail
from ops.jobs import job_fail_stale
from ops.task_base import LoggedTask


@shared_task(base=LoggedTask, name="ops.tasks.jobs_fail_stale")
def jobs_fail_stale(*, older_than_minutes: int = 30) -> int:
    """Beat task: a job still queued after this long lost its message (broker restart); say so."""
    return job_fail_stale(older_than=timedelta(minutes=older_than_minutes))


@shared_task(base=LoggedTask, name="ops.tasks.audit_prune")
def audit_prune() -> int:
    """Beat task: delete audit entries older than AUDIT_RETENTION_DAYS."""
    return prune_audit_trail()
