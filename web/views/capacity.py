"""The capacity grid: assignments (person on project) by weeks, weekly hours edited inline. Saving goes
through the API's bulk endpoint with each row's ETag, so a row someone else changed first is refused
(412) and the page says so instead of overwriting it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from capacity.aggregates.common import window
from capacity.selectors import assignment_list
from ops.etags import version_etag
from web.access import unit_for, visible_units
from web.views.common import page, this_monday

GRID_WEEKS = 8


@login_required
def capacity_grid(request):
    units = visible_units(request.user)
    unit = unit_for(request.user, int(request.GET["unit"])) if request.GET.get("unit", "").isdigit() else None
    if unit is None:
        remembered = request.session.get("web.unit_id")
        unit = next((u for u in units if u.id == remembered), units[0] if units else None)
    mondays = window(this_monday(), GRID_WEEKS)
    keys = [m.isoformat() for m in mondays]
    rows = []
    if unit is not None:
        for a in assignment_list(department_ids=[unit.id]):
            stored = a.weekly_hours or {}
            rows.append(
                {
                    "id": a.id,
                    "etag": version_etag("assignment", a.pk, a.version),
                    "person": a.person.name if a.person else "Open (unfilled)",
                    "capacity": a.person.weekly_capacity_hours if a.person else None,
                    "project": a.project.name,
                    "role": a.role.name,
                    "cells": [{"week": k, "hours": stored.get(k)} for k in keys],
                }
            )
        rows.sort(key=lambda r: (r["person"], r["project"], r["id"]))
    return page(
        request,
        "web/capacity.html",
        {
            "weeks": mondays,
            "rows": rows,
            "editable": unit is not None and unit.can_plan,
        },
        unit=unit,
        section="capacity",
    )
