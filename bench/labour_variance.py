"""Labour-variance benchmark: the large demo on PostgreSQL, the report computed uncached for a scope of
--units units over --weeks weeks, with its query count.

    .venv/bin/python bench/labour_variance.py [--database crewplan_bench_labour] [--units 20] [--weeks 26]
        [--repeat 20] [--reseed] [--against GIT_REVISION]

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
    parser.add_argument("--against", metavar="GIT_REVISION", help="also time the report at this revision")
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

    variants = {"this tree": compute_labour_variance}
    if args.against:
        variants[args.against] = _compute_at_revision(args.against)

    def runner(compute):
        return lambda: compute(department_ids=units, first_week=first, weeks=args.weeks)

    backend_cpu = _backend_cpu_reader(connection)
    results = {}
    for name, compute in variants.items():
        run = runner(compute)
        report = run()  # warm the connection and the holiday calendars
        with CaptureQueriesContext(connection) as queries:
            run()
        results[name] = {"report": report, "queries": len(queries.captured_queries), "samples": []}
    if args.against and results[args.against]["report"] != results["this tree"]["report"]:
        raise SystemExit(f"the report at {args.against} differs from this tree's")
    # alternate the variants so that both see the same load
    for _ in range(args.repeat):
        for name, compute in variants.items():
            run = runner(compute)
            started, started_cpu, started_db = time.perf_counter(), time.process_time(), backend_cpu()
            run()
            results[name]["samples"].append(
                (
                    (time.perf_counter() - started) * 1000,
                    (time.process_time() - started_cpu) * 1000,
                    (backend_cpu() - started_db) * 1000,
                )
            )
    print(
        "| code | units | weeks | queries | rostered h | actual h | p50 ms | p95 ms | CPU p50 ms "
        "| DB CPU ms | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for name, measured in results.items():
        wall = [s[0] for s in measured["samples"]]
        totals = measured["report"]["totals"]
        row = {
            "code": name,
            "units": len(units),
            "weeks": args.weeks,
            "queries": measured["queries"],
            "rostered_hours": totals["rostered"]["hours"],
            "actual_hours": totals["actual"]["hours"],
            "p50_ms": round(statistics.median(wall), 1),
            "p95_ms": round(percentile(wall, 0.95), 1),
            # this process's CPU per computation: less at the mercy of a loaded machine than wall time
            "cpu_p50_ms": round(statistics.median(s[1] for s in measured["samples"]), 1),
            # the PostgreSQL backend's CPU per computation (read from /proc: the server runs on this
            # machine), the work done in the query; averaged, as the kernel counts it in 10 ms ticks
            "db_cpu_mean_ms": round(statistics.fmean(s[2] for s in measured["samples"]), 1),
            "load": os.getloadavg()[0],
        }
        rows.append(row)
        print(
            f"| {name} | {row['units']} | {row['weeks']} | {row['queries']} | {row['rostered_hours']} | "
            f"{row['actual_hours']} | {row['p50_ms']} | {row['p95_ms']} | {row['cpu_p50_ms']} | "
            f"{row['db_cpu_mean_ms']} | {row['load']:.1f} |"
        )
    out = ROOT / "bench" / "results" / "labour_variance.json"
    out.write_text(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2) + "\n")


def _compute_at_revision(revision: str):
    """compute_labour_variance as scheduler/labour_variance.py and labour_variance_sql.py were at a git
    revision, imported from `git show` under other module names (the rest of the tree is this one's)."""
    import importlib.util
    import subprocess
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="labour_variance_at_"))
    for name in ("labour_variance_sql", "labour_variance"):
        shown = subprocess.run(
            ["git", "show", f"{revision}:scheduler/{name}.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        source = shown.stdout.replace(
            "from scheduler.labour_variance_sql import", "from before_labour_variance_sql import"
        )
        path = folder / f"before_{name}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"before_{name}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"before_{name}"] = module
        spec.loader.exec_module(module)
    return sys.modules["before_labour_variance"].compute_labour_variance


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
