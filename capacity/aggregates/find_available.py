"""Find available: who has at least `min_available_hours` free in a week, optionally holding skills,
ranked by a documented score whose components every item shows:

    availabilityScore = 100 * min(availableHours / capacity, 1)      (0 without capacity)
    skillScore        = 100 * mean credit over the requested skills (100 when none is requested;
                        exact match 1, part of a name 0.5, expired certifications never match)
    score             = AVAILABILITY_WEIGHT * availabilityScore + SKILL_WEIGHT * skillScore

With skills requested, a person must match at least one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from capacity.aggregates.common import active_people, cached_aggregate, first_monday, person_weeks, scope_key
from capacity.aggregates.skill_match import MAX_LIMIT, parse_terms, skill_fit, valid_skills_by_person

AVAILABILITY_WEIGHT = 0.6
SKILL_WEIGHT = 0.4


def compute_find_available(
    *,
    department_ids: Iterable[int],
    week: date | str | None = None,
    skills: str | Iterable[str] = (),
    min_available_hours: float = 0.0,
    limit: int = 50,
) -> dict:
    """{week, scoring, results: [{personId, name, departmentId, roleName, capacity, assignedHours,
    leaveHours, availableHours, availabilityScore, skillScore, score, matchedSkills, missingSkills}]}.
    Three queries without skills (people, fact-table sums, leave), four with them."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be from 1 to {MAX_LIMIT}")
    if min_available_hours < 0:
        raise ValueError("minAvailableHours must not be negative")
    terms = parse_terms(skills)
    monday = first_monday(week)
    department_ids = scope_key(department_ids)
    held: dict[int, list[str]] = {}
    if terms:
        held = valid_skills_by_person(department_ids, monday, terms)
        people = active_people(department_ids, person_ids=held) if held else []
    else:
        people = active_people(department_ids)
    results = []
    for f in person_weeks(people, [monday], department_ids=department_ids):
        capacity, available = f.capacity[0], f.available[0]
        if available <= 0 or available < min_available_hours:
            continue
        fit = skill_fit(terms, held.get(f.person.pk, []))
        if terms and not fit.matched:
            continue
        availability_score = 100 * min(available / capacity, 1.0) if capacity > 0 else 0.0
        skill_score = 100 * fit.score
        results.append(
            {
                "personId": f.person.pk,
                "name": f.person.name,
                "departmentId": f.person.department_id,
                "roleName": f.person.role_name,
                "capacity": capacity,
                "assignedHours": f.assigned[0],
                "leaveHours": f.leave[0],
                "availableHours": available,
                "availabilityScore": round(availability_score, 1),
                "skillScore": round(skill_score, 1),
                "score": round(AVAILABILITY_WEIGHT * availability_score + SKILL_WEIGHT * skill_score, 1),
                "matchedSkills": fit.matched,
                "missingSkills": fit.missing,
            }
        )
    results.sort(key=lambda r: (-r["score"], -r["availableHours"], r["name"], r["personId"]))
    return {
        "week": monday.isoformat(),
        "scoring": {
            "availabilityWeight": AVAILABILITY_WEIGHT,
            "skillWeight": SKILL_WEIGHT,
            "formula": "score = availabilityWeight * availabilityScore + skillWeight * skillScore",
        },
        "results": results[:limit],
    }


def find_available(
    *,
    department_ids: Iterable[int],
    week: date | str | None = None,
    skills: str | Iterable[str] = (),
    min_available_hours: float = 0.0,
    limit: int = 50,
    encoded: bool = False,
) -> dict | str:
    params = {
        "departments": scope_key(department_ids),
        "week": first_monday(week).isoformat(),
        "skills": parse_terms(skills),
        "min": float(min_available_hours),
        "limit": limit,
    }
    return cached_aggregate(
        "find_available",
        params,
        lambda: compute_find_available(
            department_ids=params["departments"],
            week=params["week"],
            skills=params["skills"],
            min_available_hours=params["min"],
            limit=limit,
        ),
        encoded=encoded,
    )
