"""Capacity model past one machine: measure each unit of work here, then count what 100, 1,000 and 10,000
units need (web workers, solve workers, forecast workers, PostgreSQL replicas, Redis memory).

    .venv/bin/python bench/capacity_model.py [--database crewplan_bench_load] [--redis redis://127.0.0.1:6379/4]
        [--seconds 6] [--reseed] [--skip-solve]

Units of work, each run for --seconds in one worker process and then in two side by side (each a
process of its own, as gunicorn's and Celery's workers are), on the medium demo in PostgreSQL and Redis:
- cached read: one unit's heatmap (12 weeks) through the API with an API key, from the cache;
- uncached aggregate: the same read after a bump of the "capacity" namespace (computed afresh), with the
  time spent in PostgreSQL measured around each query;
- bulk edit: PATCH /api/assignments/bulk-update-hours of 10 of a unit's assignments with their ETags;
- series retrain: one synthetic two-year daily series (bench/forecast.py's) backtested, chosen, fitted,
  56 days forecast with intervals (forecasting.engine.train.train_one);
- solve: one 4-week roster of a demo unit at the default time limit (one solve per process).
Requests go through Django's test client in process (the full middleware stack and view, without a
socket), so a web worker's figure is a little below what gunicorn adds; bench/load.py measures that.

The plan's arithmetic is bench/capacity_plan.py (its assumptions are fields of `Load`, written into the
report). Writes bench/results/CAPACITY.md and bench/results/capacity_model.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # as the forecast workers run (Procfile)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.capacity_plan import SIZES, Load, UnitCosts, plan  # noqa: E402
from bench.capacity_report import markdown  # noqa: E402
from bench.common import ensure_postgres_database  # noqa: E402
from bench.common import manage as _manage  # noqa: E402

RESULTS = ROOT / "bench" / "results"
KINDS = ("cached_read", "uncached_read", "bulk_edit", "retrain", "solve")
EDIT_ITEMS = 10


def _setup_env(args) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
            "REDIS_URL": args.redis,
            "CACHE_KEY_PREFIX": "crewplan-bench-capacity-model",
            "CELERY_BROKER_KEY_PREFIX": "crewplan-bench-capacity-model:",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-use",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
            "THROTTLE_AGGREGATE": "10000000/min",
            "THROTTLE_BULK": "10000000/min",
            "THROTTLE_SOLVE": "10000000/min",
            "DJANGO_SETTINGS_MODULE": "ops.settings",
        }
    )


# --- one worker process ---------------------------------------------------------------------------------


class _DbTimer:
    """Seconds inside database calls (Django's execute wrapper): a read's PostgreSQL share."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _client(raw_key: str):
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")


def _loop(seconds: float, once) -> dict:
    """Run `once()` (which answers the seconds it wants counted, or None for all of them) until `seconds`."""
    from django.db import connection

    once()  # warm-up, not counted: first-request imports, URL resolver, compiled model code
    db = _DbTimer()
    count, counted_wall, cpu = 0, 0.0, 0.0
    started = time.perf_counter()
    with connection.execute_wrapper(db):
        while time.perf_counter() - started < seconds or count == 0:
            cpu_before, wall_before = time.process_time(), time.perf_counter()
            once()
            counted_wall += time.perf_counter() - wall_before
            cpu += time.process_time() - cpu_before
            count += 1
    return {"count": count, "wall_s": counted_wall, "cpu_s": cpu, "db_s": db.seconds}


def _worker(kind: str, index: int, seconds: float, state: dict) -> dict:
    import django

    django.setup()
    from ops import cache as ops_cache

    unit = state["units"][index % len(state["units"])]
    if kind in ("cached_read", "uncached_read"):
        client = _client(state["api_key"])
        path = f"/api/reports/heatmap?department={unit}&weeks=12"
        assert client.get(path).status_code == 200

        def read():
            if kind == "uncached_read":
                ops_cache.bump("capacity")
            assert client.get(path).status_code == 200

        return _loop(seconds, read)
    if kind == "bulk_edit":
        return _bulk_edits(state, unit, index, seconds)
    if kind == "retrain":
        return _retrains(index, seconds)
    if kind == "solve":
        return _solve(unit, index)
    raise SystemExit(f"unknown kind {kind}")


def _bulk_edits(state: dict, unit: int, index: int, seconds: float) -> dict:
    from django.db import connection

    from api.conditional import version_etag
    from capacity.models import Assignment

    client = _client(state["api_key"])
    week = state["week"]
    rng = random.Random(index)
    ids = state["assignments"][str(unit)][:EDIT_ITEMS]
    db = _DbTimer()
    count, wall, cpu = -1, 0.0, 0.0  # the first edit warms up and is not counted
    started = time.perf_counter()
    while time.perf_counter() - started < seconds or count < 1:
        if count == 0:  # the warm-up is done: time from here
            db.seconds, wall, cpu, started = 0.0, 0.0, 0.0, time.perf_counter()
        versions = dict(
            Assignment.objects.filter(pk__in=ids).values_list("pk", "version")
        )  # the client's read
        body = [
            {
                "assignmentId": pk,
                "weeklyHours": {week: rng.choice([4, 8, 12, 16])},
                "etag": version_etag("assignment", pk, versions[pk]),
            }
            for pk in ids
        ]
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(db):
            response = client.patch(
                "/api/assignments/bulk-update-hours", json.dumps(body), content_type="application/json"
            )
        wall += time.perf_counter() - wall_before
        cpu += time.process_time() - cpu_before
        assert response.status_code == 200, response.content[:300]
        count += 1
    return {"count": count, "wall_s": wall, "cpu_s": cpu, "db_s": db.seconds}


def _retrains(index: int, seconds: float) -> dict:
    from bench.forecast import synthetic_series
    from forecasting.engine.prophet_model import load_prophet
    from forecasting.engine.train import train_one

    series = synthetic_series(6, seed=11 + index)
    load_prophet()  # a worker imports it once at start-up, not per series
    picks = iter(range(10**6))
    return _loop(seconds, lambda: train_one(series[next(picks) % len(series)], horizon=56))


def _solve(unit_id: int, index: int) -> dict:
    from capacity.models import Department
    from scheduler.services.rosters import roster_generate
    from scheduler.services.solving import roster_solve_run
    from scheduler.solver.options import DEFAULT_TIME_LIMIT_S, SolveOptions

    # a Monday no other run used: the roster is new, so nothing is "already being solved"
    monday = date(2030, 1, 7) + timedelta(weeks=random.randrange(0, 2000))
    unit = Department.objects.get(pk=unit_id)
    with mock.patch("ops.jobs.job_enqueue_on_commit"):  # solved below, in this process
        roster = roster_generate(
            unit=unit,
            start_date=monday,
            end_date=monday + timedelta(days=27),
            time_limit=DEFAULT_TIME_LIMIT_S,
        )
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    roster_solve_run(job_id=roster.job_id)
    result = {
        "count": 1,
        "wall_s": time.perf_counter() - wall_before,
        "cpu_s": time.process_time() - cpu_before,
        "db_s": 0.0,
        "threads": SolveOptions().workers,
        "time_limit_s": DEFAULT_TIME_LIMIT_S,
    }
    roster.refresh_from_db()
    result["status"] = roster.status
    return result


# --- the parent -----------------------------------------------------------------------------------------


def _prepare(args) -> dict:
    fresh = ensure_postgres_database(args.database, reseed=args.reseed)
    _manage("migrate", "--verbosity", "0")
    if fresh:
        print("seeding the medium demo (once) ...", flush=True)
        _manage("seed_demo", "--size", "medium", "--yes-i-know")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from api.services import api_key_create
    from capacity.models import Assignment, Department

    admin, _ = get_user_model().objects.get_or_create(
        username="bench-capacity", defaults={"is_superuser": True}
    )
    _, raw_key = api_key_create(
        user=admin, name=f"capacity model {time.time():.0f}", scopes=["read", "write"]
    )
    units = list(
        Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").values_list("id", flat=True)
    )
    assignments = {
        str(u): list(
            Assignment.objects.filter(person__department_id=u).order_by("id").values_list("id", flat=True)
        )
        for u in units
    }
    week = (date.today() - timedelta(days=date.today().weekday()) + timedelta(weeks=1)).isoformat()
    return {"api_key": raw_key, "units": units, "assignments": assignments, "week": week}


def _run(
    kind: str, processes: int, seconds: float, state_path: Path, database: str, redis: str
) -> list[dict]:
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", kind, "--index", str(i), "--seconds", str(seconds)]
            + ["--state", str(state_path), "--database", database, "--redis", redis],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    out = []
    for proc in procs:
        stdout, _ = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise SystemExit(f"{kind} worker failed ({proc.returncode})")
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def _summary(kind: str, runs: list[dict]) -> dict:
    count = sum(r["count"] for r in runs)
    return {
        "processes": len(runs),
        "count": count,
        "per_unit_wall_s": sum(r["wall_s"] for r in runs) / count,
        "per_unit_cpu_s": sum(r["cpu_s"] for r in runs) / count,
        "per_unit_db_s": sum(r["db_s"] for r in runs) / count,
        # units of work per second across the processes (each process works back to back)
        "throughput_per_s": sum(r["count"] / r["wall_s"] for r in runs),
        **(
            {"threads": runs[0]["threads"], "statuses": [r["status"] for r in runs]}
            if kind == "solve"
            else {}
        ),
    }


def _redis_bytes(state: dict) -> tuple[int, int]:
    """MEMORY USAGE of one unit's cached heatmap entry, and of one user's cached access records."""
    import django

    django.setup()
    from django.core.cache import cache
    from django_redis import get_redis_connection

    from capacity.aggregates.common import encoded_cache_key_parts
    from capacity.aggregates.heatmap import heatmap_cache_params
    from ops import cache as ops_cache

    client = get_redis_connection("default")
    _client(state["api_key"]).get(f"/api/reports/heatmap?department={state['units'][0]}&weeks=12")
    parts = encoded_cache_key_parts(
        "heatmap", heatmap_cache_params(department_ids=[state["units"][0]], weeks=12)
    )
    entry = cache.make_key(ops_cache._entry_key("capacity", ops_cache.namespace_version("capacity"), parts))
    entry_bytes = client.memory_usage(entry) or 0
    access_version = ops_cache.namespace_version("access")
    principal = 0
    for raw in client.scan_iter(match=cache.make_key(f"c:access:{access_version}:*"), count=1000):
        principal += client.memory_usage(raw) or 0
    return entry_bytes, principal


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="crewplan_bench_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4")
    parser.add_argument(
        "--seconds", type=float, default=6.0, help="seconds per unit of work and process count"
    )
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--skip-solve", action="store_true", help="reuse the solve figures of the last run")
    parser.add_argument(
        "--replan", action="store_true", help="measure nothing: plan again from capacity_model.json's costs"
    )
    parser.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _setup_env(args)
    if args.worker:
        state = json.loads(Path(args.state).read_text())
        print(json.dumps(_worker(args.worker, args.index, args.seconds, state)))
        return

    if args.replan:
        report = json.loads((RESULTS / "capacity_model.json").read_text())
        _write(report, UnitCosts(**report["costs"]))
        return
    state = _prepare(args)
    state_path = ROOT / "var" / "bench-capacity-model-state.json"
    state_path.parent.mkdir(exist_ok=True)
    state_path.write_text(json.dumps(state))
    previous = json.loads((RESULTS / "capacity_model.json").read_text()) if args.skip_solve else None
    measured: dict = {}
    for kind in KINDS:
        for processes in (1, 2):
            if kind == "solve" and previous:
                measured[f"{kind}/{processes}"] = previous["measured"][f"{kind}/{processes}"]
                continue
            load = os.getloadavg()[0]
            summary = _summary(
                kind, _run(kind, processes, args.seconds, state_path, args.database, args.redis)
            )
            summary["load_average_1m"] = round(load, 2)
            measured[f"{kind}/{processes}"] = summary
            print(
                f"{kind:<14} {processes} process(es): {summary['count']:>5} done, "
                f"{1000 * summary['per_unit_wall_s']:9.1f} ms wall, "
                f"{1000 * summary['per_unit_cpu_s']:9.1f} ms CPU, "
                f"{1000 * summary['per_unit_db_s']:8.1f} ms in PostgreSQL each; "
                f"{summary['throughput_per_s']:8.2f}/s together (load {load:.1f})",
                flush=True,
            )
    entry_bytes, principal_bytes = _redis_bytes(state)
    two = {kind: measured[f"{kind}/2"] for kind in KINDS}
    costs = UnitCosts(
        cached_read_s=two["cached_read"]["per_unit_cpu_s"],
        uncached_read_s=two["uncached_read"]["per_unit_cpu_s"],
        uncached_read_db_s=two["uncached_read"]["per_unit_db_s"],
        solve_wall_s=two["solve"]["per_unit_wall_s"],
        solve_threads=two["solve"]["threads"],
        retrain_cpu_s=two["retrain"]["per_unit_cpu_s"],
        bulk_edit_s=two["bulk_edit"]["per_unit_cpu_s"],
        bulk_edit_db_s=two["bulk_edit"]["per_unit_db_s"],
        entry_bytes=entry_bytes,
        principal_bytes=principal_bytes,
    )
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "measured": measured,
        "costs": asdict(costs),
    }
    _write(report, costs)


def _write(report: dict, costs: UnitCosts) -> None:
    load = Load()
    plans = [plan(n, costs, load) for n in SIZES]
    what_if = [plan(n, costs, Load(namespace_scope="unit")) for n in SIZES]
    report.update(
        load=asdict(load),
        plans=[p.as_dict() for p in plans],
        what_if_unit_namespaces=[p.as_dict() for p in what_if],
    )
    (RESULTS / "capacity_model.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (RESULTS / "CAPACITY.md").write_text(markdown(report, plans, what_if, load))
    print((RESULTS / "CAPACITY.md").read_text())


if __name__ == "__main__":
    main()
