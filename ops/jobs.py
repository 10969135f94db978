"""Job services: start (create and enqueue), claim, report progress, finish, fail, cancel.

Claiming is a compare-and-swap (`UPDATE ... WHERE status IN (...)`): when a message is delivered twice
or two workers race, exactly one claim succeeds (Healthchecks.io's pattern).

Every way a job ends (finished by its task, cancelled while queued, failed as stale, refused by the broker)
goes through `_ended`, which sends `job_ended` inside the ending transaction: the domain record that waits
on a job (a roster "solving") leaves that state in the same commit, whichever way the job ended.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import signature
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from ops.errors import ApplicationError
from ops.metrics import JOB_SECONDS, JOBS_FINISHED
from ops.models import Job

PROGRESS_MIN_INTERVAL_S = 0.5
_last_progress_write: dict[int, float] = {}

# Sent with job_ids (list[int]) and status when jobs reach a terminal state; receivers run in the
# transaction that ended them.
job_ended = Signal()


def _ended(job_ids: list[int], status: str) -> None:
    if job_ids:
        job_ended.send(sender=Job, job_ids=job_ids, status=status)
        _count_children_ended(job_ids)


def job_create(
    *,
    kind: str,
    params: dict[str, Any] | None = None,
    requested_by=None,
    department_id: int | None = None,
    parent: Job | None = None,
) -> Job:
    return Job.objects.create(
        kind=kind, params=params or {}, requested_by=requested_by, department_id=department_id, parent=parent
    )


def job_start_parent(
    *, kind: str, params: dict[str, Any] | None = None, requested_by=None, department_id: int | None = None
) -> Job:
    """A job made of child jobs (create them with `parent=`): running from the start, since it has no
    task of its own; its progress is the share of children ended, and it ends with the last of them."""
    now = timezone.now()
    job = job_create(kind=kind, params=params, requested_by=requested_by, department_id=department_id)
    Job.objects.filter(id=job.id).update(status=Job.Status.RUNNING, started_at=now, progress_at=now)
    job.refresh_from_db()
    return job


def children_counts(*, parent_id: int) -> dict[str, int]:
    """How many of a parent's children there are, and how many have ended in each way."""
    counts = {"total": 0, "done": 0, **{status.value: 0 for status in Job.FINISHED}}
    for status in Job.objects.filter(parent_id=parent_id).values_list("status", flat=True):
        counts["total"] += 1
        if status in Job.FINISHED:
            counts["done"] += 1
            counts[status] += 1
    return counts


def _count_children_ended(job_ids: list[int]) -> None:
    """Each parent of these jobs records how many of its children have ended, and ends with the last one.
    The parent's row lock serialises children ending at once, so after it each count sees the others'
    commits (READ COMMITTED) and the last child, whichever it is, finishes the parent."""
    parent_ids = sorted(
        set(Job.objects.filter(id__in=job_ids, parent__isnull=False).values_list("parent_id", flat=True))
    )
    for parent_id in parent_ids:
        parent = Job.objects.select_for_update().filter(id=parent_id, status=Job.Status.RUNNING).first()
        if parent is None:
            continue
        counts = children_counts(parent_id=parent_id)
        result = {**(parent.result or {}), "units_done": counts["done"], "units_total": counts["total"]}
        result["children"] = {status.value: counts[status.value] for status in Job.FINISHED}
        message = f"{counts['done']} of {counts['total']} done"
        if counts["done"] < counts["total"]:
            Job.objects.filter(id=parent_id).update(
                progress=100 * counts["done"] // max(counts["total"], 1),
                message=message,
                result=result,
                progress_at=timezone.now(),
            )
            continue
        if parent.cancel_requested:
            job_mark_cancelled(job_id=parent_id, result=result, message=f"cancelled; {message}")
        elif counts[Job.Status.FAILED]:
            job_fail(
                job_id=parent_id,
                error=f"{counts[Job.Status.FAILED]} of {counts['total']} failed",
                result=result,
            )
        else:
            job_succeed(job_id=parent_id, result=result, message=message)


def job_start(
    *,
    kind: str,
    task: str,
    params: dict[str, Any] | None = None,
    requested_by=None,
    department_id: int | None = None,
    on_broker_down: Callable[[Job], None] | None = None,
) -> Job:
    """The one way to start a job: create it and send `task` (by its registered name, with `job_id=`) once
    the caller's transaction commits. Naming the task keeps the module that starts a job free of an import
    of its tasks module (which imports that module back)."""
    job = job_create(kind=kind, params=params, requested_by=requested_by, department_id=department_id)
    job_enqueue_on_commit(
        job,
        lambda: task_signature(task, job_id=job.id).apply_async(retry=False),
        on_broker_down=on_broker_down,
    )
    return job


def task_signature(name: str, **kwargs: Any):
    """A Celery signature of a registered task, by name (routing and eager mode apply as for the task)."""
    return signature(name, kwargs=kwargs)


def job_enqueue_on_commit(
    job: Job, send: Callable[[], Any], *, on_broker_down: Callable[[Job], None] | None = None
) -> None:
    """Run `send` after commit; if the broker refuses, fail the job at once (none is left queued or
    running with nothing to run it), let `on_broker_down` undo what waited on it, and answer 503."""

    def send_or_fail() -> None:
        try:
            send()
        except Exception as exc:  # kombu's OperationalError and friends: the broker is down
            job_fail_unsent(job_id=job.id, error=f"broker unavailable: {exc}")
            if on_broker_down is not None:
                on_broker_down(job)
            raise ApplicationError(
                "The job queue is unavailable; nothing was started. Try again shortly.",
                extra={"job_id": job.id},
                status=503,
            ) from exc

    transaction.on_commit(send_or_fail)


def job_claim(*, job_id: int, reclaim_running: bool = False) -> bool:
    """Move a queued job to running; True for the one caller that wins.

    `reclaim_running=True` lets a redelivered message (after a worker died mid-task, so the job is
    still marked running) take the job over; the task's write is idempotent, so re-running is safe.
    """
    statuses = [Job.Status.QUEUED, Job.Status.RUNNING] if reclaim_running else [Job.Status.QUEUED]
    now = timezone.now()
    claimed = Job.objects.filter(id=job_id, status__in=statuses, cancel_requested=False).update(
        status=Job.Status.RUNNING, started_at=now, progress_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def job_report_progress(*, job_id: int, progress: int, message: str = "", result: dict | None = None) -> bool:
    """Record progress at most every half second per job (the solver calls this far more often)."""
    now_mono = time.monotonic()
    last = _last_progress_write.get(job_id)
    if last is not None and now_mono - last < PROGRESS_MIN_INTERVAL_S and progress < 100:
        return False
    _last_progress_write[job_id] = now_mono
    fields: dict[str, Any] = {
        "progress": max(0, min(100, int(progress))),
        "message": message[:500],
        "progress_at": timezone.now(),
    }
    if result is not None:
        fields["result"] = result
    return Job.objects.filter(id=job_id, status=Job.Status.RUNNING).update(**fields) == 1


def job_queue_position(*, job: Job) -> int | None:
    """Where a waiting job stands: 1 when it is the next of its kind's family (roster.*, forecast.*) to
    start, None once it has started or ended."""
    if job.status != Job.Status.QUEUED:
        return None
    family = job.kind.split(".", 1)[0]
    ahead = Job.objects.filter(status=Job.Status.QUEUED, kind__startswith=f"{family}.").filter(
        Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, id__lt=job.id)
    )
    return ahead.count() + 1


def job_cancel_requested(*, job_id: int) -> bool:
    return Job.objects.filter(id=job_id, cancel_requested=True).exists()


@transaction.atomic
def _finish(job_id: int, status: str, **fields: Any) -> bool:
    _last_progress_write.pop(job_id, None)
    finished_at = timezone.now()
    updated = Job.objects.filter(id=job_id, status=Job.Status.RUNNING).update(
        status=status, finished_at=finished_at, **fields
    )
    if updated != 1:
        return False
    _ended([job_id], status)
    kind, started_at = Job.objects.filter(id=job_id).values_list("kind", "started_at").get()
    JOBS_FINISHED.labels(kind, status).inc()
    if started_at is not None:
        JOB_SECONDS.labels(kind).observe((finished_at - started_at).total_seconds())
    return True


def job_succeed(*, job_id: int, result: dict | None = None, message: str = "") -> bool:
    return _finish(job_id, Job.Status.SUCCEEDED, progress=100, result=result, message=message[:500])


def job_fail(*, job_id: int, error: str, result: dict | None = None) -> bool:
    return _finish(job_id, Job.Status.FAILED, error=error, result=result, message="failed")


def job_mark_cancelled(*, job_id: int, result: dict | None = None, message: str = "cancelled") -> bool:
    return _finish(job_id, Job.Status.CANCELLED, result=result, message=message[:500])


@transaction.atomic
def job_request_cancel(*, job_id: int) -> Job:
    """A queued job is cancelled at once; a running one is asked to stop and keeps its best result."""
    job = Job.objects.select_for_update().filter(id=job_id).first()
    if job is None:
        raise ApplicationError("Job not found", extra={"job_id": job_id}, status=404)
    if job.is_finished:
        raise ApplicationError(
            f"Job {job_id} has already finished ({job.status})", extra={"status": job.status}, status=409
        )
    job.cancel_requested = True
    if job.status == Job.Status.QUEUED:
        job.status = Job.Status.CANCELLED
        job.finished_at = timezone.now()
        job.message = "cancelled before it started"
    job.save(update_fields=["cancel_requested", "status", "finished_at", "message"])
    if job.status == Job.Status.CANCELLED:
        _ended([job.id], job.status)
    _cancel_children(job)
    return job


def _cancel_children(parent: Job) -> None:
    """Cancelling a parent cancels its children the same way: queued ones at once, running ones asked to
    stop (each keeps its best result). The parent ends when the last child does."""
    children = Job.objects.select_for_update().filter(
        parent=parent, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    )
    ids = list(children.values_list("id", flat=True))
    if not ids:
        return
    Job.objects.filter(id__in=ids).update(cancel_requested=True)
    now = timezone.now()
    queued = list(Job.objects.filter(id__in=ids, status=Job.Status.QUEUED).values_list("id", flat=True))
    Job.objects.filter(id__in=queued).update(
        status=Job.Status.CANCELLED, finished_at=now, message="cancelled before it started"
    )
    _ended(queued, Job.Status.CANCELLED)


@transaction.atomic
def job_fail_unsent(*, job_id: int, error: str) -> bool:
    """Fail a job whose message could not be sent (queued, or a run claimed as it was sent)."""
    if not Job.objects.filter(id=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), error=error
    ):
        return False
    _ended([job_id], Job.Status.FAILED)
    return True


def job_fail_stale(*, older_than: timedelta) -> int:
    """Fail jobs that can no longer finish: queued ones whose message never reached a worker (the broker
    lost it), and running ones silent for longer than the hard task time limit (their worker is gone and
    its retries are spent)."""
    from django.conf import settings

    now = timezone.now()
    silent_since = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - older_than
    failed = 0
    for status, since, condition, error in (
        (Job.Status.QUEUED, now - older_than, "created_at__lt", "never picked up by a worker"),
        (Job.Status.RUNNING, silent_since, "progress_at__lt", "abandoned: no progress from its worker"),
    ):
        with transaction.atomic():
            stale = Job.objects.select_for_update().filter(status=status, **{condition: since})
            ids = list(stale.values_list("id", flat=True))
            failed += Job.objects.filter(id__in=ids, status=status).update(
                status=Job.Status.FAILED, finished_at=now, error=error
            )
            _ended(ids, Job.Status.FAILED)
    return failed
