"""Role capacity: per role and week, the hours assigned and the capacity of the role's people.

Capacity counts the active people of the role from their hire date on (a week counts when its Sunday is
on or after the hire date). Assigned hours count every assignment of the role in scope (open placeholders
included, scoped by their project's department), only in weeks on or after the person's hire date;
negative, blank or unreadable hours count as 0; keys that are not Mondays count for the Monday within
±3 days.

Three interchangeable sources compute the assigned hours and must agree to the hundredth (a parity test
holds them to it on PostgreSQL with randomised data):

- `python`: streams the assignments and looks up only the requested week keys of each one;
- `jsonb` (PostgreSQL): a `?|` prefilter on the GIN-indexed `weekly_hours`, a `jsonb_each_text` lateral
  expansion joined to the requested keys, a grouped sum;
- `normalized`: a grouped sum over RoleWeekHours, the fact table (AssignmentWeekHours) rolled up per
  department, role and week, which the write paths keep exact in the same transaction as the fact rows
  (capacity.services). The rollup has one row where the fact table has one per assignment, so the sum
  reads a few thousand rows instead of tens of thousands.

The JSON sources read week keys written as ISO dates (YYYY-MM-DD), which is how every write path stores
them (capacity.services.weekly_hours_normalise).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum

from capacity.aggregates.common import cached_aggregate, hours, scope_key, week_counts_for, window
from capacity.models import Assignment, Person, Role, RoleWeekHours
from capacity.week_hours import clean_hours
from ops.errors import ApplicationError

SOURCES = ("python", "jsonb", "normalized")
STREAM_CHUNK = 2000
KEY_SPREAD_DAYS = 3  # a stored key within ±3 days of a Monday belongs to that Monday
NUMERIC_TEXT = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"

Assigned = dict[tuple[int, date], Decimal]  # (role id, Monday) -> hours


def candidate_keys(mondays: Sequence[date]) -> dict[str, date]:
    """Every stored key that counts for one of these Mondays, mapped to its Monday."""
    return {
        (monday + timedelta(days=offset)).isoformat(): monday
        for monday in mondays
        for offset in range(-KEY_SPREAD_DAYS, KEY_SPREAD_DAYS + 1)
    }


def _assignment_scope(department_ids: list[int], role_ids: Sequence[int] | None) -> Q:
    scope = Q(person__department_id__in=department_ids) | Q(
        person__isnull=True, project__department_id__in=department_ids
    )
    if role_ids:
        scope &= Q(role_id__in=list(role_ids))
    return scope


def assigned_python(
    department_ids: list[int], mondays: Sequence[date], role_ids: Sequence[int] | None
) -> Assigned:
    candidates = candidate_keys(mondays)
    candidate_items = list(candidates.items())
    totals: Assigned = defaultdict(Decimal)
    rows = (
        Assignment.objects.filter(_assignment_scope(department_ids, role_ids))
        .values_list("role_id", "person__hire_date", "weekly_hours")
        .order_by()
        .iterator(chunk_size=STREAM_CHUNK)
    )
    for role_id, hire_date, weekly_hours in rows:
        if not weekly_hours:
            continue
        # look up the requested keys only (or walk the assignment's own keys when it has fewer)
        if len(weekly_hours) < len(candidate_items):
            found = ((candidates.get(key), raw) for key, raw in weekly_hours.items())
        else:
            found = ((monday, weekly_hours.get(key)) for key, monday in candidate_items)
        for monday, raw in found:
            if monday is None or raw is None or not week_counts_for(hire_date, monday):
                continue
            value = clean_hours(raw)
            if value:
                totals[(role_id, monday)] += value
    return totals


def assigned_jsonb(
    department_ids: list[int], mondays: Sequence[date], role_ids: Sequence[int] | None
) -> Assigned:
    if connection.vendor != "postgresql":
        raise ApplicationError(
            "The jsonb role-capacity source needs PostgreSQL; use python or normalized",
            extra={"fields": {"source": ["python", "normalized"]}},
        )
    candidates = candidate_keys(mondays)
    role_filter = "AND a.role_id = ANY(%s)" if role_ids else ""
    sql = f"""
        SELECT a.role_id, wk.monday,
               SUM(CASE WHEN kv.value ~ %s THEN GREATEST(kv.value::numeric, 0) ELSE 0 END)
          FROM capacity_assignment a
          JOIN capacity_project pr ON pr.id = a.project_id
          LEFT JOIN capacity_person p ON p.id = a.person_id
         CROSS JOIN LATERAL jsonb_each_text(a.weekly_hours::jsonb) AS kv
          JOIN unnest(%s::text[], %s::date[]) AS wk(key, monday) ON wk.key = kv.key
         WHERE a.weekly_hours::jsonb ?| %s::text[]
           AND (p.department_id = ANY(%s) OR (a.person_id IS NULL AND pr.department_id = ANY(%s)))
           AND (p.hire_date IS NULL OR p.hire_date <= wk.monday + 6)
           {role_filter}
         GROUP BY a.role_id, wk.monday
    """
    keys = list(candidates)
    params: list = [NUMERIC_TEXT, keys, list(candidates.values()), keys, department_ids, department_ids]
    if role_ids:
        params.append(list(role_ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(role_id, monday): total for role_id, monday, total in cursor.fetchall() if total}


def assigned_normalized(
    department_ids: list[int], mondays: Sequence[date], role_ids: Sequence[int] | None
) -> Assigned:
    rollup = RoleWeekHours.objects.filter(
        department_id__in=department_ids, week_start__gte=mondays[0], week_start__lte=mondays[-1]
    )
    if role_ids:
        rollup = rollup.filter(role_id__in=list(role_ids))
    rows = rollup.values_list("role_id", "week_start").annotate(total=Sum("hours")).order_by()
    # rows that fell to 0 stay in the rollup; leave them out like the other sources do
    return {(role_id, monday): total for role_id, monday, total in rows if total}


ASSIGNED_BY_SOURCE = {"python": assigned_python, "jsonb": assigned_jsonb, "normalized": assigned_normalized}


def _capacity(department_ids: list[int], mondays: Sequence[date], role_ids: Sequence[int] | None):
    """Role id -> capacity per week, from one query: a conditional sum per week over the active people (a
    person counts from the week whose Sunday is on or after the hire date).

    Written as SQL because the ORM spends longer compiling 26 filtered aggregates than the database
    spends running them."""
    table = connection.ops.quote_name(Person._meta.db_table)
    weeks_sql = ", ".join(
        "SUM(CASE WHEN hire_date <= %s THEN weekly_capacity_hours ELSE 0 END)" for _ in mondays
    )
    marks = ", ".join(["%s"] * len(department_ids))
    sql = f"SELECT role_id, {weeks_sql} FROM {table} WHERE active AND department_id IN ({marks})"
    params: list = [monday + timedelta(days=6) for monday in mondays] + list(department_ids)
    if role_ids:
        sql += f" AND role_id IN ({', '.join(['%s'] * len(role_ids))})"
        params += list(role_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY role_id", params)
        return {row[0]: [Decimal(str(value or 0)) for value in row[1:]] for row in cursor.fetchall()}


def compute_role_capacity(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    role_ids: Sequence[int] | None = None,
    source: str | None = None,
) -> dict:
    """{weekKeys, roles: [{id, name}], series: [{roleId, roleName, assigned[], capacity[]}]}, uncached.

    Roles are the requested ones, or every role when none is requested. Three queries whatever the size:
    roles, capacity, assigned hours (the `python` source streams the last in chunks).
    """
    source = source or settings.ROLE_CAPACITY_SOURCE
    if source not in ASSIGNED_BY_SOURCE:
        raise ValueError(f"unknown role-capacity source {source!r}; one of {', '.join(SOURCES)}")
    mondays = window(first_week, weeks)
    department_ids = scope_key(department_ids)
    role_ids = sorted(set(role_ids)) if role_ids else None
    roles = Role.objects.order_by("name", "id")
    if role_ids:
        roles = roles.filter(id__in=role_ids)
    roles = list(roles.values_list("id", "name"))
    if not department_ids:
        capacity: dict = {}
        assigned: Assigned = {}
    else:
        capacity = _capacity(department_ids, mondays, role_ids)
        assigned = ASSIGNED_BY_SOURCE[source](department_ids, mondays, role_ids)
    zero = [Decimal(0)] * len(mondays)
    return {
        "weekKeys": [m.isoformat() for m in mondays],
        "roles": [{"id": role_id, "name": name} for role_id, name in roles],
        "series": [
            {
                "roleId": role_id,
                "roleName": name,
                "assigned": [hours(assigned.get((role_id, m), 0)) for m in mondays],
                "capacity": [hours(c) for c in capacity.get(role_id, zero)],
            }
            for role_id, name in roles
        ],
    }


def role_capacity_cache_params(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    role_ids: Sequence[int] | None = None,
    source: str | None = None,
) -> dict:
    """Everything a role-capacity read depends on, canonical (it names the cache entry)."""
    mondays = window(first_week, weeks)
    return {
        "departments": scope_key(department_ids),
        "first": mondays[0].isoformat(),
        "weeks": weeks,
        "roles": sorted(set(role_ids)) if role_ids else None,
        "source": source or settings.ROLE_CAPACITY_SOURCE,
    }


def role_capacity(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    role_ids: Sequence[int] | None = None,
    source: str | None = None,
    encoded: bool = False,
) -> dict | str:
    """compute_role_capacity through the "capacity" cache namespace."""
    params = role_capacity_cache_params(
        department_ids=department_ids, first_week=first_week, weeks=weeks, role_ids=role_ids, source=source
    )
    return cached_aggregate(
        "role_capacity",
        params,
        lambda: compute_role_capacity(
            department_ids=params["departments"],
            first_week=params["first"],
            weeks=weeks,
            role_ids=params["roles"],
            source=params["source"],
        ),
        encoded=encoded,
    )
