"""Choose an engine and its parameters for a problem, from the benchmark table the project produces.

Rules: a one-day fill (one day, or explicit fill days) goes to the assignment engine; a multi-day roster goes
to whichever of colgen, cpsat and milp the table (bench/results/solver.csv) shows winning most instances of
the nearest size class (staff x days x shift types, by log distance), at the time limit nearest the one asked
for. colgen is left out for a problem using a rule it cannot price exactly (`colgen.unsupported_rules`), or
when it is not installed. Ties and an empty table go to cpsat.

A problem with what the benchmark format has none of (hard cover minimums, labour cost, weekly limits,
skills) is a product problem: it is matched against the rows measured on the product's own demo units
(bench/results/solver_product.csv, from `bench/roster_quality.py --table`) when there are any. Measured
there at 10 s: CP-SAT met every hard minimum on units where colgen, which the benchmark table's size class
picked, did not. Regenerate the tables:

    python -m scheduler.solver.bench curtois ../shared/benchmarks/curtois/Instance*.txt --engine all \\
        --time-limit 60 --workers 2 --best-known ../shared/benchmarks/curtois/best_known.tsv \\
        --results bench/results/solver.csv --report bench/results/SOLVER.md
    python bench/roster_quality.py --engines colgen,cpsat --long 0 --table bench/results/solver_product.csv
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from .domain import Problem
from .options import DEFAULT_TIME_LIMIT_S, DEFAULT_WORKERS

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "bench" / "results" / "solver.csv"
PRODUCT_TABLE = DEFAULT_TABLE.with_name("solver_product.csv")
ENGINES = ("colgen", "cpsat", "milp")


@dataclass(frozen=True)
class Choice:
    engine: str
    time_limit: float
    workers: int
    reason: str


def _size(staff: float, days: float, shifts: float) -> float:
    return math.log(max(staff * days * max(shifts, 1), 1))


def read_table(path: str | Path | None = None) -> list[dict]:
    """The rows of a table; without `path`, the benchmark's and the product's (marked `kind`)."""
    if path is None:
        return read_table(DEFAULT_TABLE) + [dict(r, kind="product") for r in read_table(PRODUCT_TABLE)]
    path = Path(path)
    if not path.exists():
        return []
    with open(path) as handle:
        return list(csv.DictReader(handle))


def problem_kind(problem: Problem) -> str:
    """ "product" for a problem using what the benchmark format has none of, else "benchmark"."""
    product = (
        any(c.minimum or c.skill for c in problem.cover)
        or any(p.hourly_rate for p in problem.staff)
        or any(p.contract.max_weekly_minutes or p.contract.min_weekly_minutes for p in problem.staff)
    )
    return "product" if product else "benchmark"


def _score(row: dict) -> tuple[float, float]:
    """Lower is better: gap to best known (else objective), then time to best; no roster is worst."""
    if row.get("feasible") not in ("True", "true", "1") or not row.get("objective"):
        return (math.inf, math.inf)
    quality = float(row["gap"]) if row.get("gap") else float(row["objective"])
    return (quality, float(row["t_best"]) if row.get("t_best") else math.inf)


def _allowed_engines(problem: Problem) -> tuple[list[str], str]:
    try:
        from .colgen import unsupported_rules
    except ImportError:
        return ["cpsat", "milp"], ""
    unsupported = unsupported_rules(problem)
    if unsupported:
        return ["cpsat", "milp"], f"; colgen left out (cannot price {', '.join(unsupported)})"
    return list(ENGINES), ""


def choose_engine(
    problem: Problem,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    workers: int = DEFAULT_WORKERS,
    fill_days: int | None = None,
    table: list[dict] | None = None,
) -> Choice:
    if problem.num_days == 1 or fill_days == 1:
        return Choice(
            "assign", min(time_limit, 5.0), 1, "a one-day fill: linear assignment is exact per day and fast"
        )
    allowed, note = _allowed_engines(problem)
    rows = read_table() if table is None else table
    rows = [r for r in rows if r.get("engine") in allowed]
    kind = problem_kind(problem)
    rows = [r for r in rows if r.get("kind", "benchmark") == kind] or rows
    if not rows:
        return Choice("cpsat", time_limit, workers, f"no benchmark table; CP-SAT is the default{note}")
    limits = {float(r["time_limit"]) for r in rows if r.get("time_limit")}
    if limits:  # the rows measured at the time limit nearest the one asked for
        nearest_limit = min(limits, key=lambda t: (abs(math.log(t / max(time_limit, 0.1))), -t))
        rows = [r for r in rows if not r.get("time_limit") or float(r["time_limit"]) == nearest_limit]
    size = _size(len(problem.staff), problem.num_days, len(problem.shift_types))
    by_instance: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_instance.setdefault(row["instance"], {})[row["engine"]] = row
    distance = {
        name: abs(_size(float(r["staff"]), float(r["days"]), float(r["shift_types"])) - size)
        for name, engines in by_instance.items()
        for r in list(engines.values())[:1]
    }
    nearest = min(distance.values())
    nearest_names = sorted(n for n, d in distance.items() if d <= nearest + 0.35)  # the nearest size class
    wins = dict.fromkeys(allowed, 0)
    for name in nearest_names:
        scores = {engine: _score(row) for engine, row in by_instance[name].items()}
        best = min(scores.values())
        if len(scores) > 1 and math.isfinite(best[0]):
            winners = [e for e, s in scores.items() if s == best]
            if len(winners) == 1:
                wins[winners[0]] += 1
    top = max(wins.values())
    leaders = [e for e in allowed if wins[e] == top]
    engine = "cpsat" if "cpsat" in leaders else leaders[0]
    measured = sorted({e for name in nearest_names for e in by_instance[name]})
    if len(measured) > 1:
        verdict = ", ".join(f"{e} won {wins[e]}" for e in allowed if e in measured)
        if len(leaders) > 1:
            verdict += f" (tie: {engine})"
    else:
        verdict = f"only {measured[0]} measured there"
    reason = (
        f"nearest {kind if rows[0].get('kind', 'benchmark') == kind else 'benchmark'} size class "
        f"{', '.join(nearest_names)} "
        f"(size {math.exp(size):.0f} cells): {verdict}{note}"
    )
    return Choice(engine, time_limit, workers, reason)
