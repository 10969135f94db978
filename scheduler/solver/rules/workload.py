"""Per-person workload rules: one shift a day, successions and rest, counts, minutes, weekends, pins."""

from __future__ import annotations

from typing import Any

from ..domain import Problem
from . import hard_rule


@hard_rule()
def one_shift_per_day(ctx: Any, problem: Problem) -> None:
    """Hard: at most one shift per person and day."""
    for person in ctx.staff:
        for day in ctx.days:
            if len(ctx.allowed(person.id, day)) > 1:
                ctx.add(ctx.work(person.id, day) <= 1, rule="one_shift_per_day", person=person.id, day=day)


def _forbid_successions(
    ctx: Any, problem: Problem, person: str, pairs: dict[str, set[str]], rule: str
) -> None:
    history = problem.history.get(person, ())
    if history and history[-1] in pairs:
        banned = ctx.sum(ctx.x(person, 0, t) for t in pairs[history[-1]])
        ctx.add(banned <= 0, rule=rule, person=person, day=0)
    for day in range(problem.num_days - 1):
        for first, nexts in pairs.items():
            before = ctx.x(person, day, first)
            if isinstance(before, int) and before == 0:
                continue  # nothing to forbid (one shift a day already bounds the next day); 3x faster checks
            terms = [ctx.x(person, day + 1, t) for t in nexts]
            ctx.add(before + ctx.sum(terms) <= 1, rule=rule, person=person, day=day + 1)


@hard_rule()
def forbidden_successions(ctx: Any, problem: Problem) -> None:
    """Hard: a shift listed as unable to follow another is not worked the day after it."""
    pairs: dict[str, set[str]] = {}
    for first, second in problem.forbidden_successions:
        pairs.setdefault(first, set()).add(second)
    if pairs:
        for person in ctx.staff:
            _forbid_successions(ctx, problem, person.id, pairs, "forbidden_successions")


@hard_rule()
def min_rest_between_shifts(ctx: Any, problem: Problem) -> None:
    """Hard: the next day's shift starts at least the contract's rest after the previous shift ends."""
    for person in ctx.staff:
        rest = person.contract.min_rest_minutes
        if not rest:
            continue
        pairs: dict[str, set[str]] = {}
        for first in problem.shift_types:
            for second in problem.shift_types:
                if second.start_minute + 1440 - first.end_minute < rest:
                    pairs.setdefault(first.id, set()).add(second.id)
        if pairs:
            _forbid_successions(ctx, problem, person.id, pairs, "min_rest_between_shifts")


@hard_rule()
def max_shifts_per_type(ctx: Any, problem: Problem) -> None:
    """Hard: at most the contract's number of shifts of each type over the horizon."""
    for person in ctx.staff:
        for shift, limit in person.contract.max_shifts_per_type.items():
            if 0 < limit < problem.num_days:
                count = ctx.sum(ctx.x(person.id, d, shift) for d in ctx.days)
                ctx.add(count <= limit, rule="max_shifts_per_type", person=person.id)


@hard_rule()
def max_total_minutes(ctx: Any, problem: Problem) -> None:
    """Hard: worked minutes over the horizon at most the contract maximum."""
    for person in ctx.staff:
        limit = person.contract.max_total_minutes
        if limit is not None:
            ctx.add(ctx.minutes(person.id, ctx.days) <= limit, rule="max_total_minutes", person=person.id)


@hard_rule()
def min_total_minutes(ctx: Any, problem: Problem) -> None:
    """Hard: worked minutes over the horizon at least the contract minimum."""
    for person in ctx.staff:
        limit = person.contract.min_total_minutes
        if limit:
            ctx.add(ctx.minutes(person.id, ctx.days) >= limit, rule="min_total_minutes", person=person.id)


@hard_rule()
def max_weekly_minutes(ctx: Any, problem: Problem) -> None:
    """Hard: worked minutes in each calendar week (also partial weeks at the edges) at most the maximum."""
    for person in ctx.staff:
        limit = person.contract.max_weekly_minutes
        if limit is not None:
            for days, _full in problem.weeks():
                ctx.add(
                    ctx.minutes(person.id, days) <= limit,
                    rule="max_weekly_minutes",
                    person=person.id,
                    day=days[0],
                )


@hard_rule()
def min_weekly_minutes(ctx: Any, problem: Problem) -> None:
    """Hard: worked minutes in each complete calendar week inside the horizon at least the minimum."""
    for person in ctx.staff:
        limit = person.contract.min_weekly_minutes
        if limit:
            for days, full in problem.weeks():
                if full:
                    ctx.add(
                        ctx.minutes(person.id, days) >= limit,
                        rule="min_weekly_minutes",
                        person=person.id,
                        day=days[0],
                    )


@hard_rule()
def max_weekends(ctx: Any, problem: Problem) -> None:
    """Hard: weekends with a shift on Saturday or Sunday at most the contract maximum."""
    weekends = problem.weekends()
    for person in ctx.staff:
        limit = person.contract.max_weekends
        if limit is not None and limit < len(weekends):
            worked = [ctx.weekend_worked(person.id, i, days) for i, days in enumerate(weekends)]
            ctx.add(ctx.sum(worked) <= limit, rule="max_weekends", person=person.id)


@hard_rule()
def pinned_assignments(ctx: Any, problem: Problem) -> None:
    """Hard: a pinned shift (or pinned day off) is kept."""
    for pin in problem.pins:
        if not any(p.id == pin.person for p in ctx.staff):
            continue
        if pin.shift is None:
            ctx.add(
                ctx.work(pin.person, pin.day) <= 0, rule="pinned_assignments", person=pin.person, day=pin.day
            )
        else:
            ctx.add(
                ctx.x(pin.person, pin.day, pin.shift) >= 1,
                rule="pinned_assignments",
                person=pin.person,
                day=pin.day,
            )
