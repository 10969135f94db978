"""The open-shifts page: shifts below cover with ranked candidates, a one-click assign through the edit
service (refusals in plain words), the dashboard's link, and a query count fixed whatever the size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from capacity.tests.factories import LeaveFactory
from ops import cache as ops_cache
from scheduler.models import Roster, RosterAssignment, RosterEdit
from scheduler.open_shifts import open_shifts
from scheduler.tests.factories import RosterAssignmentFactory, RosterFactory
from web.tests.builders import planning_unit, user_with_role

pytestmark = pytest.mark.django_db


def _roster(ward, *, days=7, status=Roster.Status.SOLVED) -> Roster:
    """A roster where person i works the early shift on days where (i + day) % 3 == 0: late and night
    shifts are all open (minimum 1, preferred 3), early is below preferred on some days."""
    roster = RosterFactory(
        department=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=days - 1),
        status=status,
        statistics={"status": "optimal"},
    )
    early = ward.shift_types[0]
    for i, person in enumerate(ward.people):
        for day in range(days):
            if (i + day) % 3 == 0:
                RosterAssignmentFactory(
                    roster=roster, person=person, date=ward.start + timedelta(days=day), shift_type=early
                )
    return roster


@pytest.fixture
def ward(db):
    return planning_unit(name="Gap Ward", people=6, assignments=False)


@pytest.fixture
def planner(ward):
    return user_with_role("gap-planner", ward.unit, "planner")


def test_open_shifts_lists_every_shift_below_cover_with_ranked_candidates(ward):
    # given a roster where nobody works late or night
    roster = _roster(ward)
    # when the unit's open shifts are read
    [entry] = open_shifts(unit=ward.unit, today=timezone.localdate())
    # then every late and night shift of the week is below its minimum
    assert entry["roster"] == roster
    rows = {(r["date"], r["shift"]): r for r in entry["open_shifts"]}
    for day in range(7):
        on = ward.start + timedelta(days=day)
        assert rows[(on, "L")]["below"] == "minimum" and rows[(on, "L")]["missing"] == 3
        assert rows[(on, "N")]["below"] == "minimum"
    # and the early shift, covered by 2 people of 3 preferred, is below preferred
    early = rows[(ward.start, "E")]
    assert (early["assigned"], early["below"], early["missing"]) == (2, "preferred", 1)
    # and the candidates are people off that day, the cheapest first among those within contract
    late = rows[(ward.start, "L")]
    working = {p.id for i, p in enumerate(ward.people) if i % 3 == 0}
    ids = [c["person"] for c in late["candidates"]]
    assert ids and not working & set(ids)
    assert [c["cost"] for c in late["candidates"]] == sorted(c["cost"] for c in late["candidates"])


def test_someone_on_leave_is_no_candidate(ward):
    roster = _roster(ward)
    away = ward.people[1]
    LeaveFactory(person=away, start_date=ward.start, end_date=ward.start)
    [entry] = open_shifts(unit=ward.unit, today=timezone.localdate())
    late = next(r for r in entry["open_shifts"] if r["date"] == ward.start and r["shift"] == "L")
    assert away.id not in [c["person"] for c in late["candidates"]]
    assert entry["roster"] == roster


def test_a_planner_assigns_an_open_shift_through_the_edit_service(client, ward, planner):
    # given the open-shifts page of the unit
    roster = _roster(ward)
    client.force_login(planner)
    html = client.get(reverse("unit-open-shifts", args=[ward.unit.id])).content.decode()
    assert f'data-open-shift="{ward.start.isoformat()}/L"' in html
    person = ward.people[1]
    # when the planner assigns a candidate to the first late shift
    response = client.post(
        reverse("unit-open-shift-assign", args=[ward.unit.id]),
        {
            "roster": roster.id,
            "person": person.id,
            "date": ward.start.isoformat(),
            "shift": "L",
            "revision": roster.revision,
        },
        follow=True,
    )
    # then the cell holds the shift as a lock, the edit is in the history, and the page says so
    cell = RosterAssignment.objects.get(roster=roster, person=person, date=ward.start)
    assert cell.shift_type.code == "L" and cell.pinned
    assert RosterEdit.objects.filter(roster=roster, action=RosterEdit.Action.SET).count() == 1
    assert "Assigned L on" in response.content.decode()


def test_an_assign_that_breaks_a_hard_rule_is_refused_in_plain_words(client, ward, planner):
    # given a person who works the late shift on the first day
    roster = _roster(ward)
    person = ward.people[1]
    RosterAssignmentFactory(roster=roster, person=person, date=ward.start, shift_type=ward.shift_types[1])
    RosterAssignment.objects.filter(
        roster=roster, person=person, date=ward.start + timedelta(days=1)
    ).delete()
    client.force_login(planner)
    # when the early shift of the next morning is assigned to them (9 h of rest; the contract needs 11)
    response = client.post(
        reverse("unit-open-shift-assign", args=[ward.unit.id]),
        {
            "roster": roster.id,
            "person": person.id,
            "date": (ward.start + timedelta(days=1)).isoformat(),
            "shift": "E",
        },
        follow=True,
    )
    # then it is refused with the rule in words, and nothing changed
    assert "Not assigned:" in response.content.decode()
    assert "needs at least 11 h of rest between shifts" in response.content.decode()
    assert not RosterAssignment.objects.filter(
        roster=roster, person=person, date=ward.start + timedelta(days=1)
    ).exists()


def test_a_published_roster_is_listed_but_not_assigned(client, ward, planner):
    roster = _roster(ward, status=Roster.Status.PUBLISHED)
    client.force_login(planner)
    html = client.get(reverse("unit-open-shifts", args=[ward.unit.id])).content.decode()
    assert "make a new version</a> to assign" in html
    response = client.post(
        reverse("unit-open-shift-assign", args=[ward.unit.id]),
        {"roster": roster.id, "person": ward.people[1].id, "date": ward.start.isoformat(), "shift": "L"},
        follow=True,
    )
    assert "A published roster cannot be edited" in response.content.decode()


def test_a_viewer_reads_but_cannot_assign(client, ward):
    roster = _roster(ward)
    viewer = user_with_role("gap-viewer", ward.unit, "viewer")
    client.force_login(viewer)
    html = client.get(reverse("unit-open-shifts", args=[ward.unit.id])).content.decode()
    assert "data-open-shift" in html
    assert reverse("unit-open-shift-assign", args=[ward.unit.id]) not in html
    response = client.post(
        reverse("unit-open-shift-assign", args=[ward.unit.id]),
        {"roster": roster.id, "person": ward.people[1].id, "date": ward.start.isoformat(), "shift": "L"},
    )
    assert response.status_code == 403


def test_the_dashboard_links_its_open_shift_count_to_the_page(client, ward):
    _roster(ward, status=Roster.Status.PUBLISHED)
    manager = user_with_role("gap-manager", ward.unit, "manager")
    client.force_login(manager)
    ops_cache.bump("roster", "capacity", "forecast")
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("unit-open-shifts", args=[ward.unit.id])}" data-open-link' in html


# session, user, the units in view, the unit, the rosters in the window, and per roster the problem's reads
# (shift types, people with skills, contracts, projects, pay rates, cover, leave, requests, locks, history)
# and its cells, then the session write that remembers the unit
OPEN_SHIFTS_QUERIES = 26


@pytest.mark.parametrize("people", [3, 12])
def test_open_shifts_queries_do_not_grow_with_people(client, django_assert_num_queries, people):
    ward = planning_unit(name=f"Open {people} Ward", people=people, assignments=False)
    user = user_with_role(f"open-{people}", ward.unit, "planner")
    _roster(ward)
    client.force_login(user)
    client.get("/")
    with django_assert_num_queries(OPEN_SHIFTS_QUERIES):
        response = client.get(reverse("unit-open-shifts", args=[ward.unit.id]))
    assert response.status_code == 200


def test_the_page_shows_two_weeks_at_a_time(client, ward, planner):
    # given a one-week roster from next Monday
    _roster(ward)
    client.force_login(planner)
    url = reverse("unit-open-shifts", args=[ward.unit.id])
    # when the planner pages two weeks past it, then no roster runs there
    later = (ward.start + timedelta(days=14)).isoformat()
    html = client.get(f"{url}?from={later}").content.decode()
    assert "No roster of this unit runs in these two weeks" in html and "Two weeks earlier" in html
    # and a window in the past, or a date that is not one, starts today
    for value in ["2000-01-01", "soon"]:
        html = client.get(f"{url}?from={value}").content.decode()
        assert f'data-open-shift="{ward.start.isoformat()}/L"' in html and "Two weeks earlier" not in html
