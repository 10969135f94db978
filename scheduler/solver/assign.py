"""Assignment engine: fill open shifts on given days fast, with `scipy.optimize.linear_sum_assignment`.

For each day to fill (in order), every missing person of every cover row (up to the preferred level, or the
hard minimum if higher) is a slot; people off that day are the columns. A pair costs the change in that
person's own soft penalties (requests, labour cost, overtime, change from the reference) minus the cover
penalty the slot removes; a pair that would newly break one of the person's hard rules (checked with the same
rules as the other engines, on the fixed roster) or that a cell rule forbids is not allowed. Only pairs that
lower the objective are kept. Existing assignments are never moved, so this is a repair/fill heuristic, not an
optimiser of the whole roster: it supports every hard rule (as a check) and the person-level and cover soft
rules (fairness spreads, the shortfall risk of `cover_shortfall_risk` and the week budgets of
`labour_budget_over` are not priced, only scored).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .context import roster_check
from .domain import FEASIBLE, Problem, Roster, Solution, empty_roster
from .result import ProgressFn, Tracker, make_solution
from .rules import forbidden_cells

BLOCKED = 1e12


def _person_state(problem: Problem, roster: Roster, person, cells) -> tuple[set, int]:
    ctx = roster_check(problem, roster, staff=[person], cells=cells, scopes=("person",))
    broken = {(b.rule, b.day) for b in ctx.broken}
    return broken, sum(p.amount for p in ctx.penalties())


def solve_assign(
    problem: Problem, *, roster: Roster | None = None, days=None, progress: ProgressFn = None, **_ignored
) -> Solution:
    tracker = Tracker(progress=progress)
    start = roster if roster is not None else (problem.reference or empty_roster(problem))
    current = {p.id: list(start.get(p.id, (None,) * problem.num_days)) for p in problem.staff}
    for pin in problem.pins:
        current[pin.person][pin.day] = pin.shift
    pinned = {(pin.person, pin.day) for pin in problem.pins}
    cells = forbidden_cells(problem)
    fill = sorted(set(range(problem.num_days) if days is None else days))
    for day in fill:
        date = problem.date(day)
        slots = []  # (cover, gain)
        for cover in problem.cover:
            if cover.day != day:
                continue
            count = problem.external_cover.get((day, cover.shift, cover.skill), 0) + sum(
                1
                for p in problem.staff
                if current[p.id][day] == cover.shift
                and (cover.skill is None or p.has_skill(cover.skill, date))
            )
            for level in range(count, max(cover.preferred, cover.minimum)):
                gain = cover.weight_under if level < cover.preferred else 0
                gain += problem.weights.cover_minimum_relaxed if level < cover.minimum else 0
                gain -= cover.weight_over if level >= cover.preferred else 0
                if gain > 0:
                    slots.append((cover, gain))
        people = [p for p in problem.staff if current[p.id][day] is None and (p.id, day) not in pinned]
        if not slots or not people:
            continue
        frozen = {k: tuple(v) for k, v in current.items()}
        delta: dict[tuple[str, str], float] = {}
        for person in people:
            broken, base = _person_state(problem, frozen, person, cells)
            for shift in {c.shift for c, _ in slots}:
                if (person.id, day, None) in cells or (person.id, day, shift) in cells:
                    delta[(person.id, shift)] = BLOCKED
                    continue
                row = list(frozen[person.id])
                row[day] = shift
                after, cost = _person_state(problem, {**frozen, person.id: tuple(row)}, person, cells)
                delta[(person.id, shift)] = BLOCKED if after - broken else cost - base
        matrix = np.full((len(slots), len(people)), BLOCKED)
        for i, (cover, gain) in enumerate(slots):
            for j, person in enumerate(people):
                if cover.skill is not None and not person.has_skill(cover.skill, date):
                    continue
                d = delta[(person.id, cover.shift)]
                if d < BLOCKED:
                    matrix[i, j] = d - gain
        rows, cols = linear_sum_assignment(matrix)
        for i, j in zip(rows, cols, strict=True):
            if matrix[i, j] < 0:
                current[people[j].id][day] = slots[i][0].shift
    final = {k: tuple(v) for k, v in current.items()}
    tracker.report(0, None, "assign")
    return make_solution(
        problem,
        final,
        status=FEASIBLE,
        bound=None,
        engine="assign",
        tracker=tracker,
        build=0.0,
        message=f"filled days {fill[0]}..{fill[-1]}" if fill else "nothing to fill",
    )
