"""Forecasting reads: series as engine input, the current forecast of a series, the run history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db.models import QuerySet

from capacity.models import Department
from forecasting.engine.domain import Event, Series
from forecasting.models import DemandEvent, DemandObservation, DemandSeries, ForecastModel, ForecastPoint


def demand_series_list(*, department_ids: set[int] | None = None) -> QuerySet[DemandSeries]:
    series = DemandSeries.objects.select_related("department").order_by("department__name", "metric")
    return series if department_ids is None else series.filter(department_id__in=department_ids)


def holiday_region(*, department: Department) -> tuple[str | None, str | None]:
    """The country and subdivision whose holidays apply: the department's own, else its nearest ancestor's."""
    node: Department | None = department
    while node is not None:
        if node.country:
            return node.country, node.subdivision or None
        node = node.parent
    return None, None


def series_engine_input(*, series: DemandSeries) -> Series:
    """The observations as the engine's Series: the unit's local dates (daily) or UTC instants with the unit's
    zone (hourly, so the engine can place the daylight-saving changes), its holidays and its events."""
    zone = series.department.zone
    zone_name = str(zone)
    rows = series.observations.order_by("timestamp").values_list("timestamp", "value")
    daily = series.frequency == DemandSeries.Frequency.DAILY
    timestamps, values = [], []
    for ts, value in rows:
        timestamps.append(ts.astimezone(zone).date() if daily else ts)
        values.append(float(value))
    country, subdivision = holiday_region(department=series.department)
    events = tuple(
        Event(name, start, end)
        for name, start, end in DemandEvent.objects.filter(department=series.department).values_list(
            "name", "start_date", "end_date"
        )
    )
    return Series(
        key=str(series.pk),
        timestamps=tuple(timestamps),
        values=tuple(values),
        freq=series.frequency,
        country=country,
        subdivision=subdivision,
        events=events,
        time_zone=None if daily else zone_name,
    )


def engine_timestamp_to_utc(value: datetime, *, series: DemandSeries) -> datetime:
    """A naive local timestamp from the engine, as an aware UTC datetime for storage."""
    zone = series.department.zone
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


def actual_and_forecast_by_day(*, unit_ids: list[int], first: date, today: date, last: date) -> list[dict]:
    """Per daily series of the units: actual demand by local day from `first` to `today`, the current
    model's forecast [value, lower, upper] by local day from `first` to `last`, and the model's name."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    series = list(
        DemandSeries.objects.filter(department_id__in=unit_ids, frequency=DemandSeries.Frequency.DAILY)
        .select_related("department")
        .order_by("department__name", "metric")
    )
    by_series: dict[int, dict] = {
        s.id: {"unit": s.department.name, "metric": s.metric, "actual": {}, "forecast": {}, "model": None}
        for s in series
    }
    zones = {s.id: s.department.zone for s in series}
    for series_id, ts, value in DemandObservation.objects.filter(
        series_id__in=list(by_series), timestamp__gte=start, timestamp__lt=end
    ).values_list("series_id", "timestamp", "value"):
        day = ts.astimezone(zones[series_id]).date()
        if first <= day <= today:
            by_series[series_id]["actual"][day.isoformat()] = value
    models = {m.id: m for m in ForecastModel.objects.filter(series_id__in=list(by_series), is_current=True)}
    for model in models.values():
        by_series[model.series_id]["model"] = model.algorithm
    for model_id, ts, value, lower, upper in ForecastPoint.objects.filter(
        model_id__in=list(models), timestamp__gte=start, timestamp__lt=end
    ).values_list("model_id", "timestamp", "value", "lower", "upper"):
        series_id = models[model_id].series_id
        day = ts.astimezone(zones[series_id]).date()
        if first <= day <= last:
            by_series[series_id]["forecast"][day.isoformat()] = [value, lower, upper]
    return [{"id": k, **v} for k, v in by_series.items()]
