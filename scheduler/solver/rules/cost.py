"""Soft labour cost (hourly rates) and overtime above contract minutes, and the change penalty."""

from __future__ import annotations

from typing import Any

from ..domain import Problem
from . import soft_rule


@soft_rule()
def labour_cost(ctx: Any, problem: Problem) -> None:
    """Soft: each shift costs hourly_rate * length_minutes // 60 (rounded down per shift)."""
    for person in ctx.staff:
        if person.hourly_rate:
            for day in ctx.days:
                for shift in problem.shift_types:
                    cost = person.hourly_rate * shift.length_minutes // 60
                    ctx.penalize(
                        ctx.x(person.id, day, shift.id),
                        cost,
                        rule="labour_cost",
                        person=person.id,
                        day=day,
                        shift=shift.id,
                    )


@soft_rule()
def overtime_cost(ctx: Any, problem: Problem) -> None:
    """Soft: overtime_premium per started hour worked above the contract's contract_minutes."""
    longest = max((s.length_minutes for s in problem.shift_types), default=0)
    for person in ctx.staff:
        contracted = person.contract.contract_minutes
        if person.overtime_premium and contracted is not None:
            excess = ctx.minutes(person.id, ctx.days) - contracted
            hours = ctx.max0(excess, ub=longest * problem.num_days // 60 + 1, divisor=60, name="overtime")
            ctx.penalize(hours, person.overtime_premium, rule="overtime_cost", person=person.id)


@soft_rule()
def change_from_reference(ctx: Any, problem: Problem) -> None:
    """Soft: `weights.change` per person-day that differs from the reference roster (minimal change)."""
    weight = problem.weights.change
    if not weight or problem.reference is None:
        return
    for person in ctx.staff:
        reference = problem.reference.get(person.id)
        if reference is None:
            continue
        for day in ctx.days:
            before = reference[day]
            changed = ctx.work(person.id, day) if before is None else 1 - ctx.x(person.id, day, before)
            ctx.penalize(changed, weight, rule="change_from_reference", person=person.id, day=day)
