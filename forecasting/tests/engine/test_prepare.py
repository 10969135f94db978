import math

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.domain import Series, SeriesError
from forecasting.engine.prepare import prepare


def test_missing_dates_are_reindexed_and_recorded():
    # given a daily series with two dates absent and one NaN value
    stamps = pd.date_range("2024-01-01", periods=30, freq="D")
    values = np.arange(30, dtype=float)
    values[10] = np.nan
    keep = [i for i in range(30) if i not in (5, 6)]
    series = Series("gappy", tuple(stamps[keep]), tuple(values[keep]))

    # when
    history, decisions = prepare(series)

    # then the index is complete, the gaps are NaN and counted, and the fill interpolates inside the window
    assert len(history) == 30
    assert decisions["missing_points"] == 3
    assert "missing_handling" in decisions
    assert np.isnan(history.y[[5, 6, 10]]).all()
    assert history.filled()[[5, 6, 10]] == pytest.approx([5.0, 6.0, 10.0])


def test_fill_uses_only_the_window_it_trains_on():
    # given a gap at the very end of a training window
    stamps = pd.date_range("2024-01-01", periods=10, freq="D")
    values = [1.0, 2.0, 3.0, 4.0, math.nan, 100.0, 7.0, 8.0, 9.0, 10.0]
    history, _ = prepare(Series("edge", tuple(stamps), tuple(values)))

    # when the window stops at the gap
    window = history.head(5)

    # then the gap is carried from the last observation, not interpolated towards the future 100
    assert window.filled()[-1] == 4.0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "empty"),
        ([math.nan, math.nan, math.nan], "no observed values"),
        ([1.0, math.inf, 2.0], "infinite"),
    ],
)
def test_unusable_series_raise_a_readable_error(values, message):
    stamps = tuple(pd.date_range("2024-01-01", periods=len(values), freq="D"))
    with pytest.raises(SeriesError, match=message):
        prepare(Series("bad", stamps, tuple(values)))


def test_duplicate_timestamps_are_refused():
    stamps = (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01"))
    with pytest.raises(SeriesError, match="duplicate"):
        prepare(Series("dup", stamps, (1.0, 2.0)))


def test_hourly_series_off_the_hour_is_refused():
    stamps = tuple(pd.date_range("2024-01-01 00:30", periods=3, freq="h"))
    with pytest.raises(SeriesError, match="grid"):
        prepare(Series("odd", stamps, (1.0, 2.0, 3.0), freq="H"))


def test_series_checks_its_shape():
    with pytest.raises(SeriesError, match="freq"):
        Series("x", (), (), freq="W")
    with pytest.raises(SeriesError, match="timestamps"):
        Series("x", (pd.Timestamp("2024-01-01"),), ())
