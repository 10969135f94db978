"""An engine comparison's roster, opened and adopted: the cells where it differs from the roster, and
their adoption through the edit service (scheduler.services.roster_edits), so its hard-rule check, its
edit history and its undo hold for an adopted roster as for any edit.

A published roster is never changed: adoption makes its new version first. A compared roster that
breaks hard rules (the referee's count in the job's summary) is adopted only with the planner's
confirmation: a reason, recorded as an override, which needs the override permission like any other.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from ops import audit
from ops.errors import ApplicationError
from ops.models import Job
from scheduler.models import Roster, RosterAssignment, RosterEdit
from scheduler.services.roster_edits import CellChange, roster_cells_change
from scheduler.services.rosters import COMPARE_JOB_KIND, ROSTER_AUDIT_FIELDS, audit_roster, roster_new_version


def compared_job(*, roster: Roster, job_id: int) -> Job:
    """The finished comparison of this roster, with its roster kept (404 otherwise)."""
    job = Job.objects.filter(id=job_id, kind=COMPARE_JOB_KIND, params__roster_id=roster.id).first()
    if job is None:
        raise ApplicationError("No such comparison of this roster", extra={"job": job_id}, status=404)
    if job.status not in (Job.Status.SUCCEEDED, Job.Status.CANCELLED) or "roster" not in (job.result or {}):
        raise ApplicationError(
            "This comparison has no roster to open yet",
            extra={"job": job_id, "status": job.status},
            status=409,
        )
    return job


def compared_cells(*, roster: Roster, job: Job) -> list[CellChange]:
    """The cells where the compared roster differs from the roster as it is now (a person no longer in
    the roster's problem is left out: the edit service would refuse them)."""
    start = date.fromisoformat(job.result["start_date"])
    current = {
        (pid, day): code
        for pid, day, code in RosterAssignment.objects.filter(roster=roster).values_list(
            "person_id", "date", "shift_type__code"
        )
    }
    changes = []
    for person, row in job.result["roster"].items():
        if not person.isdigit():
            continue
        for index, code in enumerate(row):
            day = start + timedelta(days=index)
            if roster.start_date <= day <= roster.end_date and current.get((int(person), day)) != code:
                changes.append(CellChange(int(person), day, code, locked=False))
    return sorted(changes, key=lambda c: (c.day, c.person_id))


@transaction.atomic
def roster_adopt_comparison(
    *,
    roster: Roster,
    job_id: int,
    user=None,
    expected_revision: int | None = None,
    confirm_reason: str = "",
    language: str | None = None,
) -> tuple[Roster, RosterEdit | None]:
    """Make the compared roster the roster's cells (in a new version when the roster is published); the
    adopted cells are not locks, so a re-solve may improve them. Returns the roster changed and its edit
    (None when nothing differed)."""
    job = compared_job(roster=roster, job_id=job_id)
    breaks = bool(job.result.get("breaks_hard_rules"))
    confirm_reason = (confirm_reason or "").strip()
    if breaks and not confirm_reason:
        raise ApplicationError(
            f"The {job.result.get('engine')} roster breaks {job.result.get('hard_violations')} hard rule(s); "
            "give a reason to adopt it anyway",
            extra={"hard_rules_broken": job.result.get("hard_rules_broken", {}), "needs_confirmation": True},
            status=422,
        )
    target = roster
    if roster.status == Roster.Status.PUBLISHED:
        target = roster_new_version(roster=roster, user=user)
        expected_revision = None  # a new copy: nobody else has read it
    changes = compared_cells(roster=target, job=job)
    if not changes:
        return target, None
    before = audit.snapshot(target, ROSTER_AUDIT_FIELDS)
    edit = roster_cells_change(
        roster=target,
        changes=changes,
        action=RosterEdit.Action.BULK,
        user=user,
        expected_revision=expected_revision,
        override_reason=confirm_reason if breaks else "",
        language=language,
        cell_limit=None,
    )
    target.refresh_from_db()
    # the cells are audited by the edit; this entry says the roster took a compared engine's roster
    audit_roster("roster_adopt_comparison", target, before, user=user)
    return target, edit
