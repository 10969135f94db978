"""Fix-and-reprice dives over cells: the integer phase of the column generation.

A dive fixes cells (person, day -> shift or off) rather than whole columns. The LP value of a cell is the sum
of its person's columns that choose it. Each step re-prices the free cells against the fixes (until the LP
moves by less than one unit of cost, at most `rounds` rounds), then fixes every free cell whose value reaches
a threshold (0.75, lowered step by step to 0.51 when none does) and forbids the work cells whose smoothed
value has stayed near zero. A fixed or forbidden cell is pushed into pricing (the other choices of that day,
or that cell, become missing nodes) and into the master (the person's columns that disagree get an upper bound
of 0), so the pool grows rows that fit around the fixes. When no cell reaches 0.51, the person's most-used
fractional column is fixed whole. This is the fixing scheme of the column-generation heuristic of Strandmark,
Qu and Curtois (2020) (threshold 0.75, zero-fixing at 0.05), applied to our master; fixing whole columns only
(what `ColumnGeneration.dive` did) measured 20-70% above the LP on the 4-week benchmark instances.

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
SETTLED = 1.0  # an LP that moved by less than this over a pricing round is re-priced no further


def cell_dive(
    cg,
    deadline: float,
    *,
    noise: float = 0.0,
    rounds: int = 20,
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
            # the free cells re-priced against the fixes until the LP settles (it moved by less than one
            # unit of cost: the fixing point of Strandmark et al.), or `rounds` rounds
            for _ in range(rounds):
                added, _reduced, _exact = cg.price_round(duals, free, count=1)
                if not added:
                    break
                previous = value
                value, x, duals = master.solve()
                if previous - value < SETTLED:
                    break
            if value >= cutoff - 1e-6:
                return None
            cells = np.zeros((people, days, off + 1))
            chosen: dict[int, int] = {}
            top: dict[int, tuple[float, int]] = {}
            used: dict[int, list[tuple[float, tuple[int, ...]]]] = {p: [] for p in range(people)}
            for col in np.flatnonzero(x > 1e-9):
                person, row, _cost = master.columns[col]
                used[person].append((float(x[col]), row))
                cells[person, day_index, [k if k != OFF else off for k in row]] += x[col]
                if x[col] >= INTEGRAL:
                    chosen[person] = col
                elif x[col] > top.get(person, (0.0, -1))[0]:
                    top[person] = (float(x[col]), int(col))
            if len(chosen) == people:  # the LP is integral under the fixes: a roster
                return {p: master.columns[col][1] for p, col in chosen.items()}
            history = INERTIA * history + (1 - INERTIA) * cells
            jitter = noise * noise_rng.random(cells.shape) if noise else None
            steps += 1
            least = 1
            if steps > 1 and math.isfinite(budget):  # the steps this dive can still afford, at its pace
                pace = (time.monotonic() - began) / steps
                affordable = max((began + budget - time.monotonic()) / pace, 1.0)
                least = math.ceil(sum(days - len(fixes[p]) for p in free) / affordable)
            take = _cells_to_fix(used, fixes, free, days, least, jitter)
            before = {p: dict(fixes[p]) for p in free}
            touched = set()
            for p, d, k in take:
                fixes[p][d] = k
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


def _cells_to_fix(used, fixes, free, days: int, least: int, jitter) -> list[tuple[int, int, int]]:
    """Cells to fix, as (person, day, shift or OFF): per person, the cells at or above the threshold
    (lowered until some qualify), taken one at a time with the person's value of each cell recomputed over
    the columns that agree with the cells taken so far, so no two cells are fixed that no used column has
    together; then the best others until there are `least`."""
    threshold = THRESHOLD
    while True:
        take = []
        for p in free:
            take += _person_cells(used[p], fixes[p], p, days, threshold, jitter)
        if take or threshold * 0.9 < LOWEST:
            break
        threshold *= 0.9
    if len(take) < least:
        taken = {(p, d) for p, d, _k in take}
        rest = []
        for p in free:
            for d in range(days):
                if d not in fixes[p] and (p, d) not in taken:
                    value, k = _best_choice(used[p], p, d, jitter)
                    rest.append((value, p, d, k))
        rest.sort(reverse=True)
        take += [(p, d, k) for _v, p, d, k in rest[: least - len(take)]]
    return take


def _person_cells(columns, fixed, person: int, days: int, threshold: float, jitter) -> list:
    taken: list[tuple[int, int, int]] = []
    if not columns:
        return taken
    weight = np.array([x for x, _row in columns])
    rows = np.array([row for _x, row in columns])
    open_day = np.ones(days, dtype=bool)
    open_day[list(fixed)] = False
    while open_day.any() and len(weight):
        total = weight.sum()
        best_value = np.full(days, -np.inf)
        best_raw = np.zeros(days)
        best_choice = np.full(days, OFF)
        for k in np.unique(rows):
            raw = (rows == k).T.astype(float) @ weight
            value = raw + jitter[person, :, k] if jitter is not None else raw
            better = value > best_value
            best_value[better], best_raw[better], best_choice[better] = value[better], raw[better], k
        best_value[~open_day] = -np.inf
        # the days every remaining column agrees on are taken together (they restrict nothing)
        agreed = open_day & (best_raw >= total - 1e-9) & (best_value >= threshold)
        if agreed.any():
            days_taken = np.flatnonzero(agreed)
        else:
            day = int(np.argmax(best_value))
            if best_value[day] < threshold:
                break
            days_taken = np.array([day])
        for d in days_taken:
            taken.append((person, int(d), int(best_choice[d])))
            open_day[d] = False
        keep = np.all(rows[:, days_taken] == best_choice[days_taken], axis=1)
        weight, rows = weight[keep], rows[keep]
    return taken


def _best_choice(columns, person: int, day: int, jitter) -> tuple[float, int]:
    """The person's most-chosen shift (or OFF) on `day` over `columns`, and its value (plus the jitter)."""
    values: dict[int, float] = {}
    for x, row in columns:
        values[row[day]] = values.get(row[day], 0.0) + x
    if not values:
        return 0.0, OFF
    if jitter is not None:
        values = {k: v + jitter[person, day, k] for k, v in values.items()}  # OFF (-1) is the last column
    k = max(values, key=values.get)
    return values[k], k


def _apply(cg, person: int, zeroed: set[int], duals: np.ndarray) -> bool:
    """Bound out the person's columns that break their fixes or forbids; price one that keeps them when none
    is left, dropping the forbids if they were what left none. False when the fixes alone leave no row."""
    master = cg.master
    fixed, forbidden = cg.fixes[person], cg.forbids[person]
    keeps = False
    for col in master.by_person[person]:
        row = master.columns[col][1]
        agrees = all(row[d] == k for d, k in fixed.items()) and not any(row[d] == k for d, k in forbidden)
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
