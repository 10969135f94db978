"""What column generation needs from a `Problem`, as plain arrays: per person the cells they may fill, the
cost of each cell, their contract limits and the state the previous period leaves them in; per cover row
the cells that count towards it; per fairness group its members.

A column is one person's whole row (a shift index per day, `OFF` for a day off). Its cost is everything the
referee (evaluate.py) charges to that person alone: requests, labour and overtime, change from the reference.
Cover and fairness are across people and live in the master.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..domain import Person, Problem
from ..rules import forbidden_cells

OFF = -1


@dataclass
class PersonModel:
    """One person's pricing graph: nodes (day, shift or off), their base cost, and the resource limits."""

    index: int
    person: Person
    allowed: list[list[int]]  # per day: shift indexes allowed (OFF included when a day off is allowed)
    cost: list[list[float]]  # per day: base cost of each shift index, the last entry is the day off
    history: tuple[int, ...]  # previous period, oldest first (OFF for a day off)
    max_counts: dict[int, int] = field(default_factory=dict)  # shift index -> max (only binding ones)

    def row_cost(self, row: tuple[int, ...], lengths: list[int]) -> float:
        """The person's own cost of `row` (what the referee charges to them, besides cover and fairness)."""
        total = sum(self.cost[d][k] for d, k in enumerate(row))
        return total + self.overtime(sum(lengths[k] for k in row if k != OFF))

    def overtime(self, minutes: int) -> int:
        limit = self.person.contract.contract_minutes
        if not self.person.overtime_premium or limit is None or minutes <= limit:
            return 0
        return self.person.overtime_premium * math.ceil((minutes - limit) / 60)


@dataclass(frozen=True)
class CoverRow:
    """One master row: cover on (day, shift) counted over the people in `members` (skill holders)."""

    day: int
    shift: int
    members: frozenset[int]  # person indexes who count
    target: int  # preferred (soft row) or minimum (hard row), less the external cover
    under: float  # cost per missing person
    over: float  # cost per extra person (soft row only; a hard row is ">=")
    hard: bool


@dataclass(frozen=True)
class FairnessRow:
    measure: str  # nights | weekends | minutes
    weight: int
    members: tuple[int, ...]


@dataclass
class ColgenModel:
    problem: Problem
    people: list[PersonModel]
    shift_ids: list[str]
    lengths: list[int]
    starts: list[int]
    nights: list[bool]
    banned: set[tuple[int, int]]  # forbidden successions as shift index pairs (rest is per person)
    covers: list[CoverRow]
    fairness: list[FairnessRow]
    weekend_of: list[int]  # per day: weekend index or -1
    week_of: list[int]  # per day: calendar week index
    week_complete: list[bool]
    week_last_day: list[int]

    def to_roster(self, rows: dict[int, tuple[int, ...]]) -> dict[str, tuple[str | None, ...]]:
        return {
            self.people[p].person.id: tuple(None if k == OFF else self.shift_ids[k] for k in row)
            for p, row in rows.items()
        }

    def from_roster(self, roster) -> dict[int, tuple[int, ...]]:
        index = {s: k for k, s in enumerate(self.shift_ids)}
        return {
            pm.index: tuple(OFF if s is None else index[s] for s in roster[pm.person.id])
            for pm in self.people
        }

    def measures(self, row: tuple[int, ...]) -> dict[str, int]:
        worked_weekends = {
            self.weekend_of[d] for d, k in enumerate(row) if k != OFF and self.weekend_of[d] >= 0
        }
        return {
            "nights": sum(1 for k in row if k != OFF and self.nights[k]),
            "weekends": len(worked_weekends),
            "minutes": sum(self.lengths[k] for k in row if k != OFF),
        }


def build_model(problem: Problem) -> ColgenModel:
    shift_ids = [s.id for s in problem.shift_types]
    index = {s: k for k, s in enumerate(shift_ids)}
    n = problem.num_days
    cells = forbidden_cells(problem)
    pins = {(pin.person, pin.day): pin.shift for pin in problem.pins}
    weights = problem.weights
    people = []
    for p, person in enumerate(problem.staff):
        allowed: list[list[int]] = []
        for d in range(n):
            if (person.id, d, None) in cells:
                options = [OFF]
            else:
                options = [k for k, s in enumerate(shift_ids) if (person.id, d, s) not in cells] + [OFF]
            if (person.id, d) in pins:
                pinned = pins[person.id, d]
                want = OFF if pinned is None else index[pinned]
                options = [k for k in options if k == want]
            allowed.append(options)
        cost = [[0.0] * (len(shift_ids) + 1) for _ in range(n)]
        if person.hourly_rate:
            for d in range(n):
                for k, s in enumerate(problem.shift_types):
                    cost[d][k] += person.hourly_rate * s.length_minutes // 60
        reference = (problem.reference or {}).get(person.id)
        if reference is not None and weights.change:
            for d, before in enumerate(reference):
                for k in range(len(shift_ids) + 1):
                    now = None if k == len(shift_ids) else shift_ids[k]
                    if now != before:
                        cost[d][k] += weights.change
        history = tuple(OFF if s is None else index[s] for s in problem.history.get(person.id, ()))
        caps = {
            index[s]: limit
            for s, limit in person.contract.max_shifts_per_type.items()
            if s in index and 0 < limit < n
        }
        people.append(PersonModel(p, person, allowed, cost, history, caps))
    by_id = {pm.person.id: pm for pm in people}
    for r in problem.requests:
        pm = by_id[r.person]
        for k in range(len(shift_ids) + 1):
            works = k < len(shift_ids)
            hit = works if r.shift is None else works and shift_ids[k] == r.shift
            if hit != r.on:
                pm.cost[r.day][k] += r.weight
    covers = []
    for cv in problem.cover:
        date = problem.date(cv.day)
        members = frozenset(
            p
            for p, person in enumerate(problem.staff)
            if cv.skill is None or person.has_skill(cv.skill, date)
        )
        external = problem.external_cover.get((cv.day, cv.shift, cv.skill), 0)
        if cv.weight_under or cv.weight_over:
            covers.append(
                CoverRow(
                    cv.day,
                    index[cv.shift],
                    members,
                    cv.preferred - external,
                    cv.weight_under,
                    cv.weight_over,
                    False,
                )
            )
        if cv.minimum - external > 0:
            covers.append(
                CoverRow(
                    cv.day,
                    index[cv.shift],
                    members,
                    cv.minimum - external,
                    weights.cover_minimum_relaxed,
                    0.0,
                    True,
                )
            )
    groups: dict[str, list[int]] = {}
    for p, person in enumerate(problem.staff):
        groups.setdefault(person.contract.id, []).append(p)
    fairness = []
    for members in groups.values():
        if len(members) < 2:
            continue
        for measure, weight in (
            ("nights", weights.fairness_nights),
            ("weekends", weights.fairness_weekends),
            ("minutes", weights.fairness_minutes),
        ):
            if weight:
                fairness.append(FairnessRow(measure, weight, tuple(members)))
    weekend_of = [-1] * n
    for w, days in enumerate(problem.weekends()):
        for d in days:
            weekend_of[d] = w
    week_of = [0] * n
    week_complete, week_last_day = [], []
    for w, (days, complete) in enumerate(problem.weeks()):
        for d in days:
            week_of[d] = w
        week_complete.append(complete)
        week_last_day.append(days[-1])
    return ColgenModel(
        problem=problem,
        people=people,
        shift_ids=shift_ids,
        lengths=[s.length_minutes for s in problem.shift_types],
        starts=[s.start_minute for s in problem.shift_types],
        nights=[s.night for s in problem.shift_types],
        banned={(index[a], index[b]) for a, b in problem.forbidden_successions if a in index and b in index},
        covers=covers,
        fairness=fairness,
        weekend_of=weekend_of,
        week_of=week_of,
        week_complete=week_complete,
        week_last_day=week_last_day,
    )
