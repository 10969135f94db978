"""Cell rules: who may never work what, where (absences, skills and certifications, contract shift types)."""

from __future__ import annotations

from collections.abc import Iterator

from ..domain import Problem
from . import cell_rule


@cell_rule
def days_off(problem: Problem) -> Iterator[tuple[str, int, str | None]]:
    """Hard: no shift on a required day off, leave or unavailable day."""
    for absence in problem.absences:
        yield absence.person, absence.day, None


@cell_rule
def skills_and_certifications(problem: Problem) -> Iterator[tuple[str, int, str | None]]:
    """Hard: a shift needing skills only goes to people certified for them on that date."""
    for shift in problem.shift_types:
        if not shift.required_skills:
            continue
        for day in range(problem.num_days):
            date = problem.date(day)
            for person in problem.staff:
                if not all(person.has_skill(skill, date) for skill in shift.required_skills):
                    yield person.id, day, shift.id


@cell_rule
def shift_types_in_contract(problem: Problem) -> Iterator[tuple[str, int, str | None]]:
    """Hard: a shift type whose contract maximum is 0 is never worked."""
    for person in problem.staff:
        for shift, limit in person.contract.max_shifts_per_type.items():
            if limit == 0:
                for day in range(problem.num_days):
                    yield person.id, day, shift
