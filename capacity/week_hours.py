"""Upkeep of the week-hours fact table and its rollup, in the caller's transaction.

The AssignmentWeekHours fact table holds the hours the aggregates count: keys mapped to Mondays, hours
cleaned (negative, blank or unreadable hours are 0) and summed per Monday, and only weeks on or after the
person's hire date (a week counts when its Sunday is on or after the hire date). A change of a person's
department or hire date therefore rewrites that person's rows (`week_hours_resync_people`).

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

from capacity.models import Assignment, AssignmentWeekHours, RoleWeekHours
from capacity.weeks import parse_week_key
from ops import cache as ops_cache

CACHE_NAMESPACE = "capacity"
ROLLUP_UPSERT_BATCH = 1000  # rows per upsert statement (4 parameters each)


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
