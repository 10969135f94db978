from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from capacity.tests.factories import DepartmentFactory, UnitFactory
from forecasting.models import DemandEvent, DemandObservation, DemandSeries, ForecastPoint
from forecasting.selectors import current_forecast_model, series_engine_input
from forecasting.services import forecast_retrain
from forecasting.tests.factories import DemandSeriesFactory

pytestmark = pytest.mark.django_db


def _hourly_unit():
    site = DepartmentFactory(kind="site", country="GB", subdivision="SCT", time_zone="Europe/London")
    return UnitFactory(parent=site, time_zone="Europe/London")


def _add_hours(series, start: datetime, hours: int):
    DemandObservation.objects.bulk_create(
        DemandObservation(
            series=series,
            timestamp=start + timedelta(hours=h),
            value=10 + 5 * np.sin(2 * np.pi * ((start + timedelta(hours=h)).hour / 24)),
        )
        for h in range(hours)
    )


def test_engine_input_carries_the_units_zone_its_inherited_region_and_its_events():
    # given an hourly series of a Scottish ward (the region set on its site) and a planned closure
    unit = _hourly_unit()
    series = DemandSeriesFactory(department=unit, frequency=DemandSeries.Frequency.HOURLY)
    _add_hours(series, datetime(2024, 10, 26, tzinfo=UTC), 48)
    DemandEvent.objects.create(
        department=unit, name="Ward closed", start_date=date(2024, 11, 4), end_date=date(2024, 11, 8)
    )
    # when it becomes the engine's input
    engine_series = series_engine_input(series=series)
    # then the instants stay instants, with the zone that places the clock change, and the region is inherited
    assert engine_series.time_zone == "Europe/London"
    assert engine_series.timestamps[0].tzinfo is not None
    assert (engine_series.country, engine_series.subdivision) == ("GB", "SCT")
    assert [(e.name, e.start, e.end) for e in engine_series.events] == [
        ("Ward closed", date(2024, 11, 4), date(2024, 11, 8))
    ]


def test_an_hourly_forecast_across_the_spring_change_stores_one_point_per_real_hour():
    # given five weeks of hourly history ending the evening before clocks go forward in London
    unit = _hourly_unit()
    series = DemandSeriesFactory(department=unit, frequency=DemandSeries.Frequency.HOURLY)
    end = datetime(2025, 3, 30, 0, tzinfo=UTC)  # midnight in London, still GMT
    _add_hours(series, end - timedelta(weeks=5), 5 * 168)
    # when it is retrained two days ahead
    summary = forecast_retrain(series=[series], workers=1, horizon_days=2, origins=1)
    # then 47 points are stored, an hour apart in UTC: the wall-clock hour 01:00 of 30 March does not exist
    assert not summary.failed, summary.results[0][1].error
    points = list(
        ForecastPoint.objects.filter(model=current_forecast_model(series=series)).order_by("timestamp")
    )
    assert len(points) == 47
    assert points[0].timestamp == end
    assert all(
        b.timestamp - a.timestamp == timedelta(hours=1) for a, b in zip(points, points[1:], strict=False)
    )
