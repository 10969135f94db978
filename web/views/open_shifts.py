"""The open-shifts page of a unit: every shift below its minimum or preferred cover in the current rosters,
with the people who could take it, and a one-click assign through the same edit service and hard-rule
check as the grid (a refusal comes back in plain words)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_POST

from ops.errors import ApplicationError
from scheduler.models import Roster
from scheduler.open_shifts import WINDOW_DAYS, open_shifts
from scheduler.services.roster_edits import CellChange, roster_cells_change
from web.access import unit_for
from web.forms import PlanningDateField
from web.views.common import page


class AssignForm(forms.Form):
    roster = forms.IntegerField(min_value=1)
    person = forms.IntegerField(min_value=1)
    date = PlanningDateField()
    shift = forms.CharField(max_length=16)
    revision = forms.IntegerField(min_value=0, required=False)


@login_required
def unit_open_shifts(request, unit_id: int):
    unit = unit_for(request.user, unit_id)
    today = timezone.localdate()
    first = _from_day(request.GET.get("from", ""), today)
    rosters = open_shifts(unit=unit, today=first)
    window = timedelta(days=WINDOW_DAYS)
    return page(
        request,
        "web/units/open_shifts.html",
        {
            "rosters": rosters,
            "first": first,
            "last": first + window - timedelta(days=1),
            "earlier": (first - window).isoformat() if first > today else None,
            "later": (first + window).isoformat(),
            "open_total": sum(len(r["open_shifts"]) for r in rosters),
        },
        unit=unit,
        section="open-shifts",
    )


@login_required
@require_POST
def unit_open_shift_assign(request, unit_id: int):
    unit = unit_for(request.user, unit_id, write=True)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a person for the open shift")
        return _back(unit, request.POST.get("from", ""))
    data = form.cleaned_data
    roster = get_object_or_404(Roster, id=data["roster"], department=unit)
    try:
        roster_cells_change(
            roster=roster,
            changes=[CellChange(data["person"], data["date"], data["shift"])],
            user=request.user,
            expected_revision=data["revision"],
            language=get_language_from_request(request),
        )
    except ApplicationError as exc:
        messages.error(request, f"Not assigned: {exc.message}")
    else:
        messages.success(request, f"Assigned {data['shift']} on {_day(data['date'])}.")
    return _back(unit, request.POST.get("from", ""))


def _back(unit, first: str):
    url = reverse("unit-open-shifts", args=[unit.id])
    return redirect(f"{url}?from={first}" if first[:1].isdigit() else url)


def _from_day(value: str, today: date) -> date:
    """The window's first day: `?from=` when it is a date from today on (past shifts are not filled)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return today
    return max(day, today)


def _day(day: date) -> str:
    return f"{day:%a %d %b}"
