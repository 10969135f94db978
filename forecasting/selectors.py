"""Forecasting reads: series as engine input, the current forecast of a series, the run history."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from forecasting.engine.domain import Series
from forecasting.models import DemandSeries, ForecastModel, ForecastPoint


def demand_series_list(*, department_ids: set[int] | None = None) -> QuerySet[DemandSeries]:
    series = DemandSeries.objects.select_related("department").order_by("department__name", "metric")
    return series if department_ids is None else series.filter(department_id__in=department_ids)


def series_engine_input(*, series: DemandSeries) -> Series:
    """The observations as the engine's Series: the unit's local dates (daily) or local times (hourly)."""
    zone = ZoneInfo(series.department.time_zone or "UTC")
    rows = series.observations.order_by("timestamp").values_list("timestamp", "value")
    daily = series.frequency == DemandSeries.Frequency.DAILY
    timestamps, values = [], []
    for ts, value in rows:
        local = ts.astimezone(zone)
        timestamps.append(local.date() if daily else local.replace(tzinfo=None))
        values.append(float(value))
    return Series(
        key=str(series.pk),
        timestamps=tuple(timestamps),
        values=tuple(values),
        freq=series.frequency,
        country=series.department.country or None,
    )


def engine_timestamp_to_utc(value: datetime, *, series: DemandSeries) -> datetime:
    """A naive local timestamp from the engine, as an aware UTC datetime for storage."""
    zone = ZoneInfo(series.department.time_zone or "UTC")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def current_forecast_model(*, series: DemandSeries) -> ForecastModel | None:
    return ForecastModel.objects.filter(series=series, is_current=True).first()


def forecast_points(*, model: ForecastModel, start: datetime | None = None, end: datetime | None = None):
    points = ForecastPoint.objects.filter(model=model).order_by("timestamp")
    if start is not None:
        points = points.filter(timestamp__gte=start)
    if end is not None:
        points = points.filter(timestamp__lte=end)
    return points
