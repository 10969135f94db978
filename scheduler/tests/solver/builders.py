"""Tiny problem builders for the solver tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scheduler.solver.domain import Contract, Person, Problem, ShiftRequest, ShiftType

MONDAY = dt.date(2024, 1, 1)
REPO = Path(__file__).resolve().parents[3]
CURTOIS = REPO.parent / "shared" / "benchmarks" / "curtois"
DAY = ShiftType("D", 480, start_minute=8 * 60)
NIGHT = ShiftType("N", 480, start_minute=22 * 60, night=True)


def person(pid: str = "A", **contract) -> Person:
    return Person(pid, Contract(**contract))


def problem(days: int, staff=(), shifts=(DAY,), **kwargs) -> Problem:
    staff = tuple(staff) or (person(),)
    return Problem(start_date=MONDAY, num_days=days, shift_types=tuple(shifts), staff=staff, **kwargs)


def wants(pid: str, days, shift: str | None = "D", weight: int = 1) -> tuple[ShiftRequest, ...]:
    return tuple(ShiftRequest(pid, d, shift, weight, on=True) for d in days)


def avoids(pid: str, days, shift: str | None = "D", weight: int = 1) -> tuple[ShiftRequest, ...]:
    return tuple(ShiftRequest(pid, d, shift, weight, on=False) for d in days)
