"""Benchmark the solver on public instances and write the table `select.py` reads.

    python -m scheduler.solver.bench curtois FILE... --engine cpsat|milp|auto --time-limit S --workers N \\
        [--best-known TSV] [--solutions DIR] [--results CSV]

Prints per instance: objective (recomputed by the referee, evaluate.py), best bound, best known, gap to best
known, time to first feasible, time to best, status. Appends one row per instance to the results CSV (rows for
the same instance, engine and time limit are replaced). Regenerate the selection table with:

    python -m scheduler.solver.bench curtois ../shared/benchmarks/curtois/Instance*.txt --engine cpsat \\
        --time-limit 60 --workers 2 --best-known ../shared/benchmarks/curtois/best_known.tsv \\
        --solutions bench/results/solutions --results bench/results/solver.csv
    (then the same with --engine milp)
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from .dispatch import solve
from .evaluate import evaluate
from .formats.curtois import read_curtois, roster_to_json

COLUMNS = [
    "instance",
    "staff",
    "days",
    "shift_types",
    "engine",
    "time_limit",
    "workers",
    "objective",
    "bound",
    "best_known",
    "gap",
    "t_first",
    "t_best",
    "status",
    "feasible",
]


def read_best_known(path: str | Path | None) -> dict[str, int]:
    if not path:
        return {}
    table = {}
    with open(path) as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            table[row["instance"]] = int(row["best_known"])
    return table


def _instance_key(path: str) -> tuple[int, str]:
    match = re.search(r"(\d+)", Path(path).stem)
    return (int(match.group(1)) if match else 0, path)


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def write_rows(path: Path, rows: list[dict]) -> None:
    existing: list[dict] = []
    if path.exists():
        with open(path) as handle:
            existing = list(csv.DictReader(handle))
    keys = {(r["instance"], r["engine"], str(r["time_limit"])) for r in rows}
    kept = [r for r in existing if (r["instance"], r["engine"], str(r["time_limit"])) not in keys]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in kept + rows:
            writer.writerow(row)


def run_curtois(args: argparse.Namespace) -> int:
    best_known = read_best_known(args.best_known)
    rows = []
    header = (
        f"{'instance':<12}{'engine':<8}{'objective':>10}{'bound':>10}{'best':>8}{'gap%':>8}"
        f"{'t_first':>9}{'t_best':>9}  status"
    )
    print(header, flush=True)
    for path in sorted(args.files, key=_instance_key):
        problem = read_curtois(path)
        solution = solve(problem, engine=args.engine, time_limit=args.time_limit, workers=args.workers)
        referee = evaluate(problem, solution.roster) if solution.objective is not None else None
        objective = referee.objective if referee else None
        feasible = bool(referee and referee.feasible)
        best = best_known.get(problem.name)
        gap = None if objective is None or not best else 100.0 * (objective - best) / best
        engine = solution.engine
        row = {
            "instance": problem.name,
            "staff": len(problem.staff),
            "days": problem.num_days,
            "shift_types": len(problem.shift_types),
            "engine": engine,
            "time_limit": args.time_limit,
            "workers": args.workers,
            "objective": objective,
            "bound": None if solution.bound is None else round(solution.bound, 1),
            "best_known": best,
            "gap": None if gap is None else round(gap, 2),
            "t_first": None
            if solution.timings.first_feasible is None
            else round(solution.timings.first_feasible, 2),
            "t_best": None if solution.timings.best is None else round(solution.timings.best, 2),
            "status": solution.status if feasible or objective is None else "infeasible",
            "feasible": feasible,
        }
        rows.append(row)
        print(
            f"{problem.name:<12}{engine:<8}{_fmt(objective):>10}{_fmt(row['bound']):>10}{_fmt(best):>8}"
            f"{_fmt(gap, 2):>8}{_fmt(row['t_first']):>9}{_fmt(row['t_best']):>9}  {row['status']}",
            flush=True,
        )
        if args.solutions and objective is not None:
            out = Path(args.solutions)
            out.mkdir(parents=True, exist_ok=True)
            document = roster_to_json(problem, solution.roster, objective)
            (out / f"{problem.name}.{engine}.json").write_text(json.dumps(document))
        if args.results:
            write_rows(Path(args.results), [row])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler.solver.bench")
    sub = parser.add_subparsers(dest="format", required=True)
    curtois = sub.add_parser("curtois", help="Curtois and Qu (2014) text instances")
    curtois.add_argument("files", nargs="+")
    curtois.add_argument("--engine", default="cpsat", choices=["cpsat", "milp", "auto"])
    curtois.add_argument("--time-limit", type=float, default=60.0)
    curtois.add_argument("--workers", type=int, default=2)
    curtois.add_argument("--best-known")
    curtois.add_argument("--solutions")
    curtois.add_argument("--results")
    args = parser.parse_args(argv)
    return run_curtois(args)


if __name__ == "__main__":
    sys.exit(main())
