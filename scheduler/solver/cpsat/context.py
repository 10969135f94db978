"""The CP-SAT model of a problem: the shared rules over CP-SAT variables (`ModelContext` backend hooks)."""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from ..context import ModelContext
from ..domain import Problem, Roster
from ..rules import build_rules


class CpSatContext(ModelContext):
    def __init__(self, problem: Problem, **kwargs: Any) -> None:
        super().__init__(problem, **kwargs)
        self.model = cp_model.CpModel()
        self.hard_expr: Any = 0
        self.fallback: tuple[Roster, float] | None = None  # best roster with unmet cover minimums
        self._build_cells()

    def new_bool(self, name: str) -> Any:
        return self.model.new_bool_var(name)

    def new_var(self, low: int, up: int, name: str, *, integer: bool) -> Any:
        return self.model.new_int_var(low, up, name)  # CP-SAT is integer throughout

    def post(self, constraint: Any) -> None:
        self.model.add(constraint)

    def linear_sum(self, terms: list[Any]) -> Any:
        return cp_model.LinearExpr.sum(terms)

    def add(self, constraint: Any, *, rule: str, person: str | None = None, day: int | None = None) -> None:
        if isinstance(constraint, bool):
            if not constraint:
                self.model.add_bool_or([])  # a constant contradiction: the model is infeasible
            return
        self.model.add(constraint)

    def set_objective(self) -> None:
        self.model.minimize(self.objective_expr())
        # the relaxed hard terms (cover minimum shortfall): a roster is only shared when this is 0
        self.hard_expr = cp_model.LinearExpr.sum([t.expr for t in self.hard_terms])

    def set_hint(self, roster: Roster) -> None:
        self.model.clear_hints()
        for (person, day, shift), var in self.vars.items():
            self.model.add_hint(var, roster[person][day] == shift)


def build_model(problem: Problem, *, relax_cover: bool = True) -> CpSatContext:
    ctx = CpSatContext(problem, relax_cover=relax_cover)
    build_rules(ctx)
    ctx.set_objective()
    return ctx
