"""Working the gaps in a real browser (Playwright on Debian's Chromium, PostgreSQL, a real Celery worker for
the solves): an open shift assigned from its page, a compared engine's roster opened and adopted, and an
early stop reported on the roster page. Screenshots go to var/screenshots/ (and SCREENSHOT_DIR when set)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import wait_for
from ops.models import Job
from scheduler.models import CoverRequirement, Roster, RosterAssignment, RosterEdit
from scheduler.services.roster_edits import CellChange, roster_cells_change
from scheduler.services.rosters import roster_generate
from web.tests import test_browser as shared
from web.tests.builders import planning_unit, user_with_role
from web.tests.test_browser import log_in
from web.tests.test_browser_workspace import shot
from web.tests.test_open_shifts import _roster

_browser_fixture, _page_fixture = shared.browser, shared.page

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_open_shift_is_assigned_from_its_page(page, live_server):
    # given a ward whose roster leaves every late shift open, reached from the dashboard's open count
    ward = planning_unit(name="Open Ward", people=6, assignments=False)
    roster = _roster(ward, days=7)
    user_with_role("open-planner", ward.unit, "planner")
    log_in(page, live_server, "open-planner")
    page.goto(f"{live_server.url}/dashboard/?unit={ward.unit.id}")
    page.locator("[data-open-link]").first.click()
    page.wait_for_url(f"**/units/{ward.unit.id}/open-shifts/")
    row = page.locator(f'[data-open-shift="{ward.start.isoformat()}/L"]')
    assert "3 short of minimum" in row.inner_text()
    shot(page, "open-shifts.png", full_page=True)
    # when the planner assigns the first candidate
    first = row.locator("li[data-candidate]").first
    person = int(first.get_attribute("data-candidate"))
    first.get_by_role("button").click()
    # then the page says so, the shift now has one person, and the edit is in the roster's history
    page.locator(".messages li.success").wait_for()
    assert "Assigned L on" in page.locator(".messages").inner_text()
    assert (
        "2 short of preferred" in page.locator(f'[data-open-shift="{ward.start.isoformat()}/L"]').inner_text()
    )
    cell = RosterAssignment.objects.get(roster=roster, person_id=person, date=ward.start)
    assert cell.shift_type.code == "L"
    assert RosterEdit.objects.filter(roster=roster).count() == 1
    shot(page, "open-shifts-assigned.png", full_page=True)
    assert page.console_errors == []


@pytest.mark.celery_worker
def test_a_compared_roster_is_opened_and_adopted(page, live_server, celery_worker_process):
    # given a solved week of a ward with no hard minimum (so a cleared cell breaks nothing)
    ward = planning_unit(name="Adopt Ward", people=6, assignments=False)
    CoverRequirement.objects.filter(department=ward.unit).update(minimum=0)
    user = user_with_role("adopt-planner", ward.unit, "planner")
    roster = roster_generate(
        unit=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        engine="cpsat",
        time_limit=3,
        user=user,
    )
    wait_for(lambda: Roster.objects.filter(pk=roster.pk, status=Roster.Status.SOLVED).exists(), timeout=120)
    log_in(page, live_server, "adopt-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    # when the planner compares engines and waits for both
    page.locator("#compare-time").fill("3")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**compare=**")
    job_ids = [int(j) for j in page.url.split("compare=")[1].split("#")[0].split(",")]
    wait_for(lambda: all(Job.objects.get(id=j).is_finished for j in job_ids), timeout=180)
    # and clears one shift of the roster meanwhile (so the compared roster differs from it)
    first = RosterAssignment.objects.filter(roster=roster).order_by("date", "person_id").first()
    roster_cells_change(
        roster=roster, changes=[CellChange(first.person_id, first.date, None, locked=False)], user=user
    )
    page.reload()
    shot(page, "compare-table.png", full_page=True)
    page.locator(f'[data-compare-job="{job_ids[0]}"] a[data-k="open"]').click()
    page.wait_for_url(f"**/compare/{job_ids[0]}/")
    changed = int(page.get_by_test_id("changed-cells").inner_text())
    assert changed >= 1
    shot(page, "compared-roster.png", full_page=True)
    page.get_by_role("button", name="Adopt").click()
    # then the roster page says what was adopted, and the edit is one undoable edit of the roster
    page.wait_for_url(f"**/rosters/{roster.id}/")
    assert f"{changed} cell(s) changed" in page.locator(".messages").inner_text()
    assert RosterEdit.objects.filter(roster=roster, action=RosterEdit.Action.BULK).count() == 1
    compared = Job.objects.get(id=job_ids[0]).result["roster"]
    for a in RosterAssignment.objects.filter(roster=roster).select_related("shift_type"):
        assert compared[str(a.person_id)][(a.date - roster.start_date).days] == a.shift_type.code
    assert page.console_errors == []


@pytest.mark.celery_worker
def test_an_early_stop_is_reported_on_the_roster_page(page, live_server, celery_worker_process):
    # given the default early stop (within 1% of the best possible) and a small ward's solve of a minute
    ward = planning_unit(name="Early Ward", people=8, assignments=False)
    user = user_with_role("early-planner", ward.unit, "planner")
    log_in(page, live_server, "early-planner")
    roster = roster_generate(
        unit=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        engine="cpsat",
        time_limit=60,
        user=user,
    )
    # when the planner watches it
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    # then the page comes back with the solve's ending in words: no rule broken, and an early reason
    summary = page.get_by_test_id("solve-summary")
    summary.wait_for(timeout=120_000)
    text = summary.inner_text()
    assert "breaks no rule" in text
    reasons = ("close enough to the best possible", "proven the best possible", "no better roster found")
    assert any(f"stopped: {reason}" in text for reason in reasons), text
    assert Job.objects.get(id=roster.job_id).result["stop_reason"] in ("gap", "optimal", "stalled")
    shot(page, "early-stop-summary.png", full_page=True)
    assert page.console_errors == []
