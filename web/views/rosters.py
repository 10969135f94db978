"""Roster planning: the list per unit, the new-roster form with live progress, the grid and its edits,
re-solve, publish, new version, compare engines, CSV and iCalendar. Every write is one service call."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from capacity.models import Person
from ops.errors import ApplicationError
from scheduler.models import Roster
from scheduler.selectors import (
    roster_cover,
    roster_csv,
    roster_fairness,
    roster_grid,
    roster_hours_and_cost,
    roster_ical,
    shift_types_for_unit,
)
from scheduler.services.edits import roster_assignment_set
from scheduler.services.rosters import (
    roster_compare,
    roster_delete,
    roster_generate,
    roster_new_version,
    roster_publish,
    roster_resolve,
)
from scheduler.solver.options import DEFAULT_COMPARE_ENGINES
from web.access import can_plan, department_role, unit_for, visible_units
from web.forms import CellForm, NewRosterForm, SolveForm
from web.throttles import throttled
from web.views.common import error_json, next_monday, page
from web.views.roster_risk import risk_context

SHIFT_PALETTE = 6  # colour classes shift-0 .. shift-5, always shown with the code itself
# Terms priced on every assignment (the wage bill) rather than rules a cell can break: not marked on cells.
UNMARKED_TERMS = frozenset({"labour_cost"})


def _roster_for(request, roster_id: int, *, write: bool = False) -> Roster:
    roster = get_object_or_404(
        Roster.objects.select_related("department__parent__parent", "job"), id=roster_id
    )
    role = department_role(request.user, roster.department_id, write=write, missing="No such roster")
    roster.department.role = role
    roster.department.can_plan = can_plan(role)
    return roster


def _new_roster_form(request, units, unit=None, data=None) -> NewRosterForm:
    initial = {"start": next_monday(), "weeks": 4}
    if unit is not None:
        initial["unit"] = unit.id
    return NewRosterForm(data, units=units, initial=initial)


@login_required
def roster_list(request, unit_id: int):
    unit = unit_for(request.user, unit_id)
    rosters = list(
        Roster.objects.filter(department=unit).select_related("job").order_by("-start_date", "-version")
    )
    units = visible_units(request.user)
    return page(
        request,
        "web/rosters/list.html",
        {"rosters": rosters, "form": _new_roster_form(request, units, unit) if unit.can_plan else None},
        unit=unit,
        section="rosters",
    )


@login_required
@require_POST
@throttled("solve")  # the API's rate, counted together
def roster_new(request):
    units = visible_units(request.user)
    form = _new_roster_form(request, units, data=request.POST)
    if form.is_valid():
        unit = unit_for(request.user, form.cleaned_data["unit"], write=True)
        start = form.cleaned_data["start"]
        try:
            roster = roster_generate(
                unit=unit,
                start_date=start,
                end_date=start + timedelta(days=7 * form.cleaned_data["weeks"] - 1),
                engine=form.cleaned_data["engine"],
                time_limit=form.cleaned_data["time_limit"],
                user=request.user,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("roster-detail", roster_id=roster.id)
    return page(request, "web/rosters/new.html", {"form": form}, section="rosters")


def _marks_by_cell(statistics: dict) -> dict[tuple[int, str], list[dict]]:
    """(person id, ISO date) -> the penalties and hard-rule breaches the solver reported on that cell."""
    marks: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for kind, items in (
        ("breach", statistics.get("violations", [])),
        ("penalty", statistics.get("penalties", [])),
    ):
        for item in items:
            if item.get("rule") in UNMARKED_TERMS:
                continue
            if isinstance(item.get("person"), int) and item.get("date"):
                marks[(item["person"], item["date"])].append({"kind": kind, **item})
    return marks


def _grid_context(roster: Roster) -> dict:
    grid = roster_grid(roster=roster)
    palette = {s["code"]: i % SHIFT_PALETTE for i, s in enumerate(grid.shift_types)}
    marks = _marks_by_cell(roster.statistics or {})
    hours = {row["person_id"]: row for row in roster_hours_and_cost(roster=roster)}
    fairness = {row["person_id"]: row for row in roster_fairness(roster=roster)["people"]}
    day_keys = [d.isoformat() for d in grid.days]
    rows = []
    for person in grid.people:
        row_cells = grid.cells.get(person["id"], {})
        cells = []
        for day, key in zip(grid.days, day_keys, strict=True):
            cell = row_cells.get(key)
            cell_marks = marks.get((person["id"], key), [])
            cells.append(
                {
                    "date": key,
                    "day": day,
                    "code": cell["shift"] if cell else "",
                    "pinned": bool(cell and cell["pinned"]),
                    "colour": palette.get(cell["shift"]) if cell else None,
                    "breach": any(m["kind"] == "breach" for m in cell_marks),
                    "penalty": any(m["kind"] == "penalty" for m in cell_marks),
                    "rules": "; ".join(
                        f"{'Breaks' if m['kind'] == 'breach' else 'Penalty'}: {m['rule']}"
                        + (f" ({m['amount']})" if m.get("amount") else "")
                        for m in cell_marks
                    ),
                    "weekend": day.weekday() >= 5,
                }
            )
        rows.append(
            {
                **person,
                "cells": cells,
                "hours": hours.get(person["id"]),
                "fairness": fairness.get(person["id"]),
            }
        )
    cover = {(c["date"], c["shift"]): c for c in roster_cover(roster=roster)}
    cover_rows = [
        {
            "shift": s,
            "colour": palette[s["code"]],
            "days": [cover.get((key, s["code"])) for key in day_keys],
        }
        for s in grid.shift_types
    ]
    totals = {
        "hours": round(sum(h["hours"] for h in hours.values()), 1),
        "cost": round(sum(h["cost"] for h in hours.values()), 2),
        "overtime": round(sum(h["overtime_hours"] for h in hours.values()), 1),
        "shortfall": sum(c["shortfall"] for c in cover.values()),
    }
    return {
        "days": grid.days,
        "rows": rows,
        "shift_types": [{**s, "colour": palette[s["code"]]} for s in grid.shift_types],
        "cover_rows": cover_rows,
        "totals": totals,
    }


@login_required
def roster_detail(request, roster_id: int):
    roster = _roster_for(request, roster_id)
    # A finished job never gets a progress panel: the panel would send the browser back to this page.
    solving = roster.status == Roster.Status.SOLVING and roster.job is not None and not roster.job.is_finished
    context = {
        "roster": roster,
        "job": roster.job,
        "solving": solving,
        "can_edit": roster.department.can_plan
        and roster.status in (Roster.Status.SOLVED, Roster.Status.DRAFT),
        "solve_form": SolveForm(),
        "statistics": roster.statistics or {},
        "compare_jobs": [int(j) for j in request.GET.get("compare", "").split(",") if j.isdigit()][:3],
    }
    if not context["solving"]:
        context.update(_grid_context(roster))
        context["risk"] = risk_context(roster)
    return page(request, "web/rosters/detail.html", context, unit=roster.department, section="rosters")


@login_required
@require_POST
def roster_cell(request, roster_id: int):
    """Change, clear or pin one cell; a hard-rule breach comes back as 422 with the rule's message."""
    roster = _roster_for(request, roster_id, write=True)
    form = CellForm(request.POST)
    if not form.is_valid():
        return error_json(ApplicationError("Invalid cell", extra={"fields": form.errors.get_json_data()}))
    data = form.cleaned_data
    person = Person.objects.filter(id=data["person"], department_id=roster.department_id).first()
    if person is None:
        raise Http404("No such person in this unit")
    shift_type = None
    if data["shift"]:
        shift_type = next(
            (s for s in shift_types_for_unit(roster.department) if s.code == data["shift"]), None
        )
        if shift_type is None:
            return error_json(ApplicationError(f"Unknown shift {data['shift']!r}"))
    try:
        roster_assignment_set(
            roster=roster,
            person=person,
            day=data["date"],
            shift_type=shift_type,
            pinned=data["pinned"] and shift_type is not None,
            user=request.user,
            expected_version=data["version"],
        )
    except ApplicationError as exc:
        return error_json(exc)
    roster.refresh_from_db(fields=["version"])
    return HttpResponse(status=204, headers={"X-Roster-Version": str(roster.version)})


@login_required
@require_POST
@throttled("solve")  # the API's rate, counted together
def roster_resolve_view(request, roster_id: int):
    roster = _roster_for(request, roster_id, write=True)
    form = SolveForm(request.POST)
    if form.is_valid():
        try:
            roster_resolve(roster=roster, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Choose an engine and a time limit")
    return redirect("roster-detail", roster_id=roster.id)


@login_required
@require_POST
def roster_publish_view(request, roster_id: int):
    roster = _roster_for(request, roster_id, write=True)
    version = request.POST.get("version")
    try:
        roster_publish(roster=roster, user=request.user, expected_version=int(version) if version else None)
        messages.success(request, "Published.")
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("roster-detail", roster_id=roster.id)


@login_required
@require_POST
def roster_delete_view(request, roster_id: int):
    roster = _roster_for(request, roster_id, write=True)
    version = request.POST.get("version")
    try:
        roster_delete(roster=roster, user=request.user, expected_version=int(version) if version else None)
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("roster-detail", roster_id=roster.id)
    messages.success(request, f"Roster {roster.start_date:%d %b %Y} (version {roster.version}) deleted.")
    return redirect("roster-list", unit_id=roster.department_id)


@login_required
@require_POST
def roster_new_version_view(request, roster_id: int):
    roster = _roster_for(request, roster_id, write=True)
    try:
        copy = roster_new_version(roster=roster, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("roster-detail", roster_id=roster.id)
    return redirect("roster-detail", roster_id=copy.id)


@login_required
@require_POST
@throttled("solve")  # the API's rate, counted together
def roster_compare_view(request, roster_id: int):
    roster = _roster_for(request, roster_id, write=True)
    form = SolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a time limit")
        return redirect("roster-detail", roster_id=roster.id)
    try:
        jobs = roster_compare(
            roster=roster,
            engines=list(DEFAULT_COMPARE_ENGINES),
            time_limit=form.cleaned_data["time_limit"],
            user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("roster-detail", roster_id=roster.id)
    ids = ",".join(str(job.id) for job in jobs.values())
    return redirect(f"/rosters/{roster.id}/?compare={ids}#compare")


@login_required
def roster_csv_view(request, roster_id: int):
    roster = _roster_for(request, roster_id)
    response = HttpResponse(roster_csv(roster=roster), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.id}-v{roster.version}.csv"'
    return response


@login_required
def roster_ical_view(request, roster_id: int, person_id: int):
    roster = _roster_for(request, roster_id)
    if not Person.objects.filter(id=person_id, department_id=roster.department_id).exists():
        raise Http404("No such person in this unit")
    response = HttpResponse(roster_ical(roster=roster, person_id=person_id), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.id}-person-{person_id}.ics"'
    return response
