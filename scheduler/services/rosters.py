"""Roster writes: generate (enqueue a solve), write a solution, edit, pin, re-solve, publish, version.

Every write runs in a transaction; the solve itself runs on a Celery worker (scheduler.tasks) and writes
its roster in one transaction, so a reader never sees half a roster.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from capacity.models import Department
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from ops.jobs import job_start
from ops.models import Job
from scheduler.models import Roster, RosterAssignment, RosterDayOff, RosterEvent
from scheduler.solver.options import (
    AUTO,
    DEFAULT_TIME_LIMIT_S,
    ROSTER_ENGINES,
    SolveOptions,
    SolveOptionsError,
)

MAX_HORIZON_DAYS = 12 * 7
SOLVE_JOB_KIND = "roster.solve"
RESOLVE_JOB_KIND = "roster.resolve"
COMPARE_JOB_KIND = "roster.compare"
SCENARIO_JOB_KIND = "roster.scenario"
SOLVE_TASK = "scheduler.tasks.roster_solve"
ROSTER_AUDIT_FIELDS = (
    "department",
    "start_date",
    "end_date",
    "status",
    "version",
    "revision",
    "published_at",
    "job",
)


def solve_options(
    *, engine: str, time_limit: float, engines: tuple[str, ...] = ROSTER_ENGINES
) -> SolveOptions:
    """The options of a roster job, checked once here against the core's bounds and the deployment's
    longest solve (SOLVE_TIME_LIMIT_MAX), with the deployment's early stops (SOLVE_EARLY_STOP_GAP_PERCENT,
    SOLVE_STALL_SHARE): a planner waits for a roster within 1% of the best possible, not for the clock."""
    try:
        return SolveOptions(
            engine=engine,
            time_limit=time_limit,
            early_stop_gap=settings.SOLVE_EARLY_STOP_GAP_PERCENT / 100,
            stall_share=settings.SOLVE_STALL_SHARE or None,
        ).validated(max_time_limit=settings.SOLVE_TIME_LIMIT_MAX, engines=engines)
    except SolveOptionsError as exc:
        given = {"engine": engine, "time_limit": time_limit}
        allowed = exc.allowed if exc.allowed is not None else given.get(exc.field)
        raise ApplicationError(str(exc), extra={"fields": {exc.field: allowed}}) from exc


SOLVE_KINDS = (SOLVE_JOB_KIND, RESOLVE_JOB_KIND, COMPARE_JOB_KIND, SCENARIO_JOB_KIND)
BUDGET_WINDOW = timedelta(hours=1)


def _admit_solves(*, department_id: int, user, options: list[SolveOptions]) -> None:
    """Fair use of the solver, checked under the department's row lock: at most
    SOLVE_MAX_ACTIVE_PER_DEPARTMENT solves queued or running per department (429 naming them), and at
    most SOLVE_SECONDS_PER_USER_HOUR seconds of solver time asked for by one user within an hour. Both
    are counted from the job records, so every web process and the API agree."""
    limit = settings.SOLVE_MAX_ACTIVE_PER_DEPARTMENT
    active = list(
        Job.objects.filter(
            department_id=department_id,
            kind__in=SOLVE_KINDS,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        )
        .order_by("created_at")
        .values_list("id", flat=True)
    )
    if len(active) + len(options) > limit:
        raise ApplicationError(
            f"This unit already has {len(active)} solve(s) queued or running (jobs "
            f"{', '.join(map(str, active))}); at most {limit} at once. Wait for one to finish or cancel it.",
            extra={"limit": limit, "active_jobs": active, "retry_after_seconds": 10},
            status=429,
        )
    if user is None or not user.is_authenticated:
        return
    since = timezone.now() - BUDGET_WINDOW
    asked = Job.objects.filter(requested_by=user, kind__in=SOLVE_KINDS, created_at__gte=since)
    used = sum(float(params.get("time_limit") or 0) for params in asked.values_list("params", flat=True))
    requested = sum(o.time_limit for o in options)
    budget = settings.SOLVE_SECONDS_PER_USER_HOUR
    if used + requested > budget:
        oldest = asked.order_by("created_at").values_list("created_at", flat=True).first()
        retry = int(((oldest + BUDGET_WINDOW) - timezone.now()).total_seconds()) + 1 if oldest else 60
        raise ApplicationError(
            f"You have asked for {used:.0f} s of solver time in the last hour; {requested:.0f} s more would "
            f"pass the limit of {budget} s per hour",
            extra={
                "limit": budget,
                "used": used,
                "requested": requested,
                "retry_after_seconds": max(retry, 1),
            },
            status=429,
        )


def audit_roster(action: str, roster: Roster, before: dict, *, user=None, after: dict | None = None) -> None:
    """One audit entry for a write of a roster's own fields (its cells are audited by roster_edits)."""
    with audit.acting_as(user) if user is not None else nullcontext():
        audit.record(
            action=action,
            obj=roster,
            before=before,
            after=audit.snapshot(roster, ROSTER_AUDIT_FIELDS) if after is None else after,
        )


def _running_job_of(roster: Roster) -> Job | None:
    if roster.job_id is None:
        return None
    job = Job.objects.filter(id=roster.job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    return job


def _start_solve_job(*, kind: str, roster: Roster, options: SolveOptions, user) -> Job:
    return job_start(
        kind=kind,
        task=SOLVE_TASK,
        params={"roster_id": roster.id, **options.to_dict()},
        requested_by=user,
        department_id=roster.department_id,
        # a broker that refuses fails the job, and the roster follows it (roster_release_after_job)
    )


@transaction.atomic
def roster_generate(
    *,
    unit: Department,
    start_date: date,
    end_date: date,
    engine: str = AUTO,
    time_limit: int = DEFAULT_TIME_LIMIT_S,
    user=None,
) -> Roster:
    """Create a draft roster and a solve job for it; the job is enqueued when this transaction commits."""
    if unit.kind != Department.Kind.UNIT:
        raise ApplicationError("Rosters are made for units", extra={"fields": {"unit": unit.pk}})
    if end_date < start_date:
        raise ApplicationError("end must be on or after start", extra={"fields": {"end": str(end_date)}})
    if (end_date - start_date).days + 1 > MAX_HORIZON_DAYS:
        raise ApplicationError(
            f"A roster covers at most {MAX_HORIZON_DAYS} days", extra={"limit": MAX_HORIZON_DAYS}, status=413
        )
    options = solve_options(engine=engine, time_limit=time_limit)
    Department.objects.select_for_update().filter(pk=unit.pk).first()  # serialise solves per unit
    same = Roster.objects.filter(
        department=unit, start_date=start_date, end_date=end_date, status=Roster.Status.SOLVING
    ).first()
    if same is not None and (running := _running_job_of(same)) is not None:
        raise ApplicationError(
            "A roster for these dates is already being solved",
            extra={"job_id": running.id, "roster_id": same.id},
            status=409,
        )
    _admit_solves(department_id=unit.pk, user=user, options=[options])
    roster = Roster.objects.create(
        department=unit,
        start_date=start_date,
        end_date=end_date,
        status=Roster.Status.SOLVING,
        created_by=user,
    )
    _start_solve(roster=roster, options=options, user=user, resolve=False)
    audit_roster("roster_generate", roster, {}, user=user)
    return roster


@transaction.atomic
def roster_resolve(
    *, roster: Roster, engine: str = AUTO, time_limit: int = DEFAULT_TIME_LIMIT_S, user=None
) -> Roster:
    """Solve again from the current roster: pins hold, every changed assignment is penalised."""
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if roster.status == Roster.Status.PUBLISHED:
        raise ApplicationError("A published roster changes only through a new version", status=409)
    if (running := _running_job_of(roster)) is not None:
        raise ApplicationError(
            "This roster is already being solved",
            extra={"job_id": running.id, "roster_id": roster.id},
            status=409,
        )
    options = solve_options(engine=engine, time_limit=time_limit)
    Department.objects.select_for_update().filter(
        pk=roster.department_id
    ).first()  # serialise solves per unit
    _admit_solves(department_id=roster.department_id, user=user, options=[options])
    before = audit.snapshot(roster, ROSTER_AUDIT_FIELDS)
    roster.status = Roster.Status.SOLVING
    roster.save(update_fields=["status", "updated_at"])
    _start_solve(roster=roster, options=options, user=user, resolve=True)
    audit_roster("roster_resolve", roster, before, user=user)
    return roster


def _start_solve(*, roster: Roster, options: SolveOptions, user, resolve: bool) -> Job:
    kind = RESOLVE_JOB_KIND if resolve else SOLVE_JOB_KIND
    job = _start_solve_job(kind=kind, roster=roster, options=options, user=user)
    roster.job = job
    roster.save(update_fields=["job", "updated_at"])
    RosterEvent.objects.create(
        roster=roster,
        action=RosterEvent.Action.RESOLVE if resolve else RosterEvent.Action.GENERATE,
        actor=user,
        details={"job_id": job.id, "engine": options.engine, "time_limit": options.time_limit},
    )
    return job


@transaction.atomic
def roster_publish(*, roster: Roster, user=None, expected_revision: int | None = None) -> Roster:
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if expected_revision is not None and roster.revision != expected_revision:
        raise ApplicationError(
            "The roster changed since you read it", extra={"revision": roster.revision}, status=412
        )
    if roster.status != Roster.Status.SOLVED:
        raise ApplicationError(
            f"Only a solved roster can be published (this one is {roster.status})",
            extra={"status": roster.status},
            status=409,
        )
    before = audit.snapshot(roster, ROSTER_AUDIT_FIELDS)
    roster.status = Roster.Status.PUBLISHED
    roster.published_at = timezone.now()
    roster.save(update_fields=["status", "published_at", "updated_at"])
    RosterEvent.objects.create(
        roster=roster,
        action=RosterEvent.Action.PUBLISH,
        actor=user,
        details={"assignments": roster.assignments.count(), "objective": roster.objective},
    )
    audit_roster("roster_publish", roster, before, user=user)
    bump("roster")
    return roster


@transaction.atomic
def roster_delete(*, roster: Roster, user=None, expected_revision: int | None = None) -> int:
    """Delete a roster that is not the record of a published plan and has no solve queued or running.

    Its assignments and events go with it; a later version that points at it keeps its own rows. Returns
    the id that was deleted. A published roster stays (staff have seen it): make a new version instead.
    """
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if expected_revision is not None and roster.revision != expected_revision:
        raise ApplicationError(
            "The roster changed since you read it", extra={"revision": roster.revision}, status=412
        )
    if roster.status == Roster.Status.PUBLISHED:
        raise ApplicationError(
            "A published roster cannot be deleted; make a new version to change it",
            extra={"status": roster.status},
            status=409,
        )
    running = _running_job_of(roster)
    if running is not None:
        raise ApplicationError(
            "The roster has a solve queued or running; cancel it first",
            extra={"job": running.id, "job_status": running.status},
            status=409,
        )
    roster_id = roster.pk
    audit_roster("roster_delete", roster, audit.snapshot(roster, ROSTER_AUDIT_FIELDS), user=user, after={})
    roster.delete()
    bump("roster")
    return roster_id


@transaction.atomic
def roster_new_version(*, roster: Roster, user=None) -> Roster:
    """A published roster changes only through a new version: a solved copy that can be edited."""
    source = Roster.objects.select_for_update().get(pk=roster.pk)
    if source.status != Roster.Status.PUBLISHED:
        raise ApplicationError(
            "Only a published roster gets new versions; edit this one directly", status=409
        )
    latest = Roster.objects.filter(
        department=source.department, start_date=source.start_date, end_date=source.end_date
    )
    copy = Roster.objects.create(
        department=source.department,
        start_date=source.start_date,
        end_date=source.end_date,
        status=Roster.Status.SOLVED,
        engine=source.engine,
        objective=source.objective,
        bound=source.bound,
        statistics=source.statistics,
        created_by=user,
        version=max(r.version for r in latest) + 1,
        previous_version=source,
    )
    RosterAssignment.objects.bulk_create(
        RosterAssignment(
            roster=copy,
            person_id=a.person_id,
            date=a.date,
            shift_type_id=a.shift_type_id,
            pinned=a.pinned,
            override_reason=a.override_reason,
            overridden_rules=a.overridden_rules,
        )
        for a in source.assignments.all()
    )
    RosterDayOff.objects.bulk_create(
        RosterDayOff(
            roster=copy,
            person_id=d.person_id,
            date=d.date,
            override_reason=d.override_reason,
            overridden_rules=d.overridden_rules,
        )
        for d in source.days_off.all()
    )
    RosterEvent.objects.create(
        roster=copy,
        action=RosterEvent.Action.NEW_VERSION,
        actor=user,
        details={"from_roster": source.id, "from_version": source.version},
    )
    audit_roster("roster_new_version", copy, {}, user=user)
    bump("roster")
    return copy


@transaction.atomic
def roster_compare(
    *, roster: Roster, engines: list[str], time_limit: int = DEFAULT_TIME_LIMIT_S, user=None
) -> dict[str, Job]:
    """Solve the same problem with each engine as separate jobs; nothing is written to the roster."""
    options = [
        solve_options(engine=engine, time_limit=time_limit, engines=ROSTER_ENGINES) for engine in engines
    ]
    if len(set(engines)) != len(engines):
        raise ApplicationError("Compare two different engines", extra={"fields": {"engines": engines}})
    Department.objects.select_for_update().filter(
        pk=roster.department_id
    ).first()  # serialise solves per unit
    _admit_solves(department_id=roster.department_id, user=user, options=options)
    jobs = {
        o.engine: _start_solve_job(kind=COMPARE_JOB_KIND, roster=roster, options=o, user=user)
        for o in options
    }
    audit.record(
        action="roster_compare",
        obj=roster,
        after={"compare_jobs": {engine: job.pk for engine, job in jobs.items()}},
    )
    return jobs


def roster_release_after_job(*, job_ids: list[int]) -> int:
    """A roster still "solving" when its job ended (cancelled in the queue, failed, lost) goes back to
    what it was before the solve: solved if it holds an earlier solution, else a draft to solve again."""
    waiting = Roster.objects.filter(job_id__in=job_ids, status=Roster.Status.SOLVING)
    drafts = waiting.filter(statistics={}).update(status=Roster.Status.DRAFT, updated_at=timezone.now())
    solved = waiting.update(status=Roster.Status.SOLVED, updated_at=timezone.now())
    if drafts or solved:
        bump("roster")
    return drafts + solved
