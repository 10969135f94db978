"""Celery tasks of the capacity app: thin wrappers that take ids and call one function."""

from __future__ import annotations

from celery import shared_task

from capacity.aggregates.jobs import aggregate_job_run
from ops.task_base import LoggedTask


@shared_task(base=LoggedTask, name="capacity.tasks.aggregate_job_task")
def aggregate_job_task(job_id: int) -> bool:
    """Run an async aggregate (grid snapshot, skill match) and store its result on the job."""
    return aggregate_job_run(job_id=job_id)
