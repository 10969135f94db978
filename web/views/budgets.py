"""A unit's labour budgets, week by week like the requirements page: budgeted hours and cost beside what
the roster costs and what was actually worked. Reading needs any role in the unit, saving a planning one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.shortcuts import redirect

from capacity.budgets import labour_budget_delete, labour_budget_set, labour_budgets, labour_budgets_set_range
from ops.errors import ApplicationError
from scheduler.labour_variance import labour_variance
from web.access import unit_for
from web.forms import PlanningDateField
from web.views.common import page, this_monday
from web.views.dashboard import week_label

BUDGET_PAGE_WEEKS = 12


def _first_week(request):
    raw = request.GET.get("week") or request.POST.get("week")
    if not raw:
        return this_monday()
    try:
        day = PlanningDateField().clean(raw)
    except ValidationError as exc:
        raise BadRequest(f"week: {' '.join(exc.messages)}") from exc
    return day - timedelta(days=day.weekday())


def _amount(raw: str | None, what: str) -> Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ApplicationError(f"{what}: give a number, e.g. 900 or 25000.50") from exc
    if not value.is_finite() or value < 0:
        raise ApplicationError(f"{what}: a budget is a number from 0")
    return value


def _rows(unit, first):
    mondays = [first + timedelta(weeks=i) for i in range(BUDGET_PAGE_WEEKS)]
    stored = labour_budgets(unit_ids=[unit.pk], first_week=first, weeks=BUDGET_PAGE_WEEKS)
    report = labour_variance(department_ids=[unit.pk], first_week=first, weeks=BUDGET_PAGE_WEEKS)
    figures = report["units"][0]["weeks"] if report["units"] else [None] * BUDGET_PAGE_WEEKS
    return [
        {
            "monday": monday,
            "label": week_label(monday.isoformat()),
            "name": monday.isoformat(),
            "budget": stored.get((unit.pk, monday)),
            "figures": row,
        }
        for monday, row in zip(mondays, figures, strict=True)
    ]


@transaction.atomic
def _save(data, unit, rows) -> int:
    changed = 0
    for row in rows:
        hours = _amount(data.get(f"hours_{row['name']}"), f"{row['label']} hours")
        cost = _amount(data.get(f"cost_{row['name']}"), f"{row['label']} cost")
        budget = row["budget"]
        if hours is None and cost is None:
            if budget is not None:
                labour_budget_delete(unit=unit, week=row["monday"])
                changed += 1
            continue
        if hours is None or cost is None:
            raise ApplicationError(f"{row['label']}: give both hours and cost, or clear both")
        if budget is None or (budget.hours, budget.cost) != (hours, cost):
            labour_budget_set(unit=unit, week=row["monday"], hours=hours, cost=cost)
            changed += 1
    return changed


@login_required
def budgets(request, unit_id: int):
    unit = unit_for(request.user, unit_id, write=request.method == "POST")
    first = _first_week(request)
    rows = _rows(unit, first)
    if request.method == "POST":
        try:
            if request.POST.get("apply") == "all":
                hours = _amount(request.POST.get("all_hours"), "Hours for every week")
                cost = _amount(request.POST.get("all_cost"), "Cost for every week")
                if hours is None or cost is None:
                    raise ApplicationError("Give the hours and the cost to set for every week shown")
                labour_budgets_set_range(
                    unit=unit, first_week=first, weeks=BUDGET_PAGE_WEEKS, hours=hours, cost=cost
                )
                changed = BUDGET_PAGE_WEEKS
            else:
                changed = _save(request.POST, unit, rows)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Saved {changed} week{'s' if changed != 1 else ''}.")
        return redirect(f"/units/{unit.id}/budgets/?week={first.isoformat()}")
    return page(
        request,
        "web/budgets.html",
        {
            "first": first,
            "previous": first - timedelta(weeks=BUDGET_PAGE_WEEKS),
            "next": first + timedelta(weeks=BUDGET_PAGE_WEEKS),
            "rows": rows,
            "weeks": BUDGET_PAGE_WEEKS,
        },
        unit=unit,
        section="budgets",
    )
