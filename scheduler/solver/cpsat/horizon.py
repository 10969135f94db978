"""Windows of days: a sub-problem over days [start, end) of a longer one, for the rolling horizon.

A window keeps everything that falls inside it (cover, requests, leave, pins, reference) and turns what lies
outside into the sub-problem's own terms:
- the roster before the window becomes `history` (the sequence rules then see the runs that cross into it);
- horizon totals (minutes, weekends, shifts per type, paid minutes) become what is left after the days outside
  the window. When the days after the window are still to be planned (`future="open"`), the window gets its
  share of what is left, by the days the person is available, with one shift (one weekend) of slack
  either way so the last windows are not squeezed; when they are planned (`future="fixed"`), the next
  `tail` days are pinned to the roster so a run crossing the window's end is checked, and the totals are
  exact.

Windows start on a Monday in the benchmark (every 7 days from day 0), so no weekend is split between two.
Rules summed over the horizon that are soft (fairness spreads, overtime cost) are only approximated per
window; the benchmark has none of them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

from ..domain import Contract, Person, Pin, Problem, Roster
from ..rules import forbidden_cells

HISTORY_DAYS = 14  # longer than any run the benchmark's sequence rules look at


def _used(problem: Problem, row: tuple[str | None, ...], days: Iterable[int]) -> tuple[int, dict[str, int]]:
    minutes, per_type = 0, {}
    for day in days:
        shift = row[day]
        if shift is not None:
            minutes += problem.shift(shift).length_minutes
            per_type[shift] = per_type.get(shift, 0) + 1
    return minutes, per_type


def _share(left: int, share: float, slack: int, *, upper: bool) -> int:
    if share >= 1.0:
        return max(left, 0)
    value = left * share
    return max(0, math.ceil(value) + slack if upper else math.floor(value) - slack)


def _window_contract(
    problem: Problem,
    person: Person,
    row: tuple[str | None, ...] | None,
    outside: list[int],
    inside_weekends: int,
    outside_weekends: set[int],
    share: float,
) -> Contract:
    c = person.contract
    minutes, per_type = _used(problem, row, outside) if row is not None else (0, {})
    weekends_used = 0
    if row is not None:
        weekends_used = sum(
            1 for days in problem.weekends() if days[0] in outside_weekends and any(row[d] for d in days)
        )
    longest = max(s.length_minutes for s in problem.shift_types)
    changes: dict = {}
    if c.max_total_minutes is not None:
        changes["max_total_minutes"] = min(
            max(c.max_total_minutes - minutes, 0),
            _share(c.max_total_minutes - minutes, share, longest, upper=True),
        )
    if c.min_total_minutes is not None:
        changes["min_total_minutes"] = _share(c.min_total_minutes - minutes, share, longest, upper=False)
    if c.contract_minutes is not None:
        changes["contract_minutes"] = _share(c.contract_minutes - minutes, share, 0, upper=True)
    if c.max_weekends is not None:
        left = max(c.max_weekends - weekends_used, 0)
        changes["max_weekends"] = min(left, inside_weekends, _share(left, share, 1, upper=True))
    if c.max_shifts_per_type:
        changes["max_shifts_per_type"] = {
            sid: cap
            if cap == 0
            else min(
                max(cap - per_type.get(sid, 0), 0), _share(cap - per_type.get(sid, 0), share, 1, upper=True)
            )
            for sid, cap in c.max_shifts_per_type.items()
        }
    return dataclasses.replace(c, **changes)


def days_off(problem: Problem) -> set[tuple[str, int]]:
    """(person, day) pairs on which the cell rules allow no shift at all."""
    return {(person, day) for person, day, shift in forbidden_cells(problem) if shift is None}


def window(
    problem: Problem,
    start: int,
    end: int,
    roster: Roster | None = None,
    *,
    future: str = "open",
    tail: int = 7,
    off: set[tuple[str, int]] | None = None,
) -> tuple[Problem, int]:
    """The sub-problem over days [start, end) (+ `tail` pinned days when `future="fixed"`) and its length.

    `roster` gives the days outside the window (None for "nothing planned yet"). Returns the problem and the
    number of its days that are free (the rest of its days are the pinned tail). `off`: `days_off(problem)`,
    when the caller cuts many windows of one problem."""
    n = problem.num_days
    end = min(end, n)
    stop = min(end + tail, n) if future == "fixed" and roster is not None else end
    outside = [d for d in range(n) if not start <= d < stop]
    weekends = problem.weekends()
    outside_weekends = {days[0] for days in weekends if not start <= days[0] < stop}
    inside_weekends = len(weekends) - len(outside_weekends)
    planned_before = start if roster is not None else 0  # the days before the window are planned
    off = days_off(problem) if off is None else off

    def share_of(person: str) -> float:
        """The window's part of what is left, by the days the person is available (days off excluded)."""
        if future == "fixed":
            return 1.0
        free = [d for d in range(planned_before, n) if (person, d) not in off]
        mine = sum(1 for d in free if start <= d < stop)
        return mine / max(len(free), 1)

    staff = []
    history: dict[str, tuple[str | None, ...]] = {}
    for person in problem.staff:
        row = roster[person.id] if roster is not None else None
        staff.append(
            dataclasses.replace(
                person,
                contract=_window_contract(
                    problem, person, row, outside, inside_weekends, outside_weekends, share_of(person.id)
                ),
            )
        )
        if start > 0 and row is not None:
            history[person.id] = tuple(row[max(0, start - HISTORY_DAYS) : start])
        elif start == 0 and person.id in problem.history:
            history[person.id] = problem.history[person.id]
    inside = range(start, stop)
    pins = [dataclasses.replace(p, day=p.day - start) for p in problem.pins if p.day in inside]
    if stop > end and roster is not None:
        pinned = {(p.person, p.day) for p in pins}
        for person in problem.staff:
            for day in range(end, stop):
                if (person.id, day - start) not in pinned:
                    pins.append(Pin(person.id, day - start, roster[person.id][day]))
    reference = None
    if problem.reference is not None:
        reference = {p: row[start:stop] for p, row in problem.reference.items()}
    sub = dataclasses.replace(
        problem,
        start_date=problem.date(start),
        num_days=stop - start,
        staff=tuple(staff),
        cover=tuple(dataclasses.replace(c, day=c.day - start) for c in problem.cover if c.day in inside),
        requests=tuple(
            dataclasses.replace(r, day=r.day - start) for r in problem.requests if r.day in inside
        ),
        absences=tuple(
            dataclasses.replace(a, day=a.day - start) for a in problem.absences if a.day in inside
        ),
        pins=tuple(pins),
        history=history,
        reference=reference,
        external_cover={
            (day - start, shift, skill): count
            for (day, shift, skill), count in problem.external_cover.items()
            if day in inside
        },
        name=f"{problem.name}[{start}:{stop}]",
    )
    return sub, end - start


def only_people(problem: Problem, keep: set[str], roster: Roster) -> Problem:
    """`problem` for the people in `keep` only; the others' shifts in `roster` count as external cover."""
    external = dict(problem.external_cover)
    for person in problem.staff:
        if person.id in keep:
            continue
        row = roster[person.id]
        for cover in problem.cover:
            if row[cover.day] == cover.shift and (
                cover.skill is None or person.has_skill(cover.skill, problem.date(cover.day))
            ):
                key = (cover.day, cover.shift, cover.skill)
                external[key] = external.get(key, 0) + 1
    reference = None
    if problem.reference is not None:
        reference = {p: row for p, row in problem.reference.items() if p in keep}
    return dataclasses.replace(
        problem,
        staff=tuple(p for p in problem.staff if p.id in keep),
        external_cover=external,
        requests=tuple(r for r in problem.requests if r.person in keep),
        absences=tuple(a for a in problem.absences if a.person in keep),
        pins=tuple(p for p in problem.pins if p.person in keep),
        history={p: h for p, h in problem.history.items() if p in keep},
        reference=reference,
    )
