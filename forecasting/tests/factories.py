import math
from datetime import UTC, date, datetime, timedelta

import factory

from capacity.tests.factories import UnitFactory
from forecasting.models import DemandObservation, DemandSeries


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
