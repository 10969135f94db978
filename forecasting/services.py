"""Forecasting writes: store a trained model and its forecast, retrain many series, upload observations.

A new forecast is written in full before it becomes current, in one transaction: readers see the
previous forecast until the new one commits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from forecasting.engine.domain import TrainResult
from forecasting.engine.options import (
    DEFAULT_HORIZON_DAYS,
    DEFAULT_ORIGINS,
    ForecastOptions,
    ForecastOptionsError,
)
from forecasting.engine.parallel import train_many
from forecasting.engine.train import train_one
from forecasting.models import DemandObservation, DemandSeries, ForecastModel, ForecastPoint
from forecasting.selectors import engine_timestamp_to_utc, series_engine_input
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from ops.metrics import FORECAST_TRAIN_SECONDS
from ops.planning_window import OutsidePlanningWindow, check_planning_date

MAX_UPLOAD_ROWS = 50_000


@transaction.atomic
def forecast_store(*, series: DemandSeries, result: TrainResult) -> ForecastModel:
    """Write the model and its points, then make it the series' current model, atomically."""
    if not result.ok or result.forecast is None:
        raise ApplicationError(f"Training failed: {result.error}", extra={"series_id": series.pk})
    model = ForecastModel.objects.create(
        series=series,
        algorithm=result.algorithm,
        parameters={**result.params, "decisions": _json_ready(result.decisions)},
        interval_width=result.forecast.interval_width,
        metrics=result.metrics_dict(),
        serialized_model=result.model_json or "",
        trained_at=timezone.now(),
        duration_seconds=result.duration_s,
        is_current=False,
    )
    ForecastPoint.objects.bulk_create(
        [
            ForecastPoint(
                model=model,
                timestamp=engine_timestamp_to_utc(_as_datetime(p.timestamp), series=series),
                value=p.value,
                lower=p.lower,
                upper=p.upper,
            )
            for p in result.forecast.points()
        ],
        batch_size=2000,
    )
    previous = (
        ForecastModel.objects.filter(series=series, is_current=True).values_list("pk", flat=True).first()
    )
    ForecastModel.objects.filter(series=series, is_current=True).update(is_current=False)
    ForecastModel.objects.filter(pk=model.pk).update(is_current=True)
    model.is_current = True
    audit.record(
        action="forecast_store",
        obj=model,
        department_id=series.department_id,
        before={"current_model": previous},
        after={"current_model": model.pk, "algorithm": model.algorithm, "series": series.pk},
    )
    FORECAST_TRAIN_SECONDS.labels(result.algorithm).observe(result.duration_s)
    bump("forecast")
    return model


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def _json_ready(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items() if k != "traceback"}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def forecast_options(
    *, horizon_days: int = DEFAULT_HORIZON_DAYS, origins: int = DEFAULT_ORIGINS
) -> ForecastOptions:
    """The options of a retrain, checked once here."""
    try:
        return ForecastOptions(horizon_days=horizon_days, origins=origins).validated()
    except ForecastOptionsError as exc:
        given = {"horizon_days": horizon_days, "origins": origins}
        raise ApplicationError(str(exc), extra={"fields": {exc.field: given.get(exc.field)}}) from exc


def forecast_train(
    *, series: DemandSeries, horizon_days: int = DEFAULT_HORIZON_DAYS, options: ForecastOptions | None = None
) -> TrainResult:
    """Backtest, choose and fit one series in this process; nothing is stored."""
    options = options or forecast_options(horizon_days=horizon_days)
    return train_one(
        series_engine_input(series=series),
        horizon=options.horizon_steps(_steps_per_day(series)),
        origins=options.origins,
        interval_width=options.interval_width,
    )


def _steps_per_day(series: DemandSeries) -> int:
    return 24 if series.frequency == DemandSeries.Frequency.HOURLY else 1


@dataclass
class RetrainSummary:
    results: list[tuple[DemandSeries, TrainResult]] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def failed(self) -> list[tuple[DemandSeries, TrainResult]]:
        return [(s, r) for s, r in self.results if not r.ok]


def forecast_retrain(
    *,
    series: Iterable[DemandSeries],
    workers: int = 1,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    origins: int = DEFAULT_ORIGINS,
    progress: Callable[[int, int, TrainResult], None] | None = None,
) -> RetrainSummary:
    """Train many series (over `workers` processes that import Prophet once) and store each success.

    A series that fails is reported and leaves its previous forecast current; the others are unaffected.
    """
    options = forecast_options(horizon_days=horizon_days, origins=origins)
    started = timezone.now()
    series = list(series)
    by_freq: dict[str, list[DemandSeries]] = {}
    for one in series:
        by_freq.setdefault(one.frequency, []).append(one)
    summary = RetrainSummary()
    for freq_series in by_freq.values():
        inputs = [series_engine_input(series=s) for s in freq_series]
        results = train_many(
            inputs,
            workers=workers,
            horizon=options.horizon_steps(_steps_per_day(freq_series[0])),
            origins=options.origins,
            interval_width=options.interval_width,
            progress=progress,
        )
        for one, result in zip(freq_series, results, strict=True):
            if result.ok:
                forecast_store(series=one, result=result)
            summary.results.append((one, result))
    summary.wall_seconds = (timezone.now() - started).total_seconds()
    return summary


def _parse_timestamp(raw, *, row: int, errors: list, zone: ZoneInfo) -> datetime | None:
    """ISO dates or date-times; without an offset they are the unit's local time."""
    try:
        if isinstance(raw, datetime):
            value = raw
        else:
            text = str(raw).strip()
            value = (
                datetime.fromisoformat(text)
                if "T" in text or " " in text
                else datetime.fromisoformat(text + "T00:00")
            )
    except (TypeError, ValueError):
        errors.append({"row": row, "field": "timestamp", "error": f"not an ISO date or date-time: {raw!r}"})
        return None
    try:
        check_planning_date(value)  # before the conversion to UTC, which could leave the calendar
    except OutsidePlanningWindow as exc:
        errors.append({"row": row, "field": "timestamp", "error": str(exc)})
        return None
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)


@transaction.atomic
def observations_upload(*, series: DemandSeries, rows: list[dict]) -> dict:
    """Insert or replace observations. All or nothing: any bad row rejects the whole upload, naming it."""
    if len(rows) > MAX_UPLOAD_ROWS:
        raise ApplicationError(
            f"At most {MAX_UPLOAD_ROWS} rows per upload",
            extra={"limit": MAX_UPLOAD_ROWS, "rows": len(rows)},
            status=413,
        )
    if not rows:
        raise ApplicationError("The upload has no rows", extra={"rows": 0})
    zone = series.department.zone
    errors: list[dict] = []
    seen: dict[datetime, int] = {}
    parsed: list[tuple[datetime, float]] = []
    for index, row in enumerate(rows, start=1):
        timestamp = _parse_timestamp(row.get("timestamp"), row=index, errors=errors, zone=zone)
        try:
            value = float(row.get("value"))
        except (TypeError, ValueError):
            errors.append({"row": index, "field": "value", "error": f"not a number: {row.get('value')!r}"})
            continue
        if not math.isfinite(value) or value < 0:
            errors.append({"row": index, "field": "value", "error": "must be a finite number >= 0"})
            continue
        if timestamp is None:
            continue
        if timestamp in seen:
            errors.append(
                {
                    "row": index,
                    "field": "timestamp",
                    "error": f"duplicate of row {seen[timestamp]} ({timestamp.isoformat()})",
                }
            )
            continue
        seen[timestamp] = index
        parsed.append((timestamp, value))
    if errors:
        raise ApplicationError(
            f"{len(errors)} row(s) rejected; nothing was written", extra={"errors": errors[:100]}
        )
    existing = set(
        DemandObservation.objects.filter(series=series, timestamp__in=[t for t, _ in parsed]).values_list(
            "timestamp", flat=True
        )
    )
    DemandObservation.objects.bulk_create(
        [DemandObservation(series=series, timestamp=t, value=v) for t, v in parsed],
        update_conflicts=True,
        unique_fields=["series", "timestamp"],
        update_fields=["value"],
        batch_size=5000,
    )
    DemandSeries.objects.filter(pk=series.pk).update(updated_at=timezone.now())
    # one entry per upload (up to MAX_UPLOAD_ROWS rows): what it wrote, over which period
    audit.record(
        action="observations_upload",
        obj=series,
        after={
            "inserted": len(parsed) - len(existing),
            "replaced": len(existing),
            "first": min(t for t, _ in parsed),
            "last": max(t for t, _ in parsed),
        },
    )
    bump("forecast")
    return {"inserted": len(parsed) - len(existing), "replaced": len(existing)}
