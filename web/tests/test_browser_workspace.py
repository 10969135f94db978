"""The planner's workspace in a real browser (Playwright on Debian's Chromium, PostgreSQL, a real Celery
worker for the re-solve): leave and requests in the grid, a refused drag-move with its reasons and
alternatives, an override with a reason, a multi-select clear, undo, a re-solve that keeps a manual edit,
and the diff highlight. Screenshots go to var/screenshots/ (and SCREENSHOT_DIR when set)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from capacity.models import Leave
from capacity.tests.factories import LeaveFactory, PersonSkillFactory, SkillTagFactory
from conftest import wait_for
from scheduler.models import CoverRequirement, Roster, RosterAssignment, RosterDayOff, ShiftRequest
from scheduler.services.rosters import roster_generate
from scheduler.tests.factories import RosterAssignmentFactory, RosterFactory
from web.tests import test_browser as shared
from web.tests.builders import planning_unit, user_with_role
from web.tests.test_browser import SCREENSHOTS, log_in

# the browser and page fixtures of the other browser tests (pytest registers them under their own names)
_browser_fixture, _page_fixture = shared.browser, shared.page

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
EXTRA_SCREENSHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


def shot(page, name: str, **kwargs) -> None:
    page.screenshot(path=SCREENSHOTS / name, **kwargs)
    if EXTRA_SCREENSHOTS is not None:
        EXTRA_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=EXTRA_SCREENSHOTS / name, **kwargs)


def cell(page, person, day: date):
    return page.locator(f'td.cell button[data-person="{person.id}"][data-date="{day.isoformat()}"]')


def week_roster(ward, *, people_shifts: dict) -> Roster:
    """A solved week with the given shifts: {(person index, day offset): shift index}; no minimum cover,
    so only each person's own rules decide what an edit may do."""
    CoverRequirement.objects.filter(department=ward.unit).update(minimum=0)
    roster = RosterFactory(
        department=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        status=Roster.Status.SOLVED,
        statistics={"status": "optimal", "penalties_by_rule": {"labour_cost": 1200, "shift_off_requests": 3}},
    )
    for (i, offset), s in people_shifts.items():
        RosterAssignmentFactory(
            roster=roster,
            person=ward.people[i],
            date=ward.start + timedelta(days=offset),
            shift_type=ward.shift_types[s],
        )
    return roster


def test_the_grid_shows_leave_requests_hours_and_skills_with_headers_in_view(page, live_server):
    # given a ward of 30 with sick and annual leave, a granted and a refused request, and a certified skill
    ward = planning_unit(name="Leave Ward", people=30, assignments=False)
    user_with_role("leave-planner", ward.unit, "planner")
    first, second = ward.people[0], ward.people[1]
    roster = week_roster(ward, people_shifts={(0, 0): 0, (1, 0): 1, (1, 2): 1})
    LeaveFactory(
        person=first,
        start_date=ward.start + timedelta(days=1),
        end_date=ward.start + timedelta(days=1),
        kind=Leave.Kind.SICK,
    )
    LeaveFactory(
        person=second,
        start_date=ward.start + timedelta(days=3),
        end_date=ward.start + timedelta(days=4),
        kind=Leave.Kind.ANNUAL,
    )
    ShiftRequest.objects.create(person=first, date=ward.start, kind="on", weight=2)
    ShiftRequest.objects.create(person=second, date=ward.start + timedelta(days=2), kind="off", weight=4)
    PersonSkillFactory(
        person=first, skill=SkillTagFactory(name="Medication"), certified_until=date(2030, 6, 30)
    )
    log_in(page, live_server, "leave-planner")

    # when the roster opens
    page.goto(f"{live_server.url}/rosters/{roster.id}/")

    # then leave says its kind and differs from a day off, requests are marked granted or not
    sick = cell(page, first, ward.start + timedelta(days=1))
    assert sick.get_attribute("data-leave") == "sick" and sick.inner_text().strip() == "S"
    assert "On sick leave" in sick.get_attribute("aria-label")
    annual = cell(page, second, ward.start + timedelta(days=3))
    assert annual.inner_text().strip() == "A"
    assert "leave-annual" in annual.locator("xpath=..").get_attribute("class")
    assert cell(page, first, ward.start).locator(".req.granted").count() == 1
    refused = cell(page, second, ward.start + timedelta(days=2))
    assert refused.locator(".req.refused").count() == 1
    assert "asked to be off" in refused.get_attribute("title") and "not granted" in refused.get_attribute(
        "title"
    )
    # and hours stand beside the contract (37.5 h a week), flagged when far apart; skills show on hover
    hours = page.get_by_test_id(f"hours-{first.id}")
    assert hours.inner_text().startswith("7.5 / 37.5") and "hours-flag" in hours.get_attribute("class")
    assert "Medication (certified until 2030-06-30)" in page.get_by_test_id(
        f"person-{first.id}"
    ).get_attribute("title")
    shot(page, "workspace-grid-leave.png")
    # and the grid scrolls in its own box: bounded, on screen, with sticky day headers and names
    box = page.get_by_test_id("grid-scroll")
    assert box.evaluate("b => b.scrollHeight > b.clientHeight")
    box.evaluate("b => b.scrollIntoView()")
    assert box.bounding_box()["y"] + box.bounding_box()["height"] <= 900  # its scrollbar is on screen
    cover = page.locator("tr.cover-row th").first
    bottom_of = lambda loc: loc.bounding_box()["y"] + loc.bounding_box()["height"]  # noqa: E731
    assert bottom_of(cover) <= bottom_of(box)  # cover rows in view before scrolling the people
    header = page.locator("table.roster thead th.day").first
    assert header.evaluate("h => getComputedStyle(h).position") == "sticky"
    box.evaluate("b => { b.scrollTop = 400; }")
    assert header.bounding_box()["y"] == pytest.approx(box.bounding_box()["y"], abs=3)
    shot(page, "workspace-grid-scrolled.png")
    assert page.console_errors == []


def test_a_refused_drag_says_why_and_what_instead_then_an_override_keeps_it(page, live_server):
    # given a planner allowed to override, and a week where the first person works Late on Monday and the
    # second Early on Monday
    ward = planning_unit(name="Drag Ward", people=4, assignments=False)
    planner = user_with_role("drag-planner", ward.unit, "planner")
    planner.user_permissions.add(Permission.objects.get(codename="override_hard_rules"))
    ann, ben = ward.people[0], ward.people[1]
    tuesday = ward.start + timedelta(days=1)
    roster = week_roster(ward, people_shifts={(0, 0): 1, (1, 0): 0})
    log_in(page, live_server, "drag-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")

    # when the second person's Early is dragged onto the first person's Tuesday
    cell(page, ben, ward.start).drag_to(cell(page, ann, tuesday))

    # then the move is refused in plain words, with what the cell allows and who could take the Early
    status = page.locator("[data-grid-status].refused")
    status.wait_for()
    status.filter(has_text="Allowed in this cell").wait_for()
    text = status.inner_text()
    assert "needs at least 11 h of rest between shifts" in text
    assert "Allowed in this cell instead: L" in text
    assert ben.name in text.split("Could take E that day instead:")[1], text
    assert RosterAssignment.objects.get(roster=roster, person=ben, date=ward.start).shift_type.code == "E"
    shot(page, "workspace-drag-refused.png")

    # when the planner opens the same cell, picks Early anyway and gives a reason
    cell(page, ann, tuesday).click()
    page.locator("#cell-editor li.blocked").first.wait_for()
    assert "rest between shifts" in page.locator("#cell-editor [data-field=options]").inner_text()
    page.get_by_label("Shift").select_option("E")
    page.get_by_label("Reason to keep it against the rule").fill("Agency nurse cancelled")
    shot(page, "workspace-override-dialog.png")
    page.get_by_role("button", name="Save").click()

    # then the cell is kept, locked, and the grid and the history show the reason
    kept = cell(page, ann, tuesday)
    kept.and_(page.locator("[data-override]")).wait_for()
    assert kept.get_attribute("data-shift") == "E" and kept.get_attribute("data-pinned") == "1"
    assert "Agency nurse cancelled" in kept.get_attribute("title")
    assert "Agency nurse cancelled" in page.get_by_test_id("edit-history").inner_text()
    row = RosterAssignment.objects.get(roster=roster, person=ann, date=tuesday)
    assert row.override_reason == "Agency nurse cancelled" and row.overridden_rules == [
        "min_rest_between_shifts"
    ]
    # the refused move's 422 is logged by the browser as a failed load; nothing else went wrong
    assert [e for e in page.console_errors if "422" not in e] == []


def test_select_several_cells_clear_them_at_once_then_undo(page, live_server):
    # given a week where the first two people work Monday and Wednesday
    ward = planning_unit(name="Select Ward", people=4, assignments=False)
    user_with_role("select-planner", ward.unit, "planner")
    ann, ben = ward.people[0], ward.people[1]
    wednesday = ward.start + timedelta(days=2)
    roster = week_roster(ward, people_shifts={(0, 0): 0, (0, 2): 0, (1, 0): 1, (1, 2): 1})
    log_in(page, live_server, "select-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")

    # when the planner ctrl-clicks three worked cells (and one again to drop it) and clears the selection
    for person, day in ((ann, ward.start), (ben, ward.start), (ann, wednesday), (ben, ward.start)):
        cell(page, person, day).click(modifiers=["Control"])
    assert page.locator("[data-selection-tools] [data-field=selected]").inner_text() == "2"
    shot(page, "workspace-multi-select.png")
    page.locator("[data-bulk=clear]").click()

    # then both are off and locked as days off (shown as such), the other cells untouched
    cleared = cell(page, ann, ward.start)
    cleared.and_(page.locator('[data-shift=""][data-pinned="1"]')).wait_for()
    assert cell(page, ann, wednesday).get_attribute("data-shift") == ""
    assert cell(page, ben, ward.start).get_attribute("data-shift") == "L"
    assert RosterDayOff.objects.filter(roster=roster).count() == 2
    assert "Changed 2 cells" in page.get_by_test_id("edit-history").inner_text()

    # when the planner presses Undo
    page.get_by_role("button", name="Undo last edit").click()

    # then both shifts are back and the locks gone
    cell(page, ann, ward.start).and_(page.locator('[data-shift="E"]')).wait_for()
    assert cell(page, ann, wednesday).get_attribute("data-shift") == "E"
    assert not RosterDayOff.objects.filter(roster=roster).exists()
    assert "(undone)" in page.get_by_test_id("edit-history").inner_text()
    shot(page, "workspace-after-undo.png")
    assert page.console_errors == []


@pytest.mark.celery_worker
def test_a_resolve_keeps_a_manual_edit_and_highlights_what_it_changed(
    page, live_server, celery_worker_process
):
    # given a solved two-week roster of a ward
    ward = planning_unit(name="Keep Ward", people=10, assignments=False)
    user = user_with_role("keep-planner", ward.unit, "planner")
    roster = roster_generate(
        unit=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=13),
        engine="cpsat",
        time_limit=3,
        user=user,
    )
    wait_for(lambda: Roster.objects.filter(pk=roster.pk, status=Roster.Status.SOLVED).exists(), timeout=90)
    log_in(page, live_server, "keep-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")

    # when the planner changes a cell to another allowed shift through the editor (a lock by default)
    target = None
    for button in page.locator("td.cell button").all()[:80]:
        person, day = button.get_attribute("data-person"), button.get_attribute("data-date")
        options = page.request.get(
            f"{live_server.url}/api/rosters/{roster.id}/cells/{person}/{day}/options"
        ).json()
        choice = next(
            (o for o in options["options"] if o["allowed"] and not o["current"] and o["shift"]), None
        )
        if choice:
            target = (person, day, choice["shift"])
            break
    assert target is not None
    person, day, shift = target
    page.locator(f'td.cell button[data-person="{person}"][data-date="{day}"]').click()
    page.get_by_label("Shift").select_option(shift)
    page.get_by_role("button", name="Save").click()
    edited = page.locator(f'td.cell button[data-person="{person}"][data-date="{day}"]')
    edited.and_(page.locator(f'[data-shift="{shift}"][data-pinned="1"]')).wait_for()

    # and re-solves after Monday's early shift came to need five people (so the re-solve must move some)
    CoverRequirement.objects.filter(
        department=ward.unit, date=ward.start, shift_type=ward.shift_types[0]
    ).update(minimum=5, preferred=5)
    page.locator("#resolve-engine").select_option("cpsat")
    page.get_by_label("Time limit (s)", exact=True).first.fill("3")
    page.get_by_role("button", name="Re-solve").click()
    page.locator("[data-job-panel]").wait_for()
    # the panel sends the page back to the grid when the job ends; the notice says what the re-solve did
    page.get_by_test_id("changes").wait_for(timeout=120_000)

    # then the manual edit held, and the cells the re-solve changed are highlighted (not in the penalty style)
    assert edited.get_attribute("data-shift") == shift and edited.get_attribute("data-pinned") == "1"
    roster.refresh_from_db()
    changed = roster.statistics["changed_cells"]
    assert len(changed) >= 1 and page.locator("td.cell.changed").count() == len(changed)
    assert f"{len(changed)} cell" in page.get_by_test_id("diff-count").inner_text()
    first = page.locator("td.cell.changed").first
    assert (
        first.evaluate("td => getComputedStyle(td.querySelector('button'), '::after').borderBottomColor")
        == "rgb(10, 125, 140)"
    )
    assert "Changed: was" in first.locator("button").get_attribute("title")
    shot(page, "workspace-resolve-diff.png", full_page=True)
    # and "no highlight" turns it off
    page.get_by_label("Highlight changes against").select_option("none")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**diff=none**")
    assert page.locator("td.cell.changed").count() == 0
    assert page.console_errors == []


def test_dragging_a_shift_onto_another_swaps_them(page, live_server):
    # given Monday: the first person works Early, the second Late
    ward = planning_unit(name="Swap Ward", people=3, assignments=False)
    user_with_role("swap-planner", ward.unit, "planner")
    ann, ben = ward.people[0], ward.people[1]
    roster = week_roster(ward, people_shifts={(0, 0): 0, (1, 0): 1})
    log_in(page, live_server, "swap-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")

    # when the Early is dragged onto the Late
    cell(page, ann, ward.start).drag_to(cell(page, ben, ward.start))

    # then the two swapped, both locked, in one edit
    cell(page, ann, ward.start).and_(page.locator('[data-shift="L"][data-pinned="1"]')).wait_for()
    assert cell(page, ben, ward.start).get_attribute("data-shift") == "E"
    assert "Swapped 2 cells" in page.get_by_test_id("edit-history").inner_text()
    assert page.console_errors == []
