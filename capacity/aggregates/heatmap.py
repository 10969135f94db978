"""The capacity heatmap: per active person and week, assigned hours, capacity, approved leave, the
percentage booked and the hours still available (capacity minus assigned minus approved leave; negative
when the person is overbooked)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from capacity.aggregates.common import active_people, cached_aggregate, person_weeks, scope_key, window


def compute_heatmap(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    role_ids: Sequence[int] | None = None,
) -> dict:
    """{weekKeys, people: [{personId, name, departmentId, roleName, weeklyCapacity, assignedByWeek,
    capacityByWeek, leaveByWeek, percentByWeek, availableByWeek}]}; each *ByWeek is a list aligned with
    weekKeys (a third of the size of week-keyed maps: 500 people over 26 weeks is 65,000 figures).
    Three queries: people, fact-table sums, approved leave."""
    mondays = window(first_week, weeks)
    department_ids = scope_key(department_ids)
    keys = [m.isoformat() for m in mondays]
    people = list(active_people(department_ids, role_ids=role_ids))
    figures = person_weeks(people, mondays, department_ids=department_ids)
    return {
        "weekKeys": keys,
        "people": [
            {
                "personId": f.person.pk,
                "name": f.person.name,
                "departmentId": f.person.department_id,
                "roleName": f.person.role_name,
                "weeklyCapacity": f.person.weekly_capacity,
                "assignedByWeek": f.assigned,
                "capacityByWeek": f.capacity,
                "leaveByWeek": f.leave,
                "percentByWeek": f.percent,
                "availableByWeek": f.available,
            }
            for f in figures
        ],
    }


def heatmap_cache_params(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    role_ids: Sequence[int] | None = None,
) -> dict:
    """Everything a heatmap depends on, canonical (it names the cache entry; today picks the default week)."""
    mondays = window(first_week, weeks)
    return {
        "departments": scope_key(department_ids),
        "first": mondays[0].isoformat(),
        "weeks": weeks,
        "roles": sorted(set(role_ids)) if role_ids else None,
    }


def heatmap(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    role_ids: Sequence[int] | None = None,
    encoded: bool = False,
) -> dict | str:
    params = heatmap_cache_params(
        department_ids=department_ids, first_week=first_week, weeks=weeks, role_ids=role_ids
    )
    return cached_aggregate(
        "heatmap",
        params,
        lambda: compute_heatmap(
            department_ids=params["departments"],
            first_week=params["first"],
            weeks=weeks,
            role_ids=params["roles"],
        ),
        encoded=encoded,
    )
