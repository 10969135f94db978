"""Inputs and outputs of the forecast engine: frozen dataclasses, no Django.

Everything a TrainResult holds is plain Python (str, float, int, bool, None, tuples, dicts), so a Celery task
can return ``result.to_dict()`` as JSON and a Django service can write ``ForecastModel`` and ``ForecastPoint``
rows straight from the fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

FREQUENCIES = ("D", "H")
SEASON_LENGTH = {"D": 7, "H": 168}  # weekly cycle: 7 days, or the same hour last week


class SeriesError(ValueError):
    """A series the engine cannot train on (too short, no observations, bad timestamps...)."""


@dataclass(frozen=True)
class Event:
    """A known, user-supplied episode that moves demand (a ward closed, a flu season): a regressor.

    ``start`` and ``end`` are local dates, both included; for an hourly series every hour of those dates is in
    the event. An event may reach into the forecast horizon (a planned closure): its future days count too.
    """

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise SeriesError("an event needs a name")
        if self.end < self.start:
            raise SeriesError(f"event {self.name!r} ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class Series:
    """One demand history. ``timestamps`` are local wall-clock times of the unit (dates for daily data).

    Missing timestamps are allowed (they are reindexed and recorded); NaN values count as missing.
    ``country`` and ``subdivision`` are the codes of the ``holidays`` package (e.g. "GB" and "SCT", "AU" and
    "VIC"): public holidays for every model that can take regressors. ``events`` are further regressors.
    ``time_zone`` (an IANA name) is for hourly series given as aware timestamps: they are turned into the
    unit's wall-clock hours (seasonality follows the clock) and the forecast comes back as aware timestamps
    that skip the hour lost in spring and repeat the hour gained in autumn.
    """

    key: str
    timestamps: tuple[datetime | date, ...]
    values: tuple[float, ...]
    freq: str = "D"
    country: str | None = None
    subdivision: str | None = None
    events: tuple[Event, ...] = ()
    time_zone: str | None = None

    def __post_init__(self) -> None:
        if self.freq not in FREQUENCIES:
            raise SeriesError(f"series {self.key!r}: freq must be one of {FREQUENCIES}, got {self.freq!r}")
        if len(self.timestamps) != len(self.values):
            raise SeriesError(
                f"series {self.key!r}: {len(self.timestamps)} timestamps but {len(self.values)} values"
            )

    @property
    def season_length(self) -> int:
        return SEASON_LENGTH[self.freq]


@dataclass(frozen=True)
class ForecastPoint:
    timestamp: datetime
    value: float
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class Forecast:
    """Point forecast with an optional central prediction interval of width ``interval_width`` (e.g. 0.8)."""

    timestamps: tuple[datetime, ...]
    value: tuple[float, ...]
    lower: tuple[float, ...] | None = None
    upper: tuple[float, ...] | None = None
    interval_width: float | None = None

    def __len__(self) -> int:
        return len(self.timestamps)

    def points(self) -> Iterator[ForecastPoint]:
        """One point per timestamp: the shape of a ``ForecastPoint`` row."""
        for i, ts in enumerate(self.timestamps):
            yield ForecastPoint(
                timestamp=ts,
                value=self.value[i],
                lower=None if self.lower is None else self.lower[i],
                upper=None if self.upper is None else self.upper[i],
            )


@dataclass(frozen=True)
class CandidateScore:
    """Backtest score of one candidate model on one series.

    ``mase`` is the mean over origins of MASE (scaled by the in-sample seasonal-naive error of each origin's
    training window); ``inf`` when the candidate failed. ``mape`` is in percent, None where undefined
    (a zero among the actuals). A ``pruned`` candidate was scored on the first origin only (it was far
    behind the best there) and is not chosen.
    """

    algorithm: str
    mase: float
    mape: float | None
    mase_per_origin: tuple[float, ...]
    duration_s: float
    error: str | None = None
    pruned: bool = False

    @property
    def ok(self) -> bool:
        """Scored on every origin: a candidate the choice may take."""
        return self.error is None and not self.pruned and math.isfinite(self.mase)


@dataclass(frozen=True)
class TrainResult:
    """The outcome of training one series. ``error`` is set (and ``forecast`` None) when the series failed.

    Maps onto the Django side as: ``ForecastModel(algorithm, params, metrics, model_json, duration_s)`` and
    ``ForecastPoint`` rows from ``forecast.points()``.
    """

    series_key: str
    algorithm: str | None
    params: dict[str, Any]
    metrics: dict[str, CandidateScore]
    forecast: Forecast | None
    model_json: str | None
    duration_s: float
    error: str | None = None
    decisions: dict[str, Any] = field(default_factory=dict)

    @property
    def chosen(self) -> str | None:
        """The candidate the backtest chose (the same name as ``algorithm``)."""
        return self.algorithm

    @property
    def ok(self) -> bool:
        return self.error is None

    def metrics_dict(self) -> dict[str, dict[str, Any]]:
        """``metrics`` as JSON-ready dicts (non-finite MASE becomes None)."""
        return {name: _json_safe(asdict(score)) for name, score in self.metrics.items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (timestamps as ISO strings), e.g. for a Celery task's return value."""
        forecast = None
        if self.forecast is not None:
            forecast = {
                "timestamps": [ts.isoformat() for ts in self.forecast.timestamps],
                "value": list(self.forecast.value),
                "lower": None if self.forecast.lower is None else list(self.forecast.lower),
                "upper": None if self.forecast.upper is None else list(self.forecast.upper),
                "interval_width": self.forecast.interval_width,
            }
        return {
            "series_key": self.series_key,
            "algorithm": self.algorithm,
            "params": self.params,
            "metrics": self.metrics_dict(),
            "forecast": forecast,
            "model_json": self.model_json,
            "duration_s": self.duration_s,
            "error": self.error,
            "decisions": self.decisions,
        }


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
