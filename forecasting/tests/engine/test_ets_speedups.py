"""LeanETSModel fits, forecasts and gives intervals exactly as ETSModel does, without the covariance."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from forecasting.engine.ets_speedups import LeanETSModel

from .conftest import weekly_series

SPECS = {
    "A,N,A heuristic (the ETS candidate)": {
        "error": "add",
        "trend": None,
        "seasonal": "add",
        "seasonal_periods": 7,
        "initialization_method": "heuristic",
    },
    "A,Ad,N estimated (MSTL's trend)": {"error": "add", "trend": "add", "damped_trend": True},
}


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_fit_forecast_interval_and_aicc_are_etsmodels(spec):
    # given a year of weekly-patterned demand and both models on it
    y = pd.Series(weekly_series(days=364, noise=5.0).values)
    plain, lean = ETSModel(y, **spec).fit(disp=False), LeanETSModel(y, **spec).fit(disp=False)

    # then the parameters, fit, forecast with interval and AICc are the same to the last bit
    np.testing.assert_array_equal(lean.params, plain.params)
    assert lean.aicc == plain.aicc and lean.llf == plain.llf
    n = len(y)
    frames = [r.get_prediction(start=n, end=n + 27).summary_frame(alpha=0.2) for r in (plain, lean)]
    pd.testing.assert_frame_equal(frames[1], frames[0])
    np.testing.assert_array_equal(lean.forecast(28), plain.forecast(28))
    # and only the covariance, which nothing here reads, is left unknown
    assert np.isnan(np.asarray(lean.cov_params())).all()
    assert np.isfinite(np.asarray(plain.cov_params())).all()


def test_smoothing_with_given_parameters_is_etsmodels():
    y = pd.Series(weekly_series(days=200).values)
    spec = SPECS["A,Ad,N estimated (MSTL's trend)"]
    params = ETSModel(y, **spec).fit(disp=False).params
    plain, lean = ETSModel(y, **spec).smooth(params), LeanETSModel(y, **spec).smooth(params)
    np.testing.assert_array_equal(lean.forecast(14), plain.forecast(14))
    assert lean.aicc == plain.aicc


def test_the_engines_ets_and_mstl_fit_the_lean_model(monkeypatch):
    from forecasting.engine import ets_speedups
    from forecasting.engine.baselines import ets
    from forecasting.engine.mstl_model import mstl
    from forecasting.engine.prepare import prepare

    made = []

    class Recording(LeanETSModel):
        def __init__(self, *args, **kwargs):
            made.append(kwargs.get("trend"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ets_speedups, "LeanETSModel", Recording)
    history, _ = prepare(weekly_series(days=200))
    ets(history, 7)
    mstl(history, 7)
    assert made == [None, "add"]
