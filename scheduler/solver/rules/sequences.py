"""Sequence rules on the day-by-day work pattern.

Boundary semantics (Curtois benchmark) when a person has no history: the days before and after the horizon
count as days off for the maximum rules, and as "infinitely long" stretches for the minimum rules, so a run
touching the first or last day is exempt from a minimum. With history, the history days are part of the
sequence: a run continuing from history counts its history days, and only a run touching the *start of the
history* or the last day of the horizon is exempt.

Encodings: maxima are sliding windows (any k+1 consecutive days hold at most k worked days); minima forbid
each too-short pattern "boundary, run of length l < k, boundary" with one clause (as in OR-Tools'
shift_scheduling_sat.py negated bounded spans); both are linear, so both engines use them.
"""

from __future__ import annotations

from typing import Any

from ..domain import Problem
from . import hard_rule


def _max_run(ctx: Any, seq: list[Any], offset: int, limit: int, rule: str, person: str) -> None:
    for start in range(len(seq) - limit):
        end = start + limit  # window of limit + 1 days
        if end < offset:
            continue  # entirely in the past
        ctx.add(ctx.sum(seq[start : end + 1]) <= limit, rule=rule, person=person, day=max(start - offset, 0))


def _min_run(
    ctx: Any, seq: list[Any], offset: int, limit: int, rule: str, person: str, working: bool
) -> None:
    n = len(seq)
    for start in range(1, n - 1):
        for length in range(1, limit):
            after = start + length  # the day closing the run; must exist inside the sequence
            if after > n - 1:
                break
            if after < offset:
                continue  # the pattern is entirely in the past
            inside = seq[start:after]
            if working:  # forbid: off, work * length, off
                clause = seq[start - 1] + ctx.sum(1 - v for v in inside) + seq[after]
            else:  # forbid: work, off * length, work
                clause = (1 - seq[start - 1]) + ctx.sum(inside) + (1 - seq[after])
            ctx.add(clause >= 1, rule=rule, person=person, day=max(start - offset, 0))


@hard_rule()
def max_consecutive_shifts(ctx: Any, problem: Problem) -> None:
    """Hard: at most the contract's number of consecutive worked days."""
    for person in ctx.staff:
        limit = person.contract.max_consecutive_shifts
        if limit is not None and limit < problem.num_days + len(problem.history.get(person.id, ())):
            seq, offset = ctx.sequence(person.id, "work")
            _max_run(ctx, seq, offset, limit, "max_consecutive_shifts", person.id)


@hard_rule()
def max_consecutive_nights(ctx: Any, problem: Problem) -> None:
    """Hard: at most the contract's number of consecutive night shifts."""
    if not any(s.night for s in problem.shift_types):
        return
    for person in ctx.staff:
        limit = person.contract.max_consecutive_nights
        if limit is not None and limit < problem.num_days + len(problem.history.get(person.id, ())):
            seq, offset = ctx.sequence(person.id, "night")
            _max_run(ctx, seq, offset, limit, "max_consecutive_nights", person.id)


@hard_rule()
def min_consecutive_shifts(ctx: Any, problem: Problem) -> None:
    """Hard: a run of worked days not touching the sequence's ends lasts at least the contract minimum."""
    for person in ctx.staff:
        limit = person.contract.min_consecutive_shifts
        if limit and limit > 1:
            seq, offset = ctx.sequence(person.id, "work")
            # runs reaching the last horizon day are exempt: their pattern needs a closing day after them
            _min_run(ctx, seq, offset, limit, "min_consecutive_shifts", person.id, working=True)


@hard_rule()
def min_consecutive_days_off(ctx: Any, problem: Problem) -> None:
    """Hard: a run of days off not touching the sequence's ends lasts at least the contract minimum."""
    for person in ctx.staff:
        limit = person.contract.min_consecutive_days_off
        if limit and limit > 1:
            seq, offset = ctx.sequence(person.id, "work")
            _min_run(ctx, seq, offset, limit, "min_consecutive_days_off", person.id, working=False)
