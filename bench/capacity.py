"""Capacity aggregates benchmark: the large demo on PostgreSQL, every report endpoint cached and uncached,
and the role-capacity sources against each other, all measured in the same run.

    .venv/bin/python bench/capacity.py [--database crewplan_bench_capacity] [--redis redis://127.0.0.1:6379/2]
        [--repeat 40] [--units 20] [--reseed] [--sqlite]

- Seeds `seed_demo --size large` (80 units, 2,000 people, ~8,000 assignments, 26 weeks) into a database of
  its own (created if missing; seeded once, --reseed to rebuild).
- Role-capacity sources (python, jsonb, normalized: the role-week rollup) over the organisation, 20 units
  and one unit, 26 weeks, interleaved:
  p50/p95 of compute_role_capacity (uncached) and each source's speed relative to `python`; the series of
  the three are checked equal first.
- Endpoints through the full Django/DRF stack (middleware, auth, throttle, scoping, conditional headers)
  as a user granted --units units (25 people each, so 500 people by default), 26 weeks: uncached (the
  "capacity" namespace bumped before every request, outside the timing) and cached (warm).
- `--sqlite` measures the sources on the embedded default (a SQLite file under var/) instead.

Targets (DESIGN.md): normalized >= 10x faster than python; uncached p95 < 100 ms; cached < 5 ms.
Not part of the test suite; prints tables and writes bench/results/capacity.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_postgres_database  # noqa: E402
from bench.common import manage as _manage  # noqa: E402
from bench.common import percentile as _p  # noqa: E402


def _setup_env(args) -> None:
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench_capacity.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ["CACHE_KEY_PREFIX"] = "crewplan-bench-capacity"  # fixed: reruns reuse their few keys
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")


def _ensure_database(args) -> bool:
    """Create the PostgreSQL database when missing; True when it was (re)created and needs seeding."""
    if args.sqlite:
        path = ROOT / "var" / "bench_capacity.sqlite3"
        if args.reseed and path.exists():
            path.unlink()
        return not path.exists()
    return ensure_postgres_database(args.database, reseed=args.reseed)


def _timed(fn, repeat: int, before=None) -> list[float]:
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _row(name: str, samples: list[float]) -> dict:
    return {
        "name": name,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_p(samples, 0.95), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="crewplan_bench_capacity")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2", help="empty: local-memory cache")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument(
        "--units", type=int, default=20, help="units granted to the bench user (25 people each)"
    )
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--only", choices=("sources", "endpoints"), help="run one section")
    args = parser.parse_args()
    _setup_env(args)

    fresh = _ensure_database(args)
    _manage("migrate", "--verbosity", "0")
    if fresh:
        print("seeding the large demo (once) ...", flush=True)
        _manage("seed_demo", "--size", "large", "--no-user")

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from capacity.aggregates.role_capacity import compute_role_capacity
    from capacity.models import Assignment, AssignmentWeekHours, Department, Person, RoleWeekHours
    from capacity.weeks import monday_of
    from ops import cache as ops_cache

    vendor = connection.vendor
    if vendor == "postgresql":
        # a freshly seeded table has no planner statistics; production has autovacuum's
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE capacity_assignmentweekhours")
            cursor.execute("ANALYZE")
    first = monday_of(timezone.localdate())
    everything = list(Department.objects.values_list("id", flat=True))
    units = list(
        Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").values_list("id", flat=True)
    )
    people = Person.objects.count()
    print(
        f"database: {vendor}; {people} people, {Assignment.objects.count()} assignments, "
        f"{AssignmentWeekHours.objects.count()} fact rows, {RoleWeekHours.objects.count()} rollup rows, "
        f"{len(units)} units; 26 weeks from {first}; "
        f"cache: {'redis' if args.redis else 'local memory'}; repeat {args.repeat}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    results: dict = {
        "database": vendor,
        "people": people,
        "repeat": args.repeat,
        "sources": [],
        "endpoints": [],
    }

    # --- role-capacity sources --------------------------------------------------------------------------
    sources = ["python", "normalized"] + (["jsonb"] if vendor == "postgresql" else [])
    scopes = (
        []
        if args.only == "endpoints"
        else [("organisation", everything), ("20 units", units[:20]), ("one unit", units[:1])]
    )
    print("\nrole capacity, uncached compute_role_capacity (ms)")
    print(f"{'scope':<14}{'source':<12}{'p50':>9}{'p95':>9}{'speed vs python (p50)':>24}")
    for scope_name, scope in scopes:
        answers = {
            src: compute_role_capacity(department_ids=scope, first_week=first, weeks=26, source=src)
            for src in sources
        }
        same = all(answers[src] == answers["python"] for src in sources)
        # interleaved (each repetition runs every source, in rotating order), so a noisy machine weighs
        # on all sources alike and the ratios stay comparable
        samples: dict[str, list[float]] = {src: [] for src in sources}
        for rep in range(args.repeat):
            for src in sources[rep % len(sources) :] + sources[: rep % len(sources)]:
                started = time.perf_counter()
                compute_role_capacity(department_ids=scope, first_week=first, weeks=26, source=src)
                samples[src].append((time.perf_counter() - started) * 1000)
        rows = {src: _row(src, samples[src]) for src in sources}
        for src in sources:
            ratio = rows["python"]["p50_ms"] / rows[src]["p50_ms"]
            rows[src]["speedup_vs_python"] = round(ratio, 1)
            rows[src]["scope"] = scope_name
            print(
                f"{scope_name:<14}{src:<12}{rows[src]['p50_ms']:>9.2f}{rows[src]['p95_ms']:>9.2f}{ratio:>23.1f}x"
            )
        print(f"{'':<14}series identical across sources: {same}")
        results["sources"].extend(rows.values())
        results.setdefault("identical", {})[scope_name] = same

    # --- endpoints through the stack --------------------------------------------------------------------
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from capacity.access import access_grant_set

    user, _ = get_user_model().objects.get_or_create(username="bench-capacity")
    granted = Department.objects.filter(pk__in=units[: args.units])
    for unit in granted:
        access_grant_set(user=user, department=unit, role="planner", include_children=True)
    scoped_people = Person.objects.filter(department__in=granted, active=True).count()
    client = APIClient()
    client.force_authenticate(user=user)
    week = first.isoformat()
    from django.conf import settings

    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["aggregate"] = (
        None  # measure the reads, not the limiter
    )
    endpoints = (
        []
        if args.only == "sources"
        else [
            ("role-capacity", {"start": week, "weeks": 26}),
            ("heatmap", {"start": week, "weeks": 26}),
            ("project-availability", {"week": week}),
            ("skill-match", {"skills": "medication,first aid", "week": week}),
            ("find-available", {"week": week, "skills": "dementia", "minAvailableHours": 4}),
            ("grid-snapshot", {"start": week, "weeks": 26}),
        ]
    )
    print(f"\nendpoints as a user of {len(granted)} units ({scoped_people} active people), 26 weeks (ms)")
    print(f"{'endpoint':<24}{'uncached p50':>14}{'p95':>9}{'cached p50':>12}{'p95':>9}{'bytes':>10}")
    for path, params in endpoints:
        url = f"/api/reports/{path}"

        def get(url=url, params=params):
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            return response

        size = len(get().content)
        uncached = _timed(get, args.repeat, before=lambda: ops_cache.bump("capacity"))
        get()  # warm
        cached = _timed(get, args.repeat)
        row = {
            "endpoint": path,
            "uncached": _row(path, uncached),
            "cached": _row(path, cached),
            "bytes": size,
        }
        results["endpoints"].append(row)
        print(
            f"{path:<24}{row['uncached']['p50_ms']:>14.2f}{row['uncached']['p95_ms']:>9.2f}"
            f"{row['cached']['p50_ms']:>12.2f}{row['cached']['p95_ms']:>9.2f}{size:>10}"
        )
    # a revalidation with a current ETag: 304 without reading the payload
    if endpoints:
        first_response = client.get("/api/reports/heatmap", {"start": week, "weeks": 26})
        revalidate = _timed(
            lambda: client.get(
                "/api/reports/heatmap",
                {"start": week, "weeks": 26},
                HTTP_IF_NONE_MATCH=first_response["ETag"],
            ),
            args.repeat,
        )
        results["revalidate_304"] = _row("heatmap 304", revalidate)
        print(
            f"{'heatmap (304)':<24}{'':>14}{'':>9}{results['revalidate_304']['p50_ms']:>12.2f}"
            f"{results['revalidate_304']['p95_ms']:>9.2f}"
        )

    results["load_average_end"] = round(os.getloadavg()[0], 2)
    print(f"load average at the end: {results['load_average_end']:.2f}")
    out = ROOT / "bench" / "results" / f"capacity-{vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
