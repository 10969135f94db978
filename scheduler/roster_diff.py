"""The cells where two rosters of one unit differ (another version, the roster before a re-solve)."""

from __future__ import annotations

from ops.errors import ApplicationError
from scheduler.models import Roster, RosterAssignment


def _cells(roster: Roster, start, end) -> dict[tuple[int, str], tuple[str, str]]:
    rows = RosterAssignment.objects.filter(roster=roster, date__range=(start, end)).values_list(
        "person_id", "date", "shift_type__code", "person__name"
    )
    return {(pid, day.isoformat()): (code, name) for pid, day, code, name in rows}


def roster_diff(*, roster: Roster, against: Roster) -> dict:
    """Every cell over the days both rosters cover whose shift differs (None: off). Two queries."""
    if against.department_id != roster.department_id:
        raise ApplicationError(
            "Only rosters of the same unit can be compared", extra={"fields": {"against": against.pk}}
        )
    start, end = max(roster.start_date, against.start_date), min(roster.end_date, against.end_date)
    mine, theirs = _cells(roster, start, end), _cells(against, start, end)
    cells = []
    for key in sorted(set(mine) | set(theirs), key=lambda k: (k[1], k[0])):
        now, then = mine.get(key), theirs.get(key)
        if (now and now[0]) != (then and then[0]):
            cells.append(
                {
                    "person": key[0],
                    "person_name": (now or then)[1],
                    "date": key[1],
                    "shift": now[0] if now else None,
                    "against_shift": then[0] if then else None,
                }
            )
    return {
        "roster": roster.pk,
        "against": against.pk,
        "start": start.isoformat() if start <= end else None,
        "end": end.isoformat() if start <= end else None,
        "cells": cells,
    }


def roster_diff_cells(
    base: dict[tuple[str, str], str], other: dict[tuple[str, str], str], names: dict[str, str]
) -> list[dict]:
    """The cells (person id, ISO date) -> shift code where `other` differs from `base` (None: off), for
    rosters that are not both rows (a scenario's cells)."""
    return [
        {
            "person": person,
            "person_name": names.get(person, person),
            "date": day,
            "base_shift": base.get((person, day)),
            "shift": other.get((person, day)),
        }
        for person, day in sorted(set(base) | set(other), key=lambda k: (k[1], k[0]))
        if base.get((person, day)) != other.get((person, day))
    ]
