"""Windows of days: a sub-problem over days [start, end) of a longer one, for the rolling horizon.

A window keeps everything that falls inside it (cover, requests, leave, pins, reference) and turns what lies
outside into the sub-problem's own terms:
- the roster before the window becomes `history` (the sequence rules then see the runs that cross into it);
- horizon totals (minutes, weekends, shifts per type, paid minutes) become what is left after the days outside
  the window. When the days after the window are still to be planned (`future="open"`), the window gets its
  share of what is left, by the days the person is available, with one shift or one weekend of slack either
  way (the minimum gives back `min_slack` more shifts when asked), so no window is squeezed; when
  they are planned (`future="fixed"`), the next `tail` days are pinned to the roster so a run crossing the
  window's end is checked, and the totals are exact.

Windows start on a Monday in the benchmark (every 7 days from day 0), so no weekend is split between two.
Rules summed over the horizon that are soft (fairness spreads, overtime cost) are only approximated per
window; the benchmark has none of them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

from ..domain import Budget, Contract, Person, Pin, Problem, Roster
from ..rules import forbidden_cells
from .construct import count_cover

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
    shares: tuple[float, float],
    min_slack: int = 0,
) -> Contract:
    """The person's contract for the window: what is left of the totals; with an open future, the minimum
    gets its share over the kept days exactly, maxima their share over all the window's days plus slack."""
    share_min, share = shares
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
        changes["min_total_minutes"] = _share(
            c.min_total_minutes - minutes, share_min, min_slack * longest, upper=False
        )
        if "max_total_minutes" in changes:
            changes["min_total_minutes"] = min(changes["min_total_minutes"], changes["max_total_minutes"])
    if c.contract_minutes is not None:
        changes["contract_minutes"] = _share(c.contract_minutes - minutes, share, 0, upper=True)
    if c.max_weekends is not None:
        left = max(c.max_weekends - weekends_used, 0)
        # no slack on weekends (measured on Instance20: early windows used them up, the last one then could
        # not reach its minimum minutes on weekdays alone)
        changes["max_weekends"] = min(left, inside_weekends, round(left * share) if share < 1 else left)
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


def demand_weights(problem: Problem, off: set[tuple[str, int]] | None = None) -> list[float]:
    """Per day, the staff the window construction should plan there: the cover's preferred staff beyond
    external cover, scaled so the staff's whole supply is spent, and never more than the staff available
    can work in a day (each works at most `max consecutive / (max consecutive + min days off)` of days).

    A share by available days alone spreads each person's work evenly over the horizon; on Instance24 the
    preferred cover grows from 1,304 staff-shifts in the first four weeks to 2,963 in the last, and the
    roster built that way ended with 107,200 of its 234,400 under-cover points in the last four weeks.
    `off`: `days_off(problem)`, when the caller has it."""
    n = problem.num_days
    asked = [0.0] * n
    length = {s.id: s.length_minutes for s in problem.shift_types}
    minutes = count = 0
    for c in problem.cover:
        want = max(c.preferred - problem.external_cover.get((c.day, c.shift, c.skill), 0), 0)
        asked[c.day] += want
        minutes, count = minutes + want * length[c.shift], count + want
    if not count:
        return [1.0] * n
    shift_minutes = minutes / count
    off = days_off(problem) if off is None else off
    capacity = [0.0] * n
    supply = 0.0
    for person in problem.staff:
        c = person.contract
        most = c.max_consecutive_shifts or 7
        fraction = most / (most + max(c.min_consecutive_days_off or 1, 1))
        for d in range(n):
            if (person.id, d) not in off:
                capacity[d] += fraction
        total = c.max_total_minutes if c.max_total_minutes is not None else c.min_total_minutes
        supply += (total if total is not None else fraction * n * shift_minutes) / shift_minutes
    low, high = 0.0, 1.0
    while sum(min(high * a, cap) for a, cap in zip(asked, capacity, strict=True)) < supply and high < 1e6:
        high *= 2
    for _ in range(50):  # the scale at which the capped demand spends the supply
        mid = (low + high) / 2
        if sum(min(mid * a, cap) for a, cap in zip(asked, capacity, strict=True)) < supply:
            low = mid
        else:
            high = mid
    return [min(high * a, cap) for a, cap in zip(asked, capacity, strict=True)]


def window(
    problem: Problem,
    start: int,
    end: int,
    roster: Roster | None = None,
    *,
    future: str = "open",
    tail: int = 7,
    lookahead: int = 0,
    min_slack: int = 0,
    off: set[tuple[str, int]] | None = None,
    weights: list[float] | None = None,
) -> tuple[Problem, int]:
    """The sub-problem over days [start, end) (+ `tail` pinned days when `future="fixed"`) and its length.

    `roster` gives the days outside the window (None for "nothing planned yet"). Returns the problem and the
    number of its days that are free (the rest of its days are the pinned tail). `off`: `days_off(problem)`,
    when the caller cuts many windows of one problem. `lookahead` (open future only): days after the window
    planned with it and dropped afterwards by the caller, so a window never ends in a state a fixed day off
    right after it would make impossible to continue. `weights` (open future): what each day asks of the
    staff (`demand_weights`); the window's share of what is left then follows them instead of the days."""
    n = problem.num_days
    end = min(end, n)
    fixed = future == "fixed" and roster is not None
    stop = min(end + tail, n) if fixed else min(end + lookahead, n)
    outside = [d for d in range(n) if not start <= d < stop]
    weekends = problem.weekends()
    outside_weekends = {days[0] for days in weekends if not start <= days[0] < stop}
    inside_weekends = len(weekends) - len(outside_weekends)
    planned_before = start if roster is not None else 0  # the days before the window are planned
    off = days_off(problem) if off is None else off

    def share_of(person: str, until: int) -> float:
        """The window's part of what is left, by the days the person is available (days off excluded)."""
        if future == "fixed":
            return 1.0
        free = [d for d in range(planned_before, n) if (person, d) not in off]
        if weights is not None:
            left = sum(weights[d] for d in free)
            if left > 0:
                return sum(weights[d] for d in free if start <= d < until) / left
        mine = sum(1 for d in free if start <= d < until)
        return mine / max(len(free), 1)

    staff = []
    history: dict[str, tuple[str | None, ...]] = {}
    for person in problem.staff:
        row = roster[person.id] if roster is not None else None
        staff.append(
            dataclasses.replace(
                person,
                contract=_window_contract(
                    problem,
                    person,
                    row,
                    outside,
                    inside_weekends,
                    outside_weekends,
                    (share_of(person.id, stop), share_of(person.id, stop)),
                    min_slack,
                ),
            )
        )
        if start > 0 and row is not None:
            history[person.id] = tuple(row[max(0, start - HISTORY_DAYS) : start])
        elif start == 0 and person.id in problem.history:
            history[person.id] = problem.history[person.id]
    inside = range(start, stop)
    valued = inside  # measured: dropping the look-ahead's cover left the later windows infeasible more often
    pins = [dataclasses.replace(p, day=p.day - start) for p in problem.pins if p.day in inside]
    if fixed and stop > end:  # the tail after a window whose future is planned
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
        cover=tuple(dataclasses.replace(c, day=c.day - start) for c in problem.cover if c.day in valued),
        requests=tuple(
            dataclasses.replace(r, day=r.day - start) for r in problem.requests if r.day in valued
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
        budgets=_window_budgets(problem, inside),
        name=f"{problem.name}[{start}:{stop}]",
    )
    return sub, end - start


def _window_budgets(problem: Problem, inside: range) -> tuple[Budget, ...]:
    """Each budget's days inside the window, with the share of its amounts those days are (approximate, as
    the other horizon-wide soft sums are per window)."""
    kept = []
    for budget in problem.budgets:
        days = tuple(d - inside.start for d in budget.days if d in inside)
        if not days:
            continue
        share = len(days) / len(budget.days)
        kept.append(
            Budget(
                days,
                None if budget.minutes is None else math.floor(budget.minutes * share),
                None if budget.cost is None else math.floor(budget.cost * share),
            )
        )
    return tuple(kept)


def _budgets_left(problem: Problem, keep: set[str], roster: Roster) -> tuple[Budget, ...]:
    """The budgets less what the people outside `keep` spend in `roster` (possibly below zero), so the
    budget term of the sub-problem is the whole problem's."""
    left = []
    for budget in problem.budgets:
        minutes = cost = 0
        for person in problem.staff:
            if person.id in keep:
                continue
            for day in budget.days:
                shift = roster[person.id][day]
                if shift is not None:
                    length = problem.shift(shift).length_minutes
                    minutes += length
                    cost += person.hourly_rate * length // 60
        left.append(
            Budget(
                budget.days,
                None if budget.minutes is None else budget.minutes - minutes,
                None if budget.cost is None else budget.cost - cost,
            )
        )
    return tuple(left)


def only_people(problem: Problem, keep: set[str], roster: Roster, *, external: dict | None = None) -> Problem:
    """`problem` for the people in `keep` only; the others' shifts in `roster` count as external cover
    (`external`: that cover, when the caller keeps count of it)."""
    if external is None:
        external = dict(problem.external_cover)
        for person in problem.staff:
            if person.id not in keep:
                count_cover(problem, person, roster[person.id], external)
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
        budgets=_budgets_left(problem, keep, roster),
    )
