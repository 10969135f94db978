"""Retired CP-SAT model alternatives, kept with the measurement that retired them (not used by the product).

Both are redundant with the linear sequence rules in `scheduler/solver/rules/sequences.py`:
- `add_work_automata`: one `add_automaton` constraint per person over the work pattern;
- `add_work_flows`: the same automaton as an explicit flow over a layered graph (one arc literal per day and
  transition), whose LP relaxation is exact for each person's sequence rules.

Measured on Curtois Instance1-8 (2 workers, this machine; the note in the former `scheduler/solver/cpsat.py`):
slower proofs on Instance1, no better bound on Instance4, and no roster at all on Instance8 in 20 s with the
flows, so both were switched off (`automata=False`, `FLOWS = False`) and are now out of the engine. To measure
again, build the model with `build_model`, call one of these on the context, then `ctx.set_objective()`.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from scheduler.solver.construct import _automaton
from scheduler.solver.cpsat.context import CpSatContext


def work_automaton(
    max_work: int, min_work: int, min_off: int
) -> tuple[int, list[int], list[tuple[int, int, int]]]:
    """States and transitions (label 1 = works, 0 = off) of the consecutive-days rules with the benchmark's
    boundary semantics: the construction's automaton (`scheduler/solver/construct.py`)."""
    start, arcs, num_states, _off = _automaton(max_work, min_work, min_off)
    return start, list(range(num_states)), arcs


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
