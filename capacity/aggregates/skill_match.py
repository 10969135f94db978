"""Skill match: who holds the requested skills, ranked.

A requested term matches a held skill case-insensitively, exactly (full credit) or as a part of its name
(half credit: "med" finds "Medication"). A certification that has expired by the reference date (the
requested week's Monday, or today) does not match. The skill score is the mean credit over the requested
terms. With a week, availability counts too:

    score = 100 * (SKILL_WEIGHT * skill score + AVAILABILITY_WEIGHT * min(available / capacity, 1))

and without one, score = 100 * skill score. Only people matching at least one term are listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from capacity.aggregates.common import active_people, cached_aggregate, first_monday, person_weeks, scope_key
from capacity.models import PersonSkill

EXACT_CREDIT = 1.0
CONTAINS_CREDIT = 0.5
SKILL_WEIGHT = 0.7
AVAILABILITY_WEIGHT = 0.3
MAX_TERMS = 20
MAX_LIMIT = 200


def parse_terms(skills: str | Iterable[str]) -> list[str]:
    """Requested skill terms, lower-cased, blanks and repeats dropped, order kept."""
    raw = skills.split(",") if isinstance(skills, str) else list(skills)
    terms: list[str] = []
    for term in raw:
        term = term.strip().casefold()
        if term and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        raise ValueError(f"at most {MAX_TERMS} skills")
    return terms


@dataclass(frozen=True)
class SkillFit:
    score: float  # 0..1
    matched: list[str]  # names of held skills that matched
    missing: list[str]  # requested terms nothing matched


def skill_fit(terms: Sequence[str], held: Sequence[str]) -> SkillFit:
    if not terms:
        return SkillFit(1.0, [], [])
    folded = [(name.casefold(), name) for name in held]
    credit = 0.0
    matched: set[str] = set()
    missing: list[str] = []
    for term in terms:
        exact = [name for low, name in folded if low == term]
        partial = [name for low, name in folded if term in low]
        if exact:
            credit += EXACT_CREDIT
            matched.update(exact)
        elif partial:
            credit += CONTAINS_CREDIT
            matched.update(partial)
        else:
            missing.append(term)
    return SkillFit(credit / len(terms), sorted(matched), missing)


def valid_skills_by_person(
    department_ids: Sequence[int], on: date, terms: Sequence[str]
) -> dict[int, list[str]]:
    """Person id -> names of the skills they hold, certified on `on`, whose names contain a term.
    One query; the contains-filter runs in the database."""
    name_filter = Q()
    for term in terms:
        name_filter |= Q(skill__name__icontains=term)
    rows = (
        PersonSkill.objects.filter(person__department_id__in=list(department_ids), person__active=True)
        .filter(Q(certified_until__isnull=True) | Q(certified_until__gte=on))
        .filter(name_filter)
        .values_list("person_id", "skill__name")
    )
    held: dict[int, list[str]] = defaultdict(list)
    for person_id, name in rows:
        held[person_id].append(name)
    return held


def compute_skill_match(
    *,
    department_ids: Iterable[int],
    skills: str | Iterable[str],
    week: date | str | None = None,
    limit: int = 50,
) -> dict:
    """{skills, week, scoring, results: [{personId, name, score, skillScore, availabilityScore,
    matchedSkills, missingSkills, departmentId, roleName, availableHours}]}, best first.
    Two queries without a week (skills, people); four with one (plus fact-table sums and leave)."""
    terms = parse_terms(skills)
    if not terms:
        raise ValueError("skills must name at least one skill")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be from 1 to {MAX_LIMIT}")
    department_ids = scope_key(department_ids)
    monday = first_monday(week) if week else None
    on = monday or timezone.localdate()
    held = valid_skills_by_person(department_ids, on, terms)
    people = active_people(department_ids, person_ids=held) if held else []
    availability: dict[int, tuple[float, float]] = {}
    if monday is not None and people:
        for f in person_weeks(people, [monday], department_ids=department_ids):
            capacity, available = f.capacity[0], f.available[0]
            ratio = min(max(available / capacity, 0.0), 1.0) if capacity > 0 else 0.0
            availability[f.person.pk] = (ratio, available)
    results = []
    for person in people:
        fit = skill_fit(terms, held.get(person.pk, []))
        if not fit.matched:
            continue
        if monday is not None:
            ratio, available = availability.get(person.pk, (0.0, 0.0))
            score = 100 * (SKILL_WEIGHT * fit.score + AVAILABILITY_WEIGHT * ratio)
        else:
            ratio, available = None, None
            score = 100 * fit.score
        results.append(
            {
                "personId": person.pk,
                "name": person.name,
                "score": round(score, 1),
                "skillScore": round(100 * fit.score, 1),
                "availabilityScore": None if ratio is None else round(100 * ratio, 1),
                "availableHours": available,
                "matchedSkills": fit.matched,
                "missingSkills": fit.missing,
                "departmentId": person.department_id,
                "roleName": person.role_name,
            }
        )
    results.sort(key=lambda r: (-r["score"], r["name"], r["personId"]))
    return {
        "skills": terms,
        "week": monday.isoformat() if monday else None,
        "scoring": {
            "exactCredit": EXACT_CREDIT,
            "containsCredit": CONTAINS_CREDIT,
            "skillWeight": SKILL_WEIGHT if monday else 1.0,
            "availabilityWeight": AVAILABILITY_WEIGHT if monday else 0.0,
        },
        "results": results[:limit],
    }


def skill_match(
    *,
    department_ids: Iterable[int],
    skills: str | Iterable[str],
    week: date | str | None = None,
    limit: int = 50,
    encoded: bool = False,
) -> dict | str:
    params = {
        "departments": scope_key(department_ids),
        "skills": parse_terms(skills),
        "week": first_monday(week).isoformat() if week else None,
        "today": timezone.localdate().isoformat(),  # certifications expire by the day
        "limit": limit,
    }
    return cached_aggregate(
        "skill_match",
        params,
        lambda: compute_skill_match(
            department_ids=params["departments"], skills=params["skills"], week=params["week"], limit=limit
        ),
        encoded=encoded,
    )
