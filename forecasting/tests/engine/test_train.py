import json

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.domain import Series
from forecasting.engine.train import train_one

from .conftest import WEEKLY_PATTERN, random_walk_series, weekly_series


def test_recovers_a_known_weekly_pattern(weekly):
    # given a year of a flat level with a known weekly pattern and noise sd 2
    # when
    result = train_one(weekly, horizon=14, origins=3)

    # then the forecast follows the pattern weekday by weekday within 5 units (the pattern spans 80)
    assert result.ok, result.error
    days = pd.DatetimeIndex(result.forecast.timestamps).dayofweek
    np.testing.assert_allclose(result.forecast.value, WEEKLY_PATTERN[days], atol=5.0)
    assert len(result.forecast) == 14
    assert result.forecast.timestamps[0] == pd.Timestamp(weekly.timestamps[-1]) + pd.Timedelta(days=1)


def test_result_holds_everything_the_django_side_stores(weekly):
    result = train_one(weekly, horizon=7, origins=2)
    assert result.algorithm == result.chosen
    assert set(result.metrics) == {
        "seasonal_naive",
        "ets",
        "mstl",
        "prophet",
        "combination_mean",
        "combination_weighted",
    }
    assert json.loads(result.model_json)  # every algorithm stores JSON
    assert result.duration_s > 0
    points = list(result.forecast.points())
    assert all(p.lower <= p.value <= p.upper for p in points)
    assert result.forecast.interval_width == 0.8
    assert "yearly_seasonality" in result.decisions
    json.dumps(result.to_dict())  # a Celery task can return it as JSON


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_choice_is_never_worse_than_seasonal_naive_on_a_random_walk(seed):
    # given a random walk, where last week's values are a hard yardstick to beat
    series = random_walk_series(seed=seed)

    # when
    result = train_one(series, horizon=14, origins=4, interval_width=None)

    # then the chosen model's backtest MASE is at most seasonal naive's
    assert result.ok, result.error
    assert result.metrics[result.chosen].mase <= result.metrics["seasonal_naive"].mase


def test_prophet_model_json_round_trips():
    from prophet.serialize import model_from_json

    from forecasting.engine.prepare import prepare
    from forecasting.engine.prophet_model import prophet

    # given Prophet fitted and stored as JSON
    history, _ = prepare(weekly_series())
    fitted = prophet(history, 7, model_json=True)

    # when the stored model is loaded and asked again
    model = model_from_json(fitted.model_json)
    again = model.predict(pd.DataFrame({"ds": history.future_index(7)}))["yhat"].to_numpy()

    # then it gives the same forecast
    np.testing.assert_allclose(again, fitted.value)


def test_seasonal_naive_is_always_scored():
    result = train_one(weekly_series(), horizon=7, origins=1, candidates=("prophet",), interval_width=None)
    assert set(result.metrics) == {"seasonal_naive", "prophet"}


def test_yearly_seasonality_is_decided_by_history_length():
    short = train_one(weekly_series(days=300), horizon=7, origins=1, candidates=("prophet",))
    long = train_one(weekly_series(days=600), horizon=7, origins=1, candidates=("prophet",))
    assert short.decisions["yearly_seasonality"] is False
    assert long.decisions["yearly_seasonality"] is True


def test_gaps_are_recorded_and_forecast_is_complete():
    series = weekly_series(days=200)
    keep = [i for i in range(200) if i % 17 != 3]
    gappy = Series("gappy", tuple(series.timestamps[i] for i in keep), tuple(series.values[i] for i in keep))
    result = train_one(gappy, horizon=7, origins=2, candidates=("seasonal_naive", "ets"))
    assert result.ok, result.error
    assert result.decisions["missing_points"] == 200 - len(keep)
    assert np.isfinite(result.forecast.value).all()


def test_hourly_series_uses_same_hour_last_week():
    stamps = pd.date_range("2024-01-01", periods=24 * 7 * 6, freq="h")
    values = 10 + 5 * np.sin(2 * np.pi * stamps.hour / 24) + 3 * (stamps.dayofweek >= 5)
    series = Series("calls", tuple(stamps), tuple(values), freq="H")
    result = train_one(series, horizon=24, origins=1, candidates=("seasonal_naive",))
    assert result.ok, result.error
    np.testing.assert_allclose(result.forecast.value, values[-168:-144])


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (Series("nan", tuple(pd.date_range("2024-01-01", periods=60)), (float("nan"),) * 60), "all NaN"),
        (Series("short", tuple(pd.date_range("2024-01-01", periods=20)), (1.0,) * 20), "too short"),
    ],
)
def test_bad_series_return_an_error_instead_of_raising(series, message):
    result = train_one(series, horizon=14, origins=2)
    assert not result.ok
    assert message in result.error
    assert result.forecast is None


def test_a_final_ets_keeps_the_backtests_last_parameters_when_that_window_held_nearly_all_the_history():
    from forecasting.engine.backtest import backtest
    from forecasting.engine.baselines import ets
    from forecasting.engine.prepare import prepare

    # given a year of weekly-patterned demand, where the last origin's window is 96% of the history
    series = weekly_series(days=364)
    history, _ = prepare(series)

    # when ETS is trained and chosen
    result = train_one(series, horizon=14, origins=2, candidates=("ets",))

    # then the final model is the last backtest fit's parameters run over the whole history, not a new fit
    assert result.chosen == "ets" and result.params["parameters_from_backtest"] is True
    last = backtest(history, horizon=14, origins=2, candidates=("ets",)).last_fits["ets"]
    assert result.params["smoothing"] == last.params["smoothing"]
    same = ets(history, 14, interval_width=0.8, previous=last, refit=False)
    np.testing.assert_allclose(result.forecast.value, np.maximum(same.value, 0))


def test_a_final_ets_is_fitted_afresh_when_the_backtest_window_was_much_shorter():
    # given 70 days and a 14-day horizon: the last origin trained on 56 of 70 points (80% is the floor)
    series = weekly_series(days=69)

    # when
    result = train_one(series, horizon=14, origins=1, candidates=("ets",))

    # then ETS estimated its parameters on the whole history
    assert result.ok, result.error
    assert result.params["parameters_from_backtest"] is False


def test_a_final_mstl_keeps_the_backtests_last_ets_parameters_and_forecasts_close_to_a_fresh_fit():
    from forecasting.engine.backtest import backtest
    from forecasting.engine.mstl_model import mstl
    from forecasting.engine.prepare import prepare

    # given a year of weekly-patterned demand, where the last origin's window is 96% of the history
    series = weekly_series(days=364)
    history, _ = prepare(series)

    # when MSTL is trained and chosen
    result = train_one(series, horizon=14, origins=2, candidates=("mstl",))

    # then its ETS kept the last backtest fit's parameters over the re-decomposed history
    assert result.chosen == "mstl" and result.params["ets_parameters_from_backtest"] is True
    last = backtest(history, horizon=14, origins=2, candidates=("mstl",)).last_fits["mstl"]
    same = mstl(history, 14, interval_width=0.8, previous=last, refit=False)
    np.testing.assert_array_equal(result.forecast.value, np.maximum(same.value, 0))
    # and forecasts what a fit from scratch on the same data forecasts, within 1% of the level
    fresh = mstl(history, 14, interval_width=0.8)
    assert fresh.params["ets_parameters_from_backtest"] is False
    np.testing.assert_allclose(result.forecast.value, fresh.value, atol=0.01 * np.mean(fresh.value))


def test_mstl_starts_from_a_previous_fit_only_on_a_window_with_the_same_start():
    from forecasting.engine.mstl_model import mstl
    from forecasting.engine.prepare import prepare

    history, _ = prepare(weekly_series(days=364))
    shorter = mstl(history.head(300), 14)
    assert mstl(history, 14, previous=shorter, refit=False).params["ets_parameters_from_backtest"] is True
    moved = prepare(weekly_series(days=364, start="2023-01-09"))[0]
    assert mstl(moved, 14, previous=shorter, refit=False).params["ets_parameters_from_backtest"] is False
