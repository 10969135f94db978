"""The grid snapshot planners edit: people of the scope and their booked hours per week, in two queries
whatever the number of people and weeks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import FloatField, Sum
from django.db.models.functions import Cast

from capacity.aggregates.common import active_people, cached_aggregate, scope_key, window
from capacity.models import AssignmentWeekHours

MAX_GRID_WEEKS = 26


def compute_grid_snapshot(
    *, department_ids: Iterable[int], first_week: date | str | None = None, weeks: int = 12
) -> dict:
    """{weekKeys, people: [{id, name, weeklyCapacity, department: {id, name}}],
    hoursByPerson: {personId: {week: hours}}} (weeks without hours left out)."""
    if not 1 <= weeks <= MAX_GRID_WEEKS:
        raise ValueError(f"weeks must be from 1 to {MAX_GRID_WEEKS}")
    mondays = window(first_week, weeks)
    department_ids = scope_key(department_ids)
    people = list(active_people(department_ids))
    ids = {p.pk for p in people}
    rows = (
        AssignmentWeekHours.objects.filter(
            department_id__in=department_ids,
            person__isnull=False,
            week_start__gte=mondays[0],
            week_start__lte=mondays[-1],
        )
        .values_list("person_id", "week_start")
        .annotate(total=Cast(Sum("hours"), FloatField()))
        .order_by()
    )
    by_person: dict[str, dict[str, float]] = defaultdict(dict)
    for person_id, monday, total in rows:
        if person_id in ids:
            by_person[str(person_id)][monday.isoformat()] = total
    return {
        "weekKeys": [m.isoformat() for m in mondays],
        "people": [
            {
                "id": p.pk,
                "name": p.name,
                "weeklyCapacity": p.weekly_capacity,
                "department": {"id": p.department_id, "name": p.department_name},
            }
            for p in people
        ],
        "hoursByPerson": {key: dict(sorted(weeks.items())) for key, weeks in sorted(by_person.items())},
    }


def grid_snapshot(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    encoded: bool = False,
) -> dict | str:
    mondays = window(first_week, min(weeks, MAX_GRID_WEEKS))
    params = {"departments": scope_key(department_ids), "first": mondays[0].isoformat(), "weeks": weeks}
    return cached_aggregate(
        "grid_snapshot",
        params,
        lambda: compute_grid_snapshot(
            department_ids=params["departments"], first_week=mondays[0], weeks=weeks
        ),
        encoded=encoded,
    )
