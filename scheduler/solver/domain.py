"""The solver's input and output: frozen dataclasses, no Django.

A `Problem` is a horizon of `num_days` days starting at `start_date`; day indexes are 0-based. A roster maps
each person id to one entry per day: a shift type id or ``None`` (day off). All penalties are integers.

History, when given for a person, is that person's last days of the previous period (oldest first, one shift
id or ``None`` per day). Without history the sequence rules use the Curtois benchmark's boundary semantics
(see ``rules/sequences.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

Roster = Mapping[str, tuple[str | None, ...]]

OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ShiftType:
    id: str
    length_minutes: int
    start_minute: int = 0
    night: bool = False
    required_skills: frozenset[str] = frozenset()

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.length_minutes


@dataclass(frozen=True)
class Contract:
    """Work rules of one contract. ``None`` means the rule does not apply."""

    id: str = "default"
    max_shifts_per_type: Mapping[str, int] = field(default_factory=dict)  # missing: no limit; 0: never
    max_total_minutes: int | None = None
    min_total_minutes: int | None = None
    max_weekly_minutes: int | None = None
    min_weekly_minutes: int | None = None  # full calendar weeks inside the horizon only
    max_consecutive_shifts: int | None = None
    min_consecutive_shifts: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None
    max_consecutive_nights: int | None = None
    min_rest_minutes: int | None = None
    contract_minutes: int | None = None  # minutes paid at base rate over the horizon; above is overtime


@dataclass(frozen=True)
class Person:
    id: str
    contract: Contract = field(default_factory=Contract)
    skills: Mapping[str, dt.date | None] = field(default_factory=dict)  # skill -> certification expiry
    hourly_rate: int = 0  # cost units per hour worked
    overtime_premium: int = 0  # extra cost units per started hour above contract_minutes

    def has_skill(self, skill: str, on: dt.date) -> bool:
        if skill not in self.skills:
            return False
        expiry = self.skills[skill]
        return expiry is None or on <= expiry


@dataclass(frozen=True)
class Cover:
    """How many people a shift needs on a day (optionally only counting holders of `skill`).

    ``minimum`` is hard; ``preferred`` is soft with ``weight_under`` per missing and ``weight_over`` per extra
    person. ``short_risk[c]`` is the chance that demand needs more than ``c`` people on the shift (from
    sampled demand paths; never rising with ``c``; 0 past its end): the soft rule ``cover_shortfall_risk``
    charges ``weights.cover_shortfall_risk`` times that chance at the count rostered.
    """

    day: int
    shift: str
    preferred: int = 0
    weight_under: int = 0
    weight_over: int = 0
    minimum: int = 0
    skill: str | None = None
    short_risk: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        risk = self.short_risk
        if any(not 0 <= p <= 1 for p in risk) or any(b > a for a, b in zip(risk, risk[1:], strict=False)):
            raise ValueError(f"short_risk must be chances that never rise with the count: {self}")

    def risk_penalty(self, count: int, weight: int) -> int:
        """The ``cover_shortfall_risk`` penalty with ``count`` people on the shift (an integer, like all)."""
        chance = self.short_risk[count] if 0 <= count < len(self.short_risk) else 0.0
        return round(weight * chance)


@dataclass(frozen=True)
class ShiftRequest:
    """``on``: the person wants `shift` (any shift if None); otherwise wants not to work it (any if None)."""

    person: str
    day: int
    shift: str | None
    weight: int
    on: bool


@dataclass(frozen=True)
class Absence:
    person: str
    day: int
    kind: str = "day_off"  # day_off | leave | unavailable


@dataclass(frozen=True)
class Pin:
    person: str
    day: int
    shift: str | None  # None pins a day off


@dataclass(frozen=True)
class Budget:
    """What the days of one week inside the horizon may spend: ``minutes`` worked and ``cost`` (in the
    units of ``labour_cost``: each shift at the person's hourly rate); None leaves that measure unlimited.
    The soft rule ``labour_budget_over`` charges ``weights.labour_budget_over`` per started hour over the
    minutes and per cost unit over the cost."""

    days: tuple[int, ...]
    minutes: int | None = None
    cost: int | None = None


@dataclass(frozen=True)
class Weights:
    cover_minimum_relaxed: int = 100_000  # per missing person when the hard minimum cannot be met
    change: int = 0  # per day that differs from the reference roster
    fairness_nights: int = 0  # per unit of spread (max - min) in nights within a contract group
    fairness_weekends: int = 0  # per unit of spread in weekends worked
    fairness_minutes: int = 0  # per minute of spread in worked minutes
    cover_shortfall_risk: int = 0  # per shift sure to be under-staffed, times the chance (Cover.short_risk)
    labour_budget_over: int = 0  # per started hour and per cost unit over a week's Budget


@dataclass(frozen=True)
class Problem:
    start_date: dt.date
    num_days: int
    shift_types: tuple[ShiftType, ...]
    staff: tuple[Person, ...]
    cover: tuple[Cover, ...] = ()
    requests: tuple[ShiftRequest, ...] = ()
    absences: tuple[Absence, ...] = ()
    pins: tuple[Pin, ...] = ()
    forbidden_successions: frozenset[tuple[str, str]] = frozenset()  # (shift on day d, shift on day d+1)
    history: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    reference: Mapping[str, tuple[str | None, ...]] | None = None
    weights: Weights = field(default_factory=Weights)
    # People outside this problem already working (day, shift, skill) -> count; counted towards cover.
    external_cover: Mapping[tuple[int, str, str | None], int] = field(default_factory=dict)
    budgets: tuple[Budget, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        shift_ids = {s.id for s in self.shift_types}
        person_ids = {p.id for p in self.staff}
        if len(shift_ids) != len(self.shift_types) or len(person_ids) != len(self.staff):
            raise ValueError("duplicate shift type or person id")
        for item in (*self.cover, *self.requests, *self.absences, *self.pins):
            if not 0 <= item.day < self.num_days:
                raise ValueError(f"day out of horizon: {item}")
            shift = getattr(item, "shift", None)
            if shift is not None and shift not in shift_ids:
                raise ValueError(f"unknown shift: {item}")
            person = getattr(item, "person", None)
            if person is not None and person not in person_ids:
                raise ValueError(f"unknown person: {item}")
        for budget in self.budgets:
            if not budget.days or any(not 0 <= day < self.num_days for day in budget.days):
                raise ValueError(f"budget days out of horizon: {budget}")

    # calendar helpers
    # -------------------------------------------------------------------------------------------
    def date(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def weekends(self) -> list[tuple[int, ...]]:
        """Saturday/Sunday day indexes of each weekend touching the horizon."""
        groups: dict[int, list[int]] = {}
        for day in range(self.num_days):
            date = self.date(day)
            if date.weekday() >= 5:
                groups.setdefault(date.toordinal() - date.weekday(), []).append(day)
        return [tuple(days) for _, days in sorted(groups.items())]

    def weeks(self) -> list[tuple[tuple[int, ...], bool]]:
        """Days of each calendar week (Monday to Sunday) touching the horizon, and whether it is complete."""
        groups: dict[int, list[int]] = {}
        for day in range(self.num_days):
            date = self.date(day)
            groups.setdefault(date.toordinal() - date.weekday(), []).append(day)
        return [(tuple(days), len(days) == 7) for _, days in sorted(groups.items())]

    def shift(self, shift_id: str) -> ShiftType:
        return self._shifts[shift_id]

    def person(self, person_id: str) -> Person:
        return self._people[person_id]

    @cached_property
    def _shifts(self) -> dict[str, ShiftType]:
        return {s.id: s for s in self.shift_types}

    @cached_property
    def _people(self) -> dict[str, Person]:
        return {p.id: p for p in self.staff}

    @property
    def size(self) -> int:
        return len(self.staff) * self.num_days * len(self.shift_types)


@dataclass(frozen=True)
class Penalty:
    rule: str
    amount: int
    person: str | None = None
    day: int | None = None
    shift: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Shortfall:
    """A hard cover minimum that could not be met, with what blocks the people who could have filled it."""

    day: int
    shift: str
    skill: str | None
    missing: int
    reasons: Mapping[str, int]  # reason (rule name or state) -> number of people it blocks
    blocked_people: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # person -> rules


@dataclass(frozen=True)
class Timings:
    build: float = 0.0
    solve: float = 0.0
    first_feasible: float | None = None  # seconds from the start of the call
    best: float | None = None


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: int | None
    bound: float | None
    phase: str = ""
    # The referee's facts about the best roster so far, when the solve entry point could read it (the
    # engines share it through an IncumbentPool): hard rules it breaks, cover slots below preferred.
    hard_violations: int | None = None
    below_preferred: int | None = None


@dataclass(frozen=True)
class Solution:
    roster: Roster
    objective: int | None  # soft penalty total (hard cover shortfalls are in `violations`, not here)
    bound: float | None
    status: str
    penalties: tuple[Penalty, ...] = ()  # soft terms, by rule, person and day
    violations: tuple[Penalty, ...] = ()  # broken hard rules (only relaxed cover minimums from the engines)
    shortfalls: tuple[Shortfall, ...] = ()
    timings: Timings = field(default_factory=Timings)
    engine: str = ""
    message: str = ""
    blocking_rules: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # person -> rules (infeasible)
    # What was actually run, filled in by the solve entry point (dispatch.solve): after "auto" chose.
    time_limit: float | None = None
    workers: int | None = None
    engine_reason: str = ""
    stop_reason: str = ""  # why the search ended: one of dispatch.STOP_REASONS

    def assignments(self) -> Iterator[tuple[str, int, str]]:
        for person, row in self.roster.items():
            for day, shift in enumerate(row):
                if shift is not None:
                    yield person, day, shift

    def penalties_by_rule(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for term in self.penalties:
            totals[term.rule] = totals.get(term.rule, 0) + term.amount
        return totals

    @property
    def feasible(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE) and not self.violations


def empty_roster(problem: Problem) -> dict[str, tuple[str | None, ...]]:
    return {p.id: (None,) * problem.num_days for p in problem.staff}
