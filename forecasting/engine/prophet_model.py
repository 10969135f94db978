"""Prophet fit and predict: cmdstanpy backend, MAP fit (no MCMC), quiet logs, JSON serialisation.

``import prophet`` takes over a second, so it is imported lazily: importing the engine stays cheap for Django,
and ``parallel.py`` pays the import once per worker process, not once per series.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from .fitted import Fitted
from .prepare import History
from .regressors import HOLIDAY_COLUMN, history_holidays, regressor_frame

# Yearly seasonality is switched on from one full year of history. Prophet's own rule (two years) turns it off
# for exactly-two-year histories such as bike sharing (730 days). Measured by `bench/forecast.py --section
# yearly` (Prophet MASE, 4 origins x 28 days, yearly off vs on): on was better in every window tried from 365
# to 640 days of history (pedestrians before 2020, bike sharing, page views at three dates); below one cycle
# the yearly curve is not identified, so it stays off.
YEARLY_MIN_YEARS = 1.0
YEARLY_FOURIER_ORDER = 10
# L-BFGS stops when the gradient relative to the objective falls below this times machine epsilon (cmdstan's
# default is 1e7). Measured on the public series (13 origins x 28 days, Prophet's MASE) and cmdstan's CPU:
# 1e7 2.2516 / 1.2431 / 0.8376 in 7.5 s, 1e9 2.2632 / 1.2446 / 0.8377 in 5.0 s, 1e10 2.2663 / 1.2466 / 0.8421
# in 2.6 s. 1e9 leaves every chosen model's score as it was to three decimals for a third less optimiser time.
OPTIMIZER_TOL_REL_GRAD = 1e9
UNCERTAINTY_SAMPLES = 100  # only when intervals are asked for; 0 otherwise (predict skips the simulation)
INTERVAL_SEED = 20240601


def quiet_logging() -> None:
    """Keep cmdstanpy (INFO per optimisation) and prophet quiet.

    cmdstanpy sets its logger to DEBUG with its own handler the first time it asks for it, so ask first, then
    lower it. Prophet's warnings (e.g. yearly seasonality on under two years) restate decisions this engine
    makes deliberately and records in each TrainResult, so only its errors pass.
    """
    from cmdstanpy.utils.logging import get_logger

    get_logger().setLevel(logging.ERROR)
    logging.getLogger("prophet").setLevel(logging.ERROR)
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)


def load_prophet() -> Any:
    """Import Prophet once (cheap after the first call) with its logging quietened.

    The class returned is ``prophet_speedups.LeanProphet``: Prophet's numbers, less of its Python overhead.
    """
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "Importing plotly failed" at import time
    from .prophet_speedups import LeanProphet

    quiet_logging()
    return LeanProphet


def holidays_frame(holidays: dict) -> pd.DataFrame:
    """Prophet's ``holidays`` frame (one effect per holiday name) from ``regressors.history_holidays``.

    Built from the ``holidays`` package directly rather than ``add_country_holidays``, which has no region.
    """
    return pd.DataFrame({"ds": pd.to_datetime(list(holidays)), "holiday": list(holidays.values())})


def yearly_decision(history: History) -> tuple[bool, str]:
    observed = history.index[~np.isnan(history.y)]
    span_years = (observed[-1] - observed[0]).days / 365.25
    enabled = span_years >= YEARLY_MIN_YEARS
    comparison = ">=" if enabled else "<"
    return enabled, f"history spans {span_years:.2f} years {comparison} {YEARLY_MIN_YEARS}"


def prophet(
    history: History,
    horizon: int,
    *,
    interval_width: float | None = None,
    model_json: bool = False,
    yearly: bool | None = None,
    previous: Fitted | None = None,
    refit: bool = True,
) -> Fitted:
    """Fit Prophet on the observed points of ``history`` and forecast ``horizon`` steps.

    ``yearly=None`` applies ``yearly_decision``; True/False forces it (used by the benchmark to measure).
    Prophet always fits afresh: its trend and seasonality are estimated from the window, so newer points
    change them (there is no filter to run them through), and starting the optimiser from ``previous``
    (Prophet's documented warm start) saved no CPU here while moving forecasts by up to 7%.
    """
    prophet_class = load_prophet()
    if yearly is None:
        yearly, reason = yearly_decision(history)
    else:
        reason = "forced by caller"
    hourly = history.freq == "H"
    params: dict[str, Any] = {
        "growth": "linear",
        "yearly_seasonality": YEARLY_FOURIER_ORDER if yearly else False,
        "weekly_seasonality": True,
        "daily_seasonality": hourly,
        "seasonality_mode": "additive",
        "mcmc_samples": 0,
        "uncertainty_samples": UNCERTAINTY_SAMPLES if interval_width is not None else 0,
    }
    if interval_width is not None:
        params["interval_width"] = interval_width
    decisions: dict[str, Any] = {"yearly_seasonality": bool(yearly), "yearly_reason": reason}
    holidays = None
    if history.country:
        try:
            known = history_holidays(history, horizon)
            holidays = holidays_frame(known) if known else None
            params["country_holidays"] = history.country
            if history.subdivision:
                params["subdivision_holidays"] = history.subdivision
        except (AttributeError, KeyError, NotImplementedError, ValueError) as exc:
            decisions["country_holidays"] = f"not available for {history.country!r}: {exc}"
    stored_params = ("country_holidays", "subdivision_holidays")
    model = prophet_class(**{k: v for k, v in params.items() if k not in stored_params}, holidays=holidays)

    frame = pd.DataFrame({"ds": history.index, "y": history.y})
    future = pd.DataFrame({"ds": history.future_index(horizon)})
    if history.events:
        train_events = regressor_frame(history, history.index, {}).drop(
            columns=HOLIDAY_COLUMN, errors="ignore"
        )
        observed = ~np.isnan(history.y)
        estimable = [c for c in train_events if train_events[c].to_numpy()[observed].any()]
        skipped = sorted(set(train_events) - set(estimable))
        if skipped:  # an event with no observed day in the window has no effect Prophet could learn
            decisions["events_without_history"] = skipped
        future_events = regressor_frame(history, pd.DatetimeIndex(future["ds"]), {})
        for column in estimable:
            model.add_regressor(column, mode="additive")
            frame[column] = train_events[column].to_numpy()
            future[column] = future_events[column].to_numpy()
        if estimable:
            params["event_regressors"] = estimable
    model.fit(frame, tol_rel_grad=OPTIMIZER_TOL_REL_GRAD)  # rows with NaN y (missing dates) are ignored
    if interval_width is not None:
        # Prophet samples its intervals from numpy's global generator: seed it for repeatable numbers, and
        # restore the caller's state afterwards.
        state = np.random.get_state()
        np.random.seed(INTERVAL_SEED)
        try:
            predicted = model.predict(future)
        finally:
            np.random.set_state(state)
        lower = predicted["yhat_lower"].to_numpy()
        upper = predicted["yhat_upper"].to_numpy()
    else:
        predicted = model.predict(future)
        lower = upper = None
    stored = None
    if model_json:
        from prophet.serialize import model_to_json

        stored = model_to_json(model)
    return Fitted(
        predicted["yhat"].to_numpy(dtype=float),
        lower,
        upper,
        params=params,
        model_json=stored,
        decisions=decisions,
    )
