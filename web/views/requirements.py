"""Cover requirements per unit and week: manual numbers (editable) beside the forecast's, and "fill from
forecast". Manual rows override forecast rows when a roster is built; clearing a manual cell falls back
to the forecast."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ops.errors import ApplicationError
from scheduler.catalogue import (
    cover_requirement_create,
    cover_requirement_delete,
    cover_requirement_update,
)
from scheduler.models import CoverRequirement
from scheduler.selectors import shift_types_for_unit
from scheduler.services.cover import cover_fill_from_forecast
from web.access import unit_for
from web.forms import PlanningDateField
from web.views.common import next_monday, page


def _week(request) -> date:
    raw = request.GET.get("week") or request.POST.get("week")
    if not raw:
        return next_monday()
    field = PlanningDateField()
    try:
        day = field.clean(raw)
    except ValidationError as exc:
        raise BadRequest(f"week: {' '.join(exc.messages)}") from exc
    return day - timedelta(days=day.weekday())


def _cells(unit, week: date):
    days = [week + timedelta(days=i) for i in range(7)]
    shifts = shift_types_for_unit(unit)
    rows = CoverRequirement.objects.filter(
        department=unit, date__range=(days[0], days[-1]), skill__isnull=True
    )
    found = {(r.date, r.shift_type_id, r.source): r for r in rows}
    table = []
    for shift in shifts:
        table.append(
            {
                "shift": shift,
                "days": [
                    {
                        "date": day,
                        "manual": found.get((day, shift.id, CoverRequirement.Source.MANUAL)),
                        "forecast": found.get((day, shift.id, CoverRequirement.Source.FORECAST)),
                        "name": f"{day.isoformat()}_{shift.id}",
                    }
                    for day in days
                ],
            }
        )
    return days, table


@login_required
def requirements(request, unit_id: int):
    unit = unit_for(request.user, unit_id, write=request.method == "POST")
    week = _week(request)
    days, table = _cells(unit, week)
    if request.method == "POST":
        try:
            changed = _save(request.POST, unit, table)
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, f"Saved {changed} change{'s' if changed != 1 else ''}.")
        return redirect(f"/units/{unit.id}/requirements/?week={week.isoformat()}")
    return page(
        request,
        "web/requirements.html",
        {
            "week": week,
            "previous_week": week - timedelta(days=7),
            "next_week": week + timedelta(days=7),
            "days": days,
            "table": table,
        },
        unit=unit,
        section="requirements",
    )


def _number(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = int(raw)
    if value < 0:
        raise ValueError
    return value


@transaction.atomic
def _save(data, unit, table) -> int:
    changed = 0
    for row in table:
        for cell in row["days"]:
            try:
                minimum = _number(data.get(f"min_{cell['name']}"))
                preferred = _number(data.get(f"pref_{cell['name']}"))
            except ValueError as exc:
                raise ApplicationError(
                    f"{cell['date']} {row['shift'].code}: use whole numbers from 0"
                ) from exc
            manual = cell["manual"]
            if minimum is None:
                if manual is not None:
                    cover_requirement_delete(cover=manual)
                    changed += 1
                continue
            preferred = max(minimum, preferred if preferred is not None else minimum)
            if manual is None:
                cover_requirement_create(
                    department=unit,
                    date=cell["date"],
                    shift_type=row["shift"],
                    minimum=minimum,
                    preferred=preferred,
                    source=CoverRequirement.Source.MANUAL,
                )
                changed += 1
            elif (manual.minimum, manual.preferred) != (minimum, preferred):
                cover_requirement_update(cover=manual, minimum=minimum, preferred=preferred)
                changed += 1
    return changed


def _service_level(raw: str) -> float | None:
    """The form's percentage as a share; blank plans on the mean."""
    if not raw.strip():
        return None
    try:
        percent = float(raw)
    except ValueError:
        percent = None
    if percent is None or not 0 < percent < 100:
        raise ApplicationError(f"Service level: {raw!r} is not a percentage above 0 and below 100")
    return percent / 100


@login_required
@require_POST
def requirements_fill(request, unit_id: int):
    unit = unit_for(request.user, unit_id, write=True)
    week = _week(request)
    try:
        rows = cover_fill_from_forecast(
            unit=unit,
            start=week,
            end=week + timedelta(days=6),
            service_level=_service_level(request.POST.get("service_level", "")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Filled {rows} requirement{'s' if rows != 1 else ''} from the forecast.")
    return redirect(f"/units/{unit.id}/requirements/?week={week.isoformat()}")
