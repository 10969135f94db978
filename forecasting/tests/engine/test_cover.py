import itertools
from datetime import datetime, timedelta

import numpy as np
import pytest

from forecasting.engine.cover import ShiftType, shift_cover
from forecasting.engine.domain import Forecast
from forecasting.engine.staffing import (
    ErlangCRule,
    PresenceRule,
    StaffingRequirement,
    patients_present,
    staffing_requirements,
)

SHIFTS = (ShiftType("E", 7, 8), ShiftType("L", 14, 8), ShiftType("N", 21, 10))
# arrivals per hour over a day: quiet nights, a morning peak, a busy evening
DAY = [2, 1, 1, 1, 1, 2, 4, 8, 14, 16, 14, 12, 10, 10, 11, 12, 14, 16, 18, 14, 10, 7, 4, 3]


def _forecast(days: int = 2) -> Forecast:
    start = datetime(2025, 3, 3)
    stamps = tuple(start + timedelta(hours=h) for h in range(24 * days))
    return Forecast(timestamps=stamps, value=tuple(float(v) for v in DAY * days))


def test_erlang_c_to_shift_cover_meets_every_hour_and_reports_the_over_staffed_ones():
    # given two days of hourly arrivals, 20 minutes per patient, 80% seen within 15 minutes
    rule = ErlangCRule(interval_s=3600, aht_s=1200, service_level=0.8, target_s=900, minimum=1)
    needs = staffing_requirements(_forecast(), rule)
    # when the unit's early, late and night shifts are set to cover them
    plan = shift_cover(needs, SHIFTS)
    # then every hour has at least the staff Erlang C asks for
    by_hour = {need.timestamp: need.staff for need in needs}
    assert len(plan.hours) == 48
    for hour in plan.hours:
        assert hour.required == by_hour[hour.hour]
        assert hour.staffed >= hour.required
    # and the hours where eight- and ten-hour shifts cannot follow the curve are reported with their surplus
    assert plan.over_staffed and all(h.surplus > 0 for h in plan.over_staffed)
    assert {h.hour for h in plan.over_staffed} == {h.hour for h in plan.hours if h.staffed > h.required}
    assert plan.staff_hours == sum(s.staff * (s.end - s.start).seconds // 3600 or 24 for s in plan.shifts)
    # the night shift of the day before covers the first hours
    assert any(s.day == datetime(2025, 3, 2).date() and s.shift == "N" for s in plan.shifts)


def test_shift_cover_is_exact_on_a_case_small_enough_to_enumerate():
    rule = ErlangCRule(interval_s=3600, aht_s=1200, service_level=0.8, target_s=900)
    needs = staffing_requirements(_forecast(days=1), rule)
    plan = shift_cover(needs, SHIFTS)
    required = np.array([n.staff for n in needs])
    # columns: N of the day before (hours 0-6), then E, L, N of the day
    spans = [(0, 7, 10), (7, 15, 8), (14, 22, 8), (21, 24, 10)]
    best = None
    for counts in itertools.product(range(int(required.max()) + 1), repeat=len(spans)):
        staffed = np.zeros(24)
        for (start, end, _), count in zip(spans, counts, strict=True):
            staffed[start:end] += count
        if (staffed >= required).all():
            cost = sum(count * length for (_, _, length), count in zip(spans, counts, strict=True))
            best = cost if best is None else min(best, cost)
    assert plan.staff_hours == best


def test_an_hour_no_shift_spans_is_a_clear_error():
    needs = [StaffingRequirement(datetime(2025, 3, 3, 3), 1.0, 2)]
    with pytest.raises(ValueError, match="no shift type spans"):
        shift_cover(needs, (ShiftType("E", 7, 8),))


def test_patients_present_follow_littles_law_and_the_ratio_staffs_them():
    # 2 arrivals an hour staying 10 hours on average: about 21 patients present (2 * sum of e^(-k/10))
    steady = patients_present([2.0] * 48, PresenceRule(per_staff=5, length_of_stay_h=10))
    np.testing.assert_allclose(steady, 2 / (1 - np.exp(-0.1)), rtol=1e-4)  # tail cut at e^-12
    # a ward that was empty fills up over the first hours
    filling = patients_present(
        [2.0] * 48, PresenceRule(per_staff=5, length_of_stay_h=10, prior_arrivals=(0,) * 200)
    )
    assert filling[0] == pytest.approx(2.0) and filling[-1] > 0.98 * steady[-1]
    rule = PresenceRule(per_staff=5, length_of_stay_h=10)
    needs = staffing_requirements(_forecast(days=1), rule)
    assert all(n.staff == int(np.ceil(n.demand / 5 - 1e-9)) for n in needs)
