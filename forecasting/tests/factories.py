import math
from datetime import UTC, date, datetime, timedelta

import factory
from django.utils import timezone
from scipy.stats import norm

from capacity.tests.factories import UnitFactory
from forecasting.models import DemandObservation, DemandSeries, ForecastModel, ForecastPoint


class DemandSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemandSeries

    department = factory.SubFactory(UnitFactory, time_zone="UTC")
    metric = factory.Sequence(lambda n: f"metric_{n}")
    staffing = factory.LazyFunction(lambda: {"method": "ratio", "per_staff": {"E": 5, "N": 10}, "minimum": 1})


def add_weekly_history(
    series: DemandSeries, *, days: int = 120, end: date = date(2025, 3, 2), base: float = 20.0
):
    """A clean weekly pattern: easy for every candidate, so tests run fast and are deterministic."""
    first = end - timedelta(days=days - 1)
    DemandObservation.objects.bulk_create(
        DemandObservation(
            series=series,
            timestamp=datetime(d.year, d.month, d.day, tzinfo=UTC),
            value=base + 4 * math.sin(2 * math.pi * d.weekday() / 7),
        )
        for d in (first + timedelta(days=i) for i in range(days))
    )


def current_daily_forecast(series: DemandSeries, first: date, means, *, sigma: float) -> ForecastModel:
    """The series' current forecast: ``means`` from ``first`` on (UTC midnights), each with the 80% interval
    of a normal demand of spread ``sigma``."""
    model = ForecastModel.objects.create(
        series=series, algorithm="test", trained_at=timezone.now(), is_current=True, interval_width=0.8
    )
    half = norm.ppf(0.9) * sigma
    ForecastPoint.objects.bulk_create(
        ForecastPoint(
            model=model,
            timestamp=datetime.combine(first + timedelta(days=i), datetime.min.time(), tzinfo=UTC),
            value=mean,
            lower=mean - half,
            upper=mean + half,
        )
        for i, mean in enumerate(means)
    )
    return model
