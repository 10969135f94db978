"""A first roster one person at a time, each against the cover the people before them already give: the
dynamic programme of `scheduler/solver/construct.py` where it applies, else a feasible row by a day-ordered
CP-SAT search followed by a short re-optimisation of that person's row from it."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from ortools.sat.python import cp_model

from ..construct import dp_row
from ..context import roster_check
from ..domain import Person, Problem, Roster, empty_roster
from ..result import Tracker
from ..rules import forbidden_cells
from .context import CpSatContext, build_model
from .run import run_model

log = logging.getLogger(__name__)


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
    problem: Problem,
    *,
    deadline: float,
    seed: int,
    tracker: Tracker,
    relax: Callable[[Person], Person | None] | None = None,
) -> dict[str, tuple[str | None, ...]] | None:
    """A roster built one person at a time, each against the cover the others already give: the dynamic
    programme of `construct.py` where it applies, else a feasible row by a day-ordered search followed by a
    short re-optimisation of that person's row from it. `relax` (rolling horizon windows): a looser contract
    for a person the programme cannot serve, tried in turn until it returns None."""
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
        row = dp_row(problem, person, external, allowed, cells)
        relaxed: Person | None = person
        while row is None and relax is not None and (relaxed := relax(relaxed)) is not None:
            row = dp_row(problem, relaxed, external, allowed, cells)
        if row is not None:
            dp_rows += 1
            count_cover(problem, person, row, external)
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
        ctx.set_hint({person.id: row})
        status, solver = run_model(
            ctx.model, time_limit=budget / 2, workers=1, seed=seed, tracker=Tracker(), phase="construct"
        )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            row = ctx.roster(solver.boolean_value)[person.id]
        roster[person.id] = row
        count_cover(problem, person, row, external)
        if tracker.cancelled():
            return None
    log.debug("construct: %d of %d rows by dynamic programming", dp_rows, len(order))
    return roster


def count_cover(problem: Problem, person: Any, row: Any, external: dict, sign: int = 1) -> None:
    """Add (or with `sign=-1` take away) the cover `person` gives working `row`."""
    for cover in problem.cover:
        if row[cover.day] == cover.shift and (
            cover.skill is None or person.has_skill(cover.skill, problem.date(cover.day))
        ):
            key = (cover.day, cover.shift, cover.skill)
            external[key] = external.get(key, 0) + sign


def model_objective(problem: Problem, roster: Roster) -> tuple[float, bool] | None:
    """The model's objective of a roster (soft terms + relaxed cover minimum) and whether it meets every hard
    cover minimum; None if a hard rule breaks."""
    check = roster_check(problem, roster)
    if check.broken:
        return None
    shortfall = sum(p.amount for p in check.hard_penalties())
    objective = sum(p.amount for p in check.penalties()) + shortfall * problem.weights.cover_minimum_relaxed
    return objective, shortfall == 0
