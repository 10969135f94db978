"""Turn a Series into a regular, validated history that every candidate model can use.

Deliberate choices, each recorded in ``decisions``:
- the history is reindexed to the full frequency between its first and last observation; a missing timestamp
  (or a NaN value) stays NaN in ``y``, so scores are computed on observed points only;
- models that need a regular series (seasonal naive, ETS) get ``filled(...)``: linear interpolation inside the
  window they train on (never using points after the window, so a backtest does not peek ahead), with the
  window's edges carried from the nearest observation;
- Prophet takes the gaps as they are (it fits on observed rows only);
- when no observation is negative, forecasts are clipped at zero (demand cannot be negative);
- an hourly series with a time zone is modelled on the unit's wall clock: the hour skipped when clocks go
  forward is a gap like any other (never scored), and the two readings of the hour repeated when they go back
  are averaged (the rate per hour is what the daily cycle describes); its forecast is mapped back to real
  instants by ``output_timestamps``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .domain import Event, Series, SeriesError

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
    subdivision: str | None = None
    events: tuple[Event, ...] = ()
    time_zone: str | None = None

    def __len__(self) -> int:
        return len(self.y)

    def head(self, n: int) -> History:
        """The first ``n`` points: the training window of a backtest origin."""
        return replace(self, index=self.index[:n], y=self.y[:n])

    def tail(self, n: int) -> History:
        """The last ``n`` points (a model that trains on a recent window)."""
        return replace(self, index=self.index[-n:], y=self.y[-n:])

    def filled(self) -> np.ndarray:
        """``y`` with gaps filled by linear interpolation inside this window only."""
        observed = ~np.isnan(self.y)
        if observed.all():
            return self.y
        positions = np.arange(len(self.y))
        return np.interp(positions, positions[observed], self.y[observed])

    def future_index(self, horizon: int) -> pd.DatetimeIndex:
        return pd.date_range(self.index[-1], periods=horizon + 1, freq=PANDAS_FREQ[self.freq])[1:]

    def output_timestamps(self, horizon: int) -> tuple[list[int], list[pd.Timestamp]]:
        """Forecast steps as the timestamps to report, and which step each one takes its value from.

        Without a time zone (or for daily data) that is the wall-clock future index, one for one. With one,
        the wall-clock hour that does not exist (clocks forward) is dropped and the repeated hour (clocks
        back) is reported at both of its instants, as aware timestamps in the unit's zone.
        """
        local = self.future_index(horizon)
        if self.time_zone is None or self.freq != "H":
            return list(range(horizon)), list(local)
        positions, stamps = [], []
        first = local.tz_localize(self.time_zone, ambiguous=np.ones(horizon, bool), nonexistent="NaT")
        second = local.tz_localize(self.time_zone, ambiguous=np.zeros(horizon, bool), nonexistent="NaT")
        for step in range(horizon):
            if pd.isna(first[step]):
                continue
            positions.append(step)
            stamps.append(first[step])
            if second[step] != first[step]:
                positions.append(step)
                stamps.append(second[step])
        return positions, stamps


def prepare(series: Series) -> tuple[History, dict[str, Any]]:
    """Validate and regularise ``series``. Raises SeriesError with a message a planner can act on."""
    if len(series.values) == 0:
        raise SeriesError(f"series {series.key!r} is empty")
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(list(series.timestamps)))
    except (ValueError, TypeError) as exc:
        raise SeriesError(f"series {series.key!r}: unreadable timestamps ({exc})") from exc
    decisions: dict[str, Any] = {}
    values = np.asarray(series.values, dtype=float)
    if np.isinf(values).any():
        raise SeriesError(f"series {series.key!r} has infinite values")
    if stamps.has_duplicates:
        raise SeriesError(f"series {series.key!r} has duplicate timestamps")
    repeated_hours = 0
    if stamps.tz is not None and series.time_zone:
        try:
            stamps = stamps.tz_convert(series.time_zone).tz_localize(None)
        except Exception as exc:  # pytz/zoneinfo raise different types for an unknown zone
            raise SeriesError(f"series {series.key!r}: unknown time zone {series.time_zone!r}") from exc
        repeated_hours = int(stamps.duplicated().sum())
        decisions["timezone"] = f"aware timestamps converted to {series.time_zone} wall-clock times"
    elif stamps.tz is not None:
        # Seasonality follows the unit's wall clock, so keep local times and drop the offset.
        stamps = stamps.tz_localize(None)
        decisions["timezone"] = "aware timestamps taken as local wall-clock times"
        if stamps.has_duplicates:
            raise SeriesError(
                f"series {series.key!r} repeats a wall-clock time (a daylight-saving change?): "
                "give the series its time zone"
            )

    frame = pd.Series(values, index=stamps).sort_index().dropna()
    if repeated_hours:
        frame = frame.groupby(level=0).mean()
        decisions["repeated_hours_averaged"] = repeated_hours
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
        series.key,
        series.freq,
        series.season_length,
        series.country,
        full_index,
        y,
        nonnegative,
        subdivision=series.subdivision,
        events=tuple(series.events),
        time_zone=series.time_zone if series.freq == "H" else None,
    )
    return history, decisions


def min_train_length(season_length: int) -> int:
    return MIN_TRAIN_SEASONS * season_length
