"""Budgets and labour cost in a real browser: the budget page saves and shows rostered cost against the
budget; the dashboard names the unit in view, charts budget, rostered and actual cost with the table
beside it, labels weeks with dates, and draws no chart text smaller than 11 px."""

from __future__ import annotations

import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from capacity.budgets import labour_budget_set
from capacity.models import LabourBudget
from ops.models import AuditEntry
from scheduler.models import Roster, TimesheetEntry
from scheduler.tests.factories import RosterAssignmentFactory, RosterFactory
from web.tests.builders import planning_unit, user_with_role
from web.tests.test_browser import SCREENSHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WEEK_LABEL = re.compile(r"^\d{1,2} [A-Z][a-z]{2}")  # "3 Mar"


def _monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def _worked_ward(name: str):
    """A ward rostered last week and this week (early shifts), with last week's actuals and budgets."""
    ward = planning_unit(name=name, people=4, assignments=False)
    monday = _monday()
    roster = RosterFactory(
        department=ward.unit,
        start_date=monday - timedelta(weeks=1),
        end_date=monday + timedelta(days=6),
        status=Roster.Status.PUBLISHED,
    )
    early = ward.shift_types[0]
    for person in ward.people:
        for day in range(0, 14, 2):
            date = monday - timedelta(weeks=1) + timedelta(days=day)
            RosterAssignmentFactory(roster=roster, person=person, date=date, shift_type=early)
            if date < monday:
                TimesheetEntry.objects.create(
                    department=ward.unit,
                    person=person,
                    date=date,
                    start=time(7),
                    end=time(15, 30),
                    break_minutes=30,
                    worked_minutes=480,
                    shift_type=early,
                )
    for week in (monday - timedelta(weeks=1), monday):
        labour_budget_set(unit=ward.unit, week=week, hours=Decimal(100), cost=Decimal(1500))
    return ward


def _smallest_chart_text_px(page, selector: str) -> float:
    # the text's font size times the scale the SVG is drawn at: what a reader sees, in CSS pixels
    return page.eval_on_selector_all(
        f"{selector} svg.chart text",
        """texts => Math.min(...texts.map(t => {
            const size = parseFloat(getComputedStyle(t).fontSize);
            return size * t.ownerSVGElement.getScreenCTM().a;
        }))""",
    )


def test_the_dashboard_charts_budget_against_rostered_and_actual_cost_for_the_unit_in_view(page, live_server):
    # given a manager of a ward with budgets, a roster and last week's actuals
    ward = _worked_ward("Budget Ward")
    user_with_role("cost-manager", ward.unit, "manager")
    log_in(page, live_server, "cost-manager")

    # when they open the dashboard with that unit in view
    page.goto(f"{live_server.url}/dashboard/?unit={ward.unit.id}")

    # then the page says which unit it shows
    assert "Budget Ward" in page.locator("h1").inner_text()
    section = page.get_by_test_id("variance")
    assert "Budget Ward" in section.locator("h2").inner_text()
    # and the chart draws budget, rostered and actual lines, with the table of weeks beside it
    assert section.locator("svg.chart path.series").count() == 3
    rows = section.get_by_test_id("variance-table").locator("tbody tr")
    assert rows.count() == 8
    last_week = rows.nth(3)
    cells = last_week.locator("td")
    assert cells.nth(0).inner_text() == "1500.00"  # the budget
    assert float(cells.nth(2).inner_text()) > 0  # actual cost of the week worked
    # and weeks are labelled with dates, in the table, on the chart's axis and in the heatmap
    assert WEEK_LABEL.match(last_week.locator("th").inner_text())
    ticks = section.locator("svg.chart text.tick").all_text_contents()
    assert any(WEEK_LABEL.match(t) for t in ticks)
    assert all(
        WEEK_LABEL.match(t) for t in page.locator("table[data-chart=heatmap] thead th").all_inner_texts()[1:]
    )
    # and no chart's text is drawn smaller than 11 px, on a wide screen or a narrow one
    assert _smallest_chart_text_px(page, "figure[data-chart]") >= 11
    page.set_viewport_size({"width": 700, "height": 900})
    assert _smallest_chart_text_px(page, "figure[data-chart]") >= 11
    assert page.console_errors == []
    page.screenshot(path=SCREENSHOTS / "dashboard-labour-cost.png", full_page=True)


def test_a_planner_sets_budgets_on_the_budget_page_and_sees_the_roster_against_them(page, live_server):
    # given a planner of the worked ward
    ward = _worked_ward("Plan Ward")
    user_with_role("budget-planner", ward.unit, "planner")
    log_in(page, live_server, "budget-planner")
    monday = _monday()

    # when they open its budget page and lower this week's budget
    page.goto(f"{live_server.url}/units/{ward.unit.id}/budgets/")
    grid = page.get_by_test_id("budget-grid")
    assert grid.locator("tbody tr").count() == 12
    page.get_by_label(f"{monday.day} {monday:%b} budget hours").fill("40")
    page.get_by_label(f"{monday.day} {monday:%b} budget cost").fill("500")
    page.get_by_role("button", name="Save budgets").click()

    # then the budget is saved, audited, and the roster's cost stands against it
    page.wait_for_url(re.compile(r"/budgets/\?week="))
    assert "Saved 1 week" in page.locator("body").inner_text()
    budget = LabourBudget.objects.get(department=ward.unit, week_start=monday)
    assert (budget.hours, budget.cost) == (Decimal(40), Decimal(500))
    assert AuditEntry.objects.filter(action="labour_budget_set", object_id=str(budget.pk)).exists()
    over = float(page.get_by_test_id(f"over-{monday.isoformat()}").inner_text())
    assert over > 0  # four people on early shifts cost more than 500

    # and when they set one budget for all twelve weeks
    page.get_by_label("Hours", exact=True).fill("120")
    page.get_by_label("Cost", exact=True).fill("2000")
    page.get_by_role("button", name="Set for all 12 weeks").click()
    page.wait_for_url(re.compile(r"/budgets/\?week="))
    assert LabourBudget.objects.filter(department=ward.unit, cost=Decimal(2000)).count() == 12
    assert page.console_errors == []
    page.screenshot(path=SCREENSHOTS / "budgets.png", full_page=True)
