"""Choose an engine and its parameters for a problem, from the benchmark table the project produces.

Rules: a one-day fill (one day, or explicit fill days) goes to the assignment engine; a multi-day roster goes
to whichever of cpsat and milp the table (bench/results/solver.csv) shows winning on the nearest size class
(staff x days x shift types, by log distance); ties and an empty table go to cpsat. Regenerate the table:

    python -m scheduler.solver.bench curtois ../shared/benchmarks/curtois/Instance*.txt --engine cpsat \\
        --time-limit 60 --workers 2 --best-known ../shared/benchmarks/curtois/best_known.tsv \\
        --results bench/results/solver.csv
    python -m scheduler.solver.bench curtois ../shared/benchmarks/curtois/Instance*.txt --engine milp \\
        --time-limit 60 --workers 2 --best-known ../shared/benchmarks/curtois/best_known.tsv \\
        --results bench/results/solver.csv
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from .domain import Problem
from .options import DEFAULT_TIME_LIMIT_S, DEFAULT_WORKERS

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "bench" / "results" / "solver.csv"


@dataclass(frozen=True)
class Choice:
    engine: str
    time_limit: float
    workers: int
    reason: str


def _size(staff: float, days: float, shifts: float) -> float:
    return math.log(max(staff * days * max(shifts, 1), 1))


def read_table(path: str | Path | None = None) -> list[dict]:
    path = Path(path) if path else DEFAULT_TABLE
    if not path.exists():
        return []
    with open(path) as handle:
        return list(csv.DictReader(handle))


def _score(row: dict) -> tuple[float, float]:
    """Lower is better: gap to best known (else objective), then time to best; no roster is worst."""
    if row.get("feasible") not in ("True", "true", "1") or not row.get("objective"):
        return (math.inf, math.inf)
    quality = float(row["gap"]) if row.get("gap") else float(row["objective"])
    return (quality, float(row["t_best"]) if row.get("t_best") else math.inf)


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
    rows = read_table() if table is None else table
    rows = [r for r in rows if r.get("engine") in ("cpsat", "milp")]
    if not rows:
        return Choice("cpsat", time_limit, workers, "no benchmark table; CP-SAT with LNS is the default")
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
    wins = {"cpsat": 0, "milp": 0}
    for name in nearest_names:
        engines = by_instance[name]
        scores = {engine: _score(row) for engine, row in engines.items()}
        best = min(scores.values())
        if len(scores) > 1 and math.isfinite(best[0]):
            winners = [e for e, s in scores.items() if s == best]
            if len(winners) == 1:
                wins[winners[0]] += 1
    engine = "milp" if wins["milp"] > wins["cpsat"] else "cpsat"
    measured = sorted({e for name in nearest_names for e in by_instance[name]})
    verdict = (
        f"cpsat won {wins['cpsat']}, milp won {wins['milp']}"
        if len(measured) > 1
        else f"only {measured[0]} measured there"
    )
    if len(measured) > 1 and wins["cpsat"] == wins["milp"]:
        verdict += " (tie: cpsat)"
    reason = (
        f"nearest benchmark size class {', '.join(nearest_names)} "
        f"(size {math.exp(size):.0f} cells): {verdict}"
    )
    return Choice(engine, time_limit, workers, reason)
