"""Writes of the capacity app. Every write of Assignment.weekly_hours goes through here, so the
AssignmentWeekHours fact table is rewritten in the same transaction, and every write bumps the "capacity"
cache namespace so the next aggregate read is fresh.

The fact table holds the hours the aggregates count: keys mapped to Mondays, hours cleaned (negative,
blank or unreadable hours are 0) and summed per Monday, and only weeks on or after the person's hire
date (a week counts when its Sunday is on or after the hire date). A change of a person's department or
hire date therefore rewrites that person's rows (`week_hours_resync_people`).

The RoleWeekHours rollup (per department, role and week) follows the fact rows in the same transaction:
each rewrite locks the assignments, reads their old fact rows, and adds new minus old to the rollup with
one atomic upsert (`hours = hours + delta`). Deltas commute, so concurrent writers of the same department,
role and week never lose each other's hours, which a recompute from the fact table could. Deleting
assignments (or the people and projects they cascade from) goes through `week_hours_remove` first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from capacity.models import Assignment, AssignmentWeekHours, Person, Project, Role, RoleWeekHours
from capacity.weeks import parse_week_key
from ops import cache as ops_cache
from ops.errors import ApplicationError
from ops.planning_window import OutsidePlanningWindow

CACHE_NAMESPACE = "capacity"
MAX_HOURS_PER_WEEK = Decimal(168)
BULK_UPDATE_MAX_ITEMS = 200
ROLLUP_UPSERT_BATCH = 1000  # rows per upsert statement (4 parameters each)
ASSIGNMENT_EDITABLE_FIELDS = ("person", "project", "role", "weekly_hours")


def capacity_changed() -> None:
    """Every write that changes what an aggregate reads calls this (inside its transaction)."""
    ops_cache.bump(CACHE_NAMESPACE)


# --- hours and week keys --------------------------------------------------------------------------------


def clean_hours(value) -> Decimal:
    """Negative, blank or unreadable hours count as 0 (legacy spreadsheets hold all three)."""
    if value is None or value == "" or isinstance(value, bool):
        return Decimal(0)
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return hours if hours.is_finite() and hours > 0 else Decimal(0)


def _week_counts(monday, hire_date) -> bool:
    return hire_date is None or monday + timedelta(days=6) >= hire_date


def week_hours_rows(assignment: Assignment) -> list[AssignmentWeekHours]:
    """The fact rows of one assignment: keys mapped to Mondays, hours summed per Monday, zeros dropped,
    weeks before the person's hire date dropped."""
    per_week: dict = {}
    for key, raw in (assignment.weekly_hours or {}).items():
        try:
            monday = parse_week_key(key)
        except ValueError:
            continue
        per_week[monday] = per_week.get(monday, Decimal(0)) + clean_hours(raw)
    person = assignment.person
    department_id = person.department_id if person else assignment.project.department_id
    hire_date = person.hire_date if person else None
    return [
        AssignmentWeekHours(
            assignment=assignment,
            person_id=assignment.person_id,
            role_id=assignment.role_id,
            department_id=department_id,
            week_start=monday,
            hours=hours,
        )
        for monday, hours in sorted(per_week.items())
        if hours > 0 and _week_counts(monday, hire_date)
    ]


RollupKey = tuple[int, int, date]  # (department id, role id, Monday)


def _lock_assignments(assignment_ids: Iterable[int]) -> list[int]:
    """Lock these assignments (in one order, so two writers cannot deadlock on them) and return the ids
    that exist. Every rewrite of an assignment's fact rows holds its lock, so the old rows it reads are
    the ones it replaces."""
    return list(
        Assignment.objects.select_for_update()
        .filter(pk__in=list(assignment_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _fact_totals(assignment_ids: list[int]) -> dict[RollupKey, Decimal]:
    rows = (
        AssignmentWeekHours.objects.filter(assignment_id__in=assignment_ids)
        .values_list("department_id", "role_id", "week_start")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {(department_id, role_id, week): total for department_id, role_id, week, total in rows}


def _rollup_add(deltas: dict[RollupKey, Decimal]) -> None:
    """Add hours to the rollup, atomically per row: INSERT ... ON CONFLICT DO UPDATE adding the delta
    (PostgreSQL and SQLite alike), in key order so two writers lock the rows they share in one order."""
    changed = sorted((key, delta) for key, delta in deltas.items() if delta)
    table = connection.ops.quote_name(RoleWeekHours._meta.db_table)
    for start in range(0, len(changed), ROLLUP_UPSERT_BATCH):
        batch = changed[start : start + ROLLUP_UPSERT_BATCH]
        params = [value for key, delta in batch for value in (*key, delta)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (department_id, role_id, week_start, hours) "
                f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(batch))} "
                "ON CONFLICT (department_id, week_start, role_id) "
                f"DO UPDATE SET hours = {table}.hours + excluded.hours",
                params,
            )


def _facts_replace(assignment_ids: list[int], rows: list[AssignmentWeekHours]) -> None:
    """Replace the fact rows of these (locked) assignments by `rows`, and move the rollup by the
    difference."""
    deltas = {key: -total for key, total in _fact_totals(assignment_ids).items()}
    AssignmentWeekHours.objects.filter(assignment_id__in=assignment_ids).delete()
    AssignmentWeekHours.objects.bulk_create(rows, batch_size=2000)
    for row in rows:
        key = (row.department_id, row.role_id, row.week_start)
        deltas[key] = deltas.get(key, Decimal(0)) + row.hours
    _rollup_add(deltas)


@transaction.atomic
def week_hours_sync(*, assignments: Iterable[Assignment]) -> int:
    """Rewrite the fact rows of these assignments from what they store (read again once locked, so a
    stale copy never overwrites a concurrent edit), move the rollup by the difference and bump the cache
    (so any caller, the demo seeder included, leaves no stale aggregate behind); returns the number of
    rows written."""
    ids = _lock_assignments(a.pk for a in assignments)
    fresh = Assignment.objects.filter(pk__in=ids).select_related("person", "project").order_by("pk")
    rows = [row for assignment in fresh for row in week_hours_rows(assignment)] if ids else []
    if ids:
        _facts_replace(ids, rows)
    capacity_changed()
    return len(rows)


@transaction.atomic
def week_hours_remove(*, assignment_ids: Iterable[int]) -> None:
    """Delete the fact rows of these assignments and take them out of the rollup. Call it before deleting
    assignments, or the people or projects they cascade from: a cascade alone leaves the rollup behind."""
    ids = _lock_assignments(assignment_ids)
    if ids:
        _facts_replace(ids, [])
    capacity_changed()


@transaction.atomic
def week_hours_resync_people(*, person_ids: Iterable[int]) -> int:
    """Rewrite the fact rows of every assignment of these people (after a change of department or hire
    date) and bump the cache; returns the number of rows written."""
    assignments = Assignment.objects.filter(person_id__in=list(person_ids)).only("pk")
    written = week_hours_sync(assignments=assignments)
    capacity_changed()
    return written


@transaction.atomic
def role_week_hours_rebuild(*, department_ids: Iterable[int] | None = None) -> int:
    """Recompute the rollup from the fact table (of these departments, or all of it): the backfill's last
    step, and the repair for drift. Returns the number of rollup rows written.

    On PostgreSQL the rollup is first locked against writes (reads go on): a writer that has already
    moved it commits before the rebuild reads the facts; one that has not waits, then adds its delta on
    top of the rebuilt rows. Either way nothing is lost or counted twice. SQLite has one writer at a
    time anyway."""
    rollup = connection.ops.quote_name(RoleWeekHours._meta.db_table)
    facts = connection.ops.quote_name(AssignmentWeekHours._meta.db_table)
    where, params = "WHERE 1 = 1", []
    if department_ids is not None:
        department_ids = sorted(set(department_ids))
        if not department_ids:
            return 0
        where = f"WHERE department_id IN ({', '.join(['%s'] * len(department_ids))})"
        params = department_ids
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {rollup} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {rollup} {where}", params)
        cursor.execute(
            f"INSERT INTO {rollup} (department_id, role_id, week_start, hours) "
            f"SELECT department_id, role_id, week_start, SUM(hours) FROM {facts} {where} "
            "GROUP BY department_id, role_id, week_start",
            params,
        )
        written = cursor.rowcount
    capacity_changed()
    return written


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
    capacity_changed()
    return assignment


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
    if "weekly_hours" in changes:
        changes["weekly_hours"] = weekly_hours_normalise(changes["weekly_hours"])
    for field, value in changes.items():
        setattr(current, field, value)
    if {"person", "project", "role"} & set(changes):
        assignment_refs_check(person=current.person, project=current.project, role=current.role)
    current.version += 1
    current.save()
    week_hours_sync(assignments=[current])
    capacity_changed()
    # the caller's instance reflects the write too (views serialise the object they passed in)
    for field in (*ASSIGNMENT_EDITABLE_FIELDS, "version", "updated_at"):
        setattr(assignment, field, getattr(current, field))
    return current


@transaction.atomic
def assignment_delete(*, assignment: Assignment) -> None:
    """Delete an assignment; its fact rows go with it, out of the rollup, in the same transaction."""
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
    now = timezone.now()
    for i, patch in zip(ids, patches, strict=True):
        assignment = locked[i]
        assignment.weekly_hours = weekly_hours_normalise(_merge_hours(assignment.weekly_hours, patch))
        assignment.version += 1
        assignment.updated_at = now
        updated.append(assignment)
    Assignment.objects.bulk_update(updated, ["weekly_hours", "version", "updated_at"])
    week_hours_sync(assignments=updated)
    capacity_changed()
    return updated
