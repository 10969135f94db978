"""Async variants of the heaviest reads (grid snapshot, skill match): a Job row, a task enqueued on commit,
and the result stored on the job (GET /api/jobs/{id})."""

from __future__ import annotations

from django.db import transaction

from capacity.aggregates.grid import grid_snapshot
from capacity.aggregates.skill_match import skill_match
from ops.errors import ApplicationError
from ops.jobs import job_claim, job_fail, job_start, job_succeed
from ops.models import Job

AGGREGATE_TASK = "capacity.tasks.aggregate_job_task"
READS = {
    "capacity.grid_snapshot": lambda p: grid_snapshot(
        department_ids=p["department_ids"], first_week=p.get("first_week"), weeks=p["weeks"]
    ),
    "capacity.skill_match": lambda p: skill_match(
        department_ids=p["department_ids"], skills=p["skills"], week=p.get("week"), limit=p["limit"]
    ),
}


@transaction.atomic
def aggregate_job_create(*, kind: str, params: dict, requested_by=None) -> Job:
    """A queued job for one of READS; the task is enqueued once the job row is committed."""
    if kind not in READS:
        raise ApplicationError("Unknown aggregate job", extra={"kind": kind, "known": sorted(READS)})
    return job_start(kind=kind, task=AGGREGATE_TASK, params=params, requested_by=requested_by)


def aggregate_job_run(*, job_id: int) -> bool:
    """Claim and run one aggregate job; safe to run twice (a read, and a claim that only one wins)."""
    if not job_claim(job_id=job_id, reclaim_running=True):
        return False
    job = Job.objects.get(pk=job_id)
    try:
        result = READS[job.kind](job.params)
    except (KeyError, ValueError) as exc:
        job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        return False
    return job_succeed(job_id=job_id, result=result, message="done")
