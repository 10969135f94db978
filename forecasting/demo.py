"""The forecasting half of the demo: two years of daily occupied beds per unit.

A trend, weekly and yearly seasonality (winter pressure), lower occupancy on public holidays, and
noise; deterministic for a seed.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

import holidays

from capacity.models import Department
from forecasting.models import DemandObservation, DemandSeries

HISTORY_DAYS = 2 * 365 + 30
STAFFING = {"method": "ratio", "per_staff": {"E": 6, "L": 7, "N": 10}, "minimum": 1}


def seed_demand(units: list[Department], rng: random.Random, today: date) -> None:
    first = today - timedelta(days=HISTORY_DAYS)
    uk_holidays = holidays.country_holidays("GB", years=range(first.year, today.year + 1))
    for unit in units:
        series, _ = DemandSeries.objects.update_or_create(
            department=unit,
            metric="occupied_beds",
            defaults={"frequency": DemandSeries.Frequency.DAILY, "staffing": STAFFING},
        )
        DemandObservation.objects.filter(series=series).delete()
        zone = unit.zone
        base = rng.uniform(18, 30)
        weekly = [rng.uniform(-1.5, 1.5) for _ in range(7)]
        rows = []
        for offset in range(HISTORY_DAYS):
            day = first + timedelta(days=offset)
            yearly = 3.0 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
            trend = 0.002 * offset
            holiday = -2.5 if day in uk_holidays else 0.0
            value = base + trend + yearly + weekly[day.weekday()] + holiday + rng.gauss(0, 1.2)
            rows.append(
                DemandObservation(
                    series=series,
                    timestamp=datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC),
                    value=round(max(0.0, value), 2),
                )
            )
        DemandObservation.objects.bulk_create(rows, batch_size=5000)
