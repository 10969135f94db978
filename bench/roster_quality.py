"""Roster quality where planners feel it: every medium-demo unit's 4-week roster at the UI's default limit
(10 s) and at a long limit (600 s by issue 15), with the engine `auto` picks, and the gap between the two.

    .venv/bin/python bench/roster_quality.py [--database crewplan_bench_quality] [--short 10] [--long 600]
        [--workers 2] [--units N] [--reseed]

- Seeds `seed_demo --size medium` (6 units of 25 people, three shifts) into a PostgreSQL database of its own
  (created if missing; seeded once, --reseed to rebuild).
- For each unit (up to --units): a draft roster for the next four weeks from Monday, its `Problem` built by
  the app (`scheduler.problem_builder.build_problem`: contracts, leave, skills, cover, history), then the
  solver core called directly (no Celery) at --short and at --long seconds; both rosters are scored by the
  referee (`evaluate.py`).
- `--engines colgen,cpsat --table bench/results/solver_product.csv`: instead, each engine at --short on
  every unit, side by side, written in solver.csv's columns: the table `auto` matches product problems
  against (scheduler/solver/select.py).
- `--reuse-long` keeps the long-limit rosters' figures from an earlier run (the long side takes 10 minutes a
  unit) and measures the short side again.
- Prints per unit: engine, objective at each limit, the gap (short - long) / long, time to first and best,
  and the load average; target (issue 15): within 3%. Writes bench/results/roster_quality.json.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_postgres_database, manage  # noqa: E402


def _setup(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")
    if ensure_postgres_database(args.database, reseed=args.reseed):
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo", "--size", "medium", "--no-user", "-v", "0")


def _solve(problem, *, limit: float, workers: int, engine: str = "auto") -> dict:
    from scheduler.solver import solve
    from scheduler.solver.evaluate import evaluate

    solution = solve(problem, engine=engine, time_limit=limit, workers=workers)
    referee = evaluate(problem, solution.roster) if solution.objective is not None else None
    return {
        "engine": solution.engine,
        "status": solution.status,
        "objective": referee.objective if referee else None,
        "feasible": bool(referee and referee.feasible),
        "t_first": solution.timings.first_feasible,
        "t_best": solution.timings.best,
        "load": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="crewplan_bench_quality")
    parser.add_argument("--short", type=float, default=10.0)
    parser.add_argument("--long", type=float, default=600.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--reuse-long",
        action="store_true",
        help="keep the long-limit results already in --output (measure the short side again)",
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "roster_quality.json"))
    parser.add_argument(
        "--engines",
        help="comma-separated engines to run side by side at --short on every unit (with --table)",
    )
    parser.add_argument("--table", help="write the --engines rows here, in solver.csv's columns")
    args = parser.parse_args()
    _setup(args)

    import django

    django.setup()
    from capacity.models import Department
    from scheduler.models import Roster
    from scheduler.problem_builder import build_problem

    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    units = list(Department.objects.filter(kind=Department.Kind.UNIT).order_by("id"))[: args.units]
    earlier = {}
    if args.reuse_long and Path(args.output).exists():
        earlier = {u["unit"]: u["long"] for u in json.loads(Path(args.output).read_text())["units"]}
    if args.engines:
        return _engine_table(args, units, start)
    results = []
    print(
        f"{'unit':<28}{'engine':<8}{'short':>9}{'long':>9}{'gap %':>8}{'t_best s/l':>14}{'load':>6}",
        flush=True,
    )
    for unit in units:
        roster, _ = Roster.objects.get_or_create(
            department=unit, start_date=start, end_date=start + dt.timedelta(days=27)
        )
        problem = build_problem(roster).problem
        short = _solve(problem, limit=args.short, workers=args.workers)
        long = earlier.get(unit.name) or _solve(problem, limit=args.long, workers=args.workers)
        gap = None
        if short["objective"] is not None and long["objective"] is not None:
            gap = 100.0 * (short["objective"] - long["objective"]) / max(long["objective"], 1)
        results.append({"unit": unit.name, "size": problem.size, "short": short, "long": long, "gap": gap})
        print(
            f"{unit.name[:27]:<28}{long['engine']:<8}{short['objective']!s:>9}{long['objective']!s:>9}"
            f"{'-' if gap is None else f'{gap:.2f}':>8}"
            f"{(short['t_best'] or 0):>7.1f}/{(long['t_best'] or 0):<6.1f}{long['load']:>6}",
            flush=True,
        )
        Path(args.output).write_text(
            json.dumps({"short_s": args.short, "long_s": args.long, "units": results}, indent=2)
        )
    gaps = [r["gap"] for r in results if r["gap"] is not None]
    within = sum(1 for g in gaps if g <= 3.0)
    print(f"{within} of {len(results)} units within 3% at {args.short:g} s vs {args.long:g} s", flush=True)
    return 0


def _engine_table(args: argparse.Namespace, units, start: dt.date) -> int:
    """Every engine of --engines at --short on every unit, alternated unit by unit (so each unit's engines
    meet the same load), written as the selection's product table (scheduler/solver/select.py)."""
    import csv

    from scheduler.models import Roster
    from scheduler.problem_builder import build_problem
    from scheduler.solver.bench import COLUMNS

    engines = args.engines.split(",")
    run = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    rows = []
    print(f"{'unit':<28}{'engine':<8}{'objective':>10}{'feasible':>9}{'t_best':>8}{'load':>6}", flush=True)
    for unit in units:
        roster, _ = Roster.objects.get_or_create(
            department=unit, start_date=start, end_date=start + dt.timedelta(days=27)
        )
        problem = build_problem(roster).problem
        for engine in engines:
            result = _solve(problem, limit=args.short, workers=args.workers, engine=engine)
            rows.append(
                {
                    "instance": unit.name,
                    "staff": len(problem.staff),
                    "days": problem.num_days,
                    "shift_types": len(problem.shift_types),
                    "engine": engine,
                    "picked": result["engine"],
                    "time_limit": args.short,
                    "workers": args.workers,
                    "objective": result["objective"] if result["objective"] is not None else "",
                    "t_first": "" if result["t_first"] is None else round(result["t_first"], 2),
                    "t_best": "" if result["t_best"] is None else round(result["t_best"], 2),
                    "status": result["status"],
                    "feasible": result["feasible"],
                    "load": result["load"],
                    "run": run,
                }
            )
            print(
                f"{unit.name[:27]:<28}{engine:<8}{result['objective']!s:>10}{result['feasible']!s:>9}"
                f"{(result['t_best'] or 0):>8.1f}{result['load']:>6}",
                flush=True,
            )
    with open(args.table, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
