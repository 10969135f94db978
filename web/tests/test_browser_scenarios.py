"""The what-if scenario page in a real browser (Playwright on Debian's Chromium) with a real Celery worker
solving the scenario: try one from the form, read it beside the roster, adopt it."""

from __future__ import annotations

import pytest

from scheduler.models import Roster, RosterAssignment, RosterScenario
from scheduler.tests.scenario_setup import scenario_ward, solved_roster
from web.tests.builders import user_with_role
from web.tests.test_browser import SCREENSHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _cells(roster):
    return sorted(
        RosterAssignment.objects.filter(roster=roster).values_list("person_id", "date", "shift_type_id")
    )


@pytest.mark.celery_worker
def test_try_compare_and_adopt_a_scenario(page, live_server, celery_worker_process):
    # given a planner of a ward (fixed dates) with a solved roster
    ward = scenario_ward(name="Browser What-if")
    roster = solved_roster(ward)
    before = (_cells(roster), roster.revision)
    user_with_role("whatif-planner", ward.unit.parent, "planner")
    log_in(page, live_server, "whatif-planner")

    # when they open the roster's scenarios from its page: none yet
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    page.get_by_test_id("scenarios-link").click()
    page.get_by_test_id("no-scenarios").wait_for()

    # and try one: a person left out, cover 1.5 times, a budget of 100 hours a week that costs to pass
    page.get_by_label("Browser What-if 00").check()
    page.get_by_label("Cover levels times").fill("1.5")
    page.get_by_label("Budget hours a week").fill("100")
    page.get_by_label("Weight of going over budget").fill("3")
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Try it").click()

    # then the job panel follows the solve and the page comes back with the scenario beside the roster
    table = page.get_by_test_id("scenario-comparison")
    table.wait_for(timeout=90_000)
    page.locator('[data-row="people"] td').nth(1).filter(has_text="5").wait_for(timeout=90_000)
    page.screenshot(path=SCREENSHOTS / "roster-scenarios.png", full_page=True)
    people = page.locator('[data-row="people"] td')
    assert [people.nth(0).inner_text(), people.nth(1).inner_text()] == ["6", "5"]
    assert page.locator('[data-row="weeks"] td').nth(1).inner_text().count("/ 100") == 2
    assert page.locator('[data-row="rule:labour_budget_over"] th').inner_text() == "Over the labour budget"
    assert int(page.locator('[data-row="rule:labour_budget_over"] td').nth(1).inner_text()) > 0
    differ = int(page.locator('[data-row="differences"] td').nth(1).inner_text())
    assert differ > 0
    page.locator("[data-differences] summary").click()
    assert page.locator("[data-differences] tbody tr").count() == differ
    # and the roster itself is as it was
    roster.refresh_from_db()
    assert (_cells(roster), roster.revision) == before

    # when they adopt the scenario, confirming the dialog
    scenario = RosterScenario.objects.get(base=roster)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'[data-adopt="{scenario.id}"]').click()

    # then the roster page shows the roster's next revision, holding the scenario's cells
    page.wait_for_url(f"{live_server.url}/rosters/{roster.id}/")
    page.wait_for_selector("[data-roster-grid]")
    roster = Roster.objects.get(pk=roster.pk)
    assert roster.revision == before[1] + 1
    held = {
        (str(p), d.isoformat(), s)
        for p, d, s in RosterAssignment.objects.filter(roster=roster).values_list(
            "person_id", "date", "shift_type__code"
        )
    }
    assert held == {tuple(c) for c in RosterScenario.objects.get(pk=scenario.pk).result["cells"]}
    assert page.console_errors == []
