"""What a forecast retrain may be asked for: `ForecastOptions`, with its defaults and bounds defined once.

The API's serializer, the retrain command, the services, the run's job and the stored model read them
from here; a run's job `params` carry `ForecastOptions.to_dict()` and the worker parses it back once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

DEFAULT_HORIZON_DAYS = 56  # eight weeks: a roster period ahead, plus the one being planned
MIN_HORIZON_DAYS = 1
MAX_HORIZON_DAYS = 366
# Rolling origins per series in the weekly retrain: 2 x 28 days (the last 8 weeks). Measured by
# `bench/forecast.py --section retrain` on 100 two-year series with 2 workers, total CPU (workers + cmdstan):
# 2 origins 24 s, 3 origins 32-34 s, 4 origins 40 s; on the shared 2-core machine 2 origins ran in 12.4 s wall
# and 3 in 21.4 s (both at load ~3 from other tenants), so 2 is the number that keeps the 20 s budget there.
# On a dedicated machine 3 fits (about 16-17 s); the CLI defaults to 13 (a year) for a one-off look.
DEFAULT_ORIGINS = 2
MAX_ORIGINS = 52
DEFAULT_INTERVAL_WIDTH = 0.8  # the central prediction interval planners see and cover plans on


class ForecastOptionsError(ValueError):
    """An option out of its bounds; `field` names it, for the caller's error contract."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ForecastOptions:
    horizon_days: int = DEFAULT_HORIZON_DAYS
    origins: int = DEFAULT_ORIGINS
    interval_width: float | None = DEFAULT_INTERVAL_WIDTH  # None: point forecasts only

    def validated(self) -> ForecastOptions:
        if not MIN_HORIZON_DAYS <= self.horizon_days <= MAX_HORIZON_DAYS:
            raise ForecastOptionsError(
                "horizon_days", f"horizon_days must be between {MIN_HORIZON_DAYS} and {MAX_HORIZON_DAYS}"
            )
        if not 1 <= self.origins <= MAX_ORIGINS:
            raise ForecastOptionsError("origins", f"origins must be between 1 and {MAX_ORIGINS}")
        if self.interval_width is not None and not 0 < self.interval_width < 1:
            raise ForecastOptionsError("interval_width", "interval_width must be above 0 and below 1")
        return self

    def horizon_steps(self, steps_per_day: int) -> int:
        """The horizon in the series' own steps (24 a day for an hourly series)."""
        return self.horizon_days * steps_per_day

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ForecastOptions:
        """The options a job's params carry (keys that are not options, like `series_ids`, are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
