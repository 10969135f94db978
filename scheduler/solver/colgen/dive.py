"""Fix-and-reprice dives over cells: the integer phase of the column generation.

A dive fixes cells (person, day -> shift or off) rather than whole columns. The LP value of a cell is the sum
of its person's columns that choose it. Each step re-prices the free cells against the fixes (a few rounds,
until no column improves), then fixes every free cell whose value reaches a threshold (0.75, lowered step by
step to 0.51 when none does) and forbids the work cells whose smoothed value has stayed near zero. A fixed or
forbidden cell is pushed into pricing (the other choices of that day, or that cell, become missing nodes) and
into the master (the person's columns that disagree get an upper bound of 0), so the pool grows rows that fit
around the fixes. When no cell reaches 0.51, the person's most-used fractional column is fixed whole. This is
the fixing scheme of the column-generation heuristic of Strandmark, Qu and Curtois (2020) (threshold 0.75,
zero-fixing at 0.05), applied to our master; fixing whole columns only (what `ColumnGeneration.dive` did)
measured 20-70% above the LP on the 4-week benchmark instances.

A dive takes more cells per step when the measured time per step would not let it end within `budget`, and
stops early when the LP under its fixes is no better than `cutoff` or when the LP is integral.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .master import INF
from .model import OFF

INTEGRAL = 1 - 1e-6
THRESHOLD = 0.75  # a cell at least this much chosen in the LP is fixed
LOWEST = 0.51  # the threshold is lowered (x0.9) to this before whole columns are fixed
FORBID = 0.05  # a work cell whose smoothed value fell to this is forbidden
INERTIA = 0.6  # weight of the past in the smoothed cell values


def cell_dive(
    cg,
    deadline: float,
    *,
    noise: float = 0.0,
    rounds: int = 3,
    cutoff: float = math.inf,
    budget: float = math.inf,
) -> dict[int, tuple[int, ...]] | None:
    """One dive; the roster (person -> row) it ends with, or None when time ran out or the cutoff pruned it.

    `noise` perturbs the cell values used to decide, so that repeated dives take other near-ties."""
    master, model = cg.master, cg.model
    people, days = len(model.people), model.problem.num_days
    off = len(model.lengths)  # the column of "off" in the cell arrays
    fixes: dict[int, dict[int, int]] = {p: {} for p in range(people)}
    forbids: dict[int, set[tuple[int, int]]] = {p: set() for p in range(people)}
    cg.fixes, cg.forbids = fixes, forbids
    zeroed: set[int] = set()
    history = np.full((people, days, off + 1), 0.5)
    day_index = np.arange(days)
    noise_rng = np.random.default_rng(cg.rng.randrange(1 << 30))
    began, steps = time.monotonic(), 0
    try:
        while True:
            if time.monotonic() > deadline or cg.stop():
                return None
            free = [p for p in range(people) if len(fixes[p]) < days]
            value, x, duals = master.solve()
            for _ in range(rounds):  # the free cells re-priced against the fixes
                added, _reduced, _exact = cg.price_round(duals, free, count=1)
                if not added:
                    break
                value, x, duals = master.solve()
            if value >= cutoff - 1e-6:
                return None
            cells = np.zeros((people, days, off + 1))
            chosen: dict[int, int] = {}
            top: dict[int, tuple[float, int]] = {}
            for col in np.flatnonzero(x > 1e-9):
                person, row, _cost = master.columns[col]
                cells[person, day_index, [k if k != OFF else off for k in row]] += x[col]
                if x[col] >= INTEGRAL:
                    chosen[person] = col
                elif x[col] > top.get(person, (0.0, -1))[0]:
                    top[person] = (float(x[col]), int(col))
            if len(chosen) == people:  # the LP is integral under the fixes: a roster
                return {p: master.columns[col][1] for p, col in chosen.items()}
            history = INERTIA * history + (1 - INERTIA) * cells
            score = cells + noise * noise_rng.random(cells.shape) if noise else cells
            steps += 1
            least = 1
            if steps > 1 and math.isfinite(budget):  # the steps this dive can still afford, at its pace
                pace = (time.monotonic() - began) / steps
                affordable = max((began + budget - time.monotonic()) / pace, 1.0)
                least = math.ceil(sum(days - len(fixes[p]) for p in free) / affordable)
            take = _cells_to_fix(score, fixes, free, least)
            before = {p: dict(fixes[p]) for p in free}
            touched = set()
            for p, d, k in take:
                fixes[p][d] = OFF if k == off else k
                touched.add(p)
            if not take and top:  # nothing near integral: the most-used fractional column, whole
                person = max(top, key=lambda p: top[p][0])
                row = master.columns[top[person][1]][1]
                fixes[person].update(enumerate(row))
                touched.add(person)
            for p in free:
                low = np.argwhere(history[p, :, :off] <= FORBID)
                new = {(int(d), int(k)) for d, k in low if int(d) not in fixes[p]} - forbids[p]
                if new:
                    forbids[p] |= new
                    touched.add(p)
            for p in touched:
                if _apply(cg, p, zeroed, duals):
                    continue
                # the cells fixed one by one broke the person's contract together: fix, instead, the
                # person's most-used column (it keeps the earlier fixes and the contract) whole
                fixes[p] = before[p]
                forbids[p].clear()
                col = chosen[p] if p in chosen else top[p][1]
                fixes[p].update(enumerate(master.columns[col][1]))
                if not _apply(cg, p, zeroed, duals):
                    return None
    finally:
        cg.fixes, cg.forbids = {}, {}
        for col in zeroed:
            master.set_bounds(col, 0.0, INF)


def _cells_to_fix(score: np.ndarray, fixes, free, least: int) -> list[tuple[int, int, int]]:
    """Free cells at or above the threshold (lowered until some qualify), and at least `least` of the best."""
    candidates = []
    for p in free:
        for d in range(score.shape[1]):
            if d not in fixes[p]:
                k = int(np.argmax(score[p, d]))
                candidates.append((float(score[p, d, k]), p, d, k))
    candidates.sort(reverse=True)
    threshold, take = THRESHOLD, []
    while threshold >= LOWEST:
        take = [c for c in candidates if c[0] >= threshold]
        if take:
            break
        threshold *= 0.9
    if len(take) < least:
        take = candidates[:least]
    return [(p, d, k) for _s, p, d, k in take]


def _apply(cg, person: int, zeroed: set[int], duals: np.ndarray) -> bool:
    """Bound out the person's columns that break their fixes or forbids; price one that keeps them when none
    is left, dropping the forbids if they were what left none. False when the fixes alone leave no row."""
    master = cg.master
    fixed, forbidden = cg.fixes[person], cg.forbids[person]
    keeps = False
    for col in master.by_person[person]:
        row = master.columns[col][1]
        agrees = all(row[d] == k for d, k in fixed.items()) and not any(
            row[d] == k for d, k in forbidden
        )
        if agrees:
            keeps = True
            if col in zeroed:
                zeroed.discard(col)
                master.set_bounds(col, 0.0, INF)
        elif col not in zeroed:
            zeroed.add(col)
            master.set_bounds(col, 0.0, 0.0)
    if keeps:
        return True
    node, weekend = cg.node_costs(person, duals)
    found, _exact = cg.pricers[person].price(node, weekend, beam=cg.beam, count=1)
    found = [priced for priced in found if math.isfinite(priced.cost)]
    if found:
        cg.add_row(person, found[0].row)
        return True
    if forbidden:
        forbidden.clear()
        return _apply(cg, person, zeroed, duals)
    return False
