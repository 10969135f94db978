"""CP-SAT engine (OR-Tools, snake_case API). Supports every rule in `rules/` (hard and soft).

Search, within one time limit:
1. a first roster and the bound: the full model for 30% of the time with LP-based workers (with 2 workers
   the default portfolio runs no LP worker and the bound stays trivial); this proves small instances
   optimal. On large models (> LARGE_MODEL_CELLS assignment variables), or if that finds nothing,
   person-by-person construction instead: a numpy dynamic programme per person (`construct.py`), falling back
   to a day-ordered CP-SAT search for rules the programme does not cover;
2. large neighbourhood search until the deadline: one thread per worker, each running single-worker,
   LP-based sub-solves (CP-SAT releases the GIL) on a copy of the model where everything outside the
   neighbourhood is fixed (variable domains) and the incumbent is hinted. Neighbourhoods: random people
   (whole horizon), people who could fill an under-covered shift ("related"), all people over a window of
   days, and people x window blocks; sizes adapt (grow when a sub-solve is proven optimal, shrink when it
   times out). A sub-solve returns a complete roster with its exact objective, so results are accepted
   whenever they are at least as good as the shared incumbent.

Measured on Curtois Instance8 (60 s, 2 workers) and kept: LP-based workers (bound 0 -> ~1250; sub-solves
close), two single-worker LNS threads instead of one 2-worker sub-solve (~1950 -> ~1430), 2 s sub-solves
(1 s: ~1640, 3 s: ~1520). Measured and not kept (off by default): a redundant automaton constraint per person
(`automata=True`) and an explicit layered-graph flow per person (`flows=True`): slower proofs on Instance1,
no better bound on Instance4, no roster at all on Instance8 in 20 s.

Always a fixed seed, explicit `num_workers` and time limit. Progress (elapsed, incumbent, bound) goes to
`progress`; `cancel` (callable or threading.Event) stops the search and returns the best roster so far;
`hint` (default: the problem's reference roster) warm-starts the full model.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

from ortools.sat.python import cp_model

from .construct import dp_row
from .context import ModelContext, roster_check
from .domain import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Problem, Roster, Solution, Timings, empty_roster
from .incumbent import IncumbentPool
from .result import Cancel, ProgressFn, Tracker, make_solution
from .rules import build_rules, forbidden_cells

log = logging.getLogger(__name__)

HUGE_MODEL_CELLS = 1_000_000  # above this (staff x days x shift types), no CP-SAT model: memory
LARGE_MODEL_CELLS = 20_000  # above this, build the first roster person by person (phase A finds none in time)
KINDS = ["people", "related", "days", "days", "block"]
SUB_TIME = 2.0
FIRST_SHARE = 0.3
FLOWS = False  # measured: slower search, no better bound on Instance1-8; kept off


class CpSatContext(ModelContext):
    def __init__(self, problem: Problem, **kwargs: Any) -> None:
        super().__init__(problem, **kwargs)
        self.model = cp_model.CpModel()
        self.vars: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self._work: dict[tuple[str, int], Any] = {}
        new_bool = self.model.new_bool_var
        for person in self.staff:
            for day in self.days:
                allowed = self.allowed(person.id, day)
                cells = [new_bool(f"x[{person.id},{day},{s}]") for s in allowed]
                for shift, var in zip(allowed, cells, strict=True):
                    self.vars[(person.id, day, shift)] = var
                if not cells:
                    self._work[(person.id, day)] = 0
                elif len(cells) == 1:
                    self._work[(person.id, day)] = cells[0]
                else:
                    work = new_bool(f"work[{person.id},{day}]")
                    self.model.add(work == cp_model.LinearExpr.sum(cells))
                    self._work[(person.id, day)] = work

    def x(self, person: str, day: int, shift: str) -> Any:
        return self.vars.get((person, day, shift), 0)

    def work(self, person: str, day: int) -> Any:
        return self._work[(person, day)]

    def sum(self, terms: Any) -> Any:
        return cp_model.LinearExpr.sum(list(terms))

    def add(self, constraint: Any, *, rule: str, person: str | None = None, day: int | None = None) -> None:
        if isinstance(constraint, bool):
            if not constraint:
                self.model.add_bool_or([])  # a constant contradiction: the model is infeasible
            return
        self.model.add(constraint)

    def max0(self, expr: Any, *, ub: int, divisor: int = 1, name: str = "") -> Any:
        if isinstance(expr, int):
            return max(0, math.ceil(expr / divisor))
        var = self.model.new_int_var(0, max(ub, 0), name)
        self.model.add(divisor * var >= expr)
        return var

    def any_of(self, terms: list[Any]) -> Any:
        variables = [t for t in terms if not isinstance(t, int)]
        constant = max((t for t in terms if isinstance(t, int)), default=0)
        if constant or not variables:
            return constant
        if len(variables) == 1:
            return variables[0]
        var = self.model.new_bool_var("any")
        for term in variables:
            self.model.add(var >= term)
        return var

    def upper(self, exprs: list[Any], *, ub: int) -> Any:
        var = self.model.new_int_var(0, ub, "upper")
        for expr in exprs:
            self.model.add(var >= expr)
        return var

    def lower(self, exprs: list[Any], *, ub: int) -> Any:
        var = self.model.new_int_var(0, ub, "lower")
        for expr in exprs:
            self.model.add(var <= expr)
        return var

    def set_objective(self) -> None:
        terms = [t.weight * t.expr for t in (*self.soft_terms, *self.hard_terms)]
        self.model.minimize(cp_model.LinearExpr.sum(terms))
        # the relaxed hard terms (cover minimum shortfall): a roster is only shared when this is 0
        self.hard_expr = cp_model.LinearExpr.sum([t.expr for t in self.hard_terms])

    def roster(self, value: Any) -> dict[str, tuple[str | None, ...]]:
        rows = {p.id: [None] * self.problem.num_days for p in self.staff}
        for (person, day, shift), var in self.vars.items():
            if value(var):
                rows[person][day] = shift
        return {p: tuple(r) for p, r in rows.items()}


def _offer(pool: IncumbentPool | None, ctx: CpSatContext, value: Any, objective: float, source: str) -> None:
    """Share a model solution with the other engines when no relaxed hard term is active."""
    if pool is None:
        return
    hard = ctx.hard_expr
    if (hard if isinstance(hard, int) else value(hard)) == 0:
        pool.offer(ctx.roster(value), objective, f"cpsat:{source}")


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, tracker: Tracker, phase: str, ctx: CpSatContext | None = None, pool: IncumbentPool | None = None
    ) -> None:
        super().__init__()
        self.tracker, self.phase, self.ctx, self.pool = tracker, phase, ctx, pool

    def on_solution_callback(self) -> None:
        bound = self.best_objective_bound if self.phase == "full" else None
        self.tracker.report(self.objective_value, bound, self.phase)
        if self.ctx is not None:
            _offer(self.pool, self.ctx, self.value, self.objective_value, self.phase)
        if self.tracker.cancelled():
            self.stop_search()


def _run(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    phase: str,
    stop_after_first: bool = False,
    ctx: CpSatContext | None = None,
    pool: IncumbentPool | None = None,
) -> tuple[int, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if stop_after_first:
        solver.parameters.stop_after_first_solution = True
    if phase in ("full", "lns"):
        # LP-based search: neighbourhoods and small models close much faster with the LP
        # With few workers the default portfolio runs no LP worker and the bound stays trivial.
        if workers == 1:
            solver.parameters.linearization_level = 2
        elif workers <= 4:
            solver.parameters.subsolvers.extend(["max_lp", "default_lp", "core", "no_lp"][:workers])
    done = threading.Event()

    def watch() -> None:  # cancellation also before the first solution
        while not done.wait(0.05):
            if tracker.cancelled():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    if tracker.cancel is not None:
        watcher.start()
    try:
        status = solver.solve(model, _Callback(tracker, phase, ctx, pool))
    finally:
        done.set()
    return status, solver


def work_automaton(
    max_work: int, min_work: int, min_off: int
) -> tuple[int, list[int], list[tuple[int, int, int]]]:
    """States and transitions (label 1 = works, 0 = off) of the consecutive-days rules with the benchmark's
    boundary semantics: a run touching day 0 or the last day is exempt from the minimum."""
    start, initial_off = 0, 1
    first_run = {k: 1 + k for k in range(1, max_work + 1)}  # work run touching day 0 (exempt from min)
    run = {k: 1 + max_work + k for k in range(1, max_work + 1)}
    rest = {k: 1 + 2 * max_work + k for k in range(1, min_off + 1)}
    arcs = [
        (start, 0, initial_off),
        (start, 1, first_run[1]),
        (initial_off, 0, initial_off),
        (initial_off, 1, run[1]),
    ]
    for k in range(1, max_work + 1):
        if k < max_work:
            arcs += [(first_run[k], 1, first_run[k + 1]), (run[k], 1, run[k + 1])]
        arcs.append((first_run[k], 0, rest[1]))
        if k >= min_work:
            arcs.append((run[k], 0, rest[1]))
    for k in range(1, min_off + 1):
        arcs.append((rest[k], 0, rest[min(k + 1, min_off)]))
        if k >= min_off:
            arcs.append((rest[k], 1, run[1]))
    states = [start, initial_off, *first_run.values(), *run.values(), *rest.values()]
    return start, states, arcs


def add_work_automata(ctx: CpSatContext) -> None:
    """CP-SAT only, redundant with the linear rules: one automaton per person over the work pattern, which
    propagates the consecutive-days rules together (and expands to a tight flow relaxation)."""
    problem = ctx.problem
    for person in ctx.staff:
        contract = person.contract
        if problem.history.get(person.id):
            continue  # the automaton encodes the no-history boundary semantics only
        max_work = min(contract.max_consecutive_shifts or problem.num_days, problem.num_days)
        min_work = max(contract.min_consecutive_shifts or 1, 1)
        min_off = max(contract.min_consecutive_days_off or 1, 1)
        if max_work >= problem.num_days and min_work == 1 and min_off == 1:
            continue
        start, states, arcs = work_automaton(max_work, min_work, min_off)
        labels = []
        for day in ctx.days:
            work = ctx.work(person.id, day)
            labels.append(ctx.model.new_constant(work) if isinstance(work, int) else work)
        ctx.model.add_automaton(labels, start, states, arcs)


def add_work_flows(ctx: CpSatContext) -> None:
    """CP-SAT only, redundant with the linear rules: the consecutive-days automaton as an explicit flow over a
    layered graph (one arc literal per day and transition), whose LP relaxation is exact for each person's
    sequence rules; this tightens the LP bound that the linear clauses leave weak."""
    problem = ctx.problem
    model = ctx.model
    for person in ctx.staff:
        contract = person.contract
        if problem.history.get(person.id):
            continue
        max_work = min(contract.max_consecutive_shifts or problem.num_days, problem.num_days)
        min_work = max(contract.min_consecutive_shifts or 1, 1)
        min_off = max(contract.min_consecutive_days_off or 1, 1)
        if min_work == 1 and min_off == 1:
            continue  # the sliding-window maximum alone is already an interval matrix (LP-exact)
        start, _states, arcs = work_automaton(max_work, min_work, min_off)
        reachable = {start}
        inflow: dict[int, list[Any]] = {}
        for day in ctx.days:
            work = ctx.work(person.id, day)
            day_arcs = [(a, label, b) for a, label, b in arcs if a in reachable]
            if isinstance(work, int):
                day_arcs = [arc for arc in day_arcs if arc[1] == work]
            lits = {arc: model.new_bool_var(f"flow[{person.id},{day}]") for arc in day_arcs}
            outflow: dict[int, list[Any]] = {}
            for (a, _label, _b), lit in lits.items():
                outflow.setdefault(a, []).append(lit)
            if day == 0:
                model.add(cp_model.LinearExpr.sum(outflow.get(start, [])) == 1)
            else:
                for state in set(inflow) | set(outflow):
                    model.add(
                        cp_model.LinearExpr.sum(inflow.get(state, []))
                        == cp_model.LinearExpr.sum(outflow.get(state, []))
                    )
            working = [lit for (_a, label, _b), lit in lits.items() if label == 1]
            if not isinstance(work, int):
                model.add(work == cp_model.LinearExpr.sum(working))
            inflow = {}
            for (_a, _label, b), lit in lits.items():
                inflow.setdefault(b, []).append(lit)
            reachable = set(inflow)


def build_model(
    problem: Problem, *, relax_cover: bool = True, automata: bool = False, flows: bool | None = None
) -> CpSatContext:
    ctx = CpSatContext(problem, relax_cover=relax_cover)
    build_rules(ctx)
    if automata:
        add_work_automata(ctx)
    if FLOWS if flows is None else flows:
        add_work_flows(ctx)
    ctx.set_objective()
    return ctx


def _set_hint(model: cp_model.CpModel, ctx: CpSatContext, roster: Roster) -> None:
    model.clear_hints()
    for (person, day, shift), var in ctx.vars.items():
        model.add_hint(var, roster[person][day] == shift)


def _restrict(
    problem: Problem, person_id: str, external: Mapping[tuple[int, str, str | None], int]
) -> Problem:
    mine = [p for p in problem.staff if p.id == person_id]
    reference = None
    if problem.reference is not None and person_id in problem.reference:
        reference = {person_id: problem.reference[person_id]}
    return dataclasses.replace(
        problem,
        staff=tuple(mine),
        external_cover=dict(external),
        requests=tuple(r for r in problem.requests if r.person == person_id),
        absences=tuple(a for a in problem.absences if a.person == person_id),
        pins=tuple(p for p in problem.pins if p.person == person_id),
        history={k: v for k, v in problem.history.items() if k == person_id},
        reference=reference,
    )


def _first_row(ctx: CpSatContext, person: str, time_limit: float, seed: int) -> Any:
    """A feasible row fast: decide the work days in date order, working when possible (a depth-first search
    that propagation keeps on track; CP-SAT's default search can fail to find one for long horizons)."""
    model = ctx.model.clone()
    model.clear_objective()
    model.clear_hints()
    works = [ctx.work(person, d) for d in ctx.days]
    model.add_decision_strategy(
        [w for w in works if not isinstance(w, int)], cp_model.CHOOSE_FIRST, cp_model.SELECT_MAX_VALUE
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.05)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.search_branching = cp_model.FIXED_SEARCH
    solver.parameters.stop_after_first_solution = True
    status = solver.solve(model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def construct_by_person(
    problem: Problem, *, deadline: float, workers: int, seed: int, tracker: Tracker
) -> dict[str, tuple[str | None, ...]] | None:
    """A roster built one person at a time, each against the cover the others already give: the dynamic
    programme of `construct.py` where it applies, else a feasible row by a day-ordered search followed by a
    short re-optimisation of that person's row from it."""
    external: dict[tuple[int, str, str | None], int] = dict(problem.external_cover)
    roster = empty_roster(problem)
    order = list(problem.staff)
    cells = forbidden_cells(problem)
    ids = [s.id for s in problem.shift_types]
    dp_rows = 0
    for index, person in enumerate(order):
        if tracker.cancelled() or time.monotonic() > deadline:
            # the construction must not outlive its share of the time limit; the caller goes on with
            # the full model (or reports that no roster was found)
            log.debug("construct: stopped after %d of %d people", index, len(order))
            return None
        allowed = [
            [s for s in ids if (person.id, d, s) not in cells and (person.id, d, None) not in cells]
            for d in range(problem.num_days)
        ]
        row = dp_row(problem, person, external, allowed)
        if row is not None:
            dp_rows += 1
            _count_cover(problem, person, row, external)
            roster[person.id] = row
            continue
        sub = _restrict(problem, person.id, external)
        ctx = build_model(sub)
        left = deadline - time.monotonic()
        budget = max(0.2, left / (len(order) - index) * 0.8)
        first = _first_row(ctx, person.id, max(1.0, budget / 2), seed)
        if first is None:  # rare: give the depth-first search more room once
            first = _first_row(ctx, person.id, max(5.0, budget), seed + 1)
        if first is None:
            log.debug("construct: no row for %s in %.2fs", person.id, budget / 2)
            return None
        row = ctx.roster(first.boolean_value)[person.id]
        _set_hint(ctx.model, ctx, {person.id: row})
        status, solver = _run(
            ctx.model, time_limit=budget / 2, workers=1, seed=seed, tracker=Tracker(), phase="construct"
        )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            row = ctx.roster(solver.boolean_value)[person.id]
        roster[person.id] = row
        _count_cover(problem, person, row, external)
        if tracker.cancelled():
            return None
    log.debug("construct: %d of %d rows by dynamic programming", dp_rows, len(order))
    return roster


def _count_cover(problem: Problem, person: Any, row: Any, external: dict) -> None:
    for cover in problem.cover:
        if row[cover.day] == cover.shift and (
            cover.skill is None or person.has_skill(cover.skill, problem.date(cover.day))
        ):
            key = (cover.day, cover.shift, cover.skill)
            external[key] = external.get(key, 0) + 1


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
    iteration = 0
    while not tracker.cancelled():
        left = deadline - time.monotonic()
        if left < 0.2 or best.objective <= (tracker.bound or -math.inf) + 1e-6:
            return
        iteration += 1
        best.adopt_pool()
        with best.lock:
            roster, objective = best.roster, best.objective
        kind, people, days = hoods.pick(roster)
        sub = _fix_and_hint(ctx, hoods, roster, people, days)
        status, solver = _run(
            sub,
            time_limit=min(left, SUB_TIME),
            workers=1,
            seed=seed + iteration,
            tracker=Tracker(cancel=tracker.cancel),
            phase="lns",
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
            continue
        hoods.feedback(kind, status == cp_model.OPTIMAL)
        value = solver.objective_value
        with best.lock:
            if value <= best.objective + 1e-6:
                improved = value < best.objective - 1e-6
                best.roster, best.objective = ctx.roster(solver.boolean_value), value
                if improved:
                    tracker.report(value, None, "lns")
                    _offer(best.pool, ctx, solver.value, value, "lns")


def _lns(
    ctx: CpSatContext,
    roster: Roster,
    objective: float,
    *,
    deadline: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    pool: IncumbentPool | None = None,
) -> tuple[Roster, float]:
    """One search thread per worker, each running single-worker sub-solves (CP-SAT releases the GIL)."""
    best = _Incumbent(roster, objective, pool)
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


def _model_objective(problem: Problem, roster: Roster) -> float | None:
    """The model's objective of a roster (soft terms + relaxed cover minimum), None if a hard rule breaks."""
    check = roster_check(problem, roster)
    if check.broken:
        return None
    shortfall = sum(p.amount for p in check.hard_penalties())
    return sum(p.amount for p in check.penalties()) + shortfall * problem.weights.cover_minimum_relaxed


def solve_cpsat(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    progress: ProgressFn = None,
    cancel: Cancel = None,
    hint: Roster | None = None,
    lns: bool | None = None,
    incumbents: IncumbentPool | None = None,
) -> Solution:
    tracker = Tracker(progress=progress, cancel=cancel)
    deadline = tracker.start + time_limit
    use_lns = (time_limit >= 5) if lns is None else lns
    large = problem.size > LARGE_MODEL_CELLS and use_lns
    roster: Roster | None = None
    objective: float = math.inf
    proven = False
    huge = problem.size > HUGE_MODEL_CELLS
    if large or huge:  # a roster first, before the (slow to build) model
        share = 1.0 if huge else 0.6
        built = construct_by_person(
            problem, deadline=tracker.start + share * time_limit, workers=workers, seed=seed, tracker=tracker
        )
        value = None if built is None else _model_objective(problem, built)
        log.debug("constructed: %s (%s) at %.1fs", built is not None, value, tracker.elapsed())
        if value is not None:
            roster, objective = built, value
            tracker.report(objective, None, "construct")
            if incumbents is not None and not roster_check(problem, built).hard_penalties():
                incumbents.offer(built, value, "cpsat:construct")
    if huge:  # the full model would need >10 GB (Instance24: 1.7 M cells); return the construction
        if roster is None:
            return Solution(
                roster=empty_roster(problem),
                objective=None,
                bound=None,
                status=UNKNOWN,
                engine="cpsat",
                message="no roster found within the time limit (construction only)",
            )
        return make_solution(
            problem,
            roster,
            status=FEASIBLE,
            bound=None,
            engine="cpsat",
            tracker=tracker,
            build=0.0,
            message="construction only: model too large to build",
        )
    ctx = build_model(problem)
    build = tracker.elapsed()
    cells = len(ctx.vars)
    log.debug("built %d cells at %.1fs", cells, build)
    hint = hint if hint is not None else problem.reference
    shared = incumbents.best() if incumbents is not None else None
    if shared is not None and (roster is None or shared.objective < objective):
        hint = shared.roster  # another engine of the portfolio already has a roster: start from it
    if hint is not None:
        _set_hint(ctx.model, ctx, hint)

    if not large:
        share = FIRST_SHARE if use_lns else 1.0
        left = deadline - time.monotonic()
        status, solver = _run(
            ctx.model,
            time_limit=left * share,
            workers=workers,
            seed=seed,
            tracker=tracker,
            phase="full",
            ctx=ctx,
            pool=incumbents,
        )
        if status == cp_model.INFEASIBLE:
            return _infeasible(problem, tracker, build)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            roster, objective = ctx.roster(solver.boolean_value), solver.objective_value
            tracker.report(objective, solver.best_objective_bound, "full")
            proven = status == cp_model.OPTIMAL
        elif status == cp_model.UNKNOWN:
            tracker.report(None, solver.best_objective_bound, "full")
        if roster is None and use_lns and not tracker.cancelled():
            built = construct_by_person(
                problem,
                deadline=deadline - 0.2 * (deadline - time.monotonic()),
                workers=workers,
                seed=seed,
                tracker=tracker,
            )
            value = None if built is None else _model_objective(problem, built)
            if value is not None:
                roster, objective = built, value
                tracker.report(objective, None, "construct")
    if roster is not None and use_lns and not proven:
        roster, objective = _lns(
            ctx,
            roster,
            objective,
            deadline=deadline,
            workers=workers,
            seed=seed,
            tracker=tracker,
            pool=incumbents,
        )
    if roster is None:
        status_name = "cancelled" if tracker.cancelled() else "no roster found within the time limit"
        return Solution(
            roster=empty_roster(problem),
            objective=None,
            bound=tracker.bound,
            status=UNKNOWN,
            engine="cpsat",
            message=status_name,
        )
    bounded = tracker.bound is not None and objective <= tracker.bound + 1e-6
    status = OPTIMAL if proven or bounded else FEASIBLE
    message = f"{cells} assignment variables; model objective {objective:g}"
    return make_solution(
        problem,
        roster,
        status=status,
        bound=tracker.bound,
        engine="cpsat",
        tracker=tracker,
        build=build,
        message=message,
    )


def _infeasible(problem: Problem, tracker: Tracker, build: float) -> Solution:
    from .explain import blocking_rules

    blockers = blocking_rules(problem)
    return Solution(
        roster=empty_roster(problem),
        objective=None,
        bound=None,
        status=INFEASIBLE,
        engine="cpsat",
        message="the contract rules cannot all hold, even with cover relaxed; see blocking_rules",
        blocking_rules=blockers,
        timings=Timings(build=build, solve=tracker.elapsed() - build),
    )
