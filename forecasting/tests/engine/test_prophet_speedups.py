"""LeanProphet gives Prophet's numbers: same stan input file, same component table, same fit and forecast."""

import numpy as np
import pandas as pd
import pytest
from prophet import Prophet
from prophet.models import CmdStanPyBackend
from prophet.serialize import model_from_json, model_to_json
from stanio.json import dump_stan_json

from forecasting.engine.prophet_model import load_prophet, prophet
from forecasting.engine.prophet_speedups import LeanProphet, stan_inputs_as_arrays

from .conftest import weekly_series


def _frame(days: int = 200) -> pd.DataFrame:
    series = weekly_series(days=days)
    frame = pd.DataFrame({"ds": pd.DatetimeIndex(series.timestamps), "y": series.values})
    frame["promo"] = (np.arange(days) % 17 == 0).astype(float)
    return frame


def _holidays() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ds": pd.to_datetime(["2023-01-02", "2023-04-07", "2023-05-01", "2023-07-20", "2024-01-01"]),
            "holiday": ["new year", "good friday", "may day", "fair", "new year"],
        }
    )


def _pair(**kwargs):
    """The same model as Prophet and as LeanProphet, both fitted on the same frame."""
    models = []
    for cls in (Prophet, LeanProphet):
        model = cls(holidays=_holidays(), yearly_seasonality=False, uncertainty_samples=0, **kwargs)
        model.add_regressor("promo", mode="additive")
        model.fit(_frame())
        models.append(model)
    return models


def test_stan_input_file_is_the_same_as_prophets():
    # given the init and data Prophet hands its backend on a fit with holidays and a regressor
    captured = {}

    class Capture(CmdStanPyBackend):
        def fit(self, stan_init, stan_data, **kwargs):
            captured.update(init=stan_init, data=stan_data)
            return super().fit(stan_init, stan_data, **kwargs)

    model = Prophet(holidays=_holidays(), yearly_seasonality=False, uncertainty_samples=0)
    model.stan_backend.__class__ = Capture
    model.fit(_frame())

    # when both conversions prepare them
    lists = CmdStanPyBackend.prepare_data(captured["init"], captured["data"])
    arrays = stan_inputs_as_arrays(captured["init"], captured["data"])

    # then the arrays stay arrays (stanio writes each with one tolist) and the JSON files are identical
    assert isinstance(arrays[1]["X"], np.ndarray) and isinstance(arrays[1]["y"], np.ndarray)
    assert dump_stan_json(arrays[0]) == dump_stan_json(lists[0])
    assert dump_stan_json(arrays[1]) == dump_stan_json(lists[1])


@pytest.mark.parametrize("mode", ["additive", "multiplicative"])
def test_component_table_and_forecast_are_prophets(mode):
    # given Prophet and LeanProphet fitted on the same data
    plain, lean = _pair(seasonality_mode=mode)
    future = plain.make_future_dataframe(periods=21)
    future["promo"] = (np.arange(len(future)) % 17 == 0).astype(float)

    # then the component table, the parameters and the forecast are the same to the last bit
    pd.testing.assert_frame_equal(lean.train_component_cols, plain.train_component_cols)
    assert lean.component_modes == plain.component_modes
    for name, value in plain.params.items():
        np.testing.assert_array_equal(lean.params[name], value)
    np.testing.assert_array_equal(lean.predict(future)["yhat"], plain.predict(future)["yhat"])


def test_lean_model_round_trips_through_prophets_json():
    _, lean = _pair()
    restored = model_from_json(model_to_json(lean))
    future = lean.make_future_dataframe(periods=7)
    future["promo"] = 0.0
    np.testing.assert_array_equal(restored.predict(future)["yhat"], lean.predict(future)["yhat"])


def test_the_engine_fits_lean_prophet(weekly):
    from forecasting.engine.prepare import prepare

    assert load_prophet() is LeanProphet
    fitted = prophet(prepare(weekly)[0], 14, model_json=True)
    assert type(model_from_json(fitted.model_json)) is Prophet  # what is stored is plain Prophet's JSON


@pytest.mark.parametrize(("period", "order"), [(7, 3), (365.25, 10), (1, 4)])
@pytest.mark.parametrize("freq", ["D", "h"])
def test_fourier_series_is_prophets_to_the_bit(period, order, freq):
    dates = pd.Series(pd.date_range("2019-03-30 01:00", periods=900, freq=freq))
    lean = LeanProphet.fourier_series(dates, period, order)
    assert np.array_equal(lean, Prophet.fourier_series(dates, period, order))


def test_fourier_series_leaves_zoned_dates_to_prophet():
    dates = pd.Series(pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/London"))
    lean = LeanProphet.fourier_series(dates, 7, 3)
    np.testing.assert_array_equal(lean, Prophet.fourier_series(dates, 7, 3))


def test_without_intervals_predict_computes_only_the_component_totals():
    # given Prophet and LeanProphet fitted alike, no uncertainty samples
    plain, lean = _pair()
    future = plain.make_future_dataframe(periods=14)
    future["promo"] = 1.0

    # when both predict
    plain_frame, lean_frame = plain.predict(future), lean.predict(future)

    # then the lean frame leaves out the single components but its yhat and totals are Prophet's
    assert "weekly" in plain_frame and "weekly" not in lean_frame
    for column in ("yhat", "trend", "additive_terms", "multiplicative_terms"):
        np.testing.assert_array_equal(lean_frame[column], plain_frame[column])


def test_with_intervals_predict_is_prophets_whole_frame():
    frame = _frame()
    models = []
    for cls in (Prophet, LeanProphet):
        model = cls(yearly_seasonality=False, uncertainty_samples=50)
        model.fit(frame[["ds", "y"]])
        models.append(model)
    future = models[0].make_future_dataframe(periods=14)
    results = []
    for model in models:
        np.random.seed(3)
        results.append(model.predict(future))
    pd.testing.assert_frame_equal(results[1], results[0])


@pytest.mark.parametrize("fitted", [False, True])
def test_holiday_features_are_prophets(fitted):
    # given holidays across several years, some outside the dates, one name twice, and a row without a date
    # (as predict adds for a name seen in fit but not in the dates to predict)
    extra = pd.DataFrame({"ds": [pd.NaT, pd.Timestamp("2021-12-25")], "holiday": ["fair", "xmas"]})
    holidays = pd.concat([_holidays(), extra], ignore_index=True)
    dates = pd.Series(pd.date_range("2022-12-20", periods=400, freq="D"))
    plain, lean = Prophet(holidays=_holidays()), LeanProphet(holidays=_holidays())
    if fitted:  # in predict, the names seen in fit are already known
        plain.train_holiday_names = lean.train_holiday_names = pd.Series(["new year", "fair"])

    # when both build the indicator columns
    expected = plain.make_holiday_features(dates, holidays)
    got = lean.make_holiday_features(dates, holidays)

    # then the columns, prior scales, names and remembered names are the same
    pd.testing.assert_frame_equal(got[0], expected[0])
    assert got[1:] == expected[1:]
    pd.testing.assert_series_equal(lean.train_holiday_names, plain.train_holiday_names)


def test_holidays_with_windows_are_left_to_prophet():
    holidays = _holidays().assign(lower_window=-1, upper_window=1)
    dates = pd.Series(pd.date_range("2023-01-01", periods=200, freq="D"))
    expected = Prophet(holidays=holidays).make_holiday_features(dates, holidays)
    got = LeanProphet(holidays=holidays).make_holiday_features(dates, holidays)
    pd.testing.assert_frame_equal(got[0], expected[0])
    assert "fair_delim_-1" in got[0]


@pytest.mark.parametrize(
    "seen",
    [None, ["new year", "good friday", "may day", "fair"], ["new year", "fair"], ["new year", "fair", "eid"]],
    ids=["before fit", "every name seen", "some not seen", "one seen only in fit"],
)
def test_holiday_frame_is_prophets(seen):
    # given Prophet and LeanProphet with the same holidays, before fit or after one that saw some names
    plain, lean = Prophet(holidays=_holidays()), LeanProphet(holidays=_holidays())
    if seen is not None:
        plain.train_holiday_names = lean.train_holiday_names = pd.Series(seen)
    dates = pd.Series(pd.date_range("2023-01-01", periods=60, freq="D"))

    # then the frame each builds is the same, row for row, with the same index and types
    pd.testing.assert_frame_equal(
        lean.construct_holiday_dataframe(dates), plain.construct_holiday_dataframe(dates)
    )
