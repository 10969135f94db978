import json

import numpy as np

from forecasting.engine.baselines import ets
from forecasting.engine.domain import Series
from forecasting.engine.prepare import prepare
from forecasting.engine.prophet_model import prophet

from .conftest import WEEKLY_PATTERN, weekly_series


def test_ets_forecast_with_intervals_and_stored_json(weekly):
    history, _ = prepare(weekly)
    fitted = ets(history, 14, interval_width=0.8, model_json=True)
    assert fitted.value.shape == (14,)
    assert (fitted.lower < fitted.value).all() and (fitted.value < fitted.upper).all()
    assert json.loads(fitted.model_json)["algorithm"] == "ets"
    days = history.future_index(14).dayofweek
    np.testing.assert_allclose(fitted.value, WEEKLY_PATTERN[days], atol=5.0)


def test_prophet_intervals_are_repeatable_and_leave_numpy_state_alone(weekly):
    history, _ = prepare(weekly)
    np.random.seed(1)
    before = np.random.get_state()[1].copy()
    first = prophet(history, 7, interval_width=0.8)
    second = prophet(history, 7, interval_width=0.8)
    np.testing.assert_array_equal(first.lower, second.lower)
    np.testing.assert_array_equal(before, np.random.get_state()[1])
    assert (first.lower <= first.value).all() and (first.value <= first.upper).all()


def test_prophet_uses_country_holidays_and_records_an_unknown_country():
    base = weekly_series(days=120)
    known, _ = prepare(Series("gb", base.timestamps, base.values, country="GB"))
    unknown, _ = prepare(Series("xx", base.timestamps, base.values, country="XX"))
    assert prophet(known, 7).params["country_holidays"] == "GB"
    fitted = prophet(unknown, 7)
    assert "country_holidays" not in fitted.params
    assert "XX" in fitted.decisions["country_holidays"]


def test_every_mstl_fit_of_a_process_decomposes_with_the_same_stl_options():
    from forecasting.engine.mstl_model import STL_OPTIONS, mstl

    # given a series with holidays (so the decomposition runs more than once a fit)
    series = weekly_series(days=364)
    history, _ = prepare(Series(series.key, series.timestamps, series.values, freq="D", country="GB"))
    options = dict(STL_OPTIONS)

    # when MSTL is fitted twice on it
    first, second = mstl(history, 14), mstl(history, 14)

    # then the options are still there for later fits (MSTL.fit pops the dict it is handed) and the two agree
    assert options == STL_OPTIONS
    np.testing.assert_array_equal(second.value, first.value)
