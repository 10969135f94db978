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


def mstl(
    history: History, horizon: int, *, interval_width: float | None = None, model_json: bool = False
) -> Fitted:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.seasonal import MSTL

    periods = PERIODS[history.freq]
    if history.freq == "H" and len(history) > HOURLY_WINDOW:
        history = history.tail(HOURLY_WINDOW)
    y = history.filled()
    n = len(y)
    if n < 2 * max(periods):
        raise ValueError(f"MSTL needs two cycles of its longest period ({2 * max(periods)} points), got {n}")
    decomposition = MSTL(y, periods=periods).fit()
    seasonal = np.asarray(decomposition.seasonal, dtype=float).reshape(n, -1)
    adjusted = y - seasonal.sum(axis=1)

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
    effects: dict[str, float] = {}
    if columns:
        design = train_x[columns].to_numpy()[observed]
        coefficients, *_ = np.linalg.lstsq(design, np.asarray(decomposition.resid)[observed], rcond=None)
        effects = dict(zip(columns, map(float, coefficients), strict=True))
        adjusted = adjusted - train_x[columns].to_numpy() @ coefficients
    future_effect = np.zeros(horizon)
    if effects:
        future_x = regressor_frame(history, future_index, holidays)
        future_effect = future_x[list(effects)].to_numpy() @ np.array(list(effects.values()))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = ETSModel(pd.Series(adjusted), error="add", trend="add", damped_trend=True)
        result = model.fit(disp=False)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
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
    params = {"periods": list(periods), "trend": "damped ETS(A,Ad,N)", "regressor_effects": effects}
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
    return Fitted(np.asarray(level + shift, dtype=float), lower, upper, params, stored, decisions)
