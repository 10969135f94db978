"""The vocabulary rules are written in, so one rule serves every engine.

A rule calls ``ctx.x(person, day, shift)`` for the 0/1 "works this shift" term, combines terms with ``+``,
``*`` and ``ctx.sum``, and then either ``ctx.add(constraint, rule=...)`` (hard) or ``ctx.penalize(term,
weight, rule=...)`` (soft). Engines subclass `ModelContext` (CP-SAT variables, PuLP variables); `ValueContext`
plugs in a fixed roster, so the same rules also check a roster (used by the assignment engine and to explain
shortfalls). Every term carries its rule name, person and day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .domain import Penalty, Person, Problem, Roster


@dataclass(frozen=True)
class Term:
    expr: Any
    weight: int
    rule: str
    person: str | None
    day: int | None
    shift: str | None = None
    detail: str = ""


class ModelContext:
    """Shared base: allowed cells (from the cell rules), lookups and the term bookkeeping; for the solver
    engines also a 0/1 variable per allowed (person, day, shift) cell, a "works that day" term per (person,
    day), and the primitives the rules use, written once over four backend hooks (`new_bool`, `new_var`,
    `post`, `linear_sum`) that CP-SAT and PuLP implement. `ValueContext` overrides the terms with a roster's
    values."""

    def __init__(
        self,
        problem: Problem,
        *,
        staff: Sequence[Person] | None = None,
        relax_cover: bool = True,
        cells: dict | None = None,
    ) -> None:
        from .rules import forbidden_cells

        self.problem = problem
        self.staff: Sequence[Person] = tuple(problem.staff if staff is None else staff)
        self.relax_cover = relax_cover
        self.days = range(problem.num_days)
        self.shift_ids = [s.id for s in problem.shift_types]
        self.forbidden = forbidden_cells(problem) if cells is None else cells
        self.soft_terms: list[Term] = []
        self.hard_terms: list[Term] = []  # relaxed hard rules (cover minimum): penalised heavily
        self._weekend_cache: dict[tuple[str, int], Any] = {}
        self.vars: dict[tuple[str, int, str], Any] = {}  # engines: one 0/1 variable per allowed cell
        self._work: dict[tuple[str, int], Any] = {}

    # cells
    # ------------------------------------------------------------------------------------------------------
    def allowed(self, person: str, day: int) -> list[str]:
        forbidden = self.forbidden
        if (person, day, None) in forbidden:
            return []
        return [s for s in self.shift_ids if (person, day, s) not in forbidden]

    def _build_cells(self) -> None:
        for person in self.staff:
            for day in self.days:
                allowed = self.allowed(person.id, day)
                cells = [self.new_bool(f"x[{person.id},{day},{s}]") for s in allowed]
                for shift, var in zip(allowed, cells, strict=True):
                    self.vars[(person.id, day, shift)] = var
                if not cells:
                    self._work[(person.id, day)] = 0
                elif len(cells) == 1:
                    self._work[(person.id, day)] = cells[0]
                else:
                    work = self.new_bool(f"work[{person.id},{day}]")
                    self.post(work == self.linear_sum(cells))
                    self._work[(person.id, day)] = work

    # backend hooks (and `add`, which turns a rule's constraint into the backend's)
    def add(self, constraint: Any, *, rule: str, person: str | None = None, day: int | None = None) -> None:
        raise NotImplementedError

    def new_bool(self, name: str) -> Any:
        raise NotImplementedError

    def new_var(self, low: int, up: int, name: str, *, integer: bool) -> Any:
        raise NotImplementedError

    def post(self, constraint: Any) -> None:
        raise NotImplementedError

    def linear_sum(self, terms: list[Any]) -> Any:
        raise NotImplementedError

    # the rules' vocabulary
    def x(self, person: str, day: int, shift: str) -> Any:
        return self.vars.get((person, day, shift), 0)

    def work(self, person: str, day: int) -> Any:
        return self._work[(person, day)]

    def sum(self, terms: Any) -> Any:
        return self.linear_sum(list(terms))

    def max0(self, expr: Any, *, ub: int, divisor: int = 1, name: str = "") -> Any:
        if isinstance(expr, int):
            return max(0, math.ceil(expr / divisor))
        var = self.new_var(0, max(ub, 0), name or "max0", integer=divisor > 1)
        self.post(divisor * var >= expr)
        return var

    def any_of(self, terms: list[Any]) -> Any:
        variables = [t for t in terms if not isinstance(t, int)]
        constant = max((t for t in terms if isinstance(t, int)), default=0)
        if constant or not variables:
            return constant
        if len(variables) == 1:
            return variables[0]
        var = self.new_var(0, 1, "any", integer=False)
        for term in variables:
            self.post(var >= term)
        # and from above: a rule that rewards a larger count (the low side of a fairness spread) must not
        # get "worked" for free on a weekend nobody worked
        self.post(var <= self.sum(variables))
        return var

    def falling_cost(self, count: Any, costs: Sequence[int], *, low: int = 0, name: str = "") -> Any:
        """``costs[min(c, len(costs) - 1)]`` when ``count`` is ``c >= low``, for costs that never rise with
        the count (convex or not): one 0/1 "count reaches k" per level k where the cost can still fall, taken
        in order, no more of them than ``count - low``; minimising takes as many as the count allows."""
        if isinstance(count, int):
            return costs[min(max(count, 0), len(costs) - 1)]
        last = max((k for k in range(low + 1, len(costs)) if costs[k] < costs[k - 1]), default=low)
        reached = [self.new_bool(f"{name or 'level'}[{k}]") for k in range(low + 1, last + 1)]
        for higher, lower in zip(reached[1:], reached, strict=False):
            self.post(lower >= higher)
        if reached:
            self.post(self.linear_sum(reached) + low <= count)
        drops = [
            (costs[k] - costs[k - 1]) * y for k, y in zip(range(low + 1, last + 1), reached, strict=True)
        ]
        return self.linear_sum([*drops, costs[low]]) if drops else costs[low]

    def upper(self, exprs: list[Any], *, ub: int) -> Any:
        var = self.new_var(0, ub, "upper", integer=False)
        for expr in exprs:
            self.post(var >= expr)
        return var

    def lower(self, exprs: list[Any], *, ub: int) -> Any:
        var = self.new_var(0, ub, "lower", integer=False)
        for expr in exprs:
            self.post(var <= expr)
        return var

    def objective_expr(self) -> Any:
        return self.linear_sum([t.weight * t.expr for t in (*self.soft_terms, *self.hard_terms)])

    def roster(self, value: Any) -> dict[str, tuple[str | None, ...]]:
        """The roster of a solution, `value(var)` giving each cell variable's value."""
        rows: dict[str, list[str | None]] = {p.id: [None] * self.problem.num_days for p in self.staff}
        for (person, day, shift), var in self.vars.items():
            if (value(var) or 0) > 0.5:
                rows[person][day] = shift
        return {p: tuple(r) for p, r in rows.items()}

    # derived terms the rules use
    # ----------------------------------------------------------------------------------------
    def night(self, person: str, day: int) -> Any:
        return self.sum(self.x(person, day, s.id) for s in self.problem.shift_types if s.night)

    def minutes(self, person: str, days: Iterable[int]) -> Any:
        shifts = self.problem.shift_types
        return self.sum(s.length_minutes * self.x(person, d, s.id) for d in days for s in shifts)

    def weekend_worked(self, person: str, index: int, days: tuple[int, ...]) -> Any:
        key = (person, index)
        if key not in self._weekend_cache:
            self._weekend_cache[key] = self.any_of([self.work(person, d) for d in days])
        return self._weekend_cache[key]

    def sequence(self, person: str, value: str) -> tuple[list[Any], int]:
        """Per-day 0/1 terms for history + horizon (`value`: "work" or "night"), and the horizon's offset."""
        history = self.problem.history.get(person, ())
        shifts = {s.id: s for s in self.problem.shift_types}
        if value == "work":
            past = [int(h is not None) for h in history]
            now = [self.work(person, d) for d in self.days]
        else:
            past = [int(h is not None and shifts[h].night) for h in history]
            now = [self.night(person, d) for d in self.days]
        return past + now, len(past)

    def penalize(
        self,
        expr: Any,
        weight: int,
        *,
        rule: str,
        person: str | None = None,
        day: int | None = None,
        shift: str | None = None,
        detail: str = "",
    ) -> None:
        if weight:
            self.soft_terms.append(Term(expr, weight, rule, person, day, shift, detail))

    def penalize_hard(
        self,
        expr: Any,
        weight: int,
        *,
        rule: str,
        person: str | None = None,
        day: int | None = None,
        shift: str | None = None,
    ) -> None:
        self.hard_terms.append(Term(expr, weight, rule, person, day, shift))


class ValueContext(ModelContext):
    """Rules evaluated on a fixed roster: constraints become checks, penalties become numbers."""

    def __init__(self, problem: Problem, roster: Roster, **kwargs: Any) -> None:
        super().__init__(problem, **kwargs)
        self.roster = roster
        self.broken: list[Penalty] = []
        for person in self.staff:
            row = roster[person.id]
            for day, shift in enumerate(row):
                if shift is None:
                    continue
                rule = self.forbidden.get((person.id, day, None)) or self.forbidden.get(
                    (person.id, day, shift)
                )
                if rule:
                    self.broken.append(Penalty(rule, 1, person.id, day, shift))

    def x(self, person: str, day: int, shift: str) -> int:
        return int(self.roster[person][day] == shift)

    def sum(self, terms: Iterable[Any]) -> int:
        return sum(terms)

    def work(self, person: str, day: int) -> int:
        return int(self.roster[person][day] is not None)

    def add(self, constraint: Any, *, rule: str, person: str | None = None, day: int | None = None) -> None:
        if not constraint:
            self.broken.append(Penalty(rule, 1, person, day))

    def max0(self, expr: Any, *, ub: int, divisor: int = 1, name: str = "") -> int:
        return max(0, math.ceil(expr / divisor)) if divisor > 1 else max(0, expr)

    def any_of(self, terms: list[Any]) -> int:
        return max(terms, default=0)

    def upper(self, exprs: list[Any], *, ub: int) -> int:
        return max(exprs)

    def lower(self, exprs: list[Any], *, ub: int) -> int:
        return min(exprs)

    def penalties(self) -> list[Penalty]:
        return [
            Penalty(t.rule, t.weight * t.expr, t.person, t.day, t.shift, t.detail)
            for t in self.soft_terms
            if t.weight * t.expr
        ]

    def hard_penalties(self) -> list[Penalty]:
        return [Penalty(t.rule, t.expr, t.person, t.day, t.shift) for t in self.hard_terms if t.expr]


def roster_check(
    problem: Problem,
    roster: Roster,
    *,
    staff: Sequence[Person] | None = None,
    include_soft: bool = True,
    cells: dict | None = None,
    scopes: tuple[str, ...] = ("person", "global"),
) -> ValueContext:
    """Run every rule on `roster` (hard cover minimum relaxed, i.e. reported as a hard term)."""
    from .rules import build_rules

    ctx = ValueContext(problem, roster, staff=staff, cells=cells)
    build_rules(ctx, soft=include_soft, scopes=scopes)
    return ctx
