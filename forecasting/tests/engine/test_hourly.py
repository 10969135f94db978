from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.backtest import backtest, horizon_steps, main
from forecasting.engine.domain import Series
from forecasting.engine.mstl_model import mstl
from forecasting.engine.prepare import prepare
from forecasting.engine.train import train_one

DAILY = 20 * np.sin(np.linspace(0, 2 * np.pi, 24, endpoint=False) - np.pi / 2)  # a night trough, a day peak
WEEKLY = np.array([10.0, 12.0, 8.0, 10.0, 15.0, -25.0, -30.0])  # quiet weekends


def pattern(index: pd.DatetimeIndex) -> np.ndarray:
    return 100 + DAILY[index.hour] + WEEKLY[index.dayofweek]


def hourly_series(weeks: int = 8, noise: float = 3.0, seed: int = 0, **extra) -> Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=weeks * 168, freq="h")
    values = pattern(index) + rng.normal(0, noise, len(index))
    return Series("hourly", tuple(index), tuple(values), freq="H", **extra)


def test_hourly_mstl_recovers_a_known_daily_and_weekly_pattern():
    # given eight weeks of hours: a daily curve plus a weekday/weekend level, and noise
    history, _ = prepare(hourly_series())
    # when MSTL forecasts the next week
    fitted = mstl(history, 168)
    # then the forecast follows both cycles: within a few units of the truth, hour by hour
    truth = pattern(history.future_index(168))
    assert np.abs(fitted.value - truth).mean() < 3.0
    assert np.abs(fitted.value - truth).max() < 10.0
    assert fitted.params["periods"] == [24, 168]


def test_hourly_backtest_is_scaled_by_last_week_and_mstl_beats_it():
    history, _ = prepare(hourly_series(weeks=10))
    result = backtest(history, horizon=168, origins=2, candidates=("seasonal_naive", "mstl"))
    assert history.season_length == 168
    assert result.scores["mstl"].mase < 0.9 * result.scores["seasonal_naive"].mase


def test_prophet_takes_daily_and_weekly_seasonality_on_hourly_data():
    from forecasting.engine.prophet_model import prophet

    history, _ = prepare(hourly_series(weeks=5))
    fitted = prophet(history, 48)
    assert fitted.params["daily_seasonality"] and fitted.params["weekly_seasonality"]
    truth = pattern(history.future_index(48))
    assert np.abs(fitted.value - truth).mean() < 6.0


def test_a_daylight_saving_series_trains_on_the_wall_clock_and_forecasts_real_instants():
    # given six weeks of hourly arrivals recorded as UTC instants in London, across the change of 27 October
    zone = "Europe/London"
    instants = pd.date_range("2024-09-22", "2024-11-03 23:00", freq="h", tz=UTC)
    local = instants.tz_convert(zone).tz_localize(None)
    values = pattern(pd.DatetimeIndex(local))
    series = Series("london", tuple(instants), tuple(values), freq="H", time_zone=zone)
    # when it is prepared
    history, decisions = prepare(series)
    # then the repeated 01:00 is averaged into one wall-clock hour and the grid has no gap
    assert decisions["repeated_hours_averaged"] == 1
    assert decisions["missing_points"] == 0
    # and a forecast over the spring change (history ending before 31 March 2025) skips the lost hour
    spring = pd.date_range("2025-02-01", "2025-03-29 23:00", freq="h", tz=zone).tz_convert(UTC)
    spring_local = spring.tz_convert(zone).tz_localize(None)
    spring_series = Series(
        "spring", tuple(spring), tuple(pattern(pd.DatetimeIndex(spring_local))), freq="H", time_zone=zone
    )
    result = train_one(spring_series, horizon=48, origins=1, candidates=("seasonal_naive",))
    stamps = result.forecast.timestamps
    assert len(stamps) == 47  # 48 wall-clock hours, one of which (01:00 on 30 March) does not exist
    utc = [ts.astimezone(UTC) for ts in stamps]
    assert all(b - a == pd.Timedelta(hours=1) for a, b in zip(utc, utc[1:], strict=False))
    assert stamps[0].tzinfo is not None and stamps[0].replace(tzinfo=None) == datetime(2025, 3, 30, 0)


def test_repeated_wall_clock_times_without_a_time_zone_are_refused():
    instants = pd.date_range("2024-10-26", "2024-10-28", freq="h", tz=UTC).tz_convert("Europe/London")
    series = Series("s", tuple(instants), tuple(np.ones(len(instants))), freq="H")
    with pytest.raises(ValueError, match="time zone"):
        prepare(series)


@pytest.mark.parametrize(
    ("text", "freq", "steps"),
    [
        ("168h", "H", 168),
        ("7d", "H", 168),
        ("1w", "H", 168),
        ("7", "H", 168),
        ("28d", "D", 28),
        ("2w", "D", 14),
    ],
)
def test_horizon_says_its_unit(text, freq, steps):
    assert horizon_steps(text, freq) == steps


@pytest.mark.parametrize("text", ["36h", "0d", "soon"])
def test_a_horizon_that_is_not_whole_days_for_daily_data_is_refused(text):
    with pytest.raises(ValueError, match="horizon"):
        horizon_steps(text, "D")


def test_cli_hourly_with_hour_column_and_absent_hours_as_zero(tmp_path, capsys):
    # given a file that keeps the date and the hour apart and leaves out the hours with no demand
    index = pd.date_range("2024-01-01", periods=6 * 168, freq="h")
    values = np.maximum(pattern(index) - 80, 0).round()
    frame = pd.DataFrame({"day": index.strftime("%Y-%m-%d"), "hr": index.hour, "cnt": values})
    path = tmp_path / "hours.csv"
    frame[frame.cnt > 0].to_csv(path, index=False)
    # when it is backtested one week ahead
    code = main(
        [
            str(path),
            "--date-col",
            "day",
            "--hour-col",
            "hr",
            "--value-col",
            "cnt",
            "--freq",
            "H",
            "--absent",
            "zero",
            "--horizon",
            "1w",
            "--origins",
            "1",
            "--candidates",
            "seasonal_naive",
        ]
    )
    out = capsys.readouterr().out
    # then the absent hours are zeros, not gaps, and the report gives its units
    assert code == 0
    assert "0 missing" in out
    assert "168 h ahead" in out and "lag 168 h" in out
