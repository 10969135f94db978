"""The pages in a real browser: Playwright drives Debian's Chromium (headless) against the live server
on PostgreSQL, with a real Celery worker solving the rosters. Screenshots go to var/screenshots/."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from capacity.models import Assignment
from capacity.services import assignments_bulk_update_hours
from forecasting.models import DemandObservation, DemandSeries
from ops.models import Job
from scheduler.models import Roster, RosterAssignment
from scheduler.tests.factories import RosterAssignmentFactory, RosterFactory
from web.tests.builders import PASSWORD, planning_unit, user_with_role

CHROMIUM = Path("/usr/bin/chromium")
ON_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if ON_CI:
            pytest.fail("Chromium (/usr/bin/chromium) is required under CI=true; .ci/run installs it")
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make between
    # browser steps are ordinary blocking calls, which Django refuses under a running loop unless told.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield tab
    context.close()


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def _first_tick(page) -> None:
    """Wait until the progress panel has polled once. A locator, not wait_for_function: that evaluates a
    string in the page, which the page's Content-Security-Policy (no unsafe-eval) refuses."""
    from playwright.sync_api import expect

    expect(page.locator("[data-field=ticks]")).not_to_have_text("0")


def wait_for_solve(page) -> dict:
    """Watch the progress panel until the roster opens; returns what the panel showed."""
    panel = page.locator("[data-job-panel]")
    panel.wait_for()
    first = int(page.locator("[data-job-panel] progress").get_attribute("value") or 0)
    page.wait_for_selector("[data-job-panel][data-status=succeeded]", timeout=60_000)
    finished = {
        "first_progress": first,
        "last_progress": page.eval_on_selector("[data-job-panel] progress", "p => p.value"),
        "ticks": int(panel.locator('[data-field="ticks"]').inner_text()),
        "objective": panel.locator('[data-field="objective"]').inner_text(),
    }
    page.wait_for_selector("[data-roster-grid]", timeout=30_000)
    return finished


@pytest.mark.celery_worker
def test_generate_pin_resolve_and_publish_a_roster(page, live_server, celery_worker_process):
    # given a planner of a ward with staff, shifts and cover
    ward = planning_unit(name="Browser Ward", people=12)
    user_with_role("browser-planner", ward.unit.parent, "planner")
    log_in(page, live_server, "browser-planner")
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)

    # when they generate a two-week roster from the start page (the ward is preselected)
    assert page.get_by_label("Unit", exact=True).input_value() == str(ward.unit.id)
    page.get_by_label("Weeks").fill("2")
    page.get_by_label("Engine").select_option("cpsat")
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Generate roster").click()
    _first_tick(page)
    page.screenshot(path=SCREENSHOTS / "roster-progress.png", full_page=True)
    shown = wait_for_solve(page)

    # then the panel advanced from the start to the finish, and the grid shows the unit's people
    assert shown["first_progress"] < 100 and shown["last_progress"] == 100
    assert shown["ticks"] >= 1 and shown["objective"] != "–"
    roster = Roster.objects.get(department=ward.unit)
    assert roster.status == Roster.Status.SOLVED
    assert page.locator("[data-roster-grid] tbody tr").count() == 12
    assert page.get_by_test_id("unit-in-view").inner_text().startswith("Unit: Browser Ward")

    # when they pin a worked cell through the editor
    cell = page.locator('td.cell button:not([data-shift=""])').first
    person, day, shift = (
        cell.get_attribute("data-person"),
        cell.get_attribute("data-date"),
        cell.get_attribute("data-shift"),
    )
    cell.click()
    page.get_by_label("Pin (re-solve keeps it)").check()
    page.get_by_role("button", name="Save").click()
    pinned = page.locator(f'td.cell button[data-person="{person}"][data-date="{day}"]')
    pinned.and_(page.locator('[data-pinned="1"]')).wait_for()
    assert RosterAssignment.objects.get(roster=roster, person_id=person, date=day).pinned

    # and re-solve keeping the pin
    page.get_by_label("Time limit (s)", exact=True).first.fill("3")
    page.get_by_role("button", name="Re-solve").click()
    wait_for_solve(page)

    # then the page reports how many assignments changed, and the pinned cell held
    assert "Re-solve changed" in page.get_by_test_id("changes").inner_text()
    assert pinned.get_attribute("data-shift") == shift and pinned.get_attribute("data-pinned") == "1"
    page.screenshot(path=SCREENSHOTS / "roster-grid.png", full_page=True)

    # when they publish, confirming the dialog
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish…").click()

    # then the roster is published and no longer editable
    page.get_by_test_id("roster-status").filter(has_text="published").wait_for()
    roster.refresh_from_db()
    assert roster.status == Roster.Status.PUBLISHED
    assert page.locator("[data-roster-grid][data-editable]").count() == 0
    assert page.console_errors == []


def test_a_refused_edit_names_the_broken_rule(page, live_server):
    # given a solved roster where a person works a late shift on the first day
    ward = planning_unit(name="Rule Ward", people=4, assignments=False)
    user_with_role("rule-planner", ward.unit, "planner")
    early, late = ward.shift_types[0], ward.shift_types[1]
    roster = RosterFactory(
        department=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        status=Roster.Status.SOLVED,
    )
    person = ward.people[0]
    RosterAssignmentFactory(roster=roster, person=person, date=ward.start, shift_type=late)
    log_in(page, live_server, "rule-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")

    # when the planner moves to the next day's cell with the keyboard and asks for an early shift
    first = page.locator(f'td.cell button[data-person="{person.id}"][data-date="{ward.start.isoformat()}"]')
    first.focus()
    page.keyboard.press("ArrowRight")
    assert (
        page.evaluate("document.activeElement.dataset.date") == (ward.start + timedelta(days=1)).isoformat()
    )
    page.keyboard.press("Enter")
    page.get_by_label("Shift").select_option(early.code)
    page.get_by_role("button", name="Save").click()

    # then the editor says which rule it breaks, and nothing was saved
    alert = page.locator("#cell-editor [role=alert]")
    alert.wait_for()
    assert "needs at least 11 h of rest between shifts" in alert.inner_text()
    page.screenshot(path=SCREENSHOTS / "roster-refused-edit.png")
    assert not RosterAssignment.objects.filter(roster=roster, date=ward.start + timedelta(days=1)).exists()


def test_dashboard_draws_every_chart_without_console_errors(page, live_server):
    # given a manager of a ward whose roster covers this week
    ward = planning_unit(name="Dash Ward", people=6)
    user_with_role("dash-manager", ward.unit, "manager")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    roster = RosterFactory(
        department=ward.unit,
        start_date=monday,
        end_date=monday + timedelta(days=13),
        status=Roster.Status.SOLVED,
    )
    for i, person in enumerate(ward.people):
        for day in range(0, 14, 2):
            RosterAssignmentFactory(
                roster=roster,
                person=person,
                date=monday + timedelta(days=day + i % 2),
                shift_type=ward.shift_types[i % 3],
            )
    series = DemandSeries.objects.create(department=ward.unit, metric="admissions")
    now = timezone.now()
    DemandObservation.objects.bulk_create(
        DemandObservation(series=series, timestamp=now - timedelta(days=d), value=10 + d % 7)
        for d in range(1, 40)
    )
    log_in(page, live_server, "dash-manager")

    # when the dashboard is opened
    page.goto(f"{live_server.url}/dashboard/")

    # then every chart has drawn marks, the page says when its figures are from, and nothing logged an error
    charts = page.locator("figure[data-chart]")
    assert charts.count() == 4  # fill rate, labour cost against budget, one role, one demand series
    for i in range(charts.count()):
        marks = charts.nth(i).locator("svg.chart path.series, svg.chart rect.bar")
        assert marks.count() > 0, charts.nth(i).inner_text()
    assert page.locator("table[data-chart=heatmap] tbody tr").count() == 6
    assert page.get_by_test_id("as-of").inner_text().startswith("As of")
    page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)

    # and the other read pages open cleanly too
    for path, name in (
        (f"/units/{ward.unit.id}/requirements/", "requirements"),
        ("/forecasts/", "forecasts"),
    ):
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert page.console_errors == []


def test_capacity_cell_saves_and_a_conflict_is_reported(page, live_server):
    # given a planner on the capacity grid of a ward
    ward = planning_unit(name="Cap Ward", people=3)
    user_with_role("cap-planner", ward.unit, "planner")
    log_in(page, live_server, "cap-planner")
    page.goto(f"{live_server.url}/capacity/?unit={ward.unit.id}")
    assignment = Assignment.objects.filter(person=ward.people[0]).get()
    row = page.locator(f'tr[data-assignment-id="{assignment.id}"]')
    cells = row.locator("input.hours")

    # when they change the first week's hours
    cells.nth(0).fill("24")
    cells.nth(0).press("Tab")

    # then it is saved through the bulk endpoint
    status = page.locator("[data-capacity-status]")
    status.filter(has_text="Saved").wait_for()
    assignment.refresh_from_db()
    assert assignment.version == 2 and 24 in [float(v) for v in assignment.weekly_hours.values()]

    # when someone else changes the row, and then they edit it again
    assignments_bulk_update_hours(
        items=[{"assignment_id": assignment.id, "weekly_hours": {}, "expected_version": 2}]
    )
    cells.nth(1).fill("30")
    cells.nth(1).press("Tab")

    # then the page says the row was changed by someone else, and their change is not overwritten
    status.filter(has_text="someone else changed").wait_for()
    assert "conflict" in (row.get_attribute("class") or "")
    assignment.refresh_from_db()
    assert assignment.version == 3
    page.screenshot(path=SCREENSHOTS / "capacity-conflict.png", full_page=True)
    assert [e for e in page.console_errors if "412" not in e] == []


def test_cancelling_a_queued_solve_stops_the_panel(page, live_server):
    # given a roster whose solve job is queued and which no worker will take
    ward = planning_unit(name="Queue Ward", people=4, assignments=False)
    planner = user_with_role("queue-planner", ward.unit.parent, "planner")
    job = Job.objects.create(kind="roster.solve", params={}, requested_by=planner, department_id=ward.unit.id)
    roster = RosterFactory(
        department=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=6),
        status=Roster.Status.SOLVING,
        job=job,
    )
    log_in(page, live_server, "queue-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    _first_tick(page)

    # when the planner cancels it from the progress panel
    page.get_by_role("button", name="Cancel").click()

    # then the page lands once on the roster, which says the solve was cancelled and polls no more
    page.get_by_test_id("last-job").filter(has_text="cancelled").wait_for()
    assert page.locator("[data-job-panel]").count() == 0
    assert page.get_by_test_id("roster-status").text_content() == "draft"
    assert page.get_by_role("button", name="Re-solve").count() == 1
    assert page.console_errors == []


def test_the_risk_rows_sit_under_the_roster_and_the_rule_weight_is_set_from_them(page, live_server):
    # given a roster of a unit with a forecast (4 carers for 20 residents on Monday, 5 for 24 on Tuesday)
    from scheduler.models import RuleWeights
    from scheduler.tests.risk_setup import roster_with_forecast

    roster = roster_with_forecast()
    user_with_role("risk-planner", roster.department, "planner")
    log_in(page, live_server, "risk-planner")
    # when the planner opens it, then each shift's chance of being short is under the grid
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    risk = page.locator("[data-roster-risk]")
    risk.wait_for()
    assert "Risk E" in risk.inner_text()
    assert page.get_by_test_id("expected-shortfall").inner_text() != ""
    page.screenshot(path=SCREENSHOTS / "roster-risk.png", full_page=True)
    # and the link beside them leads to the unit's rule weights, where the price of the risk is set
    risk.get_by_role("link", name="shortfall risk").click()
    page.get_by_label("Cover shortfall risk").fill("1500")
    page.get_by_role("button", name="Save rule weights").click()
    page.wait_for_selector("text=Rule weights saved")
    assert RuleWeights.objects.get(department=roster.department).cover_shortfall_risk == 1500
    assert page.console_errors == []
