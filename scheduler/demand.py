"""Reads of a unit's demand for planning: its forecast over dates, the staffing rule of a series for a shift
type, which shift of which day each forecast step falls in, and the staff per shift on the mean, a quantile
or a service level."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from forecasting.engine.domain import Forecast
from forecasting.engine.risk import service_level_staff
from forecasting.engine.staffing import ErlangCRule, RatioRule, staffing_requirements
from forecasting.models import DemandSeries
from forecasting.selectors import current_forecast_model, forecast_points
from ops.errors import ApplicationError


def forecast_of(series: DemandSeries, start: date, end: date) -> Forecast:
    model = current_forecast_model(series=series)
    if model is None:
        raise ApplicationError(
            f"{series} has no forecast yet; retrain it first", extra={"series_id": series.pk}, status=409
        )
    zone = series.department.zone
    first = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    # through the day after `end`: a night shift of the last day runs into it
    last = datetime.combine(end + timedelta(days=2), datetime.min.time(), tzinfo=zone)
    points = list(forecast_points(model=model, start=first, end=last - timedelta(seconds=1)))
    if not points:
        raise ApplicationError(
            f"The forecast of {series} does not reach {start}..{end}; retrain with a longer horizon",
            extra={"series_id": series.pk},
            status=409,
        )
    has_interval = model.interval_width is not None and all(p.upper is not None for p in points)
    return Forecast(
        timestamps=tuple(p.timestamp.astimezone(zone).replace(tzinfo=None) for p in points),
        value=tuple(p.value for p in points),
        lower=tuple(p.lower for p in points) if has_interval else None,
        upper=tuple(p.upper for p in points) if has_interval else None,
        interval_width=model.interval_width if has_interval else None,
    )


def staffing_rule(config: dict, shift_code: str):
    method = config.get("method")
    if method == "ratio":
        per_staff = config.get("per_staff", {})
        if shift_code not in per_staff:
            return None
        return RatioRule(per_staff=float(per_staff[shift_code]), minimum=int(config.get("minimum", 0)))
    if method == "erlang_c":
        return ErlangCRule(
            interval_s=float(config.get("interval_s", 3600)),
            aht_s=float(config["aht_s"]),
            service_level=float(config.get("service_level", 0.8)),
            target_s=float(config.get("target_s", 20)),
            max_occupancy=config.get("max_occupancy"),
            minimum=int(config.get("minimum", 0)),
        )
    raise ApplicationError(f"Unknown staffing method {method!r}", extra={"staffing": config})


def shift_day_of(stamp: datetime, shift, *, daily: bool) -> date | None:
    """The day of the shift of type ``shift`` that the forecast step at ``stamp`` (local, naive) falls in:
    the step's date for daily demand; for hourly demand the start date of the shift spanning the hour (a
    night shift's early hours belong to the day before), None when no shift of this type spans it."""
    if daily:
        return stamp.date()
    start_minute = shift.start_time.hour * 60 + shift.start_time.minute
    offset = (stamp.hour * 60 + stamp.minute - start_minute) % (24 * 60)
    if offset >= shift.duration_minutes:
        return None
    return (stamp - timedelta(minutes=offset)).date()


def headcount_per_shift(forecast: Forecast, rule, shift, quantile, *, daily: bool) -> dict[date, int]:
    """Daily series: the day's need. Hourly series: the most staff any hour of the shift needs."""
    per_day: dict[date, int] = defaultdict(int)
    for need in staffing_requirements(forecast, rule, quantile=quantile):
        day = shift_day_of(need.timestamp, shift, daily=daily)
        if day is not None:
            per_day[day] = need.staff if daily else max(per_day[day], need.staff)
    return per_day


def service_level_per_shift(
    forecast: Forecast, rule, shift, service_level: float, *, daily: bool
) -> dict[date, int]:
    """Per day: the fewest staff at which the shift is short (any step it spans needing more) with a chance
    of at most ``1 - service_level``, by the normal tails ``forecasting.engine.risk`` computes risk with."""
    steps_of_day: dict[date, list[int]] = defaultdict(list)
    for step, stamp in enumerate(forecast.timestamps):
        day = shift_day_of(stamp, shift, daily=daily)
        if day is not None:
            steps_of_day[day].append(step)
    return {
        day: service_level_staff(forecast, steps, rule, service_level=service_level)
        for day, steps in steps_of_day.items()
    }
