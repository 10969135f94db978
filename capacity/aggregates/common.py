"""Pieces the aggregates share: week windows, cached reads, and per-person figures for a set of weeks
(capacity from the hire date on, assigned hours from the fact table, approved leave)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import FloatField, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from capacity.models import AssignmentWeekHours, Leave, Person
from capacity.weeks import check_planning_date, iter_days, monday_of, parse_week_key, week_keys
from ops import cache as ops_cache

CACHE_NAMESPACE = "capacity"
CACHE_TTL_S = 300  # a backstop only: every write bumps the namespace
MAX_WEEKS = 52
WORKING_DAYS_PER_WEEK = 5


def first_monday(value: str | date | None) -> date:
    """The canonical Monday of a requested week (today's week when not given).

    A requested key is rounded to the nearest Monday as stored keys are (`parse_week_key`); today is a
    date, so its week is the calendar week that holds it (`monday_of`). Rounding today as a key made the
    dashboards open on next week from Friday to Sunday (and a scoping test fail on those days)."""
    if value:
        return parse_week_key(value)
    today = timezone.localdate()
    check_planning_date(today)
    return monday_of(today)


def window(first: str | date | None, weeks: int) -> list[date]:
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be from 1 to {MAX_WEEKS}")
    return week_keys(first_monday(first), weeks)


def week_counts_for(hire_date: date | None, monday: date) -> bool:
    """A week counts for a person when its Sunday is on or after the hire date."""
    return hire_date is None or monday + timedelta(days=6) >= hire_date


def hours(value: Decimal | float | int) -> float:
    """Hours as they leave an aggregate: a float rounded to hundredths."""
    return float(round(Decimal(value), 2)) if not isinstance(value, float) else round(value, 2)


def cached_aggregate(
    name: str,
    params: dict,
    compute: Callable[[], dict],
    *,
    encoded: bool = False,
    also: tuple[str, ...] = (),
):
    """The cached value of one aggregate; `params` must hold everything the result depends on, and
    `also` the other namespaces it reads (an aggregate over rosters names "roster").

    `encoded=True` answers the JSON text instead (cached as that text, under its own key), so an HTTP
    read hands the bytes on without decoding and re-encoding a large payload."""
    if encoded:
        return ops_cache.cached_json(
            CACHE_NAMESPACE, encoded_cache_key_parts(name, params), CACHE_TTL_S, compute, also=also
        )
    return ops_cache.cached(CACHE_NAMESPACE, [name, params], CACHE_TTL_S, compute, also=also)


def encoded_cache_key_parts(name: str, params: dict) -> list:
    """The key parts an aggregate's JSON text is cached under (in CACHE_NAMESPACE), so a read that already
    knows the namespace versions can fetch it directly (api/capacity/aggregates/cached_reads.py). The
    entry is the text itself (ops.cache.cached_json); "json-text" keeps it apart from the entries of
    earlier releases, which held the text JSON-encoded once more."""
    return [name, "json-text", params]


def scope_key(department_ids: Iterable[int]) -> list[int]:
    return sorted(set(department_ids))


@dataclass(frozen=True)
class PersonRow:
    """What the aggregates need of a person: read as plain values (no model instances), which keeps a
    2,000-person read cheap."""

    pk: int
    name: str
    department_id: int
    department_name: str
    role_id: int
    role_name: str
    weekly_capacity: float
    hire_date: date


@dataclass(frozen=True)
class PersonWeeks:
    """One person's figures over a window of weeks (lists aligned with the window): capacity, assigned
    hours, approved leave, what is left (capacity - assigned - leave; negative when overbooked) and the
    percentage booked (None without capacity)."""

    person: PersonRow
    capacity: list[float]
    assigned: list[float]
    leave: list[float]
    available: list[float]
    percent: list[float | None]


def _person_weeks(person: PersonRow, capacity: list[float], assigned: list[float], leave: list[float]):
    available = [round(c - a - lv, 2) for c, a, lv in zip(capacity, assigned, leave, strict=True)]
    percent = [round(100 * a / c, 1) if c > 0 else None for c, a in zip(capacity, assigned, strict=True)]
    return PersonWeeks(person, capacity, assigned, leave, available, percent)


def active_people(
    department_ids: Iterable[int],
    *,
    role_ids: Sequence[int] | None = None,
    person_ids: Iterable[int] | None = None,
) -> list[PersonRow]:
    """The active people of these departments (optionally of some roles, or some ids), by name. One query."""
    people = Person.objects.filter(active=True, department_id__in=list(department_ids))
    if role_ids:
        people = people.filter(role_id__in=list(role_ids))
    if person_ids is not None:
        people = people.filter(pk__in=list(person_ids))
    rows = people.order_by("name", "id").values_list(
        "pk",
        "name",
        "department_id",
        "department__name",
        "role_id",
        "role__name",
        "weekly_capacity_hours",
        "hire_date",
    )
    return [PersonRow(*row[:6], float(row[6]), row[7]) for row in rows]


def person_weeks(
    people: Sequence[PersonRow], mondays: Sequence[date], *, department_ids: Iterable[int] | None = None
) -> list[PersonWeeks]:
    """Capacity, assigned hours and approved leave per person and week, in two queries for any number of
    people: one grouped sum over the fact table, one over approved leave. When the people are those of
    `department_ids`, passing them filters by department (an index) instead of a long list of ids."""
    if not people or not mondays:
        return [
            _person_weeks(p, [0.0] * len(mondays), [0.0] * len(mondays), [0.0] * len(mondays)) for p in people
        ]
    index = {monday: i for i, monday in enumerate(mondays)}
    ids = [p.pk for p in people]
    last_sunday = mondays[-1] + timedelta(days=6)
    assigned: dict[int, list[float]] = defaultdict(lambda: [0.0] * len(mondays))
    if department_ids is not None:
        facts = AssignmentWeekHours.objects.filter(
            department_id__in=list(department_ids), person__isnull=False
        )
        leaves = Leave.objects.filter(person__department_id__in=list(department_ids))
    else:
        facts = AssignmentWeekHours.objects.filter(person_id__in=ids)
        leaves = Leave.objects.filter(person_id__in=ids)
    rows = (
        facts.filter(week_start__gte=mondays[0], week_start__lte=mondays[-1])
        .values_list("person_id", "week_start")
        .annotate(total=Cast(Sum("hours"), FloatField()))
        .order_by()
    )
    for person_id, monday, total in rows:
        if monday in index:
            assigned[person_id][index[monday]] = total
    leave_days: dict[int, list[int]] = defaultdict(lambda: [0] * len(mondays))
    leaves = leaves.filter(
        status=Leave.Status.APPROVED, start_date__lte=last_sunday, end_date__gte=mondays[0]
    ).values_list("person_id", "start_date", "end_date")
    for person_id, start, end in leaves:
        counted = leave_days[person_id]
        for day in iter_days(max(start, mondays[0]), min(end, last_sunday)):
            if day.weekday() < WORKING_DAYS_PER_WEEK:
                week = index.get(day - timedelta(days=day.weekday()))
                if week is not None:
                    counted[week] = min(counted[week] + 1, WORKING_DAYS_PER_WEEK)
    weeks = len(mondays)
    zeros = [0.0] * weeks
    sundays = [monday + timedelta(days=6) for monday in mondays]
    result = []
    for person in people:
        first_counted = bisect_left(sundays, person.hire_date)  # the first week whose Sunday is not before it
        capacity = [0.0] * first_counted + [person.weekly_capacity] * (weeks - first_counted)
        days = leave_days.get(person.pk)
        leave = (
            [round(c * d / WORKING_DAYS_PER_WEEK, 2) for c, d in zip(capacity, days, strict=True)]
            if days
            else zeros
        )
        result.append(_person_weeks(person, capacity, assigned.get(person.pk, zeros), leave))
    return result
