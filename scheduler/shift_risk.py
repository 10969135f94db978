"""How likely each shift is to be under-staffed, from demand paths sampled from the unit's forecast.

Each of the unit's demand series with a staffing conversion gives ``SAMPLES`` demand paths over the roster's
days (``forecasting.engine.risk.demand_paths``: normal about the forecast at the spread its interval implies,
a fixed seed so a roster reads the same twice). On each path a shift of a day needs what the staffing rule
makes of its demand (the most any hour of the shift needs, for hourly demand), summed over the series:
the same conversion ``cover_fill_from_forecast`` applies to the mean. From those needs:
- ``short_risk``: per shift of a day, the chance the need exceeds 0, 1, 2... people (the solver's
  `Cover.short_risk`, priced by the rule ``cover_shortfall_risk``);
- ``roster_shift_risk``: for a roster's assigned counts, the chance each shift is short and the expected
  shortfall (people missing, averaged over the paths).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from capacity.models import Department
from forecasting.engine.domain import Forecast
from forecasting.engine.risk import demand_paths, staff_needed
from forecasting.models import DemandSeries
from ops.errors import ApplicationError
from scheduler.demand import forecast_of, shift_day_of, staffing_rule
from scheduler.models import Roster, RosterAssignment
from scheduler.selectors import shift_types_for_unit

SAMPLES = 2000  # the sampled chance of a shift being short is then within about 1 point (2 sigma at 0.2)
SEED = 0


def _paths(forecast: Forecast, *, samples: int, seed: int) -> np.ndarray:
    if forecast.upper is None:  # no interval stored: the forecast is all we know, every path is the mean
        return np.tile(np.asarray(forecast.value, dtype=float), (samples, 1))
    return demand_paths(forecast, samples=samples, seed=seed)


def shift_needs(
    *, unit: Department, start: date, end: date, samples: int = SAMPLES, seed: int = SEED
) -> tuple[dict[tuple[date, str], np.ndarray], str]:
    """Staff each (day, shift code) needs on each sampled path, and why it is empty when it is (no series
    with a staffing conversion, one without a forecast reaching these days, or an unknown conversion)."""
    series_list = [
        s
        for s in DemandSeries.objects.filter(department=unit).select_related("department").order_by("pk")
        if s.staffing
    ]
    if not series_list:
        return {}, "the unit has no demand series with a staffing conversion"
    shifts = shift_types_for_unit(unit)
    needs: dict[tuple[date, str], np.ndarray] = {}
    for index, series in enumerate(series_list):
        try:
            forecast = forecast_of(series, start, end)
        except ApplicationError as exc:  # a partial sum would understate demand: no risk rather than wrong
            return {}, exc.message
        paths = _paths(forecast, samples=samples, seed=seed + index)
        daily = series.frequency == DemandSeries.Frequency.DAILY
        by_step: dict[tuple[int, object], np.ndarray] = {}
        for shift in shifts:
            try:
                rule = staffing_rule(series.staffing, shift.code)
            except ApplicationError as exc:  # a staffing conversion the planner must fix first
                return {}, exc.message
            if rule is None:
                continue
            per_day: dict[date, np.ndarray] = {}
            for step, stamp in enumerate(forecast.timestamps):
                day = shift_day_of(stamp, shift, daily=daily)
                if day is None or not start <= day <= end:
                    continue
                if (step, rule) not in by_step:
                    by_step[(step, rule)] = staff_needed(paths[:, step], rule)
                need = by_step[(step, rule)]
                per_day[day] = need if day not in per_day else np.maximum(per_day[day], need)
            for day, need in per_day.items():
                key = (day, shift.code)
                needs[key] = needs[key] + need if key in needs else need
    return needs, ""


def short_risk(need: np.ndarray) -> tuple[float, ...]:
    """The chance the need exceeds 0, 1, ... people, up to the largest need sampled (then 0)."""
    return tuple(float((need > c).mean()) for c in range(int(need.max()) + 1)) if len(need) else ()


def risk_of_counts(needs: dict[tuple[date, str], np.ndarray], assigned: dict[tuple[date, str], int]) -> dict:
    """Per (day, shift) of ``needs``: the people ``assigned``, the chance of being short and the expected
    shortfall; with the total expected shortfall."""
    shifts = []
    total = 0.0
    for (day, code), need in sorted(needs.items()):
        staff = assigned.get((day, code), 0)
        missing = np.maximum(need - staff, 0)
        total += float(missing.mean())
        shifts.append(
            {
                "date": day.isoformat(),
                "shift": code,
                "assigned": staff,
                "mean_need": round(float(need.mean()), 3),
                "probability_short": float((missing > 0).mean()),
                "expected_shortfall": round(float(missing.mean()), 4),
            }
        )
    return {"expected_shortfall": round(total, 4), "shifts": shifts}


def roster_shift_risk(*, roster: Roster, samples: int = SAMPLES, seed: int = SEED) -> dict:
    """Per shift of each day: people assigned, the chance the shift is short and the expected shortfall,
    with the roster's total expected shortfall (see the module docstring)."""
    needs, reason = shift_needs(
        unit=roster.department, start=roster.start_date, end=roster.end_date, samples=samples, seed=seed
    )
    assigned: dict[tuple[date, str], int] = {}
    rows = RosterAssignment.objects.filter(roster=roster) if needs else RosterAssignment.objects.none()
    for day, code in rows.values_list("date", "shift_type__code"):
        assigned[(day, code)] = assigned.get((day, code), 0) + 1
    return {
        "samples": samples if needs else 0,
        "seed": seed,
        **risk_of_counts(needs, assigned),
        "message": reason,
    }
