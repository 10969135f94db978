"""Column generation over individual rows: price, solve the master, dive for integer rosters.

One `ColumnGeneration` holds the pool, the master LP and a pricer per person. `converge` adds columns until
no person has a row of negative reduced cost (or time is up); with exact pricing the master value, and on
the way the Lagrangian value (master value + each person's most negative reduced cost), bound the optimum.
`dive.cell_dive` turns the LP into a roster by fixing cells and re-pricing around them (its `fixes` and
`forbids` are read by `node_costs`); repeated dives reuse and grow the pool. The restricted master solved
as a MIP over the pool (price-and-branch) is the other way to a roster, and proves optimality when the pool
holds every feasible row.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .kernel import KernelPricer, Workspace, kernel_ready
from .master import Master
from .model import OFF, ColgenModel

EPS = 1e-6
SMOOTHING = 0.5  # weight of the previous pricing point in the smoothed duals
PRICING_THREADS = 2  # at most; the compiled sweep releases the GIL, so people are priced side by side
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pricing_pool() -> ThreadPoolExecutor:
    """One pool for the process (a Celery worker solves many problems; a pool each would leak threads)."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(PRICING_THREADS, thread_name_prefix="colgen-pricing")
        return _executor


class ColumnGeneration:
    def __init__(self, model: ColgenModel, *, seed: int = 0, beam: int | None = None) -> None:
        self.model = model
        self.master = Master(model)
        self.workspaces = [Workspace()]  # one per pricing thread: a sweep's buffers
        self.pricers = [KernelPricer(model, pm, self.workspaces[0]) for pm in model.people]
        # people priced side by side in a round: set by the caller to its workers when nothing else (CP-SAT)
        # runs beside; the rows found are added in the people's order whatever the threads, so a run with
        # threads adds the same columns as one without
        self.threads = 1
        self.rng = random.Random(seed)
        days = model.problem.num_days
        self.beam = beam or max(200, min(4000, 60000 // max(days, 1)))
        self.stop: Callable[[], bool] = lambda: False  # cancellation or deadline, checked between people
        self.bound: float | None = None  # proven lower bound on the (relaxed-cover) objective
        self.lp_value: float | None = None
        self.complete = False  # the pool holds every feasible row of every person
        self.round_seconds = 0.0  # measured (or extrapolated) time to price everyone once
        self.center: np.ndarray | None = None  # smoothed duals (the pricing point)
        incidences: list[list[tuple[int, int, int]]] = [[] for _ in model.people]
        for (d, k), entries in self.master.cover_rows.items():
            for r, members in entries:
                for p in members:
                    incidences[p].append((d, k, r))
        self.incidences = incidences
        self.fixes: dict[int, dict[int, int]] = {}  # person -> {day: shift or OFF} a dive has fixed
        self.forbids: dict[int, set[tuple[int, int]]] = {}  # person -> {(day, shift)} a dive has forbidden

    # pool
    # ------------------------------------------------------------------------------------------------------
    def add_row(self, person: int, row: tuple[int, ...]) -> int | None:
        pm = self.model.people[person]
        return self.master.add(person, row, pm.row_cost(row, self.model.lengths))

    def add_roster(self, rows: dict[int, tuple[int, ...]]) -> None:
        for person, row in rows.items():
            self.add_row(person, row)

    def seed_pool(self, budget: float = math.inf) -> bool | None:
        """A first column per person (their cheapest row on their own costs); False if someone has none,
        None when pricing everyone once would take longer than `budget` seconds (measured as it goes)."""
        start, timed = time.monotonic(), 0
        for pricer in self.pricers:
            compiling = not kernel_ready()  # the first sweep of a process compiles (or loads) the kernel
            if not self.seed_person(pricer):
                return False
            if compiling:  # not timed (compilation), unless it alone overran the budget
                if time.monotonic() - start > budget:
                    self.round_seconds = (time.monotonic() - start) * len(self.pricers)
                    return None
                start = time.monotonic()
                continue
            timed += 1
            self.round_seconds = (time.monotonic() - start) * len(self.pricers) / timed
            if self.round_seconds > budget:
                return None
        return True

    def seed_person(self, pricer) -> bool:
        """The person's two cheapest rows on their own costs into the pool; False if they have none."""
        found, _exact = pricer.price(pricer.pm.cost, 0.0, beam=self.beam, count=2)
        for priced in found:
            self.add_row(pricer.pm.index, priced.row)
        return bool(found)

    def enumerate_pool(self, limit: int) -> bool:
        """Every feasible row of every person when each has fewer than `limit`; True if pool is complete."""
        pools = []
        for pricer in self.pricers:
            found, exact = pricer.price(pricer.pm.cost, 0.0, beam=limit, count=limit, every_row=True)
            if not exact or len(found) >= limit:
                return False
            pools.append(found)
        for pricer, found in zip(self.pricers, pools, strict=True):
            for priced in found:
                self.add_row(pricer.pm.index, priced.row)
        self.complete = True
        return True

    # pricing
    # ------------------------------------------------------------------------------------------------------
    def node_costs(self, person: int, duals: np.ndarray) -> tuple[list[list[float]], float]:
        pm = self.model.people[person]
        node = [list(day) for day in pm.cost]
        for d, k, r in self.incidences[person]:
            node[d][k] -= duals[r]
        for d, k in self.fixes.get(person, {}).items():  # a fixed cell: every other choice is a missing node
            day = node[d]
            for j in range(len(day)):
                if j != (len(day) - 1 if k == OFF else k):
                    day[j] = math.inf
        for d, k in self.forbids.get(person, ()):  # a forbidden cell: a missing node
            node[d][k] = math.inf
        weekend = 0.0
        if person in self.master.fair_rows:
            f = {"nights": 0.0, "weekends": 0.0, "minutes": 0.0}
            for measure, hi, lo in self.master.fair_rows[person]:
                f[measure] += duals[hi] + duals[lo]
            lengths, nights = self.model.lengths, self.model.nights
            for day in node:
                for k in range(len(lengths)):
                    day[k] -= f["minutes"] * lengths[k] + (f["nights"] if nights[k] else 0.0)
            weekend = -f["weekends"]
        return node, weekend

    def price_round(
        self, duals: np.ndarray, people, *, count: int = 2, smoothed: np.ndarray | None = None
    ) -> tuple[int, float, bool]:
        """Price `people`; returns columns added, sum of their most negative reduced costs, and exactness.

        With `smoothed` duals the graph is priced at those, and a row is added when its reduced cost at the
        master's own `duals` is negative (the sum and exactness then refer to the smoothed duals)."""
        added, total, exact_all = 0, 0.0, True
        at = duals if smoothed is None else smoothed
        results, whole = self._price_people(list(people), at, count)
        exact_all &= whole
        for p, found, exact in results:
            exact_all &= exact
            found = [priced for priced in found if math.isfinite(priced.cost)]
            if not found:
                continue
            best = found[0].cost - at[p]
            total += min(best, 0.0)
            for priced in found:
                reduced = priced.cost - at[p] if smoothed is None else self.reduced_cost(p, priced.row, duals)
                if reduced < -EPS and self.add_row(p, priced.row) is not None:
                    added += 1
        return added, total, exact_all

    def _price_people(self, people: list[int], at: np.ndarray, count: int) -> tuple[list, bool]:
        """(person, rows found, exact) for `people` in their order, and False when a stop cut it short.

        With `threads` above 1 the people are shared out over the pricing pool, each thread with its own
        workspace. The sweep is most of a pricing (7 of 10 ms a person on Instance18); the node costs and
        the rows' read-back hold the GIL."""

        def run(group: list[int], workspace: Workspace) -> tuple[list, bool]:
            out = []
            for p in group:
                if self.stop():
                    return out, False
                pricer = self.pricers[p]
                pricer.workspace = workspace
                node, weekend = self.node_costs(p, at)
                found, exact = pricer.price(node, weekend, beam=self.beam, count=count)
                out.append((p, found, exact))
            return out, True

        threads = min(self.threads, PRICING_THREADS, len(people))
        if threads < 2:
            return run(people, self.workspaces[0])
        while len(self.workspaces) < threads:
            self.workspaces.append(Workspace())
        futures = [
            _pricing_pool().submit(run, people[i::threads], self.workspaces[i]) for i in range(threads)
        ]
        priced, whole = {}, True
        for future in futures:
            out, complete = future.result()
            whole &= complete
            priced.update({p: (p, found, exact) for p, found, exact in out})
        return [priced[p] for p in people if p in priced], whole

    def reduced_cost(self, person: int, row: tuple[int, ...], duals: np.ndarray) -> float:
        index, values = self.master.coefficients(person, row)
        own = self.model.people[person].row_cost(row, self.model.lengths)
        return own - float(np.dot(values, duals[index]))

    def converge(self, deadline: float, *, on_bound: Callable[[float], None] | None = None) -> bool:
        """Column generation to convergence or `deadline`; True when converged.

        People are priced in chunks with the LP re-solved between chunks (fresher duals, fewer pricings);
        a whole cycle of people finding no improving row is convergence. A chunk that covers everyone also
        gives the Lagrangian bound."""
        people = list(range(len(self.model.people)))
        self.rng.shuffle(people)
        chunk = max(1, math.ceil(len(people) / 3))
        quiet, exact_cycle, at = 0, True, 0
        while time.monotonic() < deadline and not self.stop():
            value, _x, duals = self.master.solve()
            self.lp_value = value
            group = [people[(at + i) % len(people)] for i in range(min(chunk, len(people)))]
            at = (at + len(group)) % len(people)
            # dual smoothing: price at a mix of the previous pricing point and the new duals (duals of a
            # degenerate master jump; the mix cuts the rounds), then at the duals themselves before
            # calling the chunk quiet
            added = 0
            if self.center is not None and self.center.shape == duals.shape:
                self.center = SMOOTHING * self.center + (1 - SMOOTHING) * duals
                added, _reduced, _exact = self.price_round(duals, group, smoothed=self.center)
            else:
                self.center = duals.copy()
            if added:
                quiet, exact_cycle = 0, True
                continue
            added, reduced, exact = self.price_round(duals, group)
            if len(group) == len(people) and exact:
                self._raise_bound(value + reduced, on_bound)
            if added:
                quiet, exact_cycle = 0, True
                continue
            quiet += len(group)
            exact_cycle &= exact
            if quiet >= len(people):
                if exact_cycle:
                    self._raise_bound(value, on_bound)
                return True
        return False

    def _raise_bound(self, bound: float, on_bound) -> None:
        if self.bound is None or bound > self.bound + 1e-9:
            self.bound = bound
            if on_bound is not None:
                on_bound(bound)

    # integer rosters
    # ------------------------------------------------------------------------------------------------------
    def rounded(self) -> dict[int, tuple[int, ...]]:
        """Each person's column of highest LP value: a roster at once (every column keeps its person's
        rules; cover is soft or relaxed in the master), the first one long before a dive or MIP ends."""
        _value, x, _duals = self.master.solve()
        rows = {}
        for p, cols in self.master.by_person.items():
            col = max(cols, key=lambda c: x[c])
            rows[p] = self.master.columns[col][1]
        return rows


def roster_cost(model: ColgenModel, rows: dict[int, tuple[int, ...]]) -> float:
    """The master's objective of a roster (own costs + cover slack + fairness spreads)."""
    total = sum(model.people[p].row_cost(row, model.lengths) for p, row in rows.items())
    for cv in model.covers:
        have = sum(1 for p in cv.members if rows[p][cv.day] == cv.shift)
        if have < cv.target:
            total += (cv.target - have) * cv.under
        elif have > cv.target and not cv.hard:
            total += (have - cv.target) * cv.over
    for f in model.fairness:
        values = [model.measures(rows[p])[f.measure] for p in f.members]
        total += f.weight * (max(values) - min(values))
    return total


def integral_bound(bound: float | None) -> float | None:
    """Costs are integers, so the optimum is at least the bound rounded up."""
    return None if bound is None else math.ceil(bound - 1e-6)


__all__ = ["OFF", "ColumnGeneration", "integral_bound", "roster_cost"]
