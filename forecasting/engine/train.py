"""Train one series: backtest the candidates, choose, refit the chosen one on the full history, forecast."""

from __future__ import annotations

import time
import traceback
from typing import Any

import numpy as np

from .backtest import backtest
from .candidates import BASELINE, CANDIDATES, candidate_names
from .choose import choose
from .domain import Forecast, Series, TrainResult
from .fitted import Fitted, check_forecast
from .options import DEFAULT_INTERVAL_WIDTH, DEFAULT_ORIGINS
from .prepare import History, prepare
from .prophet_model import yearly_decision

DEFAULT_HORIZON = 28  # steps, for a direct call; the app passes ForecastOptions.horizon_steps
# The final model may keep the parameters of the backtest's last fit when that fit's window held at least
# this share of the history (two years with a 56-day horizon: 92%).
REUSE_MIN_SHARE = 0.8


def train_one(
    series: Series,
    *,
    horizon: int = DEFAULT_HORIZON,
    origins: int = DEFAULT_ORIGINS,
    candidates: tuple[str, ...] | None = None,
    interval_width: float | None = DEFAULT_INTERVAL_WIDTH,
) -> TrainResult:
    """Backtest, choose and fit one series. Never raises for a bad series: the error is in the result."""
    started = time.perf_counter()
    decisions: dict[str, Any] = {}
    metrics = {}
    try:
        names = candidate_names(candidates)
        history, decisions = prepare(series)
        if "prophet" in names:
            yearly, reason = yearly_decision(history)
            decisions.update(yearly_seasonality=yearly, yearly_reason=reason)
        result = backtest(history, horizon=horizon, origins=origins, candidates=names)
        decisions.update(result.decisions)
        metrics = result.scores
        chosen = choose(metrics)
        chosen, fitted = _final_fit(
            history, chosen, horizon, interval_width, decisions, result.last_fits.get(chosen), result.origins
        )
        decisions.update(fitted.decisions)
        forecast = Forecast(
            timestamps=tuple(ts.to_pydatetime() for ts in history.future_index(horizon)),
            value=_floats(fitted.value),
            lower=None if fitted.lower is None else _floats(fitted.lower),
            upper=None if fitted.upper is None else _floats(fitted.upper),
            interval_width=interval_width if fitted.lower is not None else None,
        )
    except Exception as exc:
        return TrainResult(
            series_key=series.key,
            algorithm=None,
            params={},
            metrics=metrics,
            forecast=None,
            model_json=None,
            duration_s=time.perf_counter() - started,
            error=f"{type(exc).__name__}: {exc}",
            decisions={**decisions, "traceback": traceback.format_exc(limit=4)},
        )
    return TrainResult(
        series_key=series.key,
        algorithm=chosen,
        params=fitted.params,
        metrics=metrics,
        forecast=forecast,
        model_json=fitted.model_json,
        duration_s=time.perf_counter() - started,
        decisions=decisions,
    )


def _final_fit(
    history: History,
    chosen: str,
    horizon: int,
    interval_width: float | None,
    decisions: dict[str, Any],
    last_fit: Fitted | None,
    origins: tuple[int, ...],
) -> tuple[str, Fitted]:
    """Fit the chosen candidate on all the history; if that fails, fall back to seasonal naive.

    The backtest's last fit of the chosen candidate is handed on: a candidate that can (ETS) keeps its
    parameters where that window held nearly all of the history, so only the newest points are new to it.
    """
    reuse = bool(origins) and origins[-1] >= REUSE_MIN_SHARE * len(history)
    try:
        fitted = CANDIDATES[chosen](
            history,
            horizon,
            interval_width=interval_width,
            model_json=True,
            previous=last_fit,
            refit=not reuse,
        )
        check_forecast(fitted, horizon, chosen)
    except Exception as exc:
        if chosen == BASELINE:
            raise
        decisions["fallback"] = f"final fit of {chosen} failed ({type(exc).__name__}: {exc}); used {BASELINE}"
        chosen = BASELINE
        fitted = CANDIDATES[chosen](history, horizon, interval_width=interval_width, model_json=True)
    if history.nonnegative:
        fitted = fitted.clipped_at_zero()
    return chosen, fitted


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in values)
