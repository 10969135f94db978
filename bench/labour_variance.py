"""Labour-variance benchmark: the large demo on PostgreSQL, the report computed uncached for a scope of
--units units over --weeks weeks, with its query count.

    .venv/bin/python bench/labour_variance.py [--database crewplan_bench_labour] [--units 20] [--weeks 26]
        [--repeat 20] [--reseed]

- Seeds `seed_demo --size large` (80 units of 25 people; per unit a published roster of the last four
  weeks at minimum cover with its actual hours, a pay-rate history and weekly budgets) into a database of
  its own (created if missing; seeded once, --reseed to rebuild).
- Times compute_labour_variance (no cache) from four weeks ago, so the window holds the past roster and
  its actuals; reports p50/p95, the CPU of this process and of the PostgreSQL backend per computation
  (the pricing runs in the query), and the number of SQL queries of one computation.

Target (issue 17): uncached p95 under 100 ms for 20 units and 26 weeks, with a fixed number of queries.
Not part of the test suite; prints a table and writes bench/results/labour_variance.json.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_postgres_database, manage, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="crewplan_bench_labour")
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-of-at-least-32-characters")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")
    needs_seed = ensure_postgres_database(args.database, reseed=args.reseed)
    manage("migrate", "--verbosity", "0")
    if needs_seed:
        manage("seed_demo", "--size", "large", "--no-user")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from capacity.models import Department
    from scheduler.labour_variance import compute_labour_variance

    units = list(
        Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").values_list("id", flat=True)
    )[: args.units]
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday(), weeks=4)

    def run():
        return compute_labour_variance(department_ids=units, first_week=first, weeks=args.weeks)

    report = run()  # warm the connection and the holiday calendars
    with CaptureQueriesContext(connection) as queries:
        run()
    backend_cpu = _backend_cpu_reader(connection)
    samples, cpu, db_cpu = [], [], []
    for _ in range(args.repeat):
        started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu()
        run()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        db_cpu.append((backend_cpu() - started_db) * 1000)
    totals = report["totals"]
    result = {
        "units": len(units),
        "weeks": args.weeks,
        "queries": len(queries.captured_queries),
        "rostered_hours": totals["rostered"]["hours"],
        "actual_hours": totals["actual"]["hours"],
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        # this process's CPU per computation: less at the mercy of a loaded machine than wall time
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        # the PostgreSQL backend's CPU per computation (read from /proc: the server runs on this machine),
        # the work now done in the query; averaged, as the kernel counts it in 10 ms ticks
        "db_cpu_mean_ms": round(statistics.fmean(db_cpu), 1),
        "load": os.getloadavg()[0],
    }
    print(
        "| units | weeks | queries | rostered h | actual h | p50 ms | p95 ms | CPU p50 ms | DB CPU ms "
        "| load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {result['units']} | {result['weeks']} | {result['queries']} | {result['rostered_hours']} | "
        f"{result['actual_hours']} | {result['p50_ms']} | {result['p95_ms']} | {result['cpu_p50_ms']} | "
        f"{result['db_cpu_mean_ms']} | {result['load']:.1f} |"
    )
    out = ROOT / "bench" / "results" / "labour_variance.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


def _backend_cpu_reader(connection):
    """Seconds of CPU the PostgreSQL backend serving `connection` has used (0 when it is not local)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    tick = os.sysconf("SC_CLK_TCK")

    def seconds() -> float:
        if not stat.exists():
            return 0.0
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    return seconds


if __name__ == "__main__":
    main()
