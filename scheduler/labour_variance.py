"""Labour variance per unit and week: budget, rostered and actual hours and cost, and why actual cost
differs from rostered cost.

Rostered shifts and actual timesheet rows are paired by unit, person and date. Every pair and every
unpaired shift lands in exactly one cause, so the causes sum to actual cost minus rostered cost:
- unplanned shifts: the cost of actuals with no rostered shift;
- missing shifts: minus the cost of rostered shifts with no actual (not yet recorded);
- overtime: for a pair, the minutes worked beyond (or short of) the rostered minutes at the rostered
  shift's cost per minute;
- rate differences: the rest of a pair's difference, i.e. what the worked minutes cost beyond the rostered
  cost per minute (an overtime premium earned, a night, weekend or holiday premium, a rate change).
Costs use the rate valid on each shift's date and weekly overtime (scheduler.labour_cost).

It lives in scheduler, not with the other aggregates in capacity, because it reads rosters (capacity
may not import scheduler). It is cached in the "capacity" namespace with the "roster" version in its key,
so a write to either makes it stale.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from capacity.aggregates.common import cached_aggregate, scope_key, window
from capacity.budgets import labour_budgets
from capacity.models import Department
from capacity.weeks import monday_of
from scheduler.labour_cost import CENT, WorkedShift, per_week_contract, price_shifts, public_holidays
from scheduler.labour_variance_sql import variance_rows
from scheduler.models import Roster, TimesheetEntry
from scheduler.pay_rates import person_terms, rate_book
from scheduler.selectors import rostered_shifts

CAUSES = ("overtime", "unplanned", "missing", "rate")
ZERO = Decimal(0)


def _money(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _euros(cents: int) -> float:
    # int / int is correctly rounded: the same float as float(Decimal(cents) / 100)
    return cents / 100


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (> 0) rounded half away from zero, in integers (as ROUND_HALF_UP)."""
    if numerator < 0:
        return -((2 * -numerator + denominator) // (2 * denominator))
    return (2 * numerator + denominator) // (2 * denominator)


class _Cell:
    """The figures of one unit and week, kept exact (integer cents and minutes) until output."""

    __slots__ = (
        "rostered_minutes",
        "actual_minutes",
        "rostered_cents",
        "actual_cents",
        "cause_minutes",
        "cause_cents",
    )

    def __init__(self) -> None:
        self.rostered_minutes = self.actual_minutes = self.rostered_cents = self.actual_cents = 0
        self.cause_minutes = dict.fromkeys(CAUSES, 0)
        self.cause_cents = dict.fromkeys(CAUSES, 0)

    def add(self, cause: str, minutes: int, cents: int) -> None:
        self.cause_minutes[cause] += minutes
        self.cause_cents[cause] += cents


def _pair(cell: _Cell, planned: tuple[int, int] | None, actual: tuple[int, int] | None) -> None:
    if planned is not None:
        cell.rostered_minutes += planned[0]
        cell.rostered_cents += planned[1]
    if actual is not None:
        cell.actual_minutes += actual[0]
        cell.actual_cents += actual[1]
    if planned is None:
        cell.add("unplanned", actual[0], actual[1])
    elif actual is None:
        cell.add("missing", -planned[0], -planned[1])
    else:
        extra = actual[0] - planned[0]
        longer = _half_up(planned[1] * extra, planned[0]) if planned[0] else 0
        cell.add("overtime", extra, longer)
        cell.add("rate", 0, actual[1] - planned[1] - longer)


def compute_labour_variance(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    in_database: bool | None = None,
) -> dict:
    """{weekKeys, units: [{unitId, name, weeks: [{week, complete, budget, rostered, actual, variance}]}],
    totals}. On PostgreSQL the shifts are priced and summed, and the budgets joined, in the database
    (two queries); elsewhere in Python (seven queries); `in_database` chooses, for the test that holds
    the two equal. Either way the number of queries does not depend on the number of units, weeks or
    shifts."""
    mondays = window(first_week, weeks)
    start, end = mondays[0], mondays[-1] + timedelta(days=6)
    units = list(
        Department.objects.filter(pk__in=scope_key(department_ids), kind=Department.Kind.UNIT)
        .order_by("name", "id")
        .values_list("id", "name", "country")
    )
    unit_ids = [u[0] for u in units]
    holidays = {u[0]: public_holidays(u[2], start, end) for u in units}
    if in_database is None:
        in_database = connection.vendor == "postgresql"
    if not unit_ids:
        cells, budgets = {}, {}
    elif in_database:
        cells, budgets = _cells_in_database(unit_ids, mondays, holidays)
    else:
        cells = _cells_in_python(unit_ids, start, end, holidays)
        budgets = {
            key: (int(b.hours * 100), int(b.cost * 100))
            for key, b in labour_budgets(unit_ids=unit_ids, first_week=start, weeks=weeks).items()
        }
    return _report(units, mondays, cells, budgets)


def _cells_in_database(unit_ids, mondays, holidays):
    """{(unit, Monday): cell}, {(unit, Monday): (budget hours in hundredths, budget cents)}."""
    cells: dict[tuple[int, date], _Cell] = {}
    budgets: dict[tuple[int, date], tuple[int, int]] = {}
    for row in variance_rows(unit_ids=unit_ids, mondays=mondays, holidays=holidays):
        unit_id, monday, budget_hours, budget_cents, pm, pc, am, ac, om, oc, um, uc, mm, mc, rc = row
        if budget_hours is not None:
            budgets[(unit_id, monday)] = (budget_hours, budget_cents)
        cell = cells[(unit_id, monday)] = _Cell()
        cell.rostered_minutes, cell.rostered_cents, cell.actual_minutes, cell.actual_cents = pm, pc, am, ac
        cell.cause_minutes.update(overtime=om, unplanned=um, missing=mm)
        cell.cause_cents.update(overtime=oc, unplanned=uc, missing=mc, rate=rc)
    return cells, budgets


def _cents(cost: Decimal) -> int:
    return int(cost * 100)  # a cost already rounded to the cent


def _cells_in_python(unit_ids, start, end, holidays) -> dict[tuple[int, date], _Cell]:
    rostered = rostered_shifts(unit_ids=unit_ids, start=start, end=end)
    actual_rows = list(
        TimesheetEntry.objects.filter(department_id__in=unit_ids, date__range=(start, end)).values_list(
            "id",
            "department_id",
            "person_id",
            "date",
            "worked_minutes",
            "shift_type__is_night",
            "start",
            "end",
        )
    )
    people = {r.person_id for r in rostered} | {row[2] for row in actual_rows}
    rates = rate_book(people=person_terms(people), start=start, end=end)
    contract = per_week_contract(rates)

    night_rostered = {(r.unit_id, r.person_id, r.day): r.night for r in rostered}
    planned_shifts = [
        WorkedShift(
            ("r", r.unit_id, r.person_id, r.day),
            r.person_id,
            r.day,
            r.paid_minutes,
            r.night,
            r.day in holidays[r.unit_id],
        )
        for r in rostered
    ]
    # an actual is a night shift when it says so, else when the rostered shift was one, else when it
    # ends on the next day
    actual_shifts = [
        WorkedShift(
            ("a", entry_id),
            person_id,
            day,
            minutes,
            bool(night)
            if night is not None
            else night_rostered.get((unit_id, person_id, day), finish < begin),
            day in holidays[unit_id],
        )
        for entry_id, unit_id, person_id, day, minutes, night, begin, finish in actual_rows
    ]
    planned_cost = price_shifts(planned_shifts, rates=rates, contract_minutes=contract, period=monday_of)
    actual_cost = price_shifts(actual_shifts, rates=rates, contract_minutes=contract, period=monday_of)

    pairs: dict[tuple, list] = defaultdict(lambda: [None, None])
    for shift in planned_shifts:
        pairs[shift.key[1:]][0] = (shift.minutes, _cents(planned_cost[shift.key]))
    for shift, row in zip(actual_shifts, actual_rows, strict=True):
        key = (row[1], shift.person_id, shift.day)
        minutes, cents = pairs[key][1] or (0, 0)
        pairs[key][1] = (minutes + shift.minutes, cents + _cents(actual_cost[shift.key]))
    cells: dict[tuple[int, date], _Cell] = defaultdict(_Cell)
    for (unit_id, _person, day), (planned, actual) in pairs.items():
        _pair(cells[(unit_id, monday_of(day))], planned, actual)
    return cells


def _report(units, mondays, cells, budgets) -> dict:
    today = timezone.localdate()
    result_units = []
    totals = _Cell()
    empty = _Cell()
    for unit_id, name, _country in units:
        rows = []
        for monday in mondays:
            cell = cells.get((unit_id, monday), empty)
            _accumulate(totals, cell)
            rows.append(
                {
                    "week": monday.isoformat(),
                    "complete": monday + timedelta(days=6) < today,
                    **_figures(cell, budgets.get((unit_id, monday))),
                }
            )
        result_units.append({"unitId": unit_id, "name": name, "weeks": rows})
    budget_total = (sum(b[0] for b in budgets.values()), sum(b[1] for b in budgets.values()))
    return {
        "weekKeys": [m.isoformat() for m in mondays],
        "units": result_units,
        "totals": _figures(totals, budget_total if budgets else None),
    }


def _accumulate(total: _Cell, cell: _Cell) -> None:
    total.rostered_minutes += cell.rostered_minutes
    total.actual_minutes += cell.actual_minutes
    total.rostered_cents += cell.rostered_cents
    total.actual_cents += cell.actual_cents
    for cause in CAUSES:
        total.add(cause, cell.cause_minutes[cause], cell.cause_cents[cause])


def _figures(cell: _Cell, budget: tuple[int, int] | None) -> dict:
    """`budget`: (hours in hundredths, cents), or None."""
    budget_cents = budget[1] if budget else None
    return {
        "budget": {
            "hours": budget[0] / 100 if budget else None,
            "cost": _euros(budget_cents) if budget else None,
        },
        "rostered": {"hours": _hours(cell.rostered_minutes), "cost": _euros(cell.rostered_cents)},
        "actual": {"hours": _hours(cell.actual_minutes), "cost": _euros(cell.actual_cents)},
        "variance": {
            "hours": _hours(cell.actual_minutes - cell.rostered_minutes),
            "cost": _euros(cell.actual_cents - cell.rostered_cents),
            "rosteredAgainstBudget": _euros(cell.rostered_cents - budget_cents) if budget else None,
            "actualAgainstBudget": _euros(cell.actual_cents - budget_cents) if budget else None,
            "causes": {
                cause: {"hours": _hours(cell.cause_minutes[cause]), "cost": _euros(cell.cause_cents[cause])}
                for cause in CAUSES
            },
        },
    }


def labour_variance(
    *,
    department_ids: Iterable[int],
    first_week: date | str | None = None,
    weeks: int = 12,
    encoded: bool = False,
):
    """The cached report (see compute_labour_variance); stale after any capacity or roster write."""
    mondays = window(first_week, weeks)
    params = {"departments": scope_key(department_ids), "first": mondays[0].isoformat(), "weeks": weeks}
    return cached_aggregate(
        "labour_variance",
        params,
        lambda: compute_labour_variance(
            department_ids=params["departments"], first_week=mondays[0], weeks=weeks
        ),
        encoded=encoded,
        also=("roster",),
    )


CSV_COLUMNS = (
    "unit_id",
    "unit",
    "week",
    "complete",
    "budget_hours",
    "budget_cost",
    "rostered_hours",
    "rostered_cost",
    "actual_hours",
    "actual_cost",
    "variance_hours",
    "variance_cost",
    *(f"{cause}_{what}" for cause in CAUSES for what in ("hours", "cost")),
)


def labour_variance_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for unit in report["units"]:
        for row in unit["weeks"]:
            causes = row["variance"]["causes"]
            writer.writerow(
                [
                    unit["unitId"],
                    unit["name"],
                    row["week"],
                    row["complete"],
                    row["budget"]["hours"],
                    row["budget"]["cost"],
                    row["rostered"]["hours"],
                    row["rostered"]["cost"],
                    row["actual"]["hours"],
                    row["actual"]["cost"],
                    row["variance"]["hours"],
                    row["variance"]["cost"],
                    *(causes[c][what] for c in CAUSES for what in ("hours", "cost")),
                ]
            )
    return out.getvalue()


def roster_against_budget(*, roster: Roster) -> dict:
    """The roster's hours and cost in each week it touches (weekly overtime, the rate of each shift's
    date) against the unit's budget for that week. Five queries."""
    first = monday_of(roster.start_date)
    weeks = (monday_of(roster.end_date) - first).days // 7 + 1
    budgets = labour_budgets(unit_ids=[roster.department_id], first_week=first, weeks=weeks)
    shifts = list(
        roster.assignments.values_list(
            "person_id", "date", "shift_type__paid_minutes", "shift_type__is_night"
        )
    )
    rates = rate_book(
        people=person_terms({s[0] for s in shifts}), start=roster.start_date, end=roster.end_date
    )
    holidays = public_holidays(roster.department.country, roster.start_date, roster.end_date)
    worked = [WorkedShift(i, s[0], s[1], s[2], s[3], s[1] in holidays) for i, s in enumerate(shifts)]
    costs = price_shifts(worked, rates=rates, contract_minutes=per_week_contract(rates), period=monday_of)
    minutes: dict[date, int] = defaultdict(int)
    cost: dict[date, Decimal] = defaultdict(Decimal)
    for shift in worked:
        minutes[monday_of(shift.day)] += shift.minutes
        cost[monday_of(shift.day)] += costs[shift.key]
    rows = []
    for i in range(weeks):
        monday = first + timedelta(weeks=i)
        budget = budgets.get((roster.department_id, monday))
        rows.append(
            {
                "week": monday.isoformat(),
                "hours": _hours(minutes[monday]),
                "cost": _money(cost[monday]),
                "budget_hours": float(budget.hours) if budget else None,
                "budget_cost": _money(budget.cost) if budget else None,
                "cost_over_budget": _money(cost[monday] - budget.cost) if budget else None,
            }
        )
    total = sum(cost.values(), ZERO)
    budgeted = [b.cost for b in budgets.values()]
    return {
        "roster": roster.pk,
        "weeks": rows,
        "hours": _hours(sum(minutes.values())),
        "cost": _money(total),
        "budget_cost": _money(sum(budgeted, ZERO)) if budgeted else None,
        "cost_over_budget": _money(total - sum(budgeted, ZERO)) if budgeted else None,
    }
