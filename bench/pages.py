"""Server render time of every web page on the medium demo (PostgreSQL + Redis), through the full Django
stack (middleware, session, auth, templates) with the test client, as the demo planner.

    .venv/bin/python bench/pages.py [--database crewplan_bench_pages] [--redis redis://127.0.0.1:6379/3]
        [--repeat 20] [--reseed]

- Seeds `seed_demo --size medium` (6 units, 150 people) into a database of its own (created if missing;
  seeded once, --reseed to rebuild), solves one 4-week roster in this process (the first unit and
  start week that give a roster with assignments) and trains one demand series, so the grid, dashboard
  and forecast pages show real data.
- The open-shifts page twice: the solved roster's unit, and another unit with an empty draft of the same
  weeks (every shift open: its worst case).
- Each page is requested --repeat times after one warm-up; the dashboard twice: cold (its cache
  namespaces bumped before every request, outside the timing) and warm.
- Prints p50/p95 milliseconds and the query count per page; writes bench/results/pages.json.

Target (issue 8): server render under 300 ms per page on the medium demo. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_postgres_database  # noqa: E402
from bench.common import manage as _manage  # noqa: E402
from bench.common import percentile as _p  # noqa: E402

TARGET_MS = 300


def _setup_env(args) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ["CACHE_KEY_PREFIX"] = f"crewplan-bench-pages-{os.getpid()}"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")


def _ensure_database(args) -> bool:
    return ensure_postgres_database(args.database, reseed=args.reseed)


def _solved_roster():
    """A solved 4-week roster of the demo with assignments, solved here (no worker needed)."""
    from django.utils import timezone

    from capacity.models import Department
    from scheduler.models import Roster
    from scheduler.services.rosters import roster_generate
    from scheduler.services.solving import roster_solve_run

    existing = Roster.objects.filter(status=Roster.Status.SOLVED, assignments__isnull=False).first()
    if existing:
        return existing
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    for weeks_ahead in range(3):
        for unit in Department.objects.filter(kind=Department.Kind.UNIT).order_by("id"):
            start = monday + timedelta(weeks=weeks_ahead)
            with mock.patch("ops.jobs.job_enqueue_on_commit"):  # solved below, in this process
                roster = roster_generate(
                    unit=unit, start_date=start, end_date=start + timedelta(days=27), time_limit=10
                )
            roster_solve_run(job_id=roster.job_id)
            roster.refresh_from_db()
            if roster.assignments.exists():
                return roster
            print(
                f"  {unit} from {start}: {roster.statistics.get('status')} (no assignments), next", flush=True
            )
    raise SystemExit("no demo unit gave a roster with assignments")


def _empty_draft(solved):
    """A draft of another unit over the solved roster's period, nothing assigned: the open-shifts page's
    worst case (every shift open, every candidate checked)."""
    from capacity.models import Department
    from scheduler.models import Roster

    unit = (
        Department.objects.filter(kind=Department.Kind.UNIT)
        .exclude(id=solved.department_id)
        .order_by("id")[0]
    )
    draft, _ = Roster.objects.get_or_create(
        department=unit,
        start_date=solved.start_date,
        end_date=solved.end_date,
        status=Roster.Status.DRAFT,
        defaults={"statistics": {}},
    )
    return draft


def _trained_series():
    from forecasting.models import DemandSeries, ForecastModel
    from forecasting.services import forecast_retrain

    current = ForecastModel.objects.filter(is_current=True).select_related("series").first()
    if current:
        return current.series
    series = DemandSeries.objects.order_by("id").first()
    forecast_retrain(series=[series])
    return series


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="crewplan_bench_pages")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3", help="empty: local-memory cache")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    _setup_env(args)
    fresh = _ensure_database(args)
    _manage("migrate", "--verbosity", "0")
    if fresh:
        print("seeding the medium demo (once) ...", flush=True)
        _manage("seed_demo", "--size", "medium", "--yes-i-know")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ops.cache import bump

    print("preparing a solved roster and a trained series ...", flush=True)
    roster = _solved_roster()
    series = _trained_series()
    draft = _empty_draft(roster)
    unit = roster.department
    busiest = (
        roster.assignments.values("person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person_id")[0]["person_id"]
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="planner"))

    pages = [
        ("start page", "/", None),
        ("rosters of a unit", f"/units/{unit.id}/rosters/", None),
        (f"roster grid ({roster.assignments.count()} assignments)", f"/rosters/{roster.id}/", None),
        ("roster timeline", f"/rosters/{roster.id}/?view=timeline", None),
        ("roster list by day", f"/rosters/{roster.id}/?view=list", None),
        (
            "roster timeline, filtered and grouped",
            f"/rosters/{roster.id}/?view=timeline&group=skill&sort=role&highlight={busiest}",
            None,
        ),
        ("a person's roster page", f"/rosters/{roster.id}/people/{busiest}/", None),
        ("requirements (a week)", f"/units/{unit.id}/requirements/", None),
        ("open shifts of a unit", f"/units/{unit.id}/open-shifts/", None),
        ("open shifts, a unit with an empty draft", f"/units/{draft.department_id}/open-shifts/", None),
        ("dashboard, all 6 units, cold", "/dashboard/", lambda: bump("roster", "capacity", "forecast")),
        ("dashboard, all 6 units, cached", "/dashboard/", None),
        (
            "dashboard, one unit, cold",
            f"/dashboard/?unit={unit.id}",
            lambda: bump("roster", "capacity", "forecast"),
        ),
        ("forecasts list", "/forecasts/", None),
        ("forecast of a series", f"/forecasts/{series.id}/", None),
        ("capacity grid (a unit)", f"/capacity/?unit={unit.id}", None),
    ]
    rows = []
    for name, url, before in pages:
        if before:
            before()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        samples, queries = [], 0
        for _ in range(args.repeat):
            if before:
                before()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        rows.append(
            {
                "page": name,
                "url": url,
                "p50_ms": round(statistics.median(samples), 1),
                "p95_ms": round(_p(samples, 0.95), 1),
                "queries": queries,
                "bytes": len(response.content),
            }
        )
    width = max(len(r["page"]) for r in rows)
    header = f"{'page'.ljust(width)}  {'p50 ms':>7}  {'p95 ms':>7}  {'queries':>7}  {'KiB':>6}"
    print(f"\n{header}  under {TARGET_MS} ms")
    for r in rows:
        ok = "yes" if r["p95_ms"] < TARGET_MS else "NO"
        print(
            f"{r['page'].ljust(width)}  {r['p50_ms']:>7}  {r['p95_ms']:>7}  {r['queries']:>7}  "
            f"{r['bytes'] / 1024:>6.1f}  {ok}"
        )
    out = ROOT / "bench" / "results" / "pages.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"repeat": args.repeat, "redis": bool(args.redis), "pages": rows}, indent=2) + "\n"
    )
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
