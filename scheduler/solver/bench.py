"""Benchmark the engines on public instances, write the table `select.py` reads and the report SOLVER.md.

    python -m scheduler.solver.bench curtois FILE... --engine colgen|cpsat|milp|auto|all \\
        --time-limit S --workers N [--best-known TSV] [--solutions DIR] [--results CSV] [--report MD]

`--engine all` runs colgen, cpsat and milp on each instance, one after the other, in one run (`--skip milp`
leaves one out, e.g. when its rows come from an earlier run; MILP is skipped above `MILP_MAX_CELLS`, where
PuLP cannot build the model in memory; the row says so). `--engine plain` is the reference the issue compares
with: the full model solved by CP-SAT's default search alone (`cpsat.solve.solve_plain`; not an engine the
product offers). Prints per instance and engine: objective (recomputed by the referee, evaluate.py), best
bound, best known, gap, time to first feasible, time to best, status, and the machine's 1-minute load average
when the solve started. Every row goes to the results CSV (a row for the same instance, engine, time limit and
workers is replaced), and `--report` rewrites the Markdown report from the whole CSV. Regenerate both with:

    D=../shared/benchmarks/curtois
    python -m scheduler.solver.bench curtois $D/Instance*.txt --engine all --time-limit 60 --workers 2 \\
        --best-known $D/best_known.tsv --results bench/results/solver.csv --report bench/results/SOLVER.md
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

from .dispatch import solve
from .evaluate import evaluate
from .formats.curtois import read_curtois, roster_to_json

ENGINES = ("colgen", "cpsat", "milp")
MILP_MAX_CELLS = 200_000  # Instance24 (1.7 M cells) would not fit in memory as a PuLP model
COLUMNS = [
    "instance",
    "staff",
    "days",
    "shift_types",
    "engine",
    "picked",
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
    "load",
    "run",
]


def read_best_known(path: str | Path | None) -> dict[str, int]:
    if not path:
        return {}
    table = {}
    with open(path) as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            table[row["instance"]] = int(row["best_known"])
    return table


def _instance_key(name: str) -> tuple[int, str]:
    match = re.search(r"(\d+)", Path(name).stem)
    return (int(match.group(1)) if match else 0, name)


def _fmt(value: object, digits: int = 1) -> str:
    if value in (None, ""):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _key(row: dict) -> tuple[str, str, str, str]:
    return (row["instance"], row["engine"], str(float(row["time_limit"])), str(row.get("workers", "")))


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path) as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict]) -> None:
    keys = {_key(r) for r in rows}
    kept = [r for r in read_rows(path) if _key(r) not in keys]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in kept + rows:
            writer.writerow(row)


def available_engines() -> list[str]:
    try:
        from . import colgen  # noqa: F401  (built on another branch; absent until merged)
    except ImportError:
        return [e for e in ENGINES if e != "colgen"]
    return list(ENGINES)


def run_one(problem, engine: str, args: argparse.Namespace, best: int | None, run: str) -> dict:
    base = {
        "instance": problem.name,
        "staff": len(problem.staff),
        "days": problem.num_days,
        "shift_types": len(problem.shift_types),
        "engine": engine,
        "time_limit": args.time_limit,
        "workers": args.workers,
        "best_known": best,
        "load": round(os.getloadavg()[0], 2),
        "run": run,
    }
    if engine == "milp" and problem.size > MILP_MAX_CELLS:
        return {**base, "picked": "milp", "status": "skipped: model too large for PuLP", "feasible": False}
    if engine == "plain":
        from .cpsat.solve import HUGE_MODEL_CELLS, solve_plain

        if problem.size > HUGE_MODEL_CELLS:
            return {
                **base,
                "picked": "plain",
                "status": "skipped: model too large to build",
                "feasible": False,
            }
        solution = solve_plain(problem, time_limit=args.time_limit, workers=args.workers)
    else:
        solution = solve(problem, engine=engine, time_limit=args.time_limit, workers=args.workers)
    referee = evaluate(problem, solution.roster) if solution.objective is not None else None
    objective = referee.objective if referee else None
    feasible = bool(referee and referee.feasible)
    gap = None if objective is None or not best else 100.0 * (objective - best) / best
    timings = solution.timings
    row = {
        **base,
        "picked": solution.engine,
        "objective": objective,
        "bound": None if solution.bound is None else round(solution.bound, 1),
        "gap": None if gap is None else round(gap, 2),
        "t_first": None if timings.first_feasible is None else round(timings.first_feasible, 2),
        "t_best": None if timings.best is None else round(timings.best, 2),
        "status": solution.status if feasible or objective is None else "infeasible",
        "feasible": feasible,
    }
    if args.solutions and objective is not None:
        out = Path(args.solutions)
        out.mkdir(parents=True, exist_ok=True)
        document = roster_to_json(problem, solution.roster, objective)
        (out / f"{problem.name}.{engine}.json").write_text(json.dumps(document))
    return row


def run_curtois(args: argparse.Namespace) -> int:
    best_known = read_best_known(args.best_known)
    engines = available_engines() if args.engine == "all" else [args.engine]
    engines = [e for e in engines if e not in (args.skip or ())]
    if args.engine == "colgen" and "colgen" not in available_engines():
        print("the colgen engine is not installed in this checkout", file=sys.stderr)
        return 2
    run = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    header = (
        f"{'instance':<12}{'engine':<8}{'objective':>10}{'bound':>10}{'best':>8}{'gap%':>8}"
        f"{'t_first':>9}{'t_best':>9}{'load':>6}  status"
    )
    print(header, flush=True)
    for path in sorted(args.files, key=_instance_key):
        problem = read_curtois(path)
        for engine in engines:
            row = run_one(problem, engine, args, best_known.get(problem.name), run)
            print(
                f"{problem.name:<12}{engine:<8}{_fmt(row.get('objective')):>10}{_fmt(row.get('bound')):>10}"
                f"{_fmt(row['best_known']):>8}{_fmt(row.get('gap'), 2):>8}{_fmt(row.get('t_first')):>9}"
                f"{_fmt(row.get('t_best')):>9}{row['load']:>6}  {row['status']}",
                flush=True,
            )
            if args.results:
                write_rows(Path(args.results), [row])
                if args.report:
                    write_report(Path(args.results), Path(args.report))
    return 0


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def write_report(results: Path, report: Path) -> None:
    """SOLVER.md from the results CSV: per instance and (time limit, workers), every engine side by side."""
    rows = read_rows(results)
    groups: dict[tuple[float, int], dict[str, dict[str, dict]]] = {}
    for row in rows:
        key = (float(row["time_limit"]), int(float(row["workers"] or 0)))
        groups.setdefault(key, {}).setdefault(row["instance"], {})[row["engine"]] = row
    lines = [
        "# Roster solver benchmark (Curtois & Qu 2014 instances)",
        "",
        "Written by `python -m scheduler.solver.bench ... --report bench/results/SOLVER.md` from",
        "`bench/results/solver.csv` (do not edit by hand). Objective = the benchmark objective",
        "recomputed by the referee (`scheduler/solver/evaluate.py`); gap = vs best known; t_first /",
        "t_best = seconds to the first and to the best roster; load = the machine's 1-minute load",
        "average when that solve started (2 cores, shared). `ours` is the best engine's value for the",
        "instance. Engines: colgen (column generation), cpsat (CP-SAT portfolio), milp (PuLP + HiGHS;",
        "t_first is the end of the solve); plain = the reference of issue 15, the full model with",
        "CP-SAT's default search alone.",
        "",
    ]
    for (limit, workers), instances in sorted(groups.items()):
        order = ("colgen", "cpsat", "milp", "plain", "auto")
        engines = [e for e in order if any(e in i for i in instances.values())]
        runs = sorted({r.get("run") or "?" for i in instances.values() for r in i.values()})
        loads = [
            v for i in instances.values() for r in i.values() if (v := _float(r.get("load"))) is not None
        ]
        lines += [
            f"## {limit:g} s, {workers} workers",
            "",
            f"Runs: {', '.join(runs)}; load average during the solves: "
            + (f"{min(loads):.1f}-{max(loads):.1f} (mean {sum(loads) / len(loads):.1f})" if loads else "-"),
            "",
        ]
        head = "| instance | size | best known | ours | ours gap % |"
        rule = "|---|---|---|---|---|"
        for engine in engines:
            head += f" {engine} obj | {engine} gap % | {engine} t_first | {engine} t_best | {engine} status |"
            rule += "---|---|---|---|---|"
        lines += [head, rule]
        for name in sorted(instances, key=_instance_key):
            by_engine = instances[name]
            any_row = next(iter(by_engine.values()))
            values = [
                (_float(r.get("objective")), e)
                for e, r in by_engine.items()
                if e in ENGINES  # the plain reference is not one of ours
                and r.get("feasible") in ("True", "true")
                and _float(r.get("objective")) is not None
            ]
            ours = min(values) if values else None
            best = _float(any_row.get("best_known"))
            gap = None if ours is None or not best else 100.0 * (ours[0] - best) / best
            size = f"{any_row['staff']}x{any_row['days']}x{any_row['shift_types']}"
            line = (
                f"| {name} | {size} | {_fmt(any_row.get('best_known'))} | "
                f"{'-' if ours is None else f'{ours[0]:g} ({ours[1]})'} | {_fmt(gap, 2)} |"
            )
            for engine in engines:
                r = by_engine.get(engine)
                if r is None:
                    line += " not run | | | | |"
                    continue
                line += (
                    f" {_fmt(r.get('objective'))} | {_fmt(r.get('gap'))} | {_fmt(r.get('t_first'))} |"
                    f" {_fmt(r.get('t_best'))} | {r.get('status') or '-'} |"
                )
            lines.append(line)
        lines.append("")
    notes = report.with_name("SOLVER_NOTES.md")
    if notes.exists():  # hand-written analysis (targets, what was tried) kept beside the generated table
        lines += [notes.read_text().rstrip(), ""]
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler.solver.bench")
    sub = parser.add_subparsers(dest="format", required=True)
    curtois = sub.add_parser("curtois", help="Curtois and Qu (2014) text instances")
    curtois.add_argument("files", nargs="+")
    curtois.add_argument("--engine", default="cpsat", choices=[*ENGINES, "plain", "auto", "all"])
    curtois.add_argument("--time-limit", type=float, default=60.0)
    curtois.add_argument("--workers", type=int, default=2)
    curtois.add_argument(
        "--skip",
        action="append",
        choices=ENGINES,
        help="with --engine all: leave this engine out (repeatable)",
    )
    curtois.add_argument("--best-known")
    curtois.add_argument("--solutions")
    curtois.add_argument("--results")
    curtois.add_argument("--report", help="rewrite this Markdown report from --results after every row")
    report = sub.add_parser("report", help="rewrite the Markdown report from a results CSV")
    report.add_argument("results")
    report.add_argument("report")
    args = parser.parse_args(argv)
    if args.format == "report":
        write_report(Path(args.results), Path(args.report))
        return 0
    if args.report and not args.results:
        parser.error("--report needs --results")
    return run_curtois(args)


if __name__ == "__main__":
    sys.exit(main())
