"""An engine comparison's roster: what it is (engine, penalty, hard rules, why it stopped), the cells
where it differs from the roster, and adopting it through the edit service (a roster that breaks hard
rules is marked and needs a reason)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_POST

from capacity.models import Person
from ops.errors import ApplicationError
from scheduler.services.compare_adopt import compared_cells, compared_job, roster_adopt_comparison
from scheduler.services.roster_edits import can_override
from web.views.common import page
from web.views.rosters import _roster_for

CELLS_SHOWN = 300


def _job_or_404(roster, job_id: int):
    try:
        return compared_job(roster=roster, job_id=job_id)
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        raise


@login_required
def compared_roster(request, roster_id: int, job_id: int):
    roster = _roster_for(request, roster_id)
    try:
        job = _job_or_404(roster, job_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("roster-detail", roster_id=roster.id)
    cells = compared_cells(roster=roster, job=job)
    now = {
        (a["person_id"], a["date"]): a["shift_type__code"]
        for a in roster.assignments.values("person_id", "date", "shift_type__code")
    }
    names = dict(Person.objects.filter(id__in={c.person_id for c in cells}).values_list("id", "name"))
    rows = [
        {
            "person": names.get(c.person_id, c.person_id),
            "date": c.day,
            "now": now.get((c.person_id, c.day)),
            "compared": c.shift,
        }
        for c in cells[:CELLS_SHOWN]
    ]
    return page(
        request,
        "web/rosters/compared.html",
        {
            "roster": roster,
            "job": job,
            "summary": job.result,
            "rows": rows,
            "changed": len(cells),
            "more": max(0, len(cells) - CELLS_SHOWN),
            "can_override": can_override(request.user),
        },
        unit=roster.department,
        section="rosters",
    )


@login_required
@require_POST
def compared_roster_adopt(request, roster_id: int, job_id: int):
    roster = _roster_for(request, roster_id, write=True)
    _job_or_404(roster, job_id)
    revision = request.POST.get("revision", "")
    try:
        target, edit = roster_adopt_comparison(
            roster=roster,
            job_id=job_id,
            user=request.user,
            expected_revision=int(revision) if revision.isdigit() else None,
            confirm_reason=request.POST.get("reason", ""),
            language=get_language_from_request(request),
        )
    except ApplicationError as exc:
        messages.error(request, f"Not adopted: {exc.message}")
        return redirect("roster-compared", roster_id=roster.id, job_id=job_id)
    changed = len(edit.cells) if edit else 0
    where = f" as version {target.version}" if target.id != roster.id else ""
    messages.success(request, f"Adopted the {job_id} comparison{where}: {changed} cell(s) changed.")
    return redirect("roster-detail", roster_id=target.id)
