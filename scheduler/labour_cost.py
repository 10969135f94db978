"""What worked or rostered minutes cost: each shift priced at the rate valid on its date.

A minute costs the hourly rate times the highest multiplier that applies to it: overtime (the minutes of
a period beyond the contract's minutes for it, counted in date order), a night shift, a weekend day, a
public holiday of the unit's country. Premiums do not stack. Each shift's cost is rounded to the cent,
as a payslip line is, so sums of shift costs are exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import holidays as holiday_calendars

from scheduler.pay_rates import RateBook

CENT = Decimal("0.01")


@dataclass(frozen=True)
class WorkedShift:
    key: Hashable  # handed back with the shift's cost
    person_id: int
    day: date
    minutes: int
    night: bool = False
    holiday: bool = False  # a public holiday where the shift is worked


@lru_cache(maxsize=64)
def _holidays(country: str, years: tuple[int, ...]) -> frozenset[date]:
    try:
        return frozenset(holiday_calendars.country_holidays(country, years=years))
    except NotImplementedError:  # a country the holidays package does not know: no public holidays
        return frozenset()


def public_holidays(country: str, first: date, last: date) -> frozenset[date]:
    """The public holidays of an ISO country code between two dates (none without a country)."""
    if not country:
        return frozenset()
    return _holidays(country.upper(), tuple(range(first.year, last.year + 1)))


def premium(rate, shift: WorkedShift) -> Decimal:
    """The highest of the night, weekend and holiday multipliers that apply to the shift (1 if none)."""
    multiplier = Decimal(1)
    if shift.night:
        multiplier = max(multiplier, rate.night)
    if shift.day.weekday() >= 5:
        multiplier = max(multiplier, rate.weekend)
    if shift.holiday:
        multiplier = max(multiplier, rate.holiday)
    return multiplier


def price_shifts(
    shifts: Iterable[WorkedShift],
    *,
    rates: RateBook,
    contract_minutes: Callable[[int], int | None],
    period: Callable[[date], Hashable],
) -> dict[Hashable, Decimal]:
    """Each shift's cost in currency, rounded to the cent. `contract_minutes(person_id)` is what one
    `period` (e.g. a week: `monday_of`) pays at base rate; None: no overtime. A person without a rate
    valid on a day costs nothing that day."""
    by_period: dict[tuple, list[WorkedShift]] = defaultdict(list)
    for shift in shifts:
        by_period[(shift.person_id, period(shift.day))].append(shift)
    costs: dict[Hashable, Decimal] = {}
    for (person_id, _), worked in by_period.items():
        allowance = contract_minutes(person_id)
        used = 0
        for shift in sorted(worked, key=lambda s: s.day):
            overtime = 0 if allowance is None else max(0, shift.minutes - max(0, allowance - used))
            used += shift.minutes
            rate = rates.rate_on(person_id, shift.day)
            if rate is None:
                costs[shift.key] = Decimal(0)
                continue
            base = premium(rate, shift)
            weighted = (shift.minutes - overtime) * base + overtime * max(base, rate.overtime)
            costs[shift.key] = (rate.hourly * weighted / 60).quantize(CENT, rounding=ROUND_HALF_UP)
    return costs


def per_week_contract(rates: RateBook) -> Callable[[int], int | None]:
    """The weekly contract minutes of each person in the book (None without a contract)."""
    people: Mapping = rates.people

    def minutes(person_id: int) -> int | None:
        terms = people.get(person_id)
        return terms.contract_minutes_per_week if terms else None

    return minutes
