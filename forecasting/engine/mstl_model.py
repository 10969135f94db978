"""MSTL (statsmodels): several seasonal cycles at once, e.g. the daily and the weekly cycle of hourly demand.

The series is split into one seasonal component per period, a trend and a remainder. Holidays and events are
estimated on the remainder (what neither the trend nor the cycles explain) by least squares; the seasonally
adjusted series, net of those effects, is forecast by a damped-trend ETS; each cycle is carried forward from
its last full period. The ETS gives the interval (the cycles are taken as known).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .fitted import Fitted
from .prepare import History
from .regressors import history_holidays, regressor_frame

PERIODS = {"H": (24, 168), "D": (7,)}  # a day and a week of hours; a week of days
# Hourly fits use the last 12 weeks only: the decomposition of two years of hours took 10 s a fit, the cycles
# of the last quarter describe next week as well (measured by `bench/forecast.py --section hourly`), and the
# level is the damped ETS's job, not the window's.
HOURLY_WINDOW = 12 * 168
# Two passes: the third moved every public series' MSTL MASE by less than 0.002 and the chosen mean by
# 0.0002 (`--section accuracy`: chosen mean 1.1412 with 2 passes, 1.1414 with 3, 1.1415 with 4, all with the
# STL options below), for a third of the decompositions.
BACKFITTING_PASSES = 2
# Seasonal smoothing windows (in cycles) for hourly data: wide, so the cycle carried forward is the typical
# day and week rather than the last one's noise. MASE against the default (7 + 4i) windows, 4 origins x 168 h
# on bike sharing: 1.064 vs 1.117 (seasonal naive 1.207); on a synthetic daily+weekly series 0.83 vs 0.96 of
# seasonal naive's.
HOURLY_SEASONAL_WINDOWS = (101, 101)
# Passes of STL's inner loop (seasonal smoothing, then trend smoothing, on the series less the last trend).
# statsmodels runs 5 without robustness weights, R's stl() 2. Measured with three backfitting passes
# (`bench/forecast.py --section accuracy`, 13 origins x 28 days): MSTL 1.4724 / 1.2969 / 1.1474 with 5,
# 1.4662 / 1.2894 / 1.1462 with 2, the chosen mean 1.1420 -> 1.1414; the decomposition 7.9 -> 3.3 ms a
# daily fit. One pass scored better still (1.4445 / 1.2490 / 1.1395) but is not a decomposition: its only
# seasonal smoothing runs on the series before any trend has been taken out.
STL_OPTIONS = {"inner_iter": 2}  # handed over as a copy: MSTL.fit pops its keys


def mstl(
    history: History,
    horizon: int,
    *,
    interval_width: float | None = None,
    model_json: bool = False,
    previous: Fitted | None = None,
    refit: bool = True,
) -> Fitted:
    """Decompose, estimate the effects, forecast the adjusted series by ETS and carry the cycles forward.

    Each window is decomposed afresh. The damped ETS on the adjusted series is where ``previous`` (this
    model on a shorter window starting at the same point) helps: its optimiser starts from that fit's
    parameters, and with ``refit=False`` keeps them and only runs the filter, as ``baselines.ets`` does.
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.seasonal import MSTL

    from .ets_speedups import LeanETSModel

    periods = PERIODS[history.freq]
    if history.freq == "H" and len(history) > HOURLY_WINDOW:
        history = history.tail(HOURLY_WINDOW)
    y = history.filled()
    n = len(y)
    if n < 2 * max(periods):
        raise ValueError(f"MSTL needs two cycles of its longest period ({2 * max(periods)} points), got {n}")
    decisions: dict[str, Any] = {}
    try:
        holidays = history_holidays(history, horizon)
    except ValueError as exc:
        holidays = {}
        decisions["country_holidays"] = f"not available for {history.country!r}: {exc}"
    future_index = history.future_index(horizon)
    train_x = regressor_frame(history, history.index, holidays)
    observed = ~np.isnan(history.y)
    columns = [c for c in train_x if train_x[c].to_numpy()[observed].any()]
    design = train_x[columns].to_numpy()
    coefficients = np.zeros(len(columns))
    # Backfitting: a holiday that keeps falling on a Monday would otherwise be taken for part of Monday's
    # cycle, and a fortnight's closure for a dip of the trend. Each pass decomposes the series net of the
    # effects found so far, then estimates the effects on the seasonally adjusted series together with a
    # coarse trend (a linear spline, knots four weeks apart), which cannot bend to a short episode the way
    # the decomposition's own trend does. Without regressors one pass is all there is.
    windows = HOURLY_SEASONAL_WINDOWS if history.freq == "H" else None
    trend_basis = _linear_spline(n, knot_every=28 * (24 if history.freq == "H" else 1))
    for _ in range(BACKFITTING_PASSES if columns else 1):
        decomposition = MSTL(
            y - design @ coefficients, periods=periods, windows=windows, stl_kwargs=dict(STL_OPTIONS)
        ).fit()
        if columns:
            seasonal_sum = np.asarray(decomposition.seasonal, dtype=float).reshape(n, -1).sum(axis=1)
            joint = np.hstack([design, trend_basis])[observed]
            solution, *_ = np.linalg.lstsq(joint, (y - seasonal_sum)[observed], rcond=None)
            coefficients = solution[: len(columns)]
    seasonal = np.asarray(decomposition.seasonal, dtype=float).reshape(n, -1)
    adjusted = y - seasonal.sum(axis=1) - design @ coefficients
    effects = dict(zip(columns, map(float, coefficients), strict=True))
    future_effect = np.zeros(horizon)
    if effects:
        future_x = regressor_frame(history, future_index, holidays)
        future_effect = future_x[list(effects)].to_numpy() @ coefficients

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LeanETSModel(pd.Series(adjusted), error="add", trend="add", damped_trend=True)
        start = _previous_ets_params(previous, model, history.index[0])
        reused = start is not None and not refit
        result = model.smooth(start) if reused else model.fit(start_params=start, disp=False)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    if reused:
        converged = "mstl_ets_converged" not in previous.decisions
    if not converged:
        decisions["mstl_ets_converged"] = False

    steps = np.arange(horizon)
    carried = np.zeros(horizon)
    for column, period in enumerate(periods):
        last_cycle = seasonal[n - period :, column]
        carried += last_cycle[steps % period]
    shift = carried + future_effect
    lower = upper = None
    if interval_width is not None:
        frame = result.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=1 - interval_width)
        level = frame["mean"].to_numpy()
        lower, upper = frame["pi_lower"].to_numpy() + shift, frame["pi_upper"].to_numpy() + shift
    else:
        level = np.asarray(result.forecast(horizon))
    params = {
        "periods": list(periods),
        "trend": "damped ETS(A,Ad,N)",
        "regressor_effects": effects,
        "ets_parameters_from_backtest": reused,
    }
    stored = None
    if model_json:
        stored = json.dumps(
            {
                "algorithm": "mstl",
                **params,
                "ets_params": dict(zip(result.param_names, map(float, result.params), strict=True)),
                "last_cycles": {str(p): seasonal[n - p :, i].tolist() for i, p in enumerate(periods)},
                "last_timestamp": history.index[-1].isoformat(),
            }
        )
    reusable = {"window_start": history.index[0], "ets_params": np.asarray(result.params, dtype=float)}
    return Fitted(np.asarray(level + shift, dtype=float), lower, upper, params, stored, decisions, reusable)


def _previous_ets_params(previous: Fitted | None, model, window_start) -> np.ndarray | None:
    """The earlier fit's ETS parameters, if its window started where this one does.

    The parameters include the initial level and trend, which belong to the window's first point.
    """
    state = None if previous is None else previous.reusable
    if not isinstance(state, dict) or state.get("window_start") != window_start:
        return None
    params = state["ets_params"]
    return params if params.shape == np.shape(model.start_params) and np.isfinite(params).all() else None


def _linear_spline(n: int, *, knot_every: int) -> np.ndarray:
    """An intercept, a slope and a hinge at every knot: a piecewise-linear trend over ``n`` steps."""
    steps = np.arange(n, dtype=float)
    hinges = [np.maximum(steps - knot, 0.0) for knot in range(knot_every, n, knot_every)]
    return np.column_stack([np.ones(n), steps, *hinges])
