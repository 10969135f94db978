from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.domain import Event, Series, SeriesError
from forecasting.engine.mstl_model import mstl
from forecasting.engine.prepare import prepare
from forecasting.engine.prophet_model import prophet
from forecasting.engine.regressors import holiday_dates

from .conftest import WEEKLY_PATTERN

HOLIDAY = pd.Timestamp("2024-05-06")  # Early May bank holiday (England), a Monday


def _series(country=None, subdivision=None, events=(), effect=None):
    """Weekly demand from 2023-01-02 to 2024-05-05 that halves on English bank holidays (and on events)."""
    rng = np.random.default_rng(1)
    stamps = pd.date_range("2023-01-02", "2024-05-05", freq="D")
    values = WEEKLY_PATTERN[stamps.dayofweek] + rng.normal(0, 2, len(stamps))
    england = holiday_dates("GB", "ENG", 2023, 2024)
    values[stamps.normalize().isin(pd.DatetimeIndex(list(england)))] *= 0.5
    if effect is not None:
        values += effect(stamps)
    return Series("s", tuple(stamps), tuple(values), country=country, subdivision=subdivision, events=events)


@pytest.mark.parametrize("model", [prophet, mstl])
def test_holidays_change_the_forecast_on_a_holiday(model):
    # given the same history with and without the unit's country and region
    with_holidays, _ = prepare(_series(country="GB", subdivision="ENG"))
    without, _ = prepare(_series())
    # when each forecasts the week that starts with a bank holiday
    on = model(with_holidays, 7).value
    off = model(without, 7).value
    # then only the model that knows the holidays expects the holiday's dip, and the other days hardly move
    assert with_holidays.future_index(7)[0] == HOLIDAY
    assert off[0] - on[0] > 25
    assert abs(on[0] - WEEKLY_PATTERN[0] * 0.5) < 15
    np.testing.assert_allclose(on[1:], off[1:], atol=8)


def test_regional_holidays_follow_the_subdivision():
    scotland = holiday_dates("GB", "SCT", 2024, 2024)
    england = holiday_dates("GB", "ENG", 2024, 2024)
    assert date(2024, 1, 2) in scotland and date(2024, 1, 2) not in england
    with pytest.raises(ValueError):
        holiday_dates("XX", None, 2024, 2024)


@pytest.mark.parametrize("model", [prophet, mstl])
def test_a_user_event_is_a_regressor_that_reaches_into_the_horizon(model):
    # given a ward closed for a fortnight last year (demand down 40), closed again from the second
    # forecast day
    def closed(stamps):
        days = stamps.normalize()
        return np.where((days >= "2023-09-04") & (days <= "2023-09-17"), -40.0, 0.0)

    events = (
        Event("Ward closed", date(2023, 9, 4), date(2023, 9, 17)),
        Event("Ward closed", date(2024, 5, 7), date(2024, 5, 20)),
    )
    history, _ = prepare(_series(events=events, effect=closed))
    plain, _ = prepare(_series(effect=closed))
    # when both forecast the next week
    known = model(history, 7).value
    unknown = model(plain, 7).value
    # then the days of the planned closure are forecast about 40 lower, the day before it is not
    assert np.all(unknown[1:] - known[1:] > 25)
    assert abs(unknown[0] - known[0]) < 10


def test_an_event_that_ends_before_it_starts_is_refused():
    with pytest.raises(SeriesError, match="ends"):
        Event("flu", date(2024, 3, 1), date(2024, 2, 1))
