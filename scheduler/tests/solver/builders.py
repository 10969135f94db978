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


def day_night_problem(days: int, people: int, *, extra_every: int = 2, request_every: int = 3, **contract):
    """People P0.. on day and night shifts (no day straight after a night), cover of one (two every
    `extra_every` days) priced 100 under and 10 over, and P0 asking for nights every `request_every` days.
    `contract`: the people's contract (default: at most 3 shifts in a row, 2 days off after)."""
    contract = {"max_consecutive_shifts": 3, "min_consecutive_days_off": 2, **contract}
    from scheduler.solver.domain import Cover

    cover = tuple(
        Cover(d, s, preferred=1 + (d % extra_every == 0), weight_under=100, weight_over=10)
        for d in range(days)
        for s in ("D", "N")
    )
    return problem(
        days,
        staff=[person(f"P{i}", **contract) for i in range(people)],
        shifts=(DAY, NIGHT),
        cover=cover,
        forbidden_successions=frozenset({("N", "D")}),
        requests=wants("P0", range(0, days, request_every), "N", 5),
    )
