"""The labour budget as a soft limit: hours and cost of each week beyond what the week may spend."""

from __future__ import annotations

from typing import Any

from ..domain import Problem
from . import soft_rule


@soft_rule(scope="global")
def labour_budget_over(ctx: Any, problem: Problem) -> None:
    """Soft: `weights.labour_budget_over` per started hour worked above a week's budgeted minutes, and per
    cost unit above its budgeted cost (each shift costing what `labour_cost` charges for it), so a roster
    spends past its budget only where that buys more than it costs."""
    weight = problem.weights.labour_budget_over
    if not weight:
        return
    shifts = problem.shift_types
    longest = max((s.length_minutes for s in shifts), default=0)
    for budget in problem.budgets:
        days = budget.days
        if budget.minutes is not None:
            worked = ctx.sum(ctx.minutes(p.id, days) for p in ctx.staff)
            most = longest * len(days) * len(ctx.staff)
            if most > budget.minutes:
                hours = ctx.max0(
                    worked - budget.minutes, ub=(most - budget.minutes) // 60 + 1, divisor=60, name="budget_h"
                )
                ctx.penalize(hours, weight, rule="labour_budget_over", day=days[0], detail="hours")
        if budget.cost is not None:
            priced = [(p, s, p.hourly_rate * s.length_minutes // 60) for p in ctx.staff for s in shifts]
            spent = ctx.sum(cost * ctx.x(p.id, d, s.id) for p, s, cost in priced if cost for d in days)
            most = sum(p.hourly_rate * longest // 60 for p in ctx.staff) * len(days)
            if most > budget.cost:
                over = ctx.max0(spent - budget.cost, ub=most - budget.cost, name="budget_cost")
                ctx.penalize(over, weight, rule="labour_budget_over", day=days[0], detail="cost")
