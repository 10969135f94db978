"""Rules, one function per rule, named after the rule, registered as hard or soft.

Three kinds:
- cell rules (`CELL_RULES`): ``fn(problem) -> iterable of (person, day, shift or None)`` cells nobody may fill
  (None: every shift that day). Engines create no variable for such a cell; checkers flag a filled one.
- hard rules (`HARD_RULES`): ``fn(ctx, problem)`` adding constraints with ``ctx.add(..., rule=name)``.
- soft rules (`SOFT_RULES`): ``fn(ctx, problem)`` adding penalty terms with ``ctx.penalize(..., rule=name)``.

Rules with scope "person" only look at ``ctx.staff`` one person at a time; "global" rules (cover, fairness)
look across people. Every rule is linear, so CP-SAT and the MILP both support all of them, and `ValueContext`
evaluates them on a fixed roster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..domain import Problem

CellRule = Callable[[Problem], Iterable[tuple[str, int, str | None]]]
Rule = Callable[[Any, Problem], None]

CELL_RULES: dict[str, CellRule] = {}
HARD_RULES: dict[str, Rule] = {}
SOFT_RULES: dict[str, Rule] = {}
SCOPE: dict[str, str] = {}


def cell_rule(fn: CellRule) -> CellRule:
    CELL_RULES[fn.__name__] = fn
    return fn


def hard_rule(scope: str = "person") -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        HARD_RULES[fn.__name__] = fn
        SCOPE[fn.__name__] = scope
        return fn

    return register


def soft_rule(scope: str = "person") -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        SOFT_RULES[fn.__name__] = fn
        SCOPE[fn.__name__] = scope
        return fn

    return register


def forbidden_cells(problem: Problem) -> dict[tuple[str, int, str | None], str]:
    found: dict[tuple[str, int, str | None], str] = {}
    for name, fn in CELL_RULES.items():
        for cell in fn(problem):
            found.setdefault(cell, name)
    return found


def build_rules(
    ctx: Any, *, soft: bool = True, scopes: tuple[str, ...] = ("person", "global"), skip: Iterable[str] = ()
) -> None:
    skipped = set(skip)
    rules = list(HARD_RULES.items()) + (list(SOFT_RULES.items()) if soft else [])
    for name, fn in rules:
        if SCOPE[name] in scopes and name not in skipped:
            fn(ctx, ctx.problem)


from . import budget, cells, cost, cover, fairness, requests, sequences, workload  # noqa: E402,F401  (registration)
