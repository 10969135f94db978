"""The roster's views in a real browser (Playwright on Debian's Chromium, PostgreSQL): the timeline with a
night drawn across midnight, the per-person page, the people filter and highlight carried from view to
view, every page at 800 px without sideways page scrolling, the list a phone reads, and one printed week a
page. Screenshots go to var/screenshots/ (and SCREENSHOT_DIR when set)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from capacity.models import Leave
from capacity.tests.factories import LeaveFactory, PersonSkillFactory, RoleFactory, SkillTagFactory
from forecasting.models import DemandObservation, DemandSeries
from scheduler.models import ShiftRequest
from scheduler.tests.factories import RosterAssignmentFactory
from web.tests import test_browser as shared
from web.tests.builders import planning_unit, user_with_role
from web.tests.test_browser import SCREENSHOTS, log_in
from web.tests.test_pages import solved_roster

_browser_fixture, _page_fixture = shared.browser, shared.page

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
EXTRA_SCREENSHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / name, full_page=True)
    if EXTRA_SCREENSHOTS is not None:
        EXTRA_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=EXTRA_SCREENSHOTS / name, full_page=True)


def page_overflow(page) -> int:
    """How far the document is wider than the viewport (0 or less: no sideways page scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def wide_elements(page) -> list[str]:
    """The outermost elements reaching past the window's right edge, to name in a failure."""
    return page.evaluate(
        """() => {
          const past = e => e.getBoundingClientRect().right > window.innerWidth + 1;
          const name = e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right);
          return Array.from(document.querySelectorAll("body *"))
            .filter(e => past(e) && !past(e.parentElement))
            .slice(0, 5)
            .map(e => name(e) + " in " + name(e.parentElement));
        }"""
    )


def views_ward(name: str):
    """A two-week roster of 14 people: person 1 works nights (crossing midnight), person 0 has a penalty
    on day 0, sick leave and a refused off request; two charge nurses, one with a skill."""
    ward = planning_unit(name=name, people=14, assignments=False)
    roster = solved_roster(ward, days=14)
    night = ward.shift_types[2]
    second = ward.people[1]
    roster.assignments.filter(person=second).delete()
    for day in (0, 1, 2, 7, 8):
        RosterAssignmentFactory(
            roster=roster, person=second, date=ward.start + timedelta(days=day), shift_type=night
        )
    first = ward.people[0]
    LeaveFactory(
        person=first,
        start_date=ward.start + timedelta(days=4),
        end_date=ward.start + timedelta(days=5),
        kind=Leave.Kind.SICK,
    )
    ShiftRequest.objects.create(person=first, date=ward.start, kind=ShiftRequest.Kind.OFF, weight=3)
    charge = RoleFactory(name=f"{name} charge nurse")
    for person in ward.people[2:4]:
        person.role = charge
        person.save(update_fields=["role"])
    PersonSkillFactory(person=ward.people[3], skill=SkillTagFactory(name="Medication"))
    return ward, roster


def test_the_timeline_draws_a_night_across_midnight_and_opens_a_persons_page(page, live_server):
    # given a roster where person 1 works a night starting on the first day
    ward, roster = views_ward("Timeline Ward")
    user_with_role("timeline-planner", ward.unit, "planner")
    log_in(page, live_server, "timeline-planner")

    # when the timeline is opened from the grid's view switcher
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    page.get_by_test_id("view-switch").get_by_role("link", name="Timeline").click()
    page.wait_for_selector("[data-timeline]")
    assert "view=timeline" in page.url

    # then the night bar starts on day 0 at 21:30 and ends past the line of day 1's midnight on the axis
    second = ward.people[1]
    bar = page.locator(f'tr[data-person-row="{second.id}"] g.tl-bar.overnight').first
    assert bar.get_attribute("data-start") == f"{ward.start}T21:30"
    assert bar.get_attribute("data-end") == f"{ward.start + timedelta(days=1)}T07:30"
    bar_box = bar.locator("rect").bounding_box()
    next_day = page.locator(f'svg.tl-axis g.tl-day[data-day="{ward.start + timedelta(days=1)}"] rect')
    midnight_x = next_day.bounding_box()["x"]
    assert bar_box["x"] < midnight_x < bar_box["x"] + bar_box["width"]
    # an early is a shorter bar inside its day
    early = page.locator(f'tr[data-person-row="{ward.people[0].id}"] g.tl-bar[data-shift="E"]').first
    assert early.get_attribute("data-start").endswith("T07:00")
    shot(page, "timeline-1280.png")

    # when a person's name is followed
    page.locator(f'tr[data-person-row="{ward.people[0].id}"] th a').click()

    # then their page shows their weeks, their leave, the refused request and the penalty in words
    assert page.get_by_test_id("person-name").inner_text() == ward.people[0].name
    assert page.get_by_test_id("person-week").count() == 2
    assert "sick leave" in page.get_by_test_id("person-leave").inner_text()
    assert "not granted" in page.get_by_test_id("person-requests").inner_text()
    assert "Day-off requests not granted" in page.get_by_test_id("person-penalties").inner_text()
    shot(page, "person-1280.png")

    # and the way back returns to the timeline with this person highlighted
    page.get_by_test_id("back").click()
    page.wait_for_selector("[data-timeline]")
    highlighted = page.get_by_test_id("highlighted")
    assert highlighted.count() == 1
    assert highlighted.get_attribute("data-person-row") == str(ward.people[0].id)
    assert page.console_errors == []


def test_the_filter_and_highlight_carry_from_the_grid_to_the_other_views(page, live_server):
    # given a planner on the grid of a unit with two charge nurses
    ward, roster = views_ward("Filter Ward")
    user_with_role("filter-planner", ward.unit, "planner")
    log_in(page, live_server, "filter-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    assert page.locator("table.roster tbody tr[data-person-row]").count() == 14

    # when they filter by the charge nurse role, group by skill and highlight one of them
    bar = page.get_by_test_id("people-bar")
    bar.get_by_label("Role").select_option("Filter Ward charge nurse")
    bar.get_by_label("Group by").select_option("skill")
    bar.get_by_label("Highlight").select_option(label=ward.people[3].name)
    bar.get_by_role("button", name="Apply").click()
    page.wait_for_selector("[data-testid=highlighted]")

    # then the grid shows the two, in a group per skill set, with the one highlighted
    rows = page.locator("table.roster tbody tr[data-person-row]")
    assert rows.count() == 2
    assert page.get_by_test_id("people-count").inner_text() == "2 of 14 people"
    labels = page.locator("table.roster [data-testid=group-label]").all_inner_texts()
    assert [label.split(" (")[0] for label in labels] == ["Medication", "no skills recorded"]
    assert page.get_by_test_id("highlighted").get_attribute("data-person-row") == str(ward.people[3].id)
    shot(page, "grid-filtered-1280.png")

    # and switching to the timeline and the list keeps the filter and the highlight
    page.get_by_test_id("view-switch").get_by_role("link", name="Timeline").click()
    page.wait_for_selector("[data-timeline]")
    assert page.locator("table.timeline tbody tr[data-person-row]").count() == 2
    assert page.get_by_test_id("highlighted").get_attribute("data-person-row") == str(ward.people[3].id)
    page.get_by_test_id("view-switch").get_by_role("link", name="List by day").click()
    page.wait_for_selector("[data-testid=day-list]")
    names = set(page.locator("[data-testid=day-list] a.who").all_inner_texts())
    assert {n.strip() for n in names} <= {ward.people[2].name, ward.people[3].name}
    assert page.locator("a.who.highlighted").count() >= 1
    assert page.console_errors == []


def _every_page(live_server, ward, roster, series) -> list[tuple[str, str]]:
    unit = ward.unit.id
    base = live_server.url
    return [
        ("start", f"{base}/"),
        ("rosters", f"{base}/units/{unit}/rosters/"),
        ("grid", f"{base}/rosters/{roster.id}/"),
        ("timeline", f"{base}/rosters/{roster.id}/?view=timeline"),
        ("list", f"{base}/rosters/{roster.id}/?view=list"),
        ("person", f"{base}/rosters/{roster.id}/people/{ward.people[0].id}/"),
        ("requirements", f"{base}/units/{unit}/requirements/"),
        ("rule-weights", f"{base}/units/{unit}/rule-weights/"),
        ("demand-events", f"{base}/units/{unit}/demand-events/"),
        ("dashboard", f"{base}/dashboard/"),
        ("forecasts", f"{base}/forecasts/"),
        ("forecast", f"{base}/forecasts/{series.id}/"),
        ("capacity", f"{base}/capacity/?unit={unit}"),
    ]


def test_every_page_fits_800_px_without_sideways_page_scrolling(page, live_server):
    # given a planner of a unit with a two-week roster and a demand series
    ward, roster = views_ward("Narrow Ward")
    series = DemandSeries.objects.create(department=ward.unit, metric="admissions")
    DemandObservation.objects.bulk_create(
        DemandObservation(series=series, timestamp=roster.created_at - timedelta(days=d), value=10 + d % 7)
        for d in range(1, 40)
    )
    user_with_role("narrow-planner", ward.unit, "planner")
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(f"{live_server.url}/login/")
    assert page_overflow(page) <= 0, wide_elements(page)
    log_in(page, live_server, "narrow-planner")
    # when every page is opened at 800 px, then none is wider than the window (the grid and the timeline
    # scroll inside their own boxes)
    too_wide = {}
    for name, url in _every_page(live_server, ward, roster, series):
        page.goto(url)
        overflow = page_overflow(page)
        if overflow > 0:
            too_wide[name] = (overflow, wide_elements(page))
        if name in ("grid", "timeline", "list", "person"):
            shot(page, f"{name}-800.png")
    assert too_wide == {}
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    scroll = page.get_by_test_id("grid-scroll")
    assert scroll.evaluate("box => box.scrollWidth > box.clientWidth")  # the grid scrolls inside its box
    assert page.console_errors == []


def test_a_phone_reads_the_roster_as_a_list_by_day(page, live_server):
    # given a planner on a phone-wide screen, on the roster's grid
    ward, roster = views_ward("Phone Ward")
    user_with_role("phone-planner", ward.unit, "planner")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "phone-planner")
    page.goto(f"{live_server.url}/rosters/{roster.id}/")
    shot(page, "grid-phone.png")

    # when they follow the "Read as a list" link the phone layout offers
    link = page.get_by_role("link", name="Read as a list")
    assert link.is_visible()
    link.click()
    page.wait_for_selector("[data-testid=day-list]")

    # then each day is a card one column wide, naming who works which shift, and nothing scrolls sideways
    cards = page.locator("article.day-card")
    assert cards.count() == 14
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert second["y"] > first["y"] and abs(second["x"] - first["x"]) < 1
    assert ward.people[1].name in cards.nth(0).inner_text()
    assert page_overflow(page) <= 0
    shot(page, "list-phone.png")
    for name, url in (
        ("timeline-phone.png", f"{live_server.url}/rosters/{roster.id}/?view=timeline"),
        ("person-phone.png", f"{live_server.url}/rosters/{roster.id}/people/{ward.people[0].id}/"),
    ):
        page.goto(url)
        assert page_overflow(page) <= 0, name
        shot(page, name)
    assert page.console_errors == []


def test_printing_a_roster_gives_one_week_a_page(page, live_server):
    # given a two-week roster open in the grid
    ward, roster = views_ward("Print Ward")
    user_with_role("print-planner", ward.unit, "planner")
    log_in(page, live_server, "print-planner")
    for url in (f"/rosters/{roster.id}/", f"/rosters/{roster.id}/?view=timeline"):
        page.goto(f"{live_server.url}{url}")
        # when it is printed
        page.emulate_media(media="print")
        # then the screen views and the navigation are gone, and each week is a table on a page of its own
        assert not page.locator("header.topbar").is_visible()
        assert not page.get_by_test_id("people-bar").is_visible()
        weeks = page.locator("section.print-week")
        assert weeks.count() == 2 and weeks.nth(0).is_visible()
        assert weeks.nth(0).evaluate("w => getComputedStyle(w).breakAfter") == "page"
        assert weeks.nth(0).locator("tbody tr").count() == 14
        assert weeks.nth(0).locator("thead th").count() == 8  # the person and seven days
        page.emulate_media(media="screen")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", landscape=True)
    if EXTRA_SCREENSHOTS is not None:
        (EXTRA_SCREENSHOTS / "print-timeline.pdf").write_bytes(pdf)
    shot(page, "print-1280.png")
    # and the printed document has exactly those two pages
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 2
