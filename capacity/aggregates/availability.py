"""Project availability: for one week, how many hours each candidate person has left.

Candidates are the active people of the scope (the caller passes the project's department subtree,
intersected with what the caller may read), optionally of some roles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from capacity.aggregates.common import active_people, cached_aggregate, first_monday, person_weeks, scope_key


def compute_project_availability(
    *, department_ids: Iterable[int], week: date | str | None = None, role_ids: Sequence[int] | None = None
) -> dict:
    """{week, people: [{personId, personName, totalHours, capacity, leaveHours, availableHours,
    utilizationPercent}]}, most available first. Three queries."""
    monday = first_monday(week)
    department_ids = scope_key(department_ids)
    people = list(active_people(department_ids, role_ids=role_ids))
    figures = person_weeks(people, [monday], department_ids=department_ids)
    rows = [
        {
            "personId": f.person.pk,
            "personName": f.person.name,
            "departmentId": f.person.department_id,
            "roleName": f.person.role_name,
            "totalHours": f.assigned[0],
            "capacity": f.capacity[0],
            "leaveHours": f.leave[0],
            "availableHours": f.available[0],
            "utilizationPercent": f.percent[0],
        }
        for f in figures
    ]
    rows.sort(key=lambda r: (-r["availableHours"], r["personName"], r["personId"]))
    return {"week": monday.isoformat(), "people": rows}


def project_availability(
    *,
    department_ids: Iterable[int],
    week: date | str | None = None,
    role_ids: Sequence[int] | None = None,
    encoded: bool = False,
) -> dict | str:
    monday = first_monday(week)
    params = {
        "departments": scope_key(department_ids),
        "week": monday.isoformat(),
        "roles": sorted(set(role_ids)) if role_ids else None,
    }
    return cached_aggregate(
        "project_availability",
        params,
        lambda: compute_project_availability(
            department_ids=params["departments"], week=monday, role_ids=params["roles"]
        ),
        encoded=encoded,
    )
