"""Plan the whole organisation at once: one roster per unit below a department, solved over the workers.

One parent job (kind `roster.batch`) holds a child solve job per unit (the ordinary `roster.solve` job,
run by the ordinary task); the parent shows how many children have ended and ends with the last one
(`ops.jobs`), and cancelling it cancels them.

Shared people are never double-booked because units that share someone are solved **in order**, not
repaired afterwards: the units are split into connected components of "someone may be rostered in both"
(`Person.other_units`); each component is a Celery chain, so each unit's problem is built after the
previous unit's roster is written and blocks the days its shared people already work there (the problem
builder's `booked_elsewhere`); the components run in parallel as one Celery group. Why order rather than
repair: a repair takes a shift away from one unit after its solve, leaving a gap that unit's solver
would have filled with someone else; solving in order never makes the gap, every roster comes out as
good as its solver can make it with what is left, and it costs nothing where nobody is shared (every unit
is then a chain of one and the batch is fully parallel). The price is that the first unit of a chain
gets first pick of the shared people (units go in id order, so a re-run plans the same way) and a large
component is solved serially. A solve writing its roster re-checks under the shared people's row
locks, so a single solve or an edit in another unit committing meanwhile is respected too.

No chord: the project keeps no result backend (results live on `ops.Job` rows), so nothing joins the
group; the last child to end finishes the parent in its own ending transaction.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, timedelta

from celery import chain, group, signature
from django.db import transaction

from capacity.models import Department
from capacity.selectors import department_subtree_ids, units_sharing_people
from ops import audit
from ops.errors import ApplicationError
from ops.jobs import job_create, job_enqueue_on_commit, job_fail_unsent, job_start_parent
from ops.models import Job
from scheduler.models import Roster, RosterEvent
from scheduler.services.rosters import (
    MAX_HORIZON_DAYS,
    ROSTER_AUDIT_FIELDS,
    SOLVE_JOB_KIND,
    SOLVE_TASK,
    _admit_solves,
    _running_job_of,
    solve_options,
)
from scheduler.solver.options import AUTO, DEFAULT_TIME_LIMIT_S

BATCH_JOB_KIND = "roster.batch"
MAX_WEEKS = MAX_HORIZON_DAYS // 7


def units_below(department: Department) -> list[Department]:
    ids = department_subtree_ids(department_ids=[department.pk])
    return list(Department.objects.filter(id__in=ids, kind=Department.Kind.UNIT).order_by("id"))


def _solve_signature(job_id: int):
    # immutable: in a chain a task would otherwise receive the previous task's return value
    return signature(SOLVE_TASK, kwargs={"job_id": job_id}, immutable=True)


@transaction.atomic
def roster_batch_plan(
    *,
    department: Department,
    start_date: date,
    weeks: int,
    engine: str = AUTO,
    time_limit: int = DEFAULT_TIME_LIMIT_S,
    user=None,
) -> Job:
    """Create a draft roster and a solve job for every unit below `department` (itself if it is a unit)
    and a parent job over them; the solves are sent when this transaction commits. All or nothing: one
    unit that cannot take another solve refuses the whole batch."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ApplicationError(
            f"weeks must be between 1 and {MAX_WEEKS}", extra={"fields": {"weeks": weeks}, "limit": MAX_WEEKS}
        )
    options = solve_options(engine=engine, time_limit=time_limit)
    units = units_below(department)
    if not units:
        raise ApplicationError(
            f"{department.name} has no units to roster", extra={"fields": {"department": department.pk}}
        )
    end_date = start_date + timedelta(days=7 * weeks - 1)
    unit_ids = [u.pk for u in units]
    list(Department.objects.select_for_update().filter(id__in=unit_ids).order_by("id"))  # as roster_generate
    busy = [
        {"unit": r.department_id, "roster_id": r.pk, "job_id": job.id}
        for r in Roster.objects.filter(
            department_id__in=unit_ids, start_date=start_date, end_date=end_date, status=Roster.Status.SOLVING
        )
        if (job := _running_job_of(r)) is not None
    ]
    if busy:
        raise ApplicationError(
            f"{len(busy)} unit(s) already have a roster for these dates being solved",
            extra={"solving": busy},
            status=409,
        )
    for unit in units:  # the jobs created so far in this transaction count towards the user's budget
        _admit_solves(department_id=unit.pk, user=user, options=[options])

    components = units_sharing_people(unit_ids=unit_ids)
    parent = job_start_parent(
        kind=BATCH_JOB_KIND,
        params={
            "department": department.pk,
            "start": start_date.isoformat(),
            "weeks": weeks,
            **options.to_dict(),
        },
        requested_by=user,
        department_id=department.pk,
    )
    children: dict[int, Job] = {}
    rows = []
    created: list[Roster] = []
    for unit in units:
        roster = Roster.objects.create(
            department=unit,
            start_date=start_date,
            end_date=end_date,
            status=Roster.Status.SOLVING,
            created_by=user,
        )
        job = job_create(
            kind=SOLVE_JOB_KIND,
            params={"roster_id": roster.id, **options.to_dict(), "batch_job_id": parent.id},
            requested_by=user,
            department_id=unit.pk,
            parent=parent,
        )
        roster.job = job
        roster.save(update_fields=["job", "updated_at"])
        RosterEvent.objects.create(
            roster=roster,
            action=RosterEvent.Action.GENERATE,
            actor=user,
            details={"job_id": job.id, "batch_job_id": parent.id, **options.to_dict()},
        )
        created.append(roster)
        children[unit.pk] = job
        rows.append({"unit": unit.pk, "name": unit.name, "roster": roster.id, "job": job.id})
    with audit.acting_as(user) if user is not None else nullcontext():  # one INSERT for every roster
        audit.record_many(
            action="roster_batch_plan",
            items=[(roster, {}, audit.snapshot(roster, ROSTER_AUDIT_FIELDS)) for roster in created],
        )
    parent.result = {
        "units_done": 0,
        "units_total": len(units),
        "units": rows,
        # units solved one after another because they share people (a chain each; chains run in parallel)
        "chains": [group_ids for group_ids in components],
    }
    parent.message = f"0 of {len(units)} done"
    parent.save(update_fields=["result", "message"])

    canvas = group(chain(*(_solve_signature(children[u].id) for u in ids)) for ids in components)

    def fail_children(_parent: Job) -> None:
        for job in children.values():
            job_fail_unsent(job_id=job.id, error="broker unavailable")

    job_enqueue_on_commit(parent, lambda: canvas.apply_async(retry=False), on_broker_down=fail_children)
    return parent
