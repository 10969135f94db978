"""Large neighbourhood search: threads of single-worker CP-SAT sub-solves on a copy of the model in which
everything outside the neighbourhood is fixed (variable domains) and the incumbent is hinted.

Neighbourhoods: random people (whole horizon), people who could fill an under-covered shift ("related"), all
people over a window of days, and people x window blocks; sizes adapt (grow when a sub-solve is proven
optimal, shrink when it times out). A sub-solve returns a complete roster with its exact objective, so a
thread's result is accepted whenever it is at least as good as the shared incumbent. With a portfolio pool,
every improvement is offered to it and a thread restarts from the pool's roster when another engine put a
better one there.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time

from ortools.sat.python import cp_model

from ..domain import Roster
from ..incumbent import IncumbentPool
from ..result import Tracker
from .context import CpSatContext
from .run import offer, run_model

log = logging.getLogger(__name__)

KINDS = ["people", "related", "days", "days", "block"]
SUB_TIME = 2.0


class _Neighbourhoods:
    """Adaptive neighbourhood picker over people, day windows, or both."""

    def __init__(self, ctx: CpSatContext, rng: random.Random) -> None:
        self.rng = rng
        self.people = [p.id for p in ctx.staff]
        self.num_days = ctx.problem.num_days
        n = len(self.people)
        self.size = {
            "people": max(2.0, n / 6),
            "days": min(10.0, self.num_days),
            "block": max(2.0, n / 3),
            "related": max(2.0, n / 6),
        }
        self.by_person: dict[str, list[tuple[int, str, int]]] = {}
        self.eligible: dict[tuple[int, str], list[str]] = {}
        for (person, day, shift), var in ctx.vars.items():
            self.by_person.setdefault(person, []).append((day, shift, var.index))
            self.eligible.setdefault((day, shift), []).append(person)
        self.cover = [c for c in ctx.problem.cover if c.weight_under or c.minimum]
        self.stats = {"solved": 0, "improved": 0, "timeout": 0}  # sub-solves, for the measurements

    def _short_cell(self, roster: Roster) -> tuple[int, str] | None:
        short = []
        for cover in self.cover:
            count = sum(
                1
                for p in self.eligible.get((cover.day, cover.shift), ())
                if roster[p][cover.day] == cover.shift
            )
            if count < max(cover.preferred, cover.minimum):
                short.append((cover.day, cover.shift))
        return self.rng.choice(short) if short else None

    def pick(self, roster: Roster) -> tuple[str, set[str], range]:
        kind = self.rng.choice(KINDS)
        n = len(self.people)
        if kind == "related":
            cell = self._short_cell(roster)
            if cell is not None and self.eligible.get(cell):
                candidates = self.eligible[cell]
                k = min(len(candidates), max(2, round(self.size[kind])))
                return kind, set(self.rng.sample(candidates, k)), range(self.num_days)
            kind = "people"
        if kind == "people":
            k = min(n, max(1, round(self.size[kind])))
            return kind, set(self.rng.sample(self.people, k)), range(self.num_days)
        if kind == "days":
            width = min(self.num_days, max(2, round(self.size[kind])))
            start = self.rng.randrange(self.num_days - width + 1)
            return kind, set(self.people), range(start, start + width)
        k = min(n, max(1, round(self.size[kind])))
        width = min(self.num_days, max(7, round(self.size["days"] * 2)))
        start = self.rng.randrange(self.num_days - width + 1)
        return kind, set(self.rng.sample(self.people, k)), range(start, start + width)

    def feedback(self, kind: str, solved: bool) -> None:
        limit = len(self.people) if kind != "days" else self.num_days
        factor = 1.25 if solved else 0.85
        self.size[kind] = min(float(limit), max(1.0, self.size[kind] * factor))


class _Incumbent:
    """The best roster shared by the search threads; every sub-solve returns a complete roster with its exact
    objective, so a thread's result is accepted whenever it is at least as good as the current one."""

    def __init__(self, roster: Roster, objective: float, pool: IncumbentPool | None = None) -> None:
        self.roster, self.objective = roster, objective
        self.lock = threading.Lock()
        self.pool = pool
        self.seen = 0  # the pool version last compared with
        self.stop: threading.Event | None = None

    def adopt_pool(self) -> None:
        """Restart from the pool's best when another engine put a better roster there."""
        if self.pool is None:
            return
        with self.lock:
            other = self.pool.newer_than(self.seen)
            if other is None:
                return
            self.seen = other.version
            if other.objective < self.objective - 1e-6:
                self.roster, self.objective = other.roster, other.objective


def _fix_and_hint(
    ctx: CpSatContext, hoods: _Neighbourhoods, roster: Roster, people: set[str], days: range
) -> cp_model.CpModel:
    sub = ctx.model.clone()
    sub.clear_hints()
    proto = sub.proto
    hint_vars, hint_values = [], []
    for person, cells in hoods.by_person.items():
        free_person = person in people
        row = roster[person]
        for day, shift, index in cells:
            value = int(row[day] == shift)
            hint_vars.append(index)
            hint_values.append(value)
            if not (free_person and day in days):
                domain = proto.variables[index].domain
                domain[0] = domain[1] = value
    proto.solution_hint.vars.extend(hint_vars)
    proto.solution_hint.values.extend(hint_values)
    return sub


def _lns_thread(ctx: CpSatContext, best: _Incumbent, *, deadline: float, seed: int, tracker: Tracker) -> None:
    hoods = _Neighbourhoods(ctx, random.Random(seed))
    try:
        _lns_loop(ctx, best, hoods, deadline=deadline, seed=seed, tracker=tracker)
    finally:
        log.info(
            "lns thread %d: %s, sizes %s", seed, hoods.stats, {k: round(v) for k, v in hoods.size.items()}
        )


def _lns_loop(
    ctx: CpSatContext,
    best: _Incumbent,
    hoods: _Neighbourhoods,
    *,
    deadline: float,
    seed: int,
    tracker: Tracker,
) -> None:
    iteration = 0
    while not tracker.cancelled() and not (best.stop is not None and best.stop.is_set()):
        left = deadline - time.monotonic()
        if left < 0.2 or best.objective <= (tracker.bound or -math.inf) + 1e-6:
            return
        iteration += 1
        best.adopt_pool()
        with best.lock:
            roster, objective = best.roster, best.objective
        kind, people, days = hoods.pick(roster)
        sub = _fix_and_hint(ctx, hoods, roster, people, days)
        status, solver = run_model(
            sub,
            time_limit=min(left, SUB_TIME),
            workers=1,
            seed=seed + iteration,
            tracker=Tracker(cancel=tracker.cancel),
            phase="lns",
            stop=best.stop,
        )
        log.debug(
            "lns %d.%d %s people=%d days=%d status=%s obj=%s current=%s t=%.2f",
            seed,
            iteration,
            kind,
            len(people),
            len(days),
            solver.status_name(status),
            solver.objective_value,
            objective,
            solver.wall_time,
        )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            hoods.feedback(kind, False)
            hoods.stats["timeout"] += 1
            continue
        hoods.stats["solved"] += 1
        hoods.feedback(kind, status == cp_model.OPTIMAL)
        value = solver.objective_value
        with best.lock:
            if value <= best.objective + 1e-6:
                improved = value < best.objective - 1e-6
                best.roster, best.objective = ctx.roster(solver.boolean_value), value
                if improved:
                    hoods.stats["improved"] += 1
                    tracker.report(value, None, "lns")
                    offer(best.pool, ctx, solver.value, value, "lns")


def lns_search(
    ctx: CpSatContext,
    roster: Roster,
    objective: float,
    *,
    deadline: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    pool: IncumbentPool | None = None,
    stop: threading.Event | None = None,
) -> tuple[Roster, float]:
    """One search thread per worker, each running single-worker sub-solves (CP-SAT releases the GIL), until
    the deadline, the bound, cancellation or `stop`."""
    best = _Incumbent(roster, objective, pool)
    best.stop = stop
    threads = [
        threading.Thread(
            target=_lns_thread,
            args=(ctx, best),
            kwargs={"deadline": deadline, "seed": seed + 1000 * i, "tracker": tracker},
        )
        for i in range(max(1, workers))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return best.roster, best.objective
