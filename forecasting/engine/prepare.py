"""Turn a Series into a regular, validated history that every candidate model can use.

Deliberate choices, each recorded in ``decisions``:
- the history is reindexed to the full frequency between its first and last observation; a missing timestamp
  (or a NaN value) stays NaN in ``y``, so scores are computed on observed points only;
- models that need a regular series (seasonal naive, ETS) get ``filled(...)``: linear interpolation inside the
  window they train on (never using points after the window, so a backtest does not peek ahead), with the
  window's edges carried from the nearest observation;
- Prophet takes the gaps as they are (it fits on observed rows only);
- when no observation is negative, forecasts are clipped at zero (demand cannot be negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .domain import Series, SeriesError

PANDAS_FREQ = {"D": "D", "H": "h"}
MIN_TRAIN_SEASONS = 4  # the shortest training window: four weekly cycles (28 days, or 4 weeks of hours)


@dataclass(frozen=True)
class History:
    """A regular history: ``index`` has no gaps, ``y`` is NaN where nothing was observed."""

    key: str
    freq: str
    season_length: int
    country: str | None
    index: pd.DatetimeIndex
    y: np.ndarray
    nonnegative: bool

    def __len__(self) -> int:
        return len(self.y)

    def head(self, n: int) -> History:
        """The first ``n`` points: the training window of a backtest origin."""
        return History(
            self.key,
            self.freq,
            self.season_length,
            self.country,
            self.index[:n],
            self.y[:n],
            self.nonnegative,
        )

    def filled(self) -> np.ndarray:
        """``y`` with gaps filled by linear interpolation inside this window only."""
        observed = ~np.isnan(self.y)
        if observed.all():
            return self.y
        positions = np.arange(len(self.y))
        return np.interp(positions, positions[observed], self.y[observed])

    def future_index(self, horizon: int) -> pd.DatetimeIndex:
        return pd.date_range(self.index[-1], periods=horizon + 1, freq=PANDAS_FREQ[self.freq])[1:]


def prepare(series: Series) -> tuple[History, dict[str, Any]]:
    """Validate and regularise ``series``. Raises SeriesError with a message a planner can act on."""
    if len(series.values) == 0:
        raise SeriesError(f"series {series.key!r} is empty")
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(list(series.timestamps)))
    except (ValueError, TypeError) as exc:
        raise SeriesError(f"series {series.key!r}: unreadable timestamps ({exc})") from exc
    decisions: dict[str, Any] = {}
    if stamps.tz is not None:
        # Seasonality follows the unit's wall clock, so keep local times and drop the offset.
        stamps = stamps.tz_localize(None)
        decisions["timezone"] = "aware timestamps taken as local wall-clock times"
    values = np.asarray(series.values, dtype=float)
    if np.isinf(values).any():
        raise SeriesError(f"series {series.key!r} has infinite values")
    if stamps.has_duplicates:
        raise SeriesError(f"series {series.key!r} has duplicate timestamps")

    frame = pd.Series(values, index=stamps).sort_index().dropna()
    if frame.empty:
        raise SeriesError(f"series {series.key!r} has no observed values (all NaN)")
    freq = PANDAS_FREQ[series.freq]
    aligned = frame.index.floor(freq)
    if not aligned.equals(frame.index):
        raise SeriesError(f"series {series.key!r}: timestamps are not on a {series.freq} grid")
    full_index = pd.date_range(frame.index[0], frame.index[-1], freq=freq)
    y = frame.reindex(full_index).to_numpy(dtype=float)

    missing = int(np.isnan(y).sum())
    decisions["observations"] = int(len(frame))
    decisions["missing_points"] = missing
    if missing:
        decisions["missing_handling"] = (
            "reindexed to the full frequency; seasonal naive and ETS train on linear interpolation "
            "within each training window; Prophet fits observed rows only; scores use observed points only"
        )
    nonnegative = bool((frame >= 0).all())
    decisions["clip_at_zero"] = nonnegative
    history = History(
        series.key, series.freq, series.season_length, series.country, full_index, y, nonnegative
    )
    return history, decisions


def min_train_length(season_length: int) -> int:
    return MIN_TRAIN_SEASONS * season_length
