"""Cover rules: a hard minimum per day, shift and optional skill, and a soft preferred level."""

from __future__ import annotations

from typing import Any

from ..domain import Cover, Problem
from . import hard_rule, soft_rule


def cover_count(ctx: Any, problem: Problem, cover: Cover) -> tuple[Any, int]:
    """The number of people on the cover's shift who count for it, and an upper bound on it."""
    date = problem.date(cover.day)
    people = [p for p in ctx.staff if cover.skill is None or p.has_skill(cover.skill, date)]
    external = problem.external_cover.get((cover.day, cover.shift, cover.skill), 0)
    count = ctx.sum(ctx.x(p.id, cover.day, cover.shift) for p in people) + external
    return count, len(people) + external


@hard_rule(scope="global")
def cover_minimum(ctx: Any, problem: Problem) -> None:
    """Hard: at least `minimum` people on the shift. When relaxed, each missing person is a hard violation,
    penalised with `weights.cover_minimum_relaxed` so the closest roster is found and the shortfall explained.
    """
    for cover in problem.cover:
        if cover.minimum <= 0:
            continue
        count, _ = cover_count(ctx, problem, cover)
        if ctx.relax_cover:
            missing = ctx.max0(cover.minimum - count, ub=cover.minimum, name="cover_minimum")
            ctx.penalize_hard(
                missing,
                problem.weights.cover_minimum_relaxed,
                rule="cover_minimum",
                day=cover.day,
                shift=cover.shift,
            )
        else:
            ctx.add(count >= cover.minimum, rule="cover_minimum", day=cover.day)


@soft_rule(scope="global")
def cover_under_preferred(ctx: Any, problem: Problem) -> None:
    """Soft: `weight_under` per person below the preferred level."""
    for cover in problem.cover:
        if cover.weight_under and cover.preferred > 0:
            count, _ = cover_count(ctx, problem, cover)
            under = ctx.max0(cover.preferred - count, ub=cover.preferred, name="cover_under")
            ctx.penalize(
                under, cover.weight_under, rule="cover_under_preferred", day=cover.day, shift=cover.shift
            )


@soft_rule(scope="global")
def cover_over_preferred(ctx: Any, problem: Problem) -> None:
    """Soft: `weight_over` per person above the preferred level."""
    for cover in problem.cover:
        if cover.weight_over:
            count, most = cover_count(ctx, problem, cover)
            if most > cover.preferred:
                over = ctx.max0(count - cover.preferred, ub=most - cover.preferred, name="cover_over")
                ctx.penalize(
                    over, cover.weight_over, rule="cover_over_preferred", day=cover.day, shift=cover.shift
                )


@soft_rule(scope="global")
def cover_shortfall_risk(ctx: Any, problem: Problem) -> None:
    """Soft: `weights.cover_shortfall_risk` times the chance the shift is under-staffed at the count rostered
    (`Cover.short_risk`, from sampled demand paths), so cost is traded against that chance shift by shift.
    The chance never rises with the count but need not be convex in it: one 0/1 per level it still falls at
    (`ctx.falling_cost`), so the model stays linear and exact."""
    weight = problem.weights.cover_shortfall_risk
    if not weight:
        return
    for cover in problem.cover:
        if not cover.short_risk:
            continue
        count, most = cover_count(ctx, problem, cover)
        external = problem.external_cover.get((cover.day, cover.shift, cover.skill), 0)
        costs = [cover.risk_penalty(c, weight) for c in range(most + 1)]
        if not any(costs[external:]):
            continue
        risk = ctx.falling_cost(count, costs, low=external, name="cover_risk")
        ctx.penalize(risk, 1, rule="cover_shortfall_risk", day=cover.day, shift=cover.shift)
