"""Forecast engine benchmark: accuracy on the public demand series, and retrain wall time for 100 series.

    .venv/bin/python bench/forecast.py [--section accuracy,hourly,cover,roster_risk,yearly,ets,retrain]
        [--origins 13] [--retrain-origins 3] [--count 100] [--workers 1,2]
        [--roster-unit 0] [--roster-weeks 4] [--roster-time-limit 10] [--roster-engine auto]
        [--service-level 0.9] [--roster-repeats 1] [--reseed]

Sections:
- accuracy: rolling-origin MASE/MAPE of every candidate and both combinations side by side on each public
  daily series (../shared/benchmarks/demand, see SOURCE.md), whether the choice is ever worse than seasonal
  naive, and on how many series it beats every single candidate.
- hourly: the same on bike sharing by the hour (absent hours are zero rentals), one week ahead, MASE on the
  168 h seasonal-naive scale.
- cover: that hourly forecast to staff per hour (Erlang C) to an exact shift cover, with the over-staffed
  hours, and the cover's expected shortfall and chance of a short shift, exact and sampled, at the mean
  and at 90%.
- roster_risk: the first unit of the medium demo (seeded once into a SQLite file of its own), its forecast
  retrained by the app, cover filled from it on the mean (preferred at the 80% quantile) and on a service
  level (`cover_fill_from_forecast(service_level=)`), a roster solved for each by the product's path
  (`build_problem` with the unit's weights, `solve` with the product's options, `auto` at 10 s); per cover:
  its minimum and preferred staff-hours and the minimum's own worst chance of a short shift; the roster's
  staff-hours, minimum cover left unmet, expected shortfall and mean/max chance of a short shift (the
  roster page's demand paths), and the max over the shifts where the roster meets its minimum.
- yearly: Prophet with yearly seasonality on vs off at several history lengths (the threshold in
  prophet_model).
- ets: ETS variants (statsmodels ETSModel A,N,A and A,Ad,A; Holt-Winters ExponentialSmoothing) on the same
  series.
- retrain: 100 synthetic two-year daily series (perturbed, rescaled windows of the public series plus noise),
  trained with train_many at workers=1 and workers=2; wall time, speed-up, and the never-worse check.
Not part of the test suite; prints tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import resource
import sys
import time
import warnings
from pathlib import Path

# One BLAS thread per process, set before numpy loads, so the sequential run is measured the way the workers
# run (train_many sets the same for its workers). With OpenBLAS's default two threads on a shared two-core
# machine, a statsmodels ETS fit measured 50 ms instead of 3 ms.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.engine.backtest import PRUNE_RATIO, backtest, mase, origin_cuts, seasonal_naive_scale  # noqa: E402,E501
from forecasting.engine.choose import choose  # noqa: E402
from forecasting.engine.domain import Series  # noqa: E402
from forecasting.engine.prepare import min_train_length, prepare  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "demand"
PUBLIC = [  # file, date column, value column, holiday country, transform to demand units
    ("prophet_example_pedestrians_covid.csv", "ds", "y", "AU", None),
    ("uci_bike_sharing_day.csv", "dteday", "cnt", "US", None),
    ("prophet_example_wp_log_peyton_manning.csv", "ds", "y", "US", None),
]
# Where each series was measured: Melbourne (Victoria), Washington DC; page views have no region.
SUBDIVISION = {"prophet_example_pedestrians_covid.csv": "VIC", "uci_bike_sharing_day.csv": "DC"}
HOURLY = "uci_bike_sharing_hour.csv"  # Washington DC wall-clock hours; absent hours are zero rentals


def load_public(name: str, date_col: str, value_col: str, country: str | None) -> Series:
    frame = pd.read_csv(DATA / name)
    stamps = pd.to_datetime(frame[date_col])
    values = tuple(frame[value_col].astype(float))
    return Series(
        key=name.removesuffix(".csv"),
        timestamps=tuple(stamps),
        values=values,
        freq="D",
        country=country,
        subdivision=SUBDIVISION.get(name),
    )


def load_hourly() -> Series:
    from forecasting.engine.backtest import series_from_csv

    return series_from_csv(
        str(DATA / HOURLY),
        date_col="dteday",
        value_col="cnt",
        hour_col="hr",
        freq="H",
        country="US",
        subdivision="DC",
        time_zone="America/New_York",
        absent="zero",
    )


def section_hourly(origins: int, horizon_hours: int, prune: bool = True) -> None:
    """Bike sharing by the hour: every candidate and combination, one week ahead, MASE on a 168 h scale."""
    from forecasting.engine.candidates import CANDIDATES, DEFAULT_CANDIDATES

    series = load_hourly()
    history, decisions = prepare(series)
    print(
        f"\n== hourly: {HOURLY}, {len(history)} hours ({decisions['missing_points']} wall-clock hours "
        f"that do not exist in America/New_York), {origins} origins x {horizon_hours} h, "
        "MASE scaled by the 168 h seasonal-naive error (MAPE undefined: zero hours) =="
    )
    started = time.perf_counter()
    result = backtest(
        history, horizon=horizon_hours, origins=origins, prune_ratio=PRUNE_RATIO if prune else None
    )
    chosen = choose(result.scores)
    names = DEFAULT_CANDIDATES
    print("".join(f"{n:>22}" for n in names) + f"{'chosen':>28}")
    print(
        "".join(
            f"{result.scores[n].mase:>22.3f}" if result.scores[n].ok else f"{'failed':>22}" for n in names
        )
        + f"{chosen + ' ' + format(result.scores[chosen].mase, '.3f'):>28}"
    )
    fit_s = {n: result.scores[n].duration_s / max(1, len(result.origins)) for n in CANDIDATES}
    print(
        "seconds per origin: "
        + ", ".join(f"{n} {s:.1f}" for n, s in fit_s.items())
        + f"; section {time.perf_counter() - started:.0f} s"
    )
    baseline = result.scores["seasonal_naive"].mase
    never_worse = "yes" if result.scores[chosen].mase <= baseline else "NO"
    print(f"chosen never worse than seasonal naive: {never_worse}")


def section_cover(horizon_hours: int = 168) -> None:
    """Hourly forecast of bike rentals read as arrivals -> staff per hour (Erlang C) -> exact shift cover, and
    the cover's risk at the mean against a service-level (90th percentile) plan, computed two ways."""
    from forecasting.engine.cover import ShiftType, shift_cover
    from forecasting.engine.risk import roster_risk
    from forecasting.engine.staffing import ErlangCRule, staffing_requirements
    from forecasting.engine.train import train_one

    series = load_hourly()
    started = time.perf_counter()
    result = train_one(series, horizon=horizon_hours, origins=2)
    forecast = result.forecast
    local = tuple(ts.replace(tzinfo=None) for ts in forecast.timestamps)
    forecast = type(forecast)(local, forecast.value, forecast.lower, forecast.upper, forecast.interval_width)
    # rentals as arrivals: 4 minutes of a desk agent per rental, 80% served within a minute
    rule = ErlangCRule(interval_s=3600, aht_s=240, service_level=0.8, target_s=60, minimum=1)
    shifts = (ShiftType("E", 6, 8), ShiftType("M", 10, 8), ShiftType("L", 14, 8), ShiftType("N", 22, 8))
    print(
        f"\n== cover: {HOURLY} next {horizon_hours} h by {result.algorithm} (trained in "
        f"{time.perf_counter() - started:.0f} s), Erlang C (AHT 240 s, 80% in 60 s) -> exact shift cover "
        "(scipy milp) over E 06-14, M 10-18, L 14-22, N 22-06 =="
    )
    print(
        f"{'plan':<22}{'staff-hours':>12}{'over-staffed h':>16}{'surplus staff-h':>17}"
        f"{'E[shortfall] exact':>20}{'sampled':>10}{'max P(short) exact':>20}{'sampled':>10}{'time s':>8}"
    )
    for label, quantile in (("mean forecast", None), ("90th percentile", 0.9)):
        started = time.perf_counter()
        plan = shift_cover(staffing_requirements(forecast, rule, quantile=quantile), shifts)
        exact = roster_risk(forecast, list(plan.shifts), rule, pooled=True, method="exact")
        sampled = roster_risk(forecast, list(plan.shifts), rule, pooled=True, method="sampled", samples=2000)
        over = plan.over_staffed
        print(
            f"{label:<22}{plan.staff_hours:>12}{len(over):>16}{sum(h.surplus for h in over):>17}"
            f"{exact.expected_shortfall:>20.2f}{sampled.expected_shortfall:>10.2f}"
            f"{max(s.probability_short for s in exact.shifts):>20.3f}"
            f"{max(s.probability_short for s in sampled.shifts):>10.3f}"
            f"{time.perf_counter() - started:>8.1f}"
        )


def section_roster_risk(
    *,
    database: str,
    reseed: bool,
    unit_index: int,
    weeks: int,
    time_limit: float,
    engine: str,
    service_level: float,
    repeats: int,
) -> None:
    """A medium-demo unit's roster on cover from its forecast two ways, the mean and a service level, each
    solved by the product's path (the unit's weights, its solve options); the rosters' risk side by side."""
    from bench.common import sqlite_medium_demo

    sqlite_medium_demo(database, reseed=reseed)
    import django

    django.setup()
    from capacity.models import Department
    from forecasting.models import DemandSeries
    from forecasting.services import forecast_store, forecast_train
    from scheduler.models import CoverRequirement, Roster
    from scheduler.problem_builder import build_problem
    from scheduler.rule_weights import solver_weights
    from scheduler.selectors import shift_types_for_unit
    from scheduler.services.cover import cover_fill_from_forecast
    from scheduler.services.rosters import solve_options
    from scheduler.shift_risk import risk_of_counts, shift_needs
    from scheduler.solver import solve

    unit = Department.objects.filter(kind=Department.Kind.UNIT).order_by("id")[unit_index]
    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    end = start + dt.timedelta(days=7 * weeks - 1)
    started = time.perf_counter()
    for series in DemandSeries.objects.filter(department=unit):
        forecast_store(series=series, result=forecast_train(series=series, horizon_days=7 * weeks + 14))
    trained = time.perf_counter() - started
    # the demo's manual minimums override the forecast's: dropped here (the benchmark's own database)
    CoverRequirement.objects.filter(
        department=unit, date__range=(start, end), source=CoverRequirement.Source.MANUAL
    ).delete()
    hours = {shift.code: shift.duration_minutes / 60 for shift in shift_types_for_unit(unit)}
    needs, reason = shift_needs(unit=unit, start=start, end=end)
    if not needs:
        print(f"no risk for {unit}: {reason}")
        return
    options = solve_options(engine=engine, time_limit=time_limit)
    print(
        f"\n== roster risk: {unit.name} (medium demo, {unit.people.count()} people), {start}..{end}, cover "
        f"from its forecast (trained in {trained:.0f} s) on the mean or a {service_level:.0%} service level; "
        f"{engine} {time_limit:g} s per roster; risk from the roster page's 2,000 demand paths; "
        f"load {' '.join(f'{v:.2f}' for v in os.getloadavg())} =="
    )
    print(
        f"{'cover':<30}{'min staff-h':>12}{'pref staff-h':>13}{'cover max P':>12}{'roster staff-h':>15}"
        f"{'min unmet':>10}"
        f"{'E[shortfall]':>13}{'mean P(short)':>14}{'max P(short)':>13}{'max P, min met':>15}"
        f"{'shifts > 10%':>13}{'engine':>8}"
        f"{'stop':>11}{'solve s':>8}"
    )
    roster, _ = Roster.objects.get_or_create(department=unit, start_date=start, end_date=end)
    plans = (("mean (preferred 80%)", None), (f"service level {service_level:.0%}", service_level))
    for label, level in plans:
        cover_fill_from_forecast(unit=unit, start=start, end=end, service_level=level)
        rows = CoverRequirement.objects.filter(
            department=unit, date__range=(start, end), source=CoverRequirement.Source.FORECAST
        ).select_related("shift_type")
        minimum = {(row.date, row.shift_type.code): row.minimum for row in rows}
        preferred_hours = sum(row.preferred * hours[row.shift_type.code] for row in rows)
        problem = build_problem(roster, weights=solver_weights(unit=unit)).problem
        cover_risk = risk_of_counts(needs, minimum)
        for seed in range(repeats):
            solution = solve(problem, dataclasses.replace(options, seed=seed))
            counts: dict = {}
            for _person, day, shift in solution.assignments():
                key = (start + dt.timedelta(days=day), shift)
                counts[key] = counts.get(key, 0) + 1
            risk = risk_of_counts(needs, counts)
            chances = [s["probability_short"] for s in risk["shifts"]]
            # where the roster meets its minimum, the service level's promise should hold on the roster too
            where_met = [
                s["probability_short"]
                for s in risk["shifts"]
                if s["assigned"] >= minimum.get((dt.date.fromisoformat(s["date"]), s["shift"]), 0)
            ]
            print(
                f"{label + (f' seed {seed}' if repeats > 1 else ''):<30}"
                f"{sum(n * hours[code] for (_, code), n in minimum.items()):>12.0f}"
                f"{preferred_hours:>13.0f}"
                f"{max(s['probability_short'] for s in cover_risk['shifts']):>12.3f}"
                f"{sum(n * hours[code] for (_, code), n in counts.items()):>15.0f}"
                f"{sum(max(0, n - counts.get(key, 0)) for key, n in minimum.items()):>10}"
                f"{risk['expected_shortfall']:>13.2f}{np.mean(chances):>14.3f}{max(chances):>13.3f}"
                f"{max(where_met, default=0):>15.3f}"
                f"{sum(1 for c in chances if c > 1 - service_level):>13}{solution.engine:>8}"
                f"{solution.stop_reason or '-':>11}{solution.timings.solve:>8.1f}",
                flush=True,
            )
    print(f"load at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def section_accuracy(origins: int, horizon: int, prune: bool = True) -> None:
    """Every candidate and combination side by side on the public daily series, and the issue-16 targets."""
    from forecasting.engine.candidates import CANDIDATES, DEFAULT_CANDIDATES

    print(
        f"\n== accuracy: rolling origin, {origins} origins x {horizon} days, MASE (MAPE %), "
        f"{'pruning as in production' if prune else 'every candidate on every origin (--no-prune)'} =="
    )
    names = DEFAULT_CANDIDATES
    short = {"seasonal_naive": "snaive", "combination_mean": "comb_mean", "combination_weighted": "comb_wtd"}
    header = "".join(f"{short.get(n, n):>16}" for n in names)
    print(f"{'series':<36}{header}{'chosen':>28}{'time s':>8}")
    beats_every_single = 0
    chosen_mases = []
    for name, date_col, value_col, country, _ in PUBLIC:
        series = load_public(name, date_col, value_col, country)
        started = time.perf_counter()
        history, _ = prepare(series)
        result = backtest(
            history, horizon=horizon, origins=origins, prune_ratio=PRUNE_RATIO if prune else None
        )
        chosen = choose(result.scores)
        cells = []
        for n in names:
            s = result.scores[n]
            mape = "-" if s.mape is None else f"{s.mape:.1f}"
            cells.append(f"{s.mase:.3f} ({mape})" if s.ok else "pruned" if s.pruned else "failed")
        baseline = result.scores["seasonal_naive"].mase
        chosen_mase = result.scores[chosen].mase
        chosen_mases.append(chosen_mase)
        ok = "ok" if chosen_mase <= baseline else "WORSE THAN SNAIVE"
        best_single = min(s.mase for n, s in result.scores.items() if n in CANDIDATES and s.ok)
        beats_every_single += chosen_mase < best_single
        print(
            f"{series.key[:35]:<36}"
            + "".join(f"{c:>16}" for c in cells)
            + f"{chosen + ' ' + format(chosen_mase, '.3f'):>28} {ok:<3}"
            + f"{time.perf_counter() - started:8.1f}"
        )
    verdict = "met" if beats_every_single >= 2 else "NOT met"
    print(
        f"chosen better than every single candidate on {beats_every_single} of {len(PUBLIC)} series "
        f"(target at least 2): {verdict}"
    )
    each = ", ".join(f"{m:.4f}" for m in chosen_mases)
    print(f"chosen models' mean MASE: {np.mean(chosen_mases):.4f} ({each})")


def _windows(series: Series, length: int, count: int) -> list:
    history, _ = prepare(series)
    ends = np.linspace(length, len(history), count).astype(int)
    return [history.head(end) for end in ends]


def _tail(history, length):
    from forecasting.engine.prepare import History

    return History(
        history.key,
        history.freq,
        history.season_length,
        history.country,
        history.index[-length:],
        history.y[-length:],
        history.nonnegative,
    )


def section_yearly(horizon: int) -> None:
    from forecasting.engine.prophet_model import prophet

    print(
        f"\n== yearly seasonality: Prophet MASE with yearly off / on, by history length "
        f"(4 origins x {horizon}) =="
    )
    lengths = (300, 365, 450, 550, 640, 730)
    print(f"{'series (window end)':<44}" + "".join(f"{str(n) + ' d':>14}" for n in lengths))
    wins = {n: 0 for n in lengths}
    totals = {n: 0 for n in lengths}
    for name, date_col, value_col, country, _ in PUBLIC:
        series = load_public(name, date_col, value_col, country)
        full, _ = prepare(series)
        ends = [len(full)]
        if name.startswith("prophet_example_pedestrians"):
            ends = [int(np.searchsorted(full.index, pd.Timestamp("2020-03-01")))]  # before the lockdown break
        elif name.startswith("prophet_example_wp"):
            ends = [len(full) - 365 * k for k in (0, 2, 4)]
        for end in ends:
            row = []
            for length in lengths:
                if end < length + 4 * horizon:
                    row.append("-")
                    continue
                window = _tail(full.head(end), length + 4 * horizon)
                scores = {}
                for yearly in (False, True):
                    per_origin = []
                    for cut in origin_cuts(len(window), origins=4, horizon=horizon, min_train=length - 1):
                        fitted = prophet(window.head(cut), horizon, yearly=yearly)
                        scale = seasonal_naive_scale(window.y[:cut], 7)
                        actual = window.y[cut : cut + horizon]
                        per_origin.append(mase(actual, np.maximum(fitted.value, 0), scale))
                    scores[yearly] = float(np.mean(per_origin))
                wins[length] += scores[True] < scores[False]
                totals[length] += 1
                row.append(f"{scores[False]:.2f}/{scores[True]:.2f}")
            label = f"{series.key[:30]} ({full.index[end - 1].date()})"
            print(f"{label:<44}" + "".join(f"{c:>14}" for c in row))
    print("yearly on better in " + ", ".join(f"{n} d: {wins[n]}/{totals[n]}" for n in lengths))


def section_ets(origins: int, horizon: int) -> None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    from forecasting.engine.baselines import ets
    from forecasting.engine.fitted import Fitted

    def holt_winters(history, h, damped):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ExponentialSmoothing(
                history.filled(),
                trend="add" if damped else None,
                damped_trend=damped,
                seasonal="add",
                seasonal_periods=7,
                initialization_method="estimated",
            )
            return Fitted(np.asarray(model.fit().forecast(h)))

    def statsforecast_ets(history, h):
        from statsforecast.models import AutoETS

        model = AutoETS(season_length=7, model="ANA")
        model.fit(history.filled())
        return Fitted(np.asarray(model.predict(h)["mean"]))

    variants = {
        "ETSModel A,N,A est.": lambda hist, h: ets(hist, h, initialization="estimated"),
        "ETSModel A,N,A heur.": lambda hist, h: ets(hist, h, initialization="heuristic"),
        "ETSModel A,Ad,A est.": lambda hist, h: ets(
            hist, h, spec={"trend": "add", "damped_trend": True}, initialization="estimated"
        ),
        "HoltWinters N,A": lambda hist, h: holt_winters(hist, h, False),
        "HoltWinters Ad,A": lambda hist, h: holt_winters(hist, h, True),
    }
    try:  # side by side when installed (not a dependency: it lost, see baselines.ets)
        import statsforecast  # noqa: F401

        variants["statsforecast AutoETS A,N,A"] = statsforecast_ets
    except ImportError:
        print("(statsforecast not installed: its column is left out)")
    print(
        f"\n== ETS variants: mean MASE over {origins} origins x {horizon} days (fit time per origin, ms) =="
    )
    print(f"{'series':<40}" + "".join(f"{v:>22}" for v in variants))
    for name, date_col, value_col, country, _ in PUBLIC:
        series = load_public(name, date_col, value_col, country)
        history, _ = prepare(series)
        cuts = origin_cuts(len(history), origins=origins, horizon=horizon, min_train=min_train_length(7))
        cells = []
        for fit in variants.values():
            started = time.perf_counter()
            scores = []
            for cut in cuts:
                fitted = fit(history.head(cut), horizon)
                scale = seasonal_naive_scale(history.y[:cut], 7)
                scores.append(mase(history.y[cut : cut + horizon], np.maximum(fitted.value, 0), scale))
            ms = 1000 * (time.perf_counter() - started) / len(cuts)
            cells.append(f"{np.mean(scores):.3f} ({ms:.0f})")
        print(f"{series.key:<40}" + "".join(f"{c:>22}" for c in cells))


def synthetic_series(count: int, days: int = 730, seed: int = 7) -> list[Series]:
    """Two-year daily series cut from the public ones at random offsets, rescaled, with noise and a level
    shift.

    Page views are exponentiated back from logs; their missing dates are kept (as gaps), so the engine's gap
    handling is timed too. Timestamps are re-based so every series ends on the same day.
    """
    rng = np.random.default_rng(seed)
    sources = []
    for name, date_col, value_col, country, _ in PUBLIC:
        frame = pd.read_csv(DATA / name)
        values = frame[value_col].astype(float).to_numpy()
        if name.startswith("prophet_example_wp"):
            values = np.exp(values)
        stamps = pd.to_datetime(frame[date_col])
        full = pd.Series(values, index=stamps).reindex(pd.date_range(stamps.iloc[0], stamps.iloc[-1]))
        sources.append((name, full.to_numpy(), country))
    end = pd.Timestamp("2024-12-31")
    out = []
    for i in range(count):
        name, values, country = sources[i % len(sources)]
        start = int(rng.integers(0, len(values) - days + 1))
        window = values[start : start + days].copy()
        window *= rng.lognormal(0, 0.5) * 100 / np.nanmean(window)  # a unit of a different size
        window *= rng.lognormal(0, 0.08, size=days)  # day-to-day noise
        if rng.random() < 0.3:  # a step change (a ward opening, a new contract) somewhere in the second year
            step = int(rng.integers(days // 2, days - 30))
            window[step:] *= rng.uniform(0.7, 1.4)
        window = np.round(window, 1)
        stamps = pd.date_range(end=end, periods=days, freq="D")
        observed = ~np.isnan(window)
        out.append(
            Series(
                key=f"synthetic-{i:03d}-{name.split('_')[2]}",
                timestamps=tuple(stamps[observed]),
                values=tuple(window[observed]),
                freq="D",
                country=country,
            )
        )
    return out


def section_retrain(
    count: int, origins: int, horizon: int, workers_list: tuple[int, ...], start_method: str = "forkserver"
) -> None:
    from forecasting.engine.parallel import train_many
    from forecasting.engine.prophet_model import load_prophet

    series = synthetic_series(count)
    started = time.perf_counter()
    load_prophet()
    import_s = time.perf_counter() - started
    print(
        f"\n== retrain: {count} synthetic series x 730 days, {origins} origins x {horizon} days "
        f"+ final fit with 80% intervals, workers started by {start_method} =="
    )
    print(
        f"(import prophet in this process: {import_s:.2f} s, not counted below; the 2-worker pool's own "
        "start-up and imports are counted)"
    )
    walls, cpus = {}, {}
    results_by_workers = {}
    for workers in workers_list:
        load = os.getloadavg()[0]
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        results = train_many(
            series, workers=workers, horizon=horizon, origins=origins, start_method=start_method
        )
        walls[workers] = time.perf_counter() - started
        cpu = cpus[workers] = _cpu_seconds() - cpu_before
        results_by_workers[workers] = results
        failed = [r for r in results if not r.ok]
        chosen = pd.Series([r.algorithm for r in results]).value_counts().to_dict()
        worse = sum(r.metrics[r.algorithm].mase > r.metrics["seasonal_naive"].mase for r in results if r.ok)
        per_series = np.array([r.duration_s for r in results])
        print(
            f"workers={workers}: wall {walls[workers]:6.2f} s | CPU {cpu:6.1f} s (this process, workers, "
            f"cmdstan) | load before {load:.1f} | per series median {np.median(per_series):.3f} s, "
            f"max {per_series.max():.3f} s | failed {len(failed)} | chosen {chosen} | "
            f"worse than seasonal naive: {worse}"
        )
    if 1 in walls and 2 in walls:
        print(f"speed-up workers=2 vs 1: {walls[1] / walls[2]:.2f}x")
        same = all(
            a.algorithm == b.algorithm and a.forecast == b.forecast
            for a, b in zip(results_by_workers[1], results_by_workers[2], strict=True)
        )
        print(f"same numbers sequential vs parallel: {same}")
    if 2 in walls:
        wall_ok, cpu_ok = walls[2] < 10, cpus[2] < 15
        print(
            f"budget with 2 workers, wall < 10 s: {'met' if wall_ok else 'NOT met'} ({walls[2]:.2f} s); "
            f"CPU < 15 s: {'met' if cpu_ok else 'NOT met'} ({cpus[2]:.1f} s); load average "
            f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}"
        )
    chosen_mase = [r.metrics[r.algorithm].mase for r in results if r.ok]
    snaive_mase = [r.metrics["seasonal_naive"].mase for r in results if r.ok]
    print(
        f"mean backtest MASE over the series: chosen {np.mean(chosen_mase):.3f}, "
        f"seasonal naive {np.mean(snaive_mase):.3f}"
    )


def _cpu_seconds() -> float:
    """CPU time of this process and all its descendants, finished or alive.

    Finished children (spawned pool workers, cmdstan runs) are in RUSAGE_CHILDREN. The forkserver stays alive
    between pools, and the workers it forks are its children, not ours: its own time and its reaped children's
    are read from /proc, so the imports it made for the workers are counted too.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    ticks = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:  # exited meanwhile: then it is in RUSAGE_CHILDREN once reaped
                continue
            total += sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime
    return total


class _Tee:
    def __init__(self, *streams) -> None:
        self.streams = streams

    def write(self, text: str) -> None:
        for stream in self.streams:
            stream.write(text)
            stream.flush()

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--section", default="accuracy,hourly,cover,retrain")
    parser.add_argument(
        "--no-prune", action="store_true", help="accuracy, hourly: score every candidate on every origin"
    )
    parser.add_argument("--hourly-origins", type=int, default=8)
    parser.add_argument("--hourly-horizon", type=int, default=168, help="hours")
    parser.add_argument("--origins", type=int, default=13)
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--retrain-origins", type=int, default=None, help="default: train.DEFAULT_ORIGINS")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--start-method", default="forkserver", choices=["spawn", "forkserver", "fork"])
    parser.add_argument("--roster-database", default="/tmp/crewplan_roster_risk_bench.sqlite3")
    parser.add_argument("--reseed", action="store_true", help="roster_risk: seed the medium demo again")
    parser.add_argument("--roster-unit", type=int, default=0, help="which demo unit, 0 the first")
    parser.add_argument("--roster-weeks", type=int, default=4)
    parser.add_argument("--roster-time-limit", type=float, default=10.0, help="seconds per roster")
    parser.add_argument("--roster-engine", default="auto")
    parser.add_argument("--service-level", type=float, default=0.9)
    parser.add_argument("--roster-repeats", type=int, default=1, help="solves per cover, seeds 0, 1, ...")
    parser.add_argument("--results", default=None, help="also write what is printed to this file")
    args = parser.parse_args()
    if args.results:
        sys.stdout = _Tee(sys.stdout, open(args.results, "w"))  # noqa: SIM115 - open until exit
    from forecasting.engine.train import DEFAULT_ORIGINS

    sections = args.section.split(",")
    if "accuracy" in sections:
        section_accuracy(args.origins, args.horizon, prune=not args.no_prune)
    if "hourly" in sections:
        section_hourly(args.hourly_origins, args.hourly_horizon, prune=not args.no_prune)
    if "cover" in sections:
        section_cover(args.hourly_horizon)
    if "roster_risk" in sections:
        section_roster_risk(
            database=args.roster_database,
            reseed=args.reseed,
            unit_index=args.roster_unit,
            weeks=args.roster_weeks,
            time_limit=args.roster_time_limit,
            engine=args.roster_engine,
            service_level=args.service_level,
            repeats=args.roster_repeats,
        )
    if "yearly" in sections:
        section_yearly(args.horizon)
    if "ets" in sections:
        section_ets(args.origins, args.horizon)
    if "retrain" in sections:
        workers = tuple(int(w) for w in args.workers.split(","))
        section_retrain(
            args.count, args.retrain_origins or DEFAULT_ORIGINS, args.horizon, workers, args.start_method
        )


if __name__ == "__main__":
    main()
