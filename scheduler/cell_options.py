"""What a planner may put in one cell: every shift (and a day off) with whether it is allowed or the hard
rules that block it, in plain words, and for each shift the people who could take it instead.

A read: the same checks as an edit (scheduler.services.roster_edits), nothing written.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from ops.errors import ApplicationError
from scheduler.models import Roster
from scheduler.problem_builder import build_problem
from scheduler.services.roster_edits import (
    breach_counts,
    explain_breaches,
    introduced_breaches,
    roster_codes,
    without_pins_on,
)
from scheduler.solver import domain as sd


def _alone(problem: sd.Problem, person_id: str) -> sd.Problem:
    """One person's own rules: adding a shift to someone who is off cannot lower any cover."""
    return dataclasses.replace(
        problem,
        staff=tuple(p for p in problem.staff if p.id == person_id),
        cover=(),
        external_cover={},
        requests=(),
        absences=tuple(a for a in problem.absences if a.person == person_id),
        pins=tuple(p for p in problem.pins if p.person == person_id),
        reference=None,
    )


def cell_options(*, roster: Roster, person_id: int, day: date, language: str | None = None) -> dict:
    if not roster.start_date <= day <= roster.end_date:
        raise ApplicationError("The day is outside the roster", extra={"fields": {"date": day.isoformat()}})
    built = build_problem(roster, for_solver=False)
    pid = str(person_id)
    if pid not in built.people:
        raise ApplicationError(
            "The person is not rostered here in this period",
            extra={"fields": {"person": person_id}},
            status=404,
        )
    index = (day - roster.start_date).days
    grid = roster_codes(roster, built)
    problem = without_pins_on(built.problem, {(pid, index)})
    current = grid[pid][index]
    had = breach_counts(problem, grid)
    others = _who_else(built, grid, pid, index, list(built.shift_types))
    options = []
    for code in [None, *built.shift_types]:
        after = {k: list(v) for k, v in grid.items()}
        after[pid][index] = code
        breaches = [] if code == current else introduced_breaches(problem, grid, after, had=had)
        explained = explain_breaches(breaches, built, after, language)
        options.append(
            {
                "shift": code,
                "name": built.shift_types[code].name if code else "Day off",
                "current": code == current,
                "allowed": not breaches,
                "blocking": [
                    {"rule": v["rule"], "rule_name": v["rule_name"], "text": v["text"]} for v in explained
                ],
                "instead": others.get(code, []) if code else [],
            }
        )
    return {
        "person": person_id,
        "person_name": built.people[pid].name,
        "date": day.isoformat(),
        "current": current,
        "options": options,
    }


def _who_else(built, grid, pid: str, index: int, codes: list[str]) -> dict[str, list[dict]]:
    """Per shift, the people off that day who could work it then without breaking a hard rule of their own."""
    result: dict[str, list[dict]] = {code: [] for code in codes}
    for other, row in grid.items():
        if other == pid or row[index] is not None:
            continue
        alone = _alone(built.problem, other)
        had = breach_counts(alone, {other: row})
        for code in codes:
            after = {other: list(row)}
            after[other][index] = code
            if not introduced_breaches(alone, {other: row}, after, had=had):
                result[code].append({"person": int(other), "name": built.people[other].name})
    return {code: sorted(people, key=lambda p: (p["name"], p["person"])) for code, people in result.items()}
