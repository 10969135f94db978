from datetime import date, datetime, timedelta

import numpy as np
import pytest
from scipy.stats import norm

from forecasting.engine.cover import ShiftCover, ShiftType, shift_cover
from forecasting.engine.domain import Forecast
from forecasting.engine.risk import demand_threshold, roster_risk, service_level_staff
from forecasting.engine.staffing import ErlangCRule, RatioRule, agents_needed, staffing_requirements

Z80 = norm.ppf(0.9)


def _hourly_forecast(sigma: float = 3.0) -> Forecast:
    start = datetime(2025, 3, 3)
    value = 10 + 6 * np.sin(np.linspace(0, 2 * np.pi, 24, endpoint=False))
    stamps = tuple(start + timedelta(hours=h) for h in range(24))
    return Forecast(stamps, tuple(value), tuple(value - Z80 * sigma), tuple(value + Z80 * sigma), 0.8)


def _mean_cover(forecast: Forecast, rule) -> list[ShiftCover]:
    shifts = (ShiftType("E", 7, 8), ShiftType("L", 15, 8), ShiftType("N", 23, 8))
    return list(shift_cover(staffing_requirements(forecast, rule), shifts).shifts)


def test_the_risk_of_a_roster_computed_two_ways_agrees_hourly_pooled():
    # given a cover planned on the mean of an uncertain hourly forecast (one carer per 4 patients)
    forecast = _hourly_forecast()
    rule = RatioRule(per_staff=4)
    cover = _mean_cover(forecast, rule)
    # when its risk is computed exactly and by sampling demand paths
    exact = roster_risk(forecast, cover, rule, pooled=True, method="exact")
    sampled = roster_risk(forecast, cover, rule, pooled=True, method="sampled", samples=20000, seed=3)
    # then the two agree within the sampling error, shift by shift and in total
    for a, b in zip(exact.shifts, sampled.shifts, strict=True):
        assert (a.day, a.shift, a.staff) == (b.day, b.shift, b.staff)
        tolerance = 4 * np.sqrt(max(a.probability_short * (1 - a.probability_short), 1e-4) / 20000)
        assert abs(a.probability_short - b.probability_short) < tolerance
        assert b.expected_shortfall == pytest.approx(a.expected_shortfall, rel=0.05, abs=0.01)
    assert sampled.expected_shortfall == pytest.approx(exact.expected_shortfall, rel=0.03)
    # and a mean-based cover is short somewhere with a real chance
    assert max(s.probability_short for s in exact.shifts) > 0.3


def test_the_risk_computed_two_ways_agrees_per_shift_with_erlang_c():
    # given a daily forecast (calls per 8-hour shift) and a cover of four and five agents
    days = [date(2025, 3, 3) + timedelta(days=d) for d in range(3)]
    stamps = tuple(datetime.combine(d, datetime.min.time()) for d in days)
    value = np.array([60.0, 75.0, 90.0])
    forecast = Forecast(stamps, tuple(value), tuple(value - Z80 * 12), tuple(value + Z80 * 12), 0.8)
    rule = ErlangCRule(interval_s=8 * 3600, aht_s=1500, service_level=0.8, target_s=60)
    cover = [
        ShiftCover(
            d, "E", staff, datetime.combine(d, datetime.min.time()), datetime.combine(d, datetime.min.time())
        )
        for d, staff in zip(days, (4, 5, 5), strict=True)
    ]
    exact = roster_risk(forecast, cover, {"E": rule}, pooled=False, method="exact")
    sampled = roster_risk(forecast, cover, {"E": rule}, pooled=False, method="sampled", samples=4000, seed=1)
    for a, b in zip(exact.shifts, sampled.shifts, strict=True):
        assert abs(a.probability_short - b.probability_short) < 4 * np.sqrt(0.25 / 4000)
        assert b.expected_shortfall == pytest.approx(a.expected_shortfall, abs=0.05)


def test_demand_thresholds_are_the_most_demand_the_staff_meet():
    rule = ErlangCRule(interval_s=3600, aht_s=600, service_level=0.8, target_s=30)
    for staff in range(1, 6):
        threshold = demand_threshold(rule, staff)
        assert agents_needed(threshold, rule) <= staff < agents_needed(threshold + 1e-6, rule)
    assert demand_threshold(RatioRule(per_staff=5, minimum=2), 1) == -np.inf


def test_a_single_hour_by_hand():
    # demand N(10, 2) at one carer per five: two carers fall short exactly when demand exceeds 10
    stamps = (datetime(2025, 3, 3, 8),)
    forecast = Forecast(stamps, (10.0,), (10 - Z80 * 2,), (10 + Z80 * 2,), 0.8)
    cover = [ShiftCover(date(2025, 3, 3), "E", 2, datetime(2025, 3, 3, 7), datetime(2025, 3, 3, 15))]
    risk = roster_risk(forecast, cover, RatioRule(per_staff=5), pooled=True)
    assert risk.shifts[0].probability_short == pytest.approx(0.5, abs=1e-6)
    assert risk.expected_shortfall == pytest.approx(0.5 + norm.sf(2.5), abs=1e-6)  # > 10, and > 15


def _one_shift_risk(forecast, rule, staff, start_hour, hours):
    day = forecast.timestamps[0].date()
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=start_hour)
    cover = [ShiftCover(day, "E", staff, start, start + timedelta(hours=hours))]
    return roster_risk(forecast, cover, rule, pooled=True, method="exact").shifts[0].probability_short


@pytest.mark.parametrize("service_level", [0.8, 0.9, 0.97])
def test_the_service_level_cover_is_the_fewest_staff_short_at_most_that_often(service_level):
    # given an uncertain hourly forecast read as arrivals, and an early shift 07-15
    forecast = _hourly_forecast(sigma=4.0)
    rule = ErlangCRule(interval_s=3600, aht_s=900, service_level=0.8, target_s=60)
    steps = range(7, 15)
    # when the shift's staff is chosen for the service level
    staff = service_level_staff(forecast, steps, rule, service_level=service_level)
    # then, by the risk the roster page reads (exact), the shift is short at most 1 - service level of the
    # time, and one fewer is short more often than that
    assert _one_shift_risk(forecast, rule, staff, 7, 8) <= 1 - service_level
    assert _one_shift_risk(forecast, rule, staff - 1, 7, 8) > 1 - service_level
    # and it asks for more than the mean forecast's busiest hour does
    mean_staff = max(need.staff for need in staffing_requirements(forecast, rule)[7:15])
    assert staff > mean_staff


def test_the_service_level_cover_of_a_daily_ratio_by_hand():
    # demand N(20, 5) at one carer per five: c carers are short when demand exceeds 5c, P = sf(c - 4);
    # sf(1) = 0.16 and sf(2) = 0.023, so 90% needs 6 carers where the mean needs 4
    stamps = (datetime(2025, 3, 3),)
    forecast = Forecast(stamps, (20.0,), (20 - Z80 * 5,), (20 + Z80 * 5,), 0.8)
    assert service_level_staff(forecast, [0], RatioRule(per_staff=5), service_level=0.9) == 6
    assert service_level_staff(forecast, [0], RatioRule(per_staff=5), service_level=0.8) == 5
    assert service_level_staff(forecast, [0], RatioRule(per_staff=5, minimum=7), service_level=0.9) == 7
    with pytest.raises(ValueError, match="within"):
        service_level_staff(forecast, [0], RatioRule(per_staff=5), service_level=1.0)
