"""Demand to headcount: a ratio per shift, and Erlang C for arrival-driven demand.

Erlang C is written here as the standard formula (through the numerically stable Erlang B recursion) rather
than taken from a package: nothing in our stack (scipy, statsmodels) provides it, and the small PyPI packages
that do are thin, single-maintainer wrappers of the same twenty lines. tests/engine/test_staffing.py pins it
to textbook values and to the closed form.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.stats import norm

from .domain import Forecast

EPSILON = 1e-9  # so 24 residents at 1 carer per 8 is 3 carers, not 4 from floating-point noise


@dataclass(frozen=True)
class RatioRule:
    """One member of staff per ``per_staff`` units of demand (8 residents per carer), at least ``minimum``."""

    per_staff: float
    minimum: int = 0


@dataclass(frozen=True)
class ErlangCRule:
    """Arrival-driven demand: forecast values are arrivals per interval of ``interval_s`` seconds.

    ``service_level`` of contacts answered within ``target_s`` seconds (e.g. 80% in 20 s), with an average
    handling time of ``aht_s`` seconds; optionally a cap on occupancy (agents busy fraction), and a minimum.
    """

    interval_s: float
    aht_s: float
    service_level: float = 0.8
    target_s: float = 20.0
    max_occupancy: float | None = None
    minimum: int = 0


@dataclass(frozen=True)
class PresenceRule:
    """Hourly arrivals to staff by a ratio to the patients present: one member of staff per ``per_staff``.

    Patients present at hour t are the arrivals still staying: sum over k of arrivals(t - k) * P(stay > k
    hours), with exponential stays of mean ``length_of_stay_h`` (the time-varying form of Little's law, the
    offered load of an M_t/G/infinity queue; Eick, Massey and Whitt 1993). ``prior_arrivals`` are the hours
    just before the forecast (oldest first), so the first hours count the patients already on the ward;
    without them the first forecast hour is taken as having held steady before.
    """

    per_staff: float
    length_of_stay_h: float
    minimum: int = 0
    prior_arrivals: tuple[float, ...] = ()


@dataclass(frozen=True)
class StaffingRequirement:
    timestamp: datetime
    demand: float
    staff: int


def headcount_by_ratio(demand: float, rule: RatioRule) -> int:
    if rule.per_staff <= 0:
        raise ValueError("per_staff must be positive")
    return max(rule.minimum, math.ceil(max(demand, 0.0) / rule.per_staff - EPSILON))


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of an M/M/N/N system, by the recursion B(n) = A B(n-1) / (n + A B(n-1))."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a contact waits (M/M/N): C = N B / (N - A (1 - B)); 1 when agents <= traffic."""
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(traffic, agents)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(*, traffic: float, agents: int, aht_s: float, target_s: float) -> float:
    """Share of contacts answered within ``target_s``: 1 - C(N, A) exp(-(N - A) t / AHT)."""
    if agents <= traffic:
        return 0.0
    return 1.0 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * target_s / aht_s)


def average_speed_of_answer(*, traffic: float, agents: int, aht_s: float) -> float:
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * aht_s / (agents - traffic)


def agents_needed(arrivals: float, rule: ErlangCRule) -> int:
    """The fewest agents that meet the service level (and occupancy cap) for ``arrivals`` in one interval."""
    if rule.interval_s <= 0 or rule.aht_s <= 0 or not 0 < rule.service_level < 1:
        raise ValueError("interval_s and aht_s must be positive and service_level within (0, 1)")
    if arrivals <= 0:
        return rule.minimum
    traffic = arrivals * rule.aht_s / rule.interval_s  # offered load in Erlangs
    agents = max(1, math.floor(traffic) + 1)
    if rule.max_occupancy is not None:
        agents = max(agents, math.ceil(traffic / rule.max_occupancy - EPSILON))
    while (
        service_level(traffic=traffic, agents=agents, aht_s=rule.aht_s, target_s=rule.target_s)
        < rule.service_level
    ):
        agents += 1
    return max(rule.minimum, agents)


def patients_present(arrivals: Sequence[float], rule: PresenceRule) -> np.ndarray:
    """Expected patients present in each hour of ``arrivals`` (see ``PresenceRule``)."""
    if rule.length_of_stay_h <= 0 or rule.per_staff <= 0:
        raise ValueError("length_of_stay_h and per_staff must be positive")
    arrivals = np.maximum(np.asarray(arrivals, dtype=float), 0.0)
    if len(arrivals) == 0:
        return arrivals
    reach = int(np.ceil(rule.length_of_stay_h * 12))  # hours until P(still there) < e^-12
    prior = np.asarray(rule.prior_arrivals, dtype=float)[-reach:]
    if len(prior) < reach:  # steady state before the forecast, at its first hour's rate
        prior = np.concatenate([np.full(reach - len(prior), arrivals[0]), prior])
    survival = np.exp(-np.arange(reach + 1) / rule.length_of_stay_h)
    stream = np.concatenate([prior, arrivals])
    return np.convolve(stream, survival)[reach : reach + len(arrivals)]


def planning_demand(forecast: Forecast, *, quantile: float | None = None) -> tuple[float, ...]:
    """The demand to plan on: the mean forecast, or an upper quantile (e.g. 0.9) against a busy day.

    The quantile reads the central interval as normal: sigma = (upper - value) / z(0.5 + width / 2).
    """
    if quantile is None:
        return forecast.value
    if not 0 < quantile < 1:
        raise ValueError("quantile must be within (0, 1)")
    if forecast.upper is None or forecast.interval_width is None:
        raise ValueError("planning on a quantile needs a forecast with intervals (interval_width set)")
    z_interval = norm.ppf(0.5 + forecast.interval_width / 2)
    z_plan = norm.ppf(quantile)
    return tuple(
        value + z_plan * (upper - value) / z_interval
        for value, upper in zip(forecast.value, forecast.upper, strict=True)
    )


def staffing_requirements(
    forecast: Forecast, rule: RatioRule | ErlangCRule | PresenceRule, *, quantile: float | None = None
) -> tuple[StaffingRequirement, ...]:
    """Headcount per forecast timestamp, by ratio, by Erlang C or by patients present, on the mean or an
    upper quantile. With a PresenceRule the requirement's ``demand`` is the patients present."""
    demand = planning_demand(forecast, quantile=quantile)
    if isinstance(rule, RatioRule):
        staff = [headcount_by_ratio(d, rule) for d in demand]
    elif isinstance(rule, PresenceRule):
        demand = tuple(float(v) for v in patients_present(demand, rule))
        ratio = RatioRule(per_staff=rule.per_staff, minimum=rule.minimum)
        staff = [headcount_by_ratio(d, ratio) for d in demand]
    else:
        staff = [agents_needed(d, rule) for d in demand]
    return tuple(
        StaffingRequirement(ts, d, s) for ts, d, s in zip(forecast.timestamps, demand, staff, strict=True)
    )
