"""Labour budgets: the hours and cost a unit may spend in a week, set one week or a range at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from capacity.models import Department, LabourBudget
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError

MAX_BUDGET_WEEKS = 104
AUDITED_FIELDS = ("department", "week_start", "hours", "cost")


def require_monday(week: date) -> date:
    if week.weekday() != 0:
        raise ApplicationError(
            "A week is given by its Monday",
            extra={"week": week.isoformat(), "monday": (week - timedelta(days=week.weekday())).isoformat()},
        )
    return week


def _require_unit(unit: Department) -> None:
    if unit.kind != Department.Kind.UNIT:
        raise ApplicationError("Budgets are set per unit", extra={"department": unit.pk, "kind": unit.kind})


def _require_amounts(hours: Decimal, cost: Decimal) -> None:
    bad = [name for name, value in (("hours", hours), ("cost", cost)) if value < 0]
    if bad:
        raise ApplicationError("Budgets are not negative", extra={"fields": bad})


@transaction.atomic
def labour_budget_set(*, unit: Department, week: date, hours: Decimal, cost: Decimal) -> LabourBudget:
    """Set (create or replace) one week's budget."""
    return _budgets_write(
        unit=unit, first_week=week, weeks=1, hours=hours, cost=cost, action="labour_budget_set"
    )[0]


@transaction.atomic
def labour_budgets_set_range(
    *, unit: Department, first_week: date, weeks: int, hours: Decimal, cost: Decimal
) -> list[LabourBudget]:
    """Set the same budget for `weeks` consecutive weeks from `first_week` (a Monday)."""
    return _budgets_write(
        unit=unit,
        first_week=first_week,
        weeks=weeks,
        hours=hours,
        cost=cost,
        action="labour_budgets_set_range",
    )


def _budgets_write(
    *, unit: Department, first_week: date, weeks: int, hours: Decimal, cost: Decimal, action: str
) -> list[LabourBudget]:
    _require_unit(unit)
    require_monday(first_week)
    _require_amounts(hours, cost)
    if not 1 <= weeks <= MAX_BUDGET_WEEKS:
        raise ApplicationError(
            f"weeks must be from 1 to {MAX_BUDGET_WEEKS}", extra={"limit": MAX_BUDGET_WEEKS}, status=413
        )
    rows = [
        LabourBudget(department=unit, week_start=first_week + timedelta(weeks=i), hours=hours, cost=cost)
        for i in range(weeks)
    ]
    stored = {
        b.week_start: audit.snapshot(b, AUDITED_FIELDS)
        for b in LabourBudget.objects.filter(department=unit, week_start__in=[r.week_start for r in rows])
    }
    LabourBudget.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["department", "week_start"],
        update_fields=["hours", "cost", "updated_at"],
    )
    bump("capacity", "roster")  # the labour reports and a roster's cost against budget read them
    written = list(
        LabourBudget.objects.filter(department=unit, week_start__in=[r.week_start for r in rows]).order_by(
            "week_start"
        )
    )
    audit.record_many(
        action=action,
        items=[(b, stored.get(b.week_start, {}), audit.snapshot(b, AUDITED_FIELDS)) for b in written],
    )
    return written


@transaction.atomic
def labour_budget_delete(*, unit: Department, week: date) -> bool:
    stored = LabourBudget.objects.filter(department=unit, week_start=require_monday(week)).first()
    if stored is None:
        return False
    audit.record(action="labour_budget_delete", obj=stored, before=audit.snapshot(stored, AUDITED_FIELDS))
    deleted, _ = LabourBudget.objects.filter(pk=stored.pk).delete()
    if deleted:
        bump("capacity", "roster")
    return bool(deleted)


@dataclass(frozen=True)
class Budget:
    department_id: int
    week_start: date
    hours: Decimal
    cost: Decimal
    updated_at: datetime


def labour_budgets(*, unit_ids: list[int], first_week: date, weeks: int) -> dict[tuple[int, date], Budget]:
    """(unit id, Monday) -> budget over a window of weeks, as plain values (a report reads thousands).
    One query."""
    last = first_week + timedelta(weeks=weeks - 1)
    rows = LabourBudget.objects.filter(
        department_id__in=unit_ids, week_start__range=(first_week, last)
    ).values_list("department_id", "week_start", "hours", "cost", "updated_at")
    return {(row[0], row[1]): Budget(*row) for row in rows}
