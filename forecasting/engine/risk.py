"""How a roster's cover holds up when demand moves: expected shortfall and the chance each shift is short.

Demand at each forecast step is read from the forecast's interval as normal, sigma = (upper - value) /
z(0.5 + width / 2) (the same reading as ``staffing.planning_demand``), clipped at zero, independent from step
to step (the stored interval carries no correlation between steps). A step is short when the staff its demand
needs, by the staffing rule, exceeds the staff on duty:
- ``pooled=True`` (hourly demand): the staff on duty in an hour are all the shifts that span it; a shift is
  short when any hour it spans is;
- ``pooled=False`` (daily demand, a rule per shift type): each shift is checked against its own day's need.

Two ways to the same numbers, so each checks the other (tests/engine/test_risk.py):
- ``method="sampled"``: demand paths drawn from that distribution, the rule applied to each draw;
- ``method="exact"``: the rule's demand thresholds (the most demand c staff can meet) and the normal tail:
  P(short) = 1 - prod(1 - P(D > t_c)) over the shift's steps,
  E[shortfall] = sum over k >= 1 of P(D > t_{c+k-1}).

``service_level_staff`` turns the exact method around: the fewest staff at which a shift's P(short) is at most
1 - service level (the cover a service-level target asks for, checked by ``roster_risk`` the same way).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from scipy.stats import norm

from .cover import ShiftCover
from .domain import Forecast
from .staffing import ErlangCRule, RatioRule, agents_needed, headcount_by_ratio

Rule = RatioRule | ErlangCRule
TAIL = 1e-12  # the exact shortfall sums staff levels until the chance of needing one more is below this


@dataclass(frozen=True)
class ShiftRisk:
    day: object
    shift: str
    staff: int
    probability_short: float
    expected_shortfall: float  # staff (times hours when pooled) missing over the shift's own checks


@dataclass(frozen=True)
class RosterRisk:
    shifts: tuple[ShiftRisk, ...]
    expected_shortfall: float  # over every check of the horizon, each counted once
    method: str


@dataclass(frozen=True)
class _Check:
    step: int
    staff: int
    rule: Rule


def demand_sigma(forecast: Forecast) -> np.ndarray:
    if forecast.upper is None or forecast.interval_width is None:
        raise ValueError("the risk of a cover needs a forecast with intervals (interval_width set)")
    z = norm.ppf(0.5 + forecast.interval_width / 2)
    return np.maximum((np.asarray(forecast.upper) - np.asarray(forecast.value)) / z, 0.0)


def demand_paths(forecast: Forecast, *, samples: int, seed: int = 0) -> np.ndarray:
    """``samples`` demand paths (rows) over the forecast's steps (columns)."""
    rng = np.random.default_rng(seed)
    mean = np.asarray(forecast.value, dtype=float)
    draws = mean + demand_sigma(forecast) * rng.standard_normal((samples, len(mean)))
    return np.maximum(draws, 0.0)


def roster_risk(
    forecast: Forecast,
    cover: Sequence[ShiftCover],
    rule: Rule | Mapping[str, Rule],
    *,
    pooled: bool,
    method: str = "exact",
    samples: int = 4000,
    seed: int = 0,
) -> RosterRisk:
    """The chance each shift of ``cover`` is short and the expected shortfall (see the module docstring)."""
    if method not in ("exact", "sampled"):
        raise ValueError(f"method must be 'exact' or 'sampled', got {method!r}")
    checks, of_shift = _checks(forecast, cover, rule, pooled=pooled)
    if method == "exact":
        short, shortfall = _exact(forecast, checks)
    else:
        short, shortfall = _sampled(forecast, checks, samples=samples, seed=seed)
    return _report(cover, of_shift, short, shortfall, method)


def _checks(forecast, cover, rule, *, pooled):
    stamps = [_naive(ts) for ts in forecast.timestamps]
    of_shift: list[list[int]] = []
    checks: list[_Check] = []
    if pooled:
        if isinstance(rule, Mapping):
            raise ValueError("pooled cover has one rule for the hour, not one per shift")
        on_duty = [sum(s.staff for s in cover if s.start <= ts < s.end) for ts in stamps]
        checks = [_Check(step, staff, rule) for step, staff in enumerate(on_duty)]
        of_shift = [[step for step, ts in enumerate(stamps) if s.start <= ts < s.end] for s in cover]
        return checks, of_shift
    for shift in cover:
        shift_rule = rule[shift.shift] if isinstance(rule, Mapping) else rule
        mine = []
        for step, ts in enumerate(stamps):
            if ts.date() == shift.day:
                mine.append(len(checks))
                checks.append(_Check(step, shift.staff, shift_rule))
        of_shift.append(mine)
    return checks, of_shift


def _exact(forecast: Forecast, checks: list[_Check]) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(forecast.value, dtype=float)
    sigma = demand_sigma(forecast)
    p_short = np.zeros(len(checks))
    shortfall = np.zeros(len(checks))
    for i, check in enumerate(checks):
        level = check.staff
        total = 0.0
        while True:
            exceed = _p_exceeds(mean[check.step], sigma[check.step], demand_threshold(check.rule, level))
            if level == check.staff:
                p_short[i] = exceed
            if exceed < TAIL:
                break
            total += exceed
            level += 1
        shortfall[i] = total
    return p_short, shortfall


def service_level_staff(forecast: Forecast, steps: Sequence[int], rule: Rule, *, service_level: float) -> int:
    """The fewest staff at which the chance that any of the forecast's ``steps`` needs more is at most
    ``1 - service_level``: the exact method's P(short) of one shift checked over those steps."""
    if not 0 < service_level < 1:
        raise ValueError("service_level must be within (0, 1)")
    mean = np.asarray(forecast.value, dtype=float)[list(steps)]
    sigma = demand_sigma(forecast)[list(steps)]
    staff = rule.minimum
    while True:  # ends: the chance of needing more falls to 0 as the threshold grows past the demand
        threshold = demand_threshold(rule, staff)
        met = np.prod([1 - _p_exceeds(m, s, threshold) for m, s in zip(mean, sigma, strict=True)])
        if 1 - met <= 1 - service_level:
            return staff
        staff += 1


def _sampled(forecast, checks, *, samples, seed) -> tuple[np.ndarray, np.ndarray]:
    paths = demand_paths(forecast, samples=samples, seed=seed)
    needed_by_step: dict[tuple[int, int], np.ndarray] = {}
    short = np.zeros((samples, len(checks)))
    for i, check in enumerate(checks):
        key = (check.step, id(check.rule))
        if key not in needed_by_step:
            needed_by_step[key] = staff_needed(paths[:, check.step], check.rule)
        short[:, i] = np.maximum(needed_by_step[key] - check.staff, 0)
    return (short > 0).astype(float), short


def _report(cover, of_shift, short, shortfall, method) -> RosterRisk:
    """Per shift: exact probabilities combine as independent steps; sampled ones are counted per path
    (``short`` and ``shortfall`` are then one row per path)."""
    shifts = []
    for shift, mine in zip(cover, of_shift, strict=True):
        if method == "sampled":
            probability = float((short[:, mine] > 0).any(axis=1).mean()) if mine else 0.0
            expected = float(shortfall[:, mine].sum(axis=1).mean()) if mine else 0.0
        else:
            probability = float(1 - np.prod(1 - short[mine])) if mine else 0.0
            expected = float(shortfall[mine].sum())
        shifts.append(ShiftRisk(shift.day, shift.shift, shift.staff, probability, expected))
    total = shortfall.sum(axis=1).mean() if method == "sampled" else shortfall.sum()
    return RosterRisk(tuple(shifts), float(total), method)


@lru_cache(maxsize=4096)
def demand_threshold(rule: Rule, staff: int) -> float:
    """The most demand ``staff`` can meet under ``rule`` (-inf below the rule's minimum)."""
    if staff < rule.minimum:
        return -np.inf
    if isinstance(rule, RatioRule):
        return (staff + 1e-9) * rule.per_staff  # headcount_by_ratio's epsilon, the same way up
    if agents_needed(0.0, rule) > staff:
        return -np.inf
    low, high = 0.0, 1.0
    while agents_needed(high, rule) <= staff:  # the rule needs more staff as demand grows
        low, high = high, high * 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if agents_needed(middle, rule) <= staff else (low, middle)
    return low


def _p_exceeds(mean: float, sigma: float, threshold: float) -> float:
    if threshold == -np.inf:
        return 1.0
    if sigma == 0:
        return float(max(mean, 0.0) > threshold)
    return float(norm.sf((threshold - mean) / sigma))  # clipping at zero cannot matter: threshold >= 0


def staff_needed(demand: np.ndarray, rule: Rule) -> np.ndarray:
    """The rule applied to every draw. Erlang C is costly per call, and needs more staff as demand grows, so
    the sorted draws are split until both ends of a run need the same staff (then all between do too)."""
    if isinstance(rule, RatioRule):
        return np.array([headcount_by_ratio(d, rule) for d in demand])
    order = np.argsort(demand)
    ordered = demand[order]
    needed = np.empty(len(demand), dtype=int)
    runs = [
        (0, len(ordered) - 1, agents_needed(float(ordered[0]), rule), agents_needed(float(ordered[-1]), rule))
    ]
    while runs:
        first, last, low, high = runs.pop()
        if low == high or last - first <= 1:
            needed[order[first]] = low
            needed[order[last]] = high
            if low == high:
                needed[order[first : last + 1]] = low
            continue
        middle = (first + last) // 2
        at_middle = agents_needed(float(ordered[middle]), rule)
        runs.append((first, middle, low, at_middle))
        runs.append((middle, last, at_middle, high))
    return needed


def _naive(stamp: datetime) -> datetime:
    return stamp.replace(tzinfo=None) if getattr(stamp, "tzinfo", None) else stamp
