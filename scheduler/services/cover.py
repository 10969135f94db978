"""Cover requirements from the demand forecast (source "forecast"); manual requirements override them
when the problem is built, so filling from the forecast never overwrites a planner's numbers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction

from capacity.models import Department
from forecasting.models import DemandSeries
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError
from scheduler.demand import forecast_of, headcount_per_shift, service_level_per_shift, staffing_rule
from scheduler.models import CoverRequirement
from scheduler.selectors import shift_types_for_unit

PREFERRED_QUANTILE = 0.8  # preferred cover protects against a busier than average day


@transaction.atomic
def cover_fill_from_forecast(
    *,
    unit: Department,
    start: date,
    end: date,
    quantile: float | None = None,
    service_level: float | None = None,
) -> int:
    """Replace the unit's forecast cover for these days; returns the number of rows written.

    The minimum plans on the mean forecast, on an upper ``quantile``, or on a ``service_level``: the fewest
    staff at which each shift is short with a chance of at most 1 - service_level (0.9: at most 10%). With
    several series a shift's staff is their sum and each gets an equal share of that chance, so the shift
    meets the service level whatever the series' correlation (short in total means short in one of them)."""
    if end < start:
        raise ApplicationError("end must be on or after start", extra={"fields": {"end": str(end)}})
    if quantile is not None and service_level is not None:
        raise ApplicationError(
            "Plan on a quantile or on a service level, not both",
            extra={"fields": {"quantile": quantile, "service_level": service_level}},
        )
    if service_level is not None and not 0 < service_level < 1:
        raise ApplicationError(
            "service_level must be within (0, 1): 0.9 plans each shift short at most 10% of the time",
            extra={"fields": {"service_level": service_level}},
        )
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
        forecast = forecast_of(series, start, end)
        if (quantile is not None or service_level is not None) and forecast.upper is None:
            raise ApplicationError(
                f"The forecast of {series} has no interval to plan on a quantile or a service level; "
                "retrain it",
                extra={"series_id": series.pk},
                status=409,
            )
        for shift in shifts:
            rule = staffing_rule(series.staffing, shift.code)
            if rule is None:
                continue
            daily = series.frequency == DemandSeries.Frequency.DAILY
            if service_level is None:
                at_mean = headcount_per_shift(forecast, rule, shift, quantile, daily=daily)
            else:
                share = 1 - (1 - service_level) / len(series_list)
                at_mean = service_level_per_shift(forecast, rule, shift, share, daily=daily)
            at_upper = (
                headcount_per_shift(
                    forecast, rule, shift, max(quantile or 0, PREFERRED_QUANTILE), daily=daily
                )
                if forecast.upper is not None
                else at_mean
            )
            for day, staff in at_mean.items():
                if start <= day <= end:
                    totals[(day, shift.pk)][0] += staff
                    totals[(day, shift.pk)][1] += max(staff, at_upper.get(day, staff))
    replaced, _ = CoverRequirement.objects.filter(
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
    # one entry for the fill (it rewrites a whole period): the period and the rows replaced and written
    audit.record(
        action="cover_fill_from_forecast",
        object_type="scheduler.coverrequirement",
        object_id=unit.pk,
        department_id=unit.pk,
        before={"forecast_rows": replaced},
        after={
            "forecast_rows": len(rows),
            "start": start,
            "end": end,
            "quantile": quantile,
            "service_level": service_level,
        },
    )
    bump("roster")
    return len(rows)
