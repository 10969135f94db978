"""What the rule `cover_shortfall_risk` buys on a medium-demo unit: labour cost against the chance of a short
shift, at several prices of risk, side by side in one run.

    .venv/bin/python bench/risk_rule.py [--database /tmp/crewplan_risk_bench.sqlite3]
        [--weights 0,200,1000,5000]
        [--time-limit 30] [--workers 2] [--engine cpsat] [--cover manual|forecast] [--reseed]

- Seeds `seed_demo --size medium` into a SQLite file of its own (once; --reseed to rebuild), retrains the
  first unit's demand series (the app's own training), fills its cover for the next four weeks from that
  forecast (minimum at the mean, preferred at the 80% quantile) and makes a draft roster of those weeks.
  `--cover manual` (default) keeps the demo's manual requirements, which override the forecast's (minimum 3,
  3 and 2 on E, L and N where the forecast's mean asks about 6, 5 and 4): the rule then prices staffing above
  the minimum against the forecast's demand. `--cover forecast` deletes them (the bench's own database).
- For each weight: the unit's `Problem` built by the app with that `cover_shortfall_risk` weight (the
  chance of being short per cover level, from 2,000 demand paths of the forecast), solved by the core
  (no Celery), scored by the referee; then the roster's labour cost (the solver's cost units), people-shifts,
  expected shortfall and chance of a short shift, from the same demand paths the page shows.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import sqlite_medium_demo  # noqa: E402


def _breaches(referee) -> str:
    counts: dict[str, int] = {}
    for violation in referee.violations:
        counts[violation.rule] = counts.get(violation.rule, 0) + violation.amount
    return ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="/tmp/crewplan_risk_bench.sqlite3")
    parser.add_argument("--weights", default="0,200,1000,5000")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", default="cpsat")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--cover",
        default="manual",
        choices=["manual", "forecast"],
        help="the demo's manual minimums (default), or the forecast's (minimum at the mean)",
    )
    parser.add_argument("--results", default=None, help="also write what is printed to this file")
    args = parser.parse_args()
    if args.results:
        from bench.forecast import _Tee

        sys.stdout = _Tee(sys.stdout, open(args.results, "w"))  # noqa: SIM115 - open for the whole run
    sqlite_medium_demo(args.database, reseed=args.reseed)

    import django

    django.setup()
    from capacity.models import Department
    from forecasting.models import DemandSeries
    from forecasting.services import forecast_store, forecast_train
    from scheduler.models import CoverRequirement, Roster
    from scheduler.problem_builder import build_problem
    from scheduler.services.cover import cover_fill_from_forecast
    from scheduler.shift_risk import risk_of_counts, shift_needs
    from scheduler.solver import domain as sd
    from scheduler.solver import solve
    from scheduler.solver.evaluate import evaluate

    unit = Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").first()
    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    end = start + dt.timedelta(days=27)
    started = time.perf_counter()
    for series in DemandSeries.objects.filter(department=unit):
        forecast_store(series=series, result=forecast_train(series=series, horizon_days=42))
    trained = time.perf_counter() - started
    if (
        args.cover == "forecast"
    ):  # the demo's manual numbers override the forecast's: drop them (own database)
        CoverRequirement.objects.filter(
            department=unit, date__range=(start, end), source=CoverRequirement.Source.MANUAL
        ).delete()
    cover_fill_from_forecast(unit=unit, start=start, end=end)
    roster, _ = Roster.objects.get_or_create(department=unit, start_date=start, end_date=end)
    needs, reason = shift_needs(unit=unit, start=start, end=end)
    if not needs:
        print(f"no risk for {unit}: {reason}")
        return 1
    print(
        f"\n== cover_shortfall_risk on {unit.name} (medium demo, {args.cover} cover), {start}..{end}: "
        f"forecast trained in {trained:.0f} s; {args.engine} {args.time_limit:g} s, {args.workers} workers; "
        f"load {os.getloadavg()[0]:.2f} =="
    )
    print(
        f"{'weight':>8}{'objective':>11}{'labour cost':>13}{'risk cost':>11}{'shifts':>8}"
        f"{'E[shortfall]':>14}{'mean P(short)':>15}{'max P(short)':>14}{'shifts > 20%':>14}{'load':>6}"
    )
    for weight in (int(w) for w in args.weights.split(",")):
        problem = build_problem(roster, weights=sd.Weights(cover_shortfall_risk=weight)).problem
        solution = solve(problem, engine=args.engine, time_limit=args.time_limit, workers=args.workers)
        referee = evaluate(problem, solution.roster)
        # the risk cost is priced at this weight; labour cost is the same at every weight
        by_rule: dict[str, int] = {}
        for penalty in referee.penalties:
            by_rule[penalty.rule] = by_rule.get(penalty.rule, 0) + penalty.amount
        counts: dict[tuple[dt.date, str], int] = {}
        for _person, day, shift in solution.assignments():
            key = (start + dt.timedelta(days=day), shift)
            counts[key] = counts.get(key, 0) + 1
        risk = risk_of_counts(needs, counts)
        chances = [s["probability_short"] for s in risk["shifts"]]
        print(
            f"{weight:>8}{referee.objective:>11}{by_rule.get('labour_cost', 0):>13}"
            f"{by_rule.get('cover_shortfall_risk', 0):>11}{sum(counts.values()):>8}"
            f"{risk['expected_shortfall']:>14.2f}{sum(chances) / len(chances):>15.3f}{max(chances):>14.3f}"
            f"{sum(1 for c in chances if c > 0.2):>14}{os.getloadavg()[0]:>6.2f}"
            + ("" if referee.feasible else f"  hard breaches: {_breaches(referee)}"),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
