"""Cover requirements from the demand forecast (source "forecast"); manual requirements override them
when the problem is built, so filling from the forecast never overwrites a planner's numbers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction

from capacity.models import Department
from forecasting.engine.domain import Forecast
from forecasting.engine.staffing import ErlangCRule, RatioRule, staffing_requirements
from forecasting.models import DemandSeries
from forecasting.selectors import current_forecast_model, forecast_points
from ops.cache import bump
from ops.errors import ApplicationError
from scheduler.models import CoverRequirement
from scheduler.selectors import shift_types_for_unit

PREFERRED_QUANTILE = 0.8  # preferred cover protects against a busier than average day


def _forecast_of(series: DemandSeries, start: date, end: date) -> Forecast:
    model = current_forecast_model(series=series)
    if model is None:
        raise ApplicationError(
            f"{series} has no forecast yet; retrain it first", extra={"series_id": series.pk}, status=409
        )
    zone = series.department.zone
    first = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    last = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
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


def _rule(config: dict, shift_code: str):
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


def _headcount_per_shift(forecast: Forecast, rule, shift, quantile, *, daily: bool) -> dict[date, int]:
    """Daily series: the day's need. Hourly series: the most staff any hour of the shift needs."""
    per_day: dict[date, int] = defaultdict(int)
    start_minute = shift.start_time.hour * 60 + shift.start_time.minute
    for need in staffing_requirements(forecast, rule, quantile=quantile):
        if daily:
            per_day[need.timestamp.date()] = need.staff
            continue
        minute = need.timestamp.hour * 60 + need.timestamp.minute
        offset = (minute - start_minute) % (24 * 60)
        if offset < shift.duration_minutes:
            shift_day = (need.timestamp - timedelta(minutes=offset)).date()
            per_day[shift_day] = max(per_day[shift_day], need.staff)
    return per_day


@transaction.atomic
def cover_fill_from_forecast(
    *, unit: Department, start: date, end: date, quantile: float | None = None
) -> int:
    """Replace the unit's forecast cover for these days; returns the number of rows written."""
    if end < start:
        raise ApplicationError("end must be on or after start", extra={"fields": {"end": str(end)}})
    series_list = [
        s for s in DemandSeries.objects.filter(department=unit).select_related("department") if s.staffing
    ]
    if not series_list:
        raise ApplicationError(
            f"{unit} has no demand series with a staffing conversion", extra={"unit": unit.pk}, status=409
        )
    shifts = shift_types_for_unit(unit)
    totals: dict[tuple[date, int], list[int]] = defaultdict(lambda: [0, 0])
    for series in series_list:
        forecast = _forecast_of(series, start, end)
        for shift in shifts:
            rule = _rule(series.staffing, shift.code)
            if rule is None:
                continue
            daily = series.frequency == DemandSeries.Frequency.DAILY
            at_mean = _headcount_per_shift(forecast, rule, shift, quantile, daily=daily)
            at_upper = (
                _headcount_per_shift(
                    forecast, rule, shift, max(quantile or 0, PREFERRED_QUANTILE), daily=daily
                )
                if forecast.upper is not None
                else at_mean
            )
            for day, staff in at_mean.items():
                if start <= day <= end:
                    totals[(day, shift.pk)][0] += staff
                    totals[(day, shift.pk)][1] += max(staff, at_upper.get(day, staff))
    CoverRequirement.objects.filter(
        department=unit, date__range=(start, end), source=CoverRequirement.Source.FORECAST
    ).delete()
    rows = [
        CoverRequirement(
            department=unit,
            date=day,
            shift_type_id=shift_pk,
            minimum=minimum,
            preferred=preferred,
            source=CoverRequirement.Source.FORECAST,
        )
        for (day, shift_pk), (minimum, preferred) in sorted(totals.items())
    ]
    CoverRequirement.objects.bulk_create(rows)
    bump("roster")
    return len(rows)
