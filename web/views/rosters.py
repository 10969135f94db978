"""Roster planning: the list per unit, the new-roster form with live progress, the grid and its edits,
re-solve, publish, new version, compare engines, CSV and iCalendar. Every write is one service call."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_POST

from capacity.selectors import people_rostered_in
from ops.errors import ApplicationError
from scheduler.models import Roster
from scheduler.rule_text import rule_name
from scheduler.selectors import roster_csv, roster_ical
from scheduler.services.roster_edits import CellChange, can_override, roster_cells_change
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
from web.views.roster_day_list import roster_day_list
from web.views.roster_filters import people_context
from web.views.roster_grid import edit_history, grid_context, penalty_rows
from web.views.roster_risk import risk_context
from web.views.roster_timeline import roster_timeline
from web.views.roster_views import print_weeks

# The roster's views besides the grid, by their ?view= value.
OTHER_VIEWS = {"timeline": roster_timeline, "list": roster_day_list}


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


def _diff_against(request, roster: Roster) -> tuple[Roster | None, bool]:
    """What the grid highlights: ?diff=<roster id> of the same unit, ?diff=none for nothing, else what the
    last re-solve changed."""
    wanted = request.GET.get("diff", "")
    if wanted == "none":
        return None, False
    if wanted.isascii() and wanted.isdigit():
        other = Roster.objects.filter(id=int(wanted), department_id=roster.department_id).first()
        if other is not None and other.pk != roster.pk:
            return other, True
    return None, True


@login_required
def roster_detail(request, roster_id: int):
    roster = _roster_for(request, roster_id)
    # A finished job never gets a progress panel: the panel would send the browser back to this page.
    solving = roster.status == Roster.Status.SOLVING and roster.job is not None and not roster.job.is_finished
    if not solving and request.GET.get("view") in OTHER_VIEWS:
        return OTHER_VIEWS[request.GET["view"]](request, roster)
    statistics = roster.statistics or {}
    context = {
        "roster": roster,
        "job": roster.job,
        "solving": solving,
        "can_edit": roster.department.can_plan
        and roster.status in (Roster.Status.SOLVED, Roster.Status.DRAFT),
        "can_override": can_override(request.user),
        "solve_form": SolveForm(),
        "statistics": statistics,
        "penalty_rows": penalty_rows(statistics),
        "broken_rules": [
            {"name": rule_name(rule), "count": n}
            for rule, n in (statistics.get("hard_rules_broken") or {}).items()
        ],
        "blocking_rows": [
            {"who": who, "rules": [rule_name(r) for r in rules]}
            for who, rules in (statistics.get("blocking_rules") or {}).items()
        ],
        "shortfall_rows": [
            {**s, "reasons": {rule_name(r): n for r, n in (s.get("reasons") or {}).items()}}
            for s in (statistics.get("shortfalls") or [])[:12]
        ],
        "compare_jobs": [int(j) for j in request.GET.get("compare", "").split(",") if j.isdigit()][:3],
        "other_versions": list(
            Roster.objects.filter(
                department_id=roster.department_id, start_date=roster.start_date, end_date=roster.end_date
            )
            .exclude(pk=roster.pk)
            .order_by("-version", "-id")
            .values("id", "version", "status")[:10]
        ),
    }
    if not context["solving"]:
        against, highlight = _diff_against(request, roster)
        context.update(grid_context(roster, against=against, highlight=highlight))
        context.update(people_context(request.GET, context["rows"], view="grid"))
        context["weeks"] = print_weeks(context["days"], context["people"]["groups"])
        context.update(edit_history(roster))
        context["diff_against"] = against
        context["risk"] = risk_context(roster)
    return page(request, "web/rosters/detail.html", context, unit=roster.department, section="rosters")


@login_required
@require_POST
def roster_cell(request, roster_id: int):
    """Change, clear or lock one cell (the no-script path; the page's script uses the API); a hard-rule
    breach comes back as 422 with the rule in plain words."""
    roster = _roster_for(request, roster_id, write=True)
    form = CellForm(request.POST)
    if not form.is_valid():
        return error_json(ApplicationError("Invalid cell", extra={"fields": form.errors.get_json_data()}))
    data = form.cleaned_data
    person = people_rostered_in(unit_id=roster.department_id).filter(id=data["person"]).first()
    if person is None:
        raise Http404("No such person in this unit")
    try:
        roster_cells_change(
            roster=roster,
            changes=[CellChange(person.pk, data["date"], data["shift"] or None, locked=data["pinned"])],
            user=request.user,
            expected_revision=data["revision"],
            override_reason=data["override_reason"],
            language=get_language_from_request(request),
        )
    except ApplicationError as exc:
        return error_json(exc)
    roster.refresh_from_db(fields=["revision"])
    return HttpResponse(status=204, headers={"X-Roster-Revision": str(roster.revision)})


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
    revision = request.POST.get("revision")
    try:
        expected = int(revision) if revision else None
        roster_publish(roster=roster, user=request.user, expected_revision=expected)
        messages.success(request, "Published.")
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("roster-detail", roster_id=roster.id)


@login_required
@require_POST
def roster_delete_view(request, roster_id: int):
    roster = _roster_for(request, roster_id, write=True)
    revision = request.POST.get("revision")
    try:
        roster_delete(roster=roster, user=request.user, expected_revision=int(revision) if revision else None)
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
    if not people_rostered_in(unit_id=roster.department_id).filter(id=person_id).exists():
        raise Http404("No such person in this unit")
    response = HttpResponse(roster_ical(roster=roster, person_id=person_id), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.id}-person-{person_id}.ics"'
    return response
