"""The whole organisation planned at once: the large demo's 80 units, batch vs one by one.

    .venv/bin/python bench/batch_plan.py [--database crewplan_bench_batch] [--redis redis://127.0.0.1:6379/0]
        [--weeks 2] [--time-limit 5] [--engine auto] [--shared-per-unit 2]
        [--modes one-by-one,batch-1,batch-2] [--department NAME] [--reseed]

- Seeds `seed_demo --size large` (80 units in 10 sites, 25 people each) into a database of its own (once).
- Makes people shared: the first `--shared-per-unit` people of each unit may also work in the next unit of
  its site (`Person.other_units`), so each site's 8 units form one chain of units sharing people.
- `one-by-one`: every unit solved in this process, one after another, in the batch's order (each chain in
  turn), by the same body the worker runs (`roster_solve_run`), so the rosters and their constraints are
  the batch's. `batch-N`: `roster_batch_plan` with a real `celery worker -Q solve --concurrency N`.
- Each mode starts from no rosters for those dates (a roster left by another mode would book the shared
  people). Prints wall time, rosters per minute, and per unit the referee's objective and penalties; the
  quality check compares each batch mode with one by one, against the spread between the two batch runs
  (the same problems solved twice: the solver's own run-to-run spread under a time limit).
- Writes bench/results/batch_plan.json and bench/results/BATCH-PLAN.md. Needs PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ensure_postgres_database  # noqa: E402
from bench.common import manage as _manage  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BROKER_PREFIX = "crewplan-bench-batch:"


def _setup_env(args) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ["REDIS_URL"] = args.redis
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ["CACHE_KEY_PREFIX"] = "crewplan-bench-batch"
    os.environ["CELERY_BROKER_KEY_PREFIX"] = BROKER_PREFIX
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DB_CONN_MAX_AGE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")


def _share_people(per_unit: int) -> int:
    from capacity.models import Department, Person

    Person.other_units.through.objects.all().delete()
    shared = 0
    for site in Department.objects.filter(kind=Department.Kind.SITE).order_by("id"):
        units = list(site.children.filter(kind=Department.Kind.UNIT).order_by("id"))
        for unit, following in zip(units, units[1:], strict=False):
            for person in Person.objects.filter(department=unit, active=True).order_by("id")[:per_unit]:
                person.other_units.add(following)
                shared += 1
    return shared


def _clear_rosters(start: date, end: date) -> None:
    from ops.models import Job
    from scheduler.models import Roster

    Roster.objects.filter(start_date=start, end_date=end).delete()
    Job.objects.filter(kind__in=["roster.batch", "roster.solve"], status__in=["queued", "running"]).update(
        status="cancelled"
    )


def _start_worker(concurrency: int) -> tuple[subprocess.Popen, Path]:
    log_path = ROOT / "var" / f"bench-batch-worker-{concurrency}.log"
    log_path.parent.mkdir(exist_ok=True)
    log = open(log_path, "w")  # noqa: SIM115 - the worker's, closed when it exits
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ops", "worker", "-Q", "solve", "--pool", "prefork"]
        + [
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "INFO"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while "ready." not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"the Celery worker did not start; see {log_path}")
        time.sleep(0.3)
    return proc, log_path


def _stop_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def _outcome(rosters) -> dict:
    """Per unit (by name): the referee's objective and penalties, and the double bookings over all."""
    from scheduler.models import RosterAssignment

    cells = Counter(
        RosterAssignment.objects.filter(roster__in=rosters).values_list("person_id", "date").iterator()
    )
    units = {}
    for r in rosters:
        stats = r.statistics or {}
        units[r.department.name] = {
            "objective": r.objective,
            "engine": stats.get("engine"),
            "hard_violations": stats.get("hard_violations"),
            "penalties_by_rule": stats.get("penalties_by_rule", {}),
            "left_off_booked_elsewhere": stats.get("left_off_booked_elsewhere"),
        }
    return {"units": units, "double_bookings": sum(1 for n in cells.values() if n > 1)}


def _one_by_one(root, start, weeks, args) -> dict:
    from django.db import transaction

    from capacity.selectors import units_sharing_people
    from ops.jobs import job_create
    from scheduler.models import Roster
    from scheduler.services.batch import units_below
    from scheduler.services.rosters import SOLVE_JOB_KIND, solve_options
    from scheduler.services.solving import roster_solve_run

    options = solve_options(engine=args.engine, time_limit=args.time_limit)
    end = start + timedelta(days=7 * weeks - 1)
    units = {u.pk: u for u in units_below(root)}
    order = [u for chain in units_sharing_people(unit_ids=list(units)) for u in chain]
    began = time.monotonic()
    rosters = []
    for unit_id in order:
        with transaction.atomic():
            roster = Roster.objects.create(
                department=units[unit_id], start_date=start, end_date=end, status=Roster.Status.SOLVING
            )
            job = job_create(kind=SOLVE_JOB_KIND, params={"roster_id": roster.id, **options.to_dict()})
            roster.job = job
            roster.save(update_fields=["job"])
        roster_solve_run(job_id=job.id)
        rosters.append(roster.id)
        print(f"  one by one: {len(rosters)}/{len(order)}", end="\r", flush=True)
    wall = time.monotonic() - began
    print()
    done = list(Roster.objects.filter(id__in=rosters).select_related("department"))
    return {"wall_s": wall, **_outcome(done)}


def _batch(root, start, weeks, args, concurrency: int) -> dict:
    from ops.models import Job
    from scheduler.models import Roster
    from scheduler.services.batch import roster_batch_plan

    proc, log_path = _start_worker(concurrency)
    try:
        began = time.monotonic()
        parent = roster_batch_plan(
            department=root, start_date=start, weeks=weeks, engine=args.engine, time_limit=args.time_limit
        )
        while True:
            parent.refresh_from_db()
            print(f"  batch, {concurrency} worker(s): {parent.message}   ", end="\r", flush=True)
            if parent.is_finished:
                break
            time.sleep(0.5)
        wall = time.monotonic() - began
        print()
    finally:
        _stop_worker(proc)
    children = Counter(Job.objects.filter(parent=parent).values_list("status", flat=True))
    rosters = list(Roster.objects.filter(job__parent=parent).select_related("department"))
    return {
        "wall_s": wall,
        "parent_status": parent.status,
        "children": dict(children),
        "chains": len(parent.result["chains"]),
        **_outcome(rosters),
    }


def _relative(a: int | None, b: int | None) -> float | None:
    if a is None or b is None:
        return None
    return abs(a - b) / max(abs(a), abs(b), 1)


def _compare(first: dict, second: dict) -> dict:
    diffs = [
        d
        for name in first["units"]
        if (d := _relative(first["units"][name]["objective"], second["units"].get(name, {}).get("objective")))
        is not None
    ]
    identical = sum(
        1
        for name, u in first["units"].items()
        if second["units"].get(name, {}).get("objective") == u["objective"]
    )
    total_a = sum(u["objective"] or 0 for u in first["units"].values())
    total_b = sum(u["objective"] or 0 for u in second["units"].values())
    return {
        "units": len(diffs),
        "identical_objective": identical,
        "median_relative_diff": statistics.median(diffs) if diffs else None,
        "max_relative_diff": max(diffs) if diffs else None,
        "total_objective": [total_a, total_b],
        "total_relative_diff": _relative(total_a, total_b),
    }


def _report(runs: dict, comparisons: dict, args, meta: dict) -> str:
    lines = [
        "# Batch planning: the whole organisation at once",
        "",
        f"Generated by `bench/batch_plan.py` at {meta['at']} UTC on {meta['cpus']} CPUs, load average "
        f"before {meta['load_before']}, after {meta['load_after']}. Large demo ({meta['units']} units), "
        f"{args.weeks}-week rosters, engine `{args.engine}`, time limit {args.time_limit} s per unit, "
        f"{meta['shared_people']} people shared with the next unit of their site ({meta['chains']} chains).",
        "",
        "| mode | wall s | rosters/min | double bookings | hard violations | total objective |",
        "|---|---|---|---|---|---|",
    ]
    for mode, run in runs.items():
        units = run["units"]
        lines.append(
            f"| {mode} | {run['wall_s']:.1f} | {60 * len(units) / run['wall_s']:.1f} | "
            f"{run['double_bookings']} | "
            f"{sum(u['hard_violations'] or 0 for u in units.values())} | "
            f"{sum(u['objective'] or 0 for u in units.values())} |"
        )
    lines += [
        "",
        "| compared | units | identical objective | median rel. diff | max rel. diff | total rel. diff |",
    ]
    lines.append("|---|---|---|---|---|---|")
    for name, c in comparisons.items():
        med = f"{c['median_relative_diff']:.2%}" if c["median_relative_diff"] is not None else "-"
        mx = f"{c['max_relative_diff']:.2%}" if c["max_relative_diff"] is not None else "-"
        lines.append(
            f"| {name} | {c['units']} | {c['identical_objective']} | {med} | {mx} | "
            f"{c['total_relative_diff']:.2%} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="crewplan_bench_batch")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--time-limit", type=int, default=5)
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--shared-per-unit", type=int, default=2)
    parser.add_argument("--modes", default="one-by-one,batch-1,batch-2")
    parser.add_argument("--department", help="name of the department to plan (default: the organisation)")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    _setup_env(args)
    if ensure_postgres_database(args.database, reseed=args.reseed):
        _manage("migrate", "--verbosity", "0")
        print("seeding the large demo (once) ...", flush=True)
        _manage("seed_demo", "--size", "large", "--no-user")
    else:
        _manage("migrate", "--verbosity", "0")

    import django

    django.setup()
    from django.utils import timezone

    from capacity.models import Department
    from capacity.selectors import units_sharing_people
    from scheduler.services.batch import units_below

    root = (
        Department.objects.get(name=args.department)
        if args.department
        else Department.objects.get(parent__isnull=True)
    )
    shared = _share_people(args.shared_per_unit)
    today = timezone.localdate()
    start = today + timedelta(days=7 - today.weekday())
    end = start + timedelta(days=7 * args.weeks - 1)
    units = units_below(root)
    chains = units_sharing_people(unit_ids=[u.pk for u in units])
    meta = {
        "at": timezone.now().strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "units": len(units),
        "shared_people": shared,
        "chains": len(chains),
        "start": start.isoformat(),
    }
    print(f"{len(units)} units, {shared} shared people, {len(chains)} chains; rosters {start}..{end}")
    runs = {}
    for mode in args.modes.split(","):
        _clear_rosters(start, end)
        print(f"{mode} ...", flush=True)
        if mode == "one-by-one":
            runs[mode] = _one_by_one(root, start, args.weeks, args)
        elif mode.startswith("batch-"):
            runs[mode] = _batch(root, start, args.weeks, args, int(mode.split("-", 1)[1]))
        else:
            raise SystemExit(f"unknown mode {mode!r}")
        run = runs[mode]
        print(
            f"{mode}: {run['wall_s']:.1f} s wall, {60 * len(run['units']) / run['wall_s']:.1f} rosters/min, "
            f"{run['double_bookings']} double bookings",
            flush=True,
        )
    meta["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    modes = list(runs)
    comparisons = {}
    batches = [m for m in modes if m.startswith("batch-")]
    if len(batches) >= 2:
        comparisons[f"{batches[0]} vs {batches[1]} (run-to-run spread)"] = _compare(
            runs[batches[0]], runs[batches[1]]
        )
    if "one-by-one" in runs:
        for m in batches:
            comparisons[f"one-by-one vs {m}"] = _compare(runs["one-by-one"], runs[m])
    report = _report(runs, comparisons, args, meta)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "batch_plan.json").write_text(
        json.dumps({"meta": meta, "args": vars(args), "runs": runs, "comparisons": comparisons}, indent=2)
    )
    (RESULTS / "BATCH-PLAN.md").write_text(report)


if __name__ == "__main__":
    main()
