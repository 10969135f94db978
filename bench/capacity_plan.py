"""The arithmetic of the capacity model: measured unit costs and a stated load in, machines out.

Pure functions over dataclasses (no Django, no I/O), so bench/capacity_model.py measures and this module
only counts; bench/tests/test_capacity_plan.py checks the counting. Every assumption is a field of `Load`
with its default and the reason for it, and CAPACITY.md prints them all.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

WORKDAY_S = 8 * 3600
SIZES = (100, 1_000, 10_000)  # the organisations CAPACITY.md plans for, in units


@dataclass(frozen=True)
class UnitCosts:
    """Seconds per unit of work measured with two worker processes side by side on this machine (the
    contended figure, the one a busy deployment sees), and what a unit of work leaves in Redis. Web costs
    are CPU seconds (they size cores; waits on PostgreSQL and Redis are what two workers per core cover)."""

    cached_read_s: float  # CPU of one cached aggregate read (one web process)
    uncached_read_s: float  # CPU of one aggregate computed afresh (web process)
    uncached_read_db_s: float  # of which time spent waiting for PostgreSQL (the replica's share)
    solve_wall_s: float  # one 4-week roster solve at the default time limit (a solve worker)
    solve_threads: int  # CP-SAT threads a solve uses (cores per solve worker)
    retrain_cpu_s: float  # one two-year daily series: backtest, choice, final fit, 56-day forecast
    bulk_edit_s: float  # CPU of one bulk edit of 10 assignments' hours (web process; writes on the primary)
    bulk_edit_db_s: float  # of which time in PostgreSQL (the primary)
    entry_bytes: int  # Redis memory of one unit's cached aggregate entry (MEMORY USAGE)
    principal_bytes: int  # Redis memory of one API key's or user's cached access records


@dataclass(frozen=True)
class Load:
    """The load the plan is for. Defaults are a care organisation's working week."""

    people_per_unit: int = 25  # the medium demo: 150 people in 6 units
    readers_per_unit: int = 2  # a manager and a planner with the dashboard open
    read_interval_s: float = 300.0  # each reader's dashboard refreshes every 5 minutes
    reads_per_view: int = 3  # a dashboard view reads heatmap, role capacity and one more aggregate
    edits_per_unit_day: float = 20.0  # bulk edits of hours per unit per working day
    solves_per_unit_week: float = 1.0  # every unit re-solves its roster weekly
    solve_window_s: float = WORKDAY_S  # ... all on one planning day (the worst case of one weekly cycle)
    retrain_window_s: float = 4 * 3600.0  # the weekly retrain runs in a 4-hour night window
    series_per_unit: int = 1  # one daily demand series per unit
    peak_factor: float = 2.0  # the busiest hour against the working day's mean
    web_utilisation: float = 0.6  # plan web cores to run at most 60% busy at the peak (latency headroom)
    db_utilisation: float = 0.6  # likewise for a PostgreSQL replica's cores
    replica_cores: int = 4  # cores of one replica machine
    entry_ttl_s: float = 300.0  # capacity entries expire after this (ops CACHE_TTL_S); stale ones linger
    namespace_scope: str = "organisation"  # an edit invalidates every unit's entries ("organisation", as
    # the code does today) or only its own unit's ("unit", the what-if)


@dataclass(frozen=True)
class Plan:
    units: int
    read_rps_peak: float
    cache_hit_rate: float
    web_cores: float
    web_workers: int
    solve_workers: int
    solve_cores: int
    forecast_workers: int
    replicas: int
    primary_db_load: float  # cores of the primary busy with writes at the peak
    redis_mb: float
    bottleneck: str
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def hit_rate(units: int, load: Load) -> float:
    """The share of aggregate reads answered from the cache: an entry survives between two reads of it
    when no edit bumped its namespace meanwhile (edits as a Poisson stream; readers of a unit share its
    entries, so one is read every read_interval_s / readers_per_unit)."""
    per_unit_edit_rate = load.edits_per_unit_day / WORKDAY_S
    bump_rate = per_unit_edit_rate * (units if load.namespace_scope == "organisation" else 1)
    gap = load.read_interval_s / load.readers_per_unit
    return math.exp(-bump_rate * gap)


def plan(units: int, costs: UnitCosts, load: Load = Load()) -> Plan:  # noqa: B008 - frozen, never mutated
    """Workers, replicas and Redis memory for `units` units under `load`, from measured `costs`."""
    reads_mean = units * load.readers_per_unit * load.reads_per_view / load.read_interval_s
    read_rps = reads_mean * load.peak_factor
    edit_rps = units * load.edits_per_unit_day / WORKDAY_S * load.peak_factor
    hits = hit_rate(units, load)
    web_busy = read_rps * (hits * costs.cached_read_s + (1 - hits) * costs.uncached_read_s)
    web_busy += edit_rps * costs.bulk_edit_s
    web_cores = web_busy / load.web_utilisation
    web_workers = max(2, math.ceil(2 * web_cores))  # gunicorn's rule: two sync workers per core

    solves = units * load.solves_per_unit_week
    solve_workers = max(1, math.ceil(solves * costs.solve_wall_s / load.solve_window_s))
    series = units * load.series_per_unit
    forecast_workers = max(1, math.ceil(series * costs.retrain_cpu_s / load.retrain_window_s))

    db_read_busy = read_rps * (1 - hits) * costs.uncached_read_db_s
    primary = edit_rps * costs.bulk_edit_db_s
    per_replica = load.replica_cores * load.db_utilisation
    # while the reads and the writes fit one machine of that size, the primary serves both
    replicas = 0 if db_read_busy + primary <= per_replica else math.ceil(db_read_busy / per_replica)

    misses_per_s = read_rps * (1 - hits)
    current = units * load.reads_per_view * costs.entry_bytes
    stale = misses_per_s * load.entry_ttl_s * costs.entry_bytes  # every miss stores an entry for its TTL
    principals = units * load.readers_per_unit * costs.principal_bytes
    redis_mb = (current + stale + principals) / 2**20

    needs = {
        "web cores": web_cores,
        "solve workers": solve_workers * costs.solve_threads,
        "forecast workers": forecast_workers,
        "PostgreSQL replica cores": db_read_busy / load.db_utilisation,
    }
    bottleneck = max(needs, key=needs.get)
    return Plan(
        units=units,
        read_rps_peak=round(read_rps, 1),
        cache_hit_rate=round(hits, 3),
        web_cores=round(web_cores, 2),
        web_workers=web_workers,
        solve_workers=solve_workers,
        solve_cores=solve_workers * costs.solve_threads,
        forecast_workers=forecast_workers,
        replicas=replicas,
        primary_db_load=round(primary, 3),
        redis_mb=round(redis_mb, 1),
        bottleneck=bottleneck,
        detail={
            "cores needed": {k: round(v, 2) for k, v in needs.items()},
            "edit_rps_peak": round(edit_rps, 2),
        },
    )
