from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone
from scipy.stats import norm

from forecasting.models import ForecastModel, ForecastPoint
from forecasting.tests.factories import DemandSeriesFactory
from ops.errors import ApplicationError
from ops.models import AuditEntry
from scheduler.models import CoverRequirement
from scheduler.services.cover import cover_fill_from_forecast
from scheduler.shift_risk import risk_of_counts, shift_needs
from scheduler.tests.factories import CoverRequirementFactory, ShiftTypeFactory

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)


def _daily_forecast(series, values, *, upper=None):
    model = ForecastModel.objects.create(
        series=series,
        algorithm="test",
        trained_at=timezone.now(),
        is_current=True,
        parameters={"interval_width": 0.8},
        interval_width=None if upper is None else 0.8,  # stored with the model since forecasting 0003
    )
    ForecastPoint.objects.bulk_create(
        ForecastPoint(
            model=model,
            timestamp=datetime.combine(MONDAY + timedelta(days=i), time(0), tzinfo=UTC),
            value=v,
            lower=None if upper is None else v - (upper[i] - v),
            upper=None if upper is None else upper[i],
        )
        for i, v in enumerate(values)
    )
    return model


def test_ratio_staffing_turns_daily_demand_into_cover_per_shift():
    # given 24 and 31 residents forecast, 1 carer per 5 on earlies and 1 per 10 at night, at least 1
    series = DemandSeriesFactory(staffing={"method": "ratio", "per_staff": {"E": 5, "N": 10}, "minimum": 1})
    unit = series.department
    ShiftTypeFactory(department=unit, code="E", start_time=time(7))
    ShiftTypeFactory(
        department=unit, code="N", start_time=time(21), is_night=True, duration_minutes=600, paid_minutes=570
    )
    ShiftTypeFactory(
        department=unit, code="L", start_time=time(14)
    )  # no ratio: not staffed from the forecast
    _daily_forecast(series, [24, 31])

    # when cover is filled for those two days
    written = cover_fill_from_forecast(unit=unit, start=MONDAY, end=MONDAY + timedelta(days=1))

    # then each shift gets ceil(demand / ratio) people
    rows = {
        (r.date, r.shift_type.code): (r.minimum, r.preferred)
        for r in CoverRequirement.objects.filter(department=unit).select_related("shift_type")
    }
    assert written == 4
    assert rows == {
        (MONDAY, "E"): (5, 5),
        (MONDAY, "N"): (3, 3),
        (MONDAY + timedelta(days=1), "E"): (7, 7),
        (MONDAY + timedelta(days=1), "N"): (4, 4),
    }


def test_preferred_cover_plans_on_the_upper_part_of_the_interval():
    series = DemandSeriesFactory(staffing={"method": "ratio", "per_staff": {"E": 5}})
    ShiftTypeFactory(department=series.department, code="E")
    _daily_forecast(series, [20], upper=[30])

    cover_fill_from_forecast(unit=series.department, start=MONDAY, end=MONDAY)

    row = CoverRequirement.objects.get(department=series.department)
    assert (row.minimum, row.preferred) == (4, 6)  # 20/5; the 80% quantile of N(20, 7.8) is 26.6 -> 6


def test_refilling_replaces_forecast_rows_and_leaves_manual_ones_alone():
    series = DemandSeriesFactory(staffing={"method": "ratio", "per_staff": {"E": 5}})
    early = ShiftTypeFactory(department=series.department, code="E")
    CoverRequirementFactory(
        department=series.department,
        date=MONDAY,
        shift_type=early,
        minimum=9,
        preferred=9,
        source=CoverRequirement.Source.MANUAL,
    )
    _daily_forecast(series, [10])

    cover_fill_from_forecast(unit=series.department, start=MONDAY, end=MONDAY)
    cover_fill_from_forecast(unit=series.department, start=MONDAY, end=MONDAY)

    sources = sorted(
        CoverRequirement.objects.filter(department=series.department).values_list("source", "minimum")
    )
    assert sources == [("forecast", 2), ("manual", 9)]


def test_a_unit_without_a_forecast_is_told_to_retrain_first():
    series = DemandSeriesFactory()
    ShiftTypeFactory(department=series.department, code="E")
    with pytest.raises(ApplicationError, match="no forecast yet") as error:
        cover_fill_from_forecast(unit=series.department, start=MONDAY, end=MONDAY)
    assert error.value.status == 409


def _uncertain_early_shift(means, sigma):
    """One carer per 5 residents on earlies; daily means with an 80% interval of +-Z80 sigma."""
    series = DemandSeriesFactory(staffing={"method": "ratio", "per_staff": {"E": 5}})
    ShiftTypeFactory(department=series.department, code="E", start_time=time(7))
    _daily_forecast(series, means, upper=[m + norm.ppf(0.9) * sigma for m in means])
    return series.department


def test_service_level_cover_is_the_fewest_staff_short_at_most_that_often():
    # given demand N(20, 5) and N(30, 5): c carers are short when demand exceeds 5c
    unit = _uncertain_early_shift([20, 30], sigma=5)
    tuesday = MONDAY + timedelta(days=1)

    # when cover is filled for a 90% service level
    cover_fill_from_forecast(unit=unit, start=MONDAY, end=tuesday, service_level=0.9)

    # then each minimum is the fewest carers short at most 10% of the time: P(short) = sf(c - mean / 5)
    rows = dict(CoverRequirement.objects.filter(department=unit).values_list("date", "minimum"))
    assert rows == {MONDAY: 6, tuesday: 8}  # the mean asks for 4 and 6
    # and the risk the roster page shows (sampled demand paths) agrees: met at the minimum, not one below
    needs, _ = shift_needs(unit=unit, start=MONDAY, end=tuesday)
    at_minimum = risk_of_counts(needs, {(day, "E"): staff for day, staff in rows.items()})
    one_fewer = risk_of_counts(needs, {(day, "E"): staff - 1 for day, staff in rows.items()})
    assert all(s["probability_short"] <= 0.1 for s in at_minimum["shifts"])
    assert all(s["probability_short"] > 0.1 for s in one_fewer["shifts"])
    entry = AuditEntry.objects.get(action="cover_fill_from_forecast")
    assert entry.changes["service_level"]["after"] == 0.9


def test_service_level_needs_a_value_within_zero_and_one_an_interval_and_no_quantile():
    unit = _uncertain_early_shift([20], sigma=5)
    for bad in (0, 1, 1.5, -0.2):
        with pytest.raises(ApplicationError, match="within") as error:
            cover_fill_from_forecast(unit=unit, start=MONDAY, end=MONDAY, service_level=bad)
        assert error.value.status == 400
    with pytest.raises(ApplicationError, match="not both"):
        cover_fill_from_forecast(unit=unit, start=MONDAY, end=MONDAY, quantile=0.9, service_level=0.9)

    without_interval = DemandSeriesFactory(staffing={"method": "ratio", "per_staff": {"E": 5}})
    ShiftTypeFactory(department=without_interval.department, code="E")
    _daily_forecast(without_interval, [20])
    with pytest.raises(ApplicationError, match="no interval") as error:
        cover_fill_from_forecast(
            unit=without_interval.department, start=MONDAY, end=MONDAY, service_level=0.9
        )
    assert error.value.status == 409


def test_with_two_series_each_takes_half_the_chance_of_a_short_shift():
    # given two series on one unit, each N(20, 5) at one carer per 5: alone, 80% needs 5 (P = sf(1) = 0.16)
    unit = _uncertain_early_shift([20], sigma=5)
    other = DemandSeriesFactory(department=unit, staffing={"method": "ratio", "per_staff": {"E": 5}})
    _daily_forecast(other, [20], upper=[20 + norm.ppf(0.9) * 5])

    # when cover is filled for an 80% service level
    cover_fill_from_forecast(unit=unit, start=MONDAY, end=MONDAY, service_level=0.8)

    # then each series plans for 90% (6 carers, P = sf(2) = 0.023), so the shift is short at most 20% of the
    # time whatever the two demands' correlation
    assert CoverRequirement.objects.get(department=unit).minimum == 12
