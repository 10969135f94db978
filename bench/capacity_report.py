"""CAPACITY.md from a capacity model run (bench/capacity_model.py measures, bench/capacity_plan.py counts)."""

from __future__ import annotations

from dataclasses import fields

from bench.capacity_plan import Load, UnitCosts, plan


def markdown(report: dict, plans, what_if, load: Load) -> str:
    m = report["measured"]
    lines = [
        "# Capacity model: what 100, 1,000 and 10,000 units need",
        "",
        f"Written by `.venv/bin/python bench/capacity_model.py` at {report['measured_at']} on "
        f"{report['cpus']} CPUs shared with other work (load average at the end "
        f"{' '.join(f'{v:.1f}' for v in report['load_average'])}): the costs below are this machine's, "
        "measured with one worker process and with two side by side; the plan uses the two-process "
        "figures (the contended ones): CPU seconds for the web's units of work (cores), time in "
        "PostgreSQL for the replicas and the primary, wall seconds for a solve (a solve worker is busy "
        "for all of it) and CPU seconds for a retrain. The arithmetic is `bench/capacity_plan.py`.",
        "",
        "## Measured unit costs",
        "",
        "| unit of work | processes | done | wall ms each | CPU ms each | in PostgreSQL ms each "
        "| per second, all "
        "processes | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, s in m.items():
        kind, processes = key.split("/")
        lines.append(
            f"| {kind.replace('_', ' ')} | {processes} | {s['count']} | {1000 * s['per_unit_wall_s']:.1f} | "
            f"{1000 * s['per_unit_cpu_s']:.1f} | {1000 * s['per_unit_db_s']:.1f} | "
            f"{s['throughput_per_s']:.2f} | "
            f"{s.get('load_average_1m', '-')} |"
        )
    c = report["costs"]
    lines += [
        "",
        f"A solve's CPU counts its {c['solve_threads']} CP-SAT threads; a solve at the default limit runs "
        "until "
        "the limit unless CP-SAT proves the roster optimal first. Redis: one unit's cached heatmap entry "
        f"takes {c['entry_bytes']:,} B (`MEMORY USAGE`), one caller's access records "
        f"{c['principal_bytes']:,} B.",
        "",
        "## Assumptions (the `Load` of bench/capacity_plan.py)",
        "",
        "| assumption | value |",
        "|---|---|",
    ]
    notes = {
        "people_per_unit": "people per unit (the medium demo's 150 in 6 units)",
        "readers_per_unit": "dashboard readers per unit (a manager and a planner)",
        "read_interval_s": "seconds between one reader's dashboard refreshes",
        "reads_per_view": "aggregate reads per dashboard view",
        "edits_per_unit_day": "bulk edits of hours per unit per working day (8 h)",
        "solves_per_unit_week": "roster solves per unit per week",
        "solve_window_s": "the window every weekly solve falls in (one planning day)",
        "retrain_window_s": "the weekly retrain's night window",
        "series_per_unit": "demand series per unit",
        "peak_factor": "busiest hour over the working day's mean",
        "web_utilisation": "web cores planned busy at the peak at most",
        "db_utilisation": "replica cores planned busy at the peak at most",
        "replica_cores": "cores per PostgreSQL replica",
        "entry_ttl_s": "lifetime of a cached aggregate entry (stale ones stay until it ends)",
        "namespace_scope": "what an edit invalidates",
    }
    for f in fields(Load):
        lines.append(f"| {notes[f.name]} | {getattr(load, f.name)} |")
    lines += [
        "",
        "Cache hits: an entry survives between two reads of it when no edit bumped its namespace in between "
        "(edits as a Poisson stream); a unit's readers share its entries. Web: reads at the peak times "
        "(hit x cached + miss x uncached) plus edits, over the utilisation, two gunicorn workers per core. "
        "Solve workers: the week's solves within their window, one solve at a time per worker, each worker "
        "on as many cores as CP-SAT threads. Forecast workers: the series' retrain CPU within the night "
        "window. Replicas: none while the reads' and writes' time in PostgreSQL fits one machine of a "
        "replica's size, else the uncached reads' time over a replica's planned cores (the primary "
        "takes the writes). Redis: every unit's current entries, plus the entries each miss "
        "stores and that stay stale until their TTL, plus each reader's access records.",
        "",
        "## The plan",
        "",
    ]
    lines += _plan_table(plans)
    lines += [
        "",
        "What if an edit bumped only its own unit's entries (a namespace per department; not built):",
        "",
    ]
    lines += _plan_table(what_if)
    big, big_unit = plans[-1], what_if[-1]
    cores = big.detail["cores needed"]
    ranked = sorted(cores.items(), key=lambda kv: -kv[1])
    spread = Load(solve_window_s=5 * load.solve_window_s)
    lines += [
        "",
        "## The bottleneck",
        "",
        f"The largest need is **{plans[0].bottleneck}** at 100 units, **{plans[1].bottleneck}** at 1,000 and "
        f"**{big.bottleneck}** at 10,000 (cores needed at 10,000: "
        + ", ".join(f"{name} {value:.1f}" for name, value in ranked)
        + "). Solve workers scale linearly with units and with a solve's wall time: "
        f"{big.units:,} weekly solves of {c['solve_wall_s']:.0f} s in one "
        f"{load.solve_window_s / 3600:.0f}-hour "
        f"planning day keep {big.solve_workers} solve workers ({big.solve_cores} cores) busy; spread over "
        f"five planning days they need {plan(big.units, _costs(report), spread).solve_workers}.",
        "",
        "The web and replica figures are driven by the cache's scope, not by the cached path: the "
        "`capacity` namespace is one for the whole organisation, so every edit anywhere makes every unit's "
        f"dashboard entries stale. With {load.edits_per_unit_day:g} edits per unit and day the hit rate is "
        f"{plans[0].cache_hit_rate:.0%} already at 100 units, nearly every dashboard read is an uncached "
        f"aggregate, and Redis holds mostly stale entries waiting for their TTL ({big.redis_mb:,.0f} MB at "
        f"10,000 units). A namespace per department (not built) would keep {big_unit.cache_hit_rate:.0%} "
        f"of reads cached at any size: at 10,000 units {big_unit.web_cores:.1f} web cores instead of "
        f"{big.web_cores:.1f}, {big_unit.replicas} replica(s) instead of {big.replicas}, "
        f"{big_unit.redis_mb:,.0f} MB of Redis instead of {big.redis_mb:,.0f}. Retraining stays small: "
        f"{big.units:,} series at {1000 * c['retrain_cpu_s']:.0f} ms of CPU each fit in a "
        f"{load.retrain_window_s / 3600:.0f}-hour night on {big.forecast_workers} forecast worker(s).",
        "",
    ]
    return "\n".join(lines)


def _costs(report: dict) -> UnitCosts:
    return UnitCosts(**report["costs"])


def _plan_table(plans) -> list[str]:
    rows = [
        "| units | aggregate reads/s at peak | cache hit rate | web cores | web workers "
        "| solve workers (cores) "
        "| forecast workers | PostgreSQL replicas | primary cores for writes | Redis MB | bottleneck |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in plans:
        rows.append(
            f"| {p.units:,} | {p.read_rps_peak:,.1f} | {p.cache_hit_rate:.1%} | {p.web_cores:,.1f} | "
            f"{p.web_workers:,} | {p.solve_workers:,} ({p.solve_cores:,}) | {p.forecast_workers:,} | "
            f"{p.replicas:,} | {p.primary_db_load:.2f} | {p.redis_mb:,.1f} | {p.bottleneck} |"
        )
    return rows
