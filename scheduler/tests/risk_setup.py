"""A unit with a forecast and a roster, for the tests of a roster's risk (scheduler and API)."""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from capacity.tests.factories import PersonFactory
from forecasting.models import ForecastModel, ForecastPoint
from forecasting.tests.factories import DemandSeriesFactory
from scheduler.tests.factories import RosterAssignmentFactory, RosterFactory, ShiftTypeFactory

MONDAY = date(2025, 3, 3)
MEAN, UPPER = (20.0, 24.0), (30.0, 36.0)  # residents per day; the 80% interval's upper end


def roster_with_forecast():
    """A unit needing 1 carer per 5 residents on its early shift, a forecast for two days, and a roster
    of those days with 4 carers on the first and 5 on the second."""
    series = DemandSeriesFactory(staffing={"method": "ratio", "per_staff": {"E": 5}})
    unit = series.department
    early = ShiftTypeFactory(department=unit, code="E", start_time=time(7))
    model = ForecastModel.objects.create(
        series=series, algorithm="test", trained_at=timezone.now(), is_current=True, interval_width=0.8
    )
    ForecastPoint.objects.bulk_create(
        ForecastPoint(
            model=model,
            timestamp=datetime.combine(MONDAY + timedelta(days=i), time(0), tzinfo=UTC),
            value=v,
            lower=2 * v - u,
            upper=u,
        )
        for i, (v, u) in enumerate(zip(MEAN, UPPER, strict=True))
    )
    roster = RosterFactory(department=unit, start_date=MONDAY, end_date=MONDAY + timedelta(days=1))
    people = [PersonFactory(department=unit, hire_date=date(2020, 1, 1)) for _ in range(6)]
    for day, count in ((0, 4), (1, 5)):
        for person in people[:count]:
            RosterAssignmentFactory(
                roster=roster, person=person, shift_type=early, date=MONDAY + timedelta(days=day)
            )
    return roster
