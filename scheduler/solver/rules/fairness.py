"""Soft fairness: the spread (max - min) of nights, weekends and worked minutes within each contract group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain import Person, Problem
from . import soft_rule


def _groups(ctx: Any) -> list[list[Person]]:
    groups: dict[str, list[Person]] = {}
    for person in ctx.staff:
        groups.setdefault(person.contract.id, []).append(person)
    return [members for members in groups.values() if len(members) > 1]


def _spread(ctx: Any, measure: Callable[[Person], Any], ub: int, weight: int, rule: str) -> None:
    if not weight:
        return
    for members in _groups(ctx):
        values = [measure(p) for p in members]
        spread = ctx.upper(values, ub=ub) - ctx.lower(values, ub=ub)
        ctx.penalize(spread, weight, rule=rule, person=f"group:{members[0].contract.id}")


@soft_rule(scope="global")
def fairness_nights(ctx: Any, problem: Problem) -> None:
    """Soft: `weights.fairness_nights` per night of spread between people on the same contract."""
    _spread(
        ctx,
        lambda p: ctx.sum(ctx.night(p.id, d) for d in ctx.days),
        problem.num_days,
        problem.weights.fairness_nights,
        "fairness_nights",
    )


@soft_rule(scope="global")
def fairness_weekends(ctx: Any, problem: Problem) -> None:
    """Soft: `weights.fairness_weekends` per worked weekend of spread between people on the same contract."""
    weekends = problem.weekends()
    _spread(
        ctx,
        lambda p: ctx.sum(ctx.weekend_worked(p.id, i, days) for i, days in enumerate(weekends)),
        len(weekends),
        problem.weights.fairness_weekends,
        "fairness_weekends",
    )


@soft_rule(scope="global")
def fairness_minutes(ctx: Any, problem: Problem) -> None:
    """Soft: `weights.fairness_minutes` per minute of spread in worked minutes on the same contract."""
    longest = max((s.length_minutes for s in problem.shift_types), default=0)
    _spread(
        ctx,
        lambda p: ctx.minutes(p.id, ctx.days),
        longest * problem.num_days,
        problem.weights.fairness_minutes,
        "fairness_minutes",
    )
