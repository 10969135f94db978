"""Train one series: backtest the candidates, choose, refit the chosen one on the full history, forecast."""

from __future__ import annotations

import json
import time
import traceback
from typing import Any

import numpy as np

from .backtest import Backtest, backtest
from .candidates import BASELINE, CANDIDATES, COMBINATIONS, candidate_names
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
        if chosen in COMBINATIONS:
            chosen, fitted = _final_combination(history, result, chosen, horizon, interval_width, decisions)
        else:
            chosen, fitted = _final_fit(
                history,
                chosen,
                horizon,
                interval_width,
                decisions,
                result.last_fits.get(chosen),
                result.origins,
            )
        decisions.update(fitted.decisions)
        forecast = _forecast(history, fitted, horizon, interval_width)
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


def _final_combination(
    history: History,
    result: Backtest,
    chosen: str,
    horizon: int,
    interval_width: float | None,
    decisions: dict[str, Any],
) -> tuple[str, Fitted]:
    """Refit the combination's members on all the history, weighted on every backtest origin.

    A member the weights leave out (weight 0, e.g. combination_weighted's corner solutions) is not refitted:
    it would add exactly nothing to the forecast, and a Prophet refit is the costliest step of a retrain.
    """
    from .combine import empirical_interval, fit_weights

    weights = fit_weights(
        chosen,
        result.forecasts,
        history.y,
        season_length=history.season_length,
        before=len(history),
        horizon=horizon,
    )
    members: dict[str, Fitted] = {}
    reuse = bool(result.origins) and result.origins[-1] >= REUSE_MIN_SHARE * len(history)
    counted = weights.without_zero_weights()
    for name in counted.weights:
        try:
            fitted = CANDIDATES[name](
                history, horizon, model_json=True, previous=result.last_fits.get(name), refit=not reuse
            )
            check_forecast(fitted, horizon, name)
        except Exception as exc:  # a member that cannot be refitted takes the combination down with it
            decisions["fallback"] = f"final fit of member {name} failed ({type(exc).__name__}: {exc})"
            best_single = min(
                (s for s in result.scores.values() if s.ok and s.algorithm in CANDIDATES),
                key=lambda s: s.mase,
            )
            best = best_single.algorithm
            return _final_fit(
                history, best, horizon, interval_width, decisions, result.last_fits.get(best), result.origins
            )
        members[name] = fitted.clipped_at_zero() if history.nonnegative else fitted
    value = counted.combine({name: fitted.value for name, fitted in members.items()})
    residuals = result.residuals[chosen]
    lower = upper = None
    if interval_width is not None and len(residuals):
        lower, upper = empirical_interval(value, residuals, interval_width)
    params = {
        "members": weights.weights,
        "weighted_on_origins": list(weights.from_origins),
        "interval": f"empirical quantiles of {len(residuals)} backtest errors of the combination",
        "member_params": {name: fitted.params for name, fitted in members.items()},
    }
    stored = json.dumps(
        {
            "algorithm": chosen,
            "members": weights.weights,
            "member_models": {name: fitted.model_json for name, fitted in members.items()},
            "last_timestamp": history.index[-1].isoformat(),
        }
    )
    member_decisions = {k: v for fitted in members.values() for k, v in fitted.decisions.items()}
    fitted = Fitted(value, lower, upper, params=params, model_json=stored, decisions=member_decisions)
    return chosen, fitted.clipped_at_zero() if history.nonnegative else fitted


def _forecast(history: History, fitted: Fitted, horizon: int, interval_width: float | None) -> Forecast:
    """The fitted steps at the instants to report (one per step, except across a daylight-saving change)."""
    positions, stamps = history.output_timestamps(horizon)

    def pick(values: np.ndarray | None) -> tuple[float, ...] | None:
        return None if values is None else tuple(float(values[p]) for p in positions)

    return Forecast(
        timestamps=tuple(ts.to_pydatetime() for ts in stamps),
        value=pick(fitted.value),
        lower=pick(fitted.lower),
        upper=pick(fitted.upper),
        interval_width=interval_width if fitted.lower is not None else None,
    )
