"""Writes of assignments. Every write of Assignment.weekly_hours goes through here, so the fact table and
its rollup are rewritten in the same transaction (capacity.week_hours), and every write bumps the
"capacity" cache namespace so the next aggregate read is fresh.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from capacity.models import Assignment, Person, Project, Role
from capacity.week_hours import (  # noqa: F401 - the fact-table upkeep, kept importable here
    CACHE_NAMESPACE,
    capacity_changed,
    clean_hours,
    role_week_hours_rebuild,
    week_hours_remove,
    week_hours_resync_people,
    week_hours_rows,
    week_hours_sync,
)
from capacity.weeks import parse_week_key
from ops import audit
from ops.errors import ApplicationError
from ops.planning_window import OutsidePlanningWindow

MAX_HOURS_PER_WEEK = Decimal(168)
BULK_UPDATE_MAX_ITEMS = 200
ASSIGNMENT_EDITABLE_FIELDS = ("person", "project", "role", "weekly_hours")
AUDITED_BULK_FIELDS = ("weekly_hours", "version")


def weekly_hours_normalise(value) -> dict[str, float]:
    """Validate hours written through the API and store them canonically: Monday keys, numbers.

    Keys must be dates (a non-Monday maps to the Monday within ±3 days); hours must be numbers from 0 to
    168 or blank/null (which clears the week). Two keys landing on one Monday are summed.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApplicationError(
            "weeklyHours must be an object of week -> hours", extra={"field": "weeklyHours"}
        )
    per_week: dict = {}
    errors: dict[str, str] = {}
    for key, raw in value.items():
        try:
            monday = parse_week_key(key)
        except OutsidePlanningWindow as exc:
            errors[str(key)] = str(exc)
            continue
        except (ValueError, TypeError):
            errors[str(key)] = "not a date (YYYY-MM-DD)"
            continue
        if raw is None or raw == "":
            continue
        try:
            hours = Decimal(str(raw)) if not isinstance(raw, bool) else None
        except InvalidOperation:
            hours = None
        if hours is None or not hours.is_finite() or hours < 0 or hours > MAX_HOURS_PER_WEEK:
            errors[str(key)] = f"hours must be a number from 0 to {MAX_HOURS_PER_WEEK}"
            continue
        per_week[monday] = per_week.get(monday, Decimal(0)) + hours
    if errors:
        raise ApplicationError("Invalid weekly hours", extra={"weeklyHours": errors})
    return {
        monday.isoformat(): _number(hours.quantize(Decimal("0.01")))
        for monday, hours in sorted(per_week.items())
        if hours > 0
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# --- assignments ----------------------------------------------------------------------------------------


def assignment_refs_check(*, person: Person | None, project: Project, role: Role) -> None:
    if person is not None and not person.active:
        raise ApplicationError(
            "An inactive person cannot be assigned", extra={"person_id": person.pk}, status=400
        )
    if project.status == Project.Status.CLOSED:
        raise ApplicationError("The project is closed", extra={"project_id": project.pk}, status=409)


@transaction.atomic
def assignment_create(
    *, person: Person | None, project: Project, role: Role, weekly_hours: dict | None = None, actor=None
) -> Assignment:
    """A person (or an open placeholder when person is None) on a project with hours per week."""
    assignment_refs_check(person=person, project=project, role=role)
    assignment = Assignment.objects.create(
        person=person, project=project, role=role, weekly_hours=weekly_hours_normalise(weekly_hours)
    )
    week_hours_sync(assignments=[assignment])
    _audit("assignment_create", assignment, {}, audit.snapshot(assignment))
    capacity_changed()
    return assignment


def _audit(action: str, assignment: Assignment, before: dict, after: dict) -> None:
    # an assignment belongs to its project's department (an open placeholder has no person)
    audit.record(
        action=action,
        obj=assignment,
        department_id=assignment.project.department_id,
        before=before,
        after=after,
    )


def _lock(assignment_ids: list[int]) -> dict[int, Assignment]:
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(pk__in=assignment_ids)
        .select_related("person", "project")
        .order_by("pk")  # one lock order, so two bulk edits cannot deadlock
    )
    return {a.pk: a for a in locked}


def _stale(assignment: Assignment, expected_version: int) -> ApplicationError:
    return ApplicationError(
        "The assignment was changed by someone else; reload it and retry",
        extra={
            "assignment_id": assignment.pk,
            "expected_version": expected_version,
            "current_version": assignment.version,
        },
        status=412,
    )


@transaction.atomic
def assignment_update(
    *, assignment: Assignment, expected_version: int | None = None, **changes
) -> Assignment:
    """Change person, project, role or weekly_hours (replaced whole). Bumps `version`; refuses with 412
    when `expected_version` is given and the stored version differs."""
    unknown = set(changes) - set(ASSIGNMENT_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError("Unknown assignment fields", extra={"fields": sorted(unknown)})
    current = _lock([assignment.pk]).get(assignment.pk)
    if current is None:
        raise ApplicationError("Assignment not found", extra={"assignment_id": assignment.pk}, status=404)
    if expected_version is not None and current.version != expected_version:
        raise _stale(current, expected_version)
    before = audit.snapshot(current)
    if "weekly_hours" in changes:
        changes["weekly_hours"] = weekly_hours_normalise(changes["weekly_hours"])
    for field, value in changes.items():
        setattr(current, field, value)
    if {"person", "project", "role"} & set(changes):
        assignment_refs_check(person=current.person, project=current.project, role=current.role)
    current.version += 1
    current.save()
    week_hours_sync(assignments=[current])
    _audit("assignment_update", current, before, audit.snapshot(current))
    capacity_changed()
    # the caller's instance reflects the write too (views serialise the object they passed in)
    for field in (*ASSIGNMENT_EDITABLE_FIELDS, "version", "updated_at"):
        setattr(assignment, field, getattr(current, field))
    return current


@transaction.atomic
def assignment_delete(*, assignment: Assignment) -> None:
    """Delete an assignment; its fact rows go with it, out of the rollup, in the same transaction."""
    _audit("assignment_delete", assignment, audit.snapshot(assignment), {})
    week_hours_remove(assignment_ids=[assignment.pk])
    Assignment.objects.filter(pk=assignment.pk).delete()
    capacity_changed()


def _merge_hours(stored: dict, patch: dict) -> dict:
    """JSON merge-patch of week hours: a key with null or blank clears the week."""
    merged: dict[str, Decimal] = {}
    for key, raw in (stored or {}).items():
        if _is_date(key):
            monday = parse_week_key(key).isoformat()
            merged[monday] = merged.get(monday, Decimal(0)) + clean_hours(raw)
    for key, value in patch.items():
        monday = parse_week_key(key).isoformat()
        if value is None or value == "":
            merged.pop(monday, None)
        else:
            merged[monday] = value
    return merged


def _is_date(key) -> bool:
    try:
        parse_week_key(key)
    except (ValueError, TypeError):
        return False
    return True


@transaction.atomic
def assignments_bulk_update_hours(*, items: list[dict], actor=None) -> list[Assignment]:
    """Edit the hours of many assignments at once, all or nothing.

    Each item is {"assignment_id": int, "weekly_hours": {week: hours or null}, "expected_version": int}.
    The hours are merged into the stored ones (null or blank clears a week). Refuses with 413 above
    BULK_UPDATE_MAX_ITEMS items, 409 when one assignment appears twice, 404 when one does not exist (or is
    not in `allowed_department_ids` of the caller, checked by the view), 412 when any version is stale.
    Returns the updated assignments in the order of the items.
    """
    if not items:
        raise ApplicationError("No items to update", extra={"max_items": BULK_UPDATE_MAX_ITEMS})
    if len(items) > BULK_UPDATE_MAX_ITEMS:
        raise ApplicationError(
            f"At most {BULK_UPDATE_MAX_ITEMS} items per request",
            extra={"max_items": BULK_UPDATE_MAX_ITEMS, "items": len(items)},
            status=413,
        )
    ids = [int(item["assignment_id"]) for item in items]
    seen: set[int] = set()
    duplicates = sorted({i for i in ids if i in seen or seen.add(i)})
    if duplicates:
        raise ApplicationError(
            "An assignment appears more than once in the payload",
            extra={"assignment_ids": duplicates},
            status=409,
        )
    # validate every patch before touching anything
    patches = []
    for item in items:
        hours = item.get("weekly_hours")
        if not isinstance(hours, dict):
            raise ApplicationError(
                "weeklyHours must be an object of week -> hours",
                extra={"assignment_id": item["assignment_id"]},
            )
        try:
            weekly_hours_normalise({k: v for k, v in hours.items() if v is not None and v != ""})
        except ApplicationError as exc:
            raise ApplicationError(
                exc.message, extra={"assignment_id": item["assignment_id"], **exc.extra}
            ) from exc
        patches.append(hours)
    locked = _lock(ids)
    missing = [i for i in ids if i not in locked]
    if missing:
        raise ApplicationError("Assignments not found", extra={"assignment_ids": missing}, status=404)
    stale = [
        {
            "assignment_id": i,
            "expected_version": item.get("expected_version"),
            "current_version": locked[i].version,
        }
        for i, item in zip(ids, items, strict=True)
        if item.get("expected_version") is None or locked[i].version != int(item["expected_version"])
    ]
    if stale:
        raise ApplicationError(
            "Some assignments were changed by someone else; reload them and retry",
            extra={"stale": stale},
            status=412,
        )
    updated = []
    trail = []
    now = timezone.now()
    for i, patch in zip(ids, patches, strict=True):
        assignment = locked[i]
        before = audit.snapshot(assignment, AUDITED_BULK_FIELDS)
        assignment.weekly_hours = weekly_hours_normalise(_merge_hours(assignment.weekly_hours, patch))
        assignment.version += 1
        assignment.updated_at = now
        updated.append(assignment)
        trail.append((assignment, before, audit.snapshot(assignment, AUDITED_BULK_FIELDS)))
    Assignment.objects.bulk_update(updated, ["weekly_hours", "version", "updated_at"])
    audit.record_many(
        action="assignments_bulk_update_hours",
        items=trail,
        department_of=lambda assignment: assignment.project.department_id,
    )
    week_hours_sync(assignments=updated)
    capacity_changed()
    return updated
