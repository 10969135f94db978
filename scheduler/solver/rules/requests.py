"""Soft shift requests: on (wants a shift, or any shift) and off (wants not a shift, or the day off)."""

from __future__ import annotations

from typing import Any

from ..domain import Problem
from . import soft_rule


def _in_scope(ctx: Any) -> set[str]:
    return {p.id for p in ctx.staff}


@soft_rule()
def shift_on_requests(ctx: Any, problem: Problem) -> None:
    """Soft: `weight` when the requested shift (any shift if None) is not worked."""
    people = _in_scope(ctx)
    for request in problem.requests:
        if request.on and request.person in people:
            worked = (
                ctx.work(request.person, request.day)
                if request.shift is None
                else ctx.x(request.person, request.day, request.shift)
            )
            ctx.penalize(
                1 - worked,
                request.weight,
                rule="shift_on_requests",
                person=request.person,
                day=request.day,
                shift=request.shift,
            )


@soft_rule()
def shift_off_requests(ctx: Any, problem: Problem) -> None:
    """Soft: `weight` when the shift asked off (any shift if None) is worked."""
    people = _in_scope(ctx)
    for request in problem.requests:
        if not request.on and request.person in people:
            worked = (
                ctx.work(request.person, request.day)
                if request.shift is None
                else ctx.x(request.person, request.day, request.shift)
            )
            ctx.penalize(
                worked,
                request.weight,
                rule="shift_off_requests",
                person=request.person,
                day=request.day,
                shift=request.shift,
            )
