"""The start page (a new roster in one or two clicks) and the unit switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db.models import Count, Q
from django.shortcuts import redirect

from capacity.models import Department
from web.access import unit_for, visible_units
from web.forms import NewRosterForm
from web.views.common import next_monday, page, remember_unit

SECTIONS = {"rosters": "roster-list", "requirements": "requirements"}


@login_required
def home(request):
    units = visible_units(request.user)
    counts = dict(
        Department.objects.filter(id__in=[u.id for u in units])
        .annotate(n=Count("people", filter=Q(people__active=True)))
        .values_list("id", "n")
    )
    for u in units:
        u.active_people = counts.get(u.id, 0)
    remembered = request.session.get("web.unit_id")
    first = next((u for u in units if u.id == remembered and u.can_plan), None) or next(
        (u for u in units if u.can_plan), None
    )
    form = None
    if first is not None:
        form = NewRosterForm(
            units=units,
            initial={
                "unit": first.id,
                "start": next_monday(),
                "weeks": 4,
            },
        )
    return page(request, "web/home.html", {"units": units, "form": form}, section="home")


@login_required
def unit_switch(request):
    raw = request.GET.get("unit", "")
    if not (raw.isascii() and raw.isdigit()):
        raise BadRequest("unit must be a unit's id")
    unit = unit_for(request.user, int(raw))
    remember_unit(request, unit)
    section = request.GET.get("section", "")
    if section in SECTIONS:
        return redirect(SECTIONS[section], unit.id)
    if section in ("dashboard", "capacity"):
        return redirect(f"/{section}/?unit={unit.id}")
    return redirect("roster-list", unit.id)
