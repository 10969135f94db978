"""The roster's other views through Django's test client: the timeline (real start and end, nights across
midnight), the list by day, the per-person page (weeks, hours against contract, requests, leave and the
penalties that fall on the person), the people filter on every view, access, and query counts that do not
grow with the number of people."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape

from capacity.models import Leave
from capacity.tests.factories import LeaveFactory, PersonSkillFactory, RoleFactory, SkillTagFactory
from scheduler.models import ShiftRequest
from scheduler.tests.factories import RosterAssignmentFactory, WorkRulesFactory
from web.tests.builders import planning_unit, user_with_role
from web.tests.test_pages import solved_roster
from web.views.roster_timeline import DAY_PX

pytestmark = pytest.mark.django_db

# the grid's reads (session, access, roster, grid facts, cover) without its costs, fairness, diff, risk and
# history
TIMELINE_QUERIES = 17
LIST_QUERIES = TIMELINE_QUERIES
PERSON_QUERIES = 22  # and the wage bill and fairness counts, which the person page shows


def _url(roster, **query) -> str:
    return reverse("roster-detail", args=[roster.id]) + ("?" + urlencode(query) if query else "")


def test_the_timeline_draws_each_shift_at_its_real_times_and_a_night_across_midnight(client, ward, planner):
    # given a roster where the first person works an early on day 0 and a night on day 1
    roster = solved_roster(ward, days=7)
    first = ward.people[0]
    roster.assignments.filter(person=first).delete()
    early, _late, night = ward.shift_types
    RosterAssignmentFactory(roster=roster, person=first, date=ward.start, shift_type=early)
    RosterAssignmentFactory(
        roster=roster, person=first, date=ward.start + timedelta(days=1), shift_type=night
    )
    client.force_login(planner)
    # when the timeline is opened
    response = client.get(_url(roster, view="timeline"))
    html = response.content.decode()
    # then the early runs 07:00-15:00 and the night 21:30 to 07:30 the next day, drawn past midnight
    assert response.status_code == 200
    row = html.split(f'data-person-row="{first.id}"')[1].split("</tr>")[0]
    day1, day2 = ward.start + timedelta(days=1), ward.start + timedelta(days=2)
    assert f'data-start="{ward.start}T07:00" data-end="{ward.start}T15:00"' in row
    assert f'data-start="{day1}T21:30" data-end="{day2}T07:30"' in row
    night_bar = re.search(
        r'class="tl-bar[^"]*overnight[^"]*".*?<rect x="([\d.]+)" y="\d+" width="([\d.]+)"', row
    )
    x, width = float(night_bar.group(1)), float(night_bar.group(2))
    midnight = 2 * DAY_PX  # the start of day 2 on the axis
    assert x < midnight < x + width


def test_the_list_by_day_names_who_works_each_shift(client, ward, planner):
    # given a solved week where person 0 works an early on the first day
    roster = solved_roster(ward, days=7)
    client.force_login(planner)
    # when the list view is opened
    html = client.get(_url(roster, view="list")).content.decode()
    # then the first day lists person 0 under the early, with its times, linking to their page
    first_day = html.split(f'data-day="{ward.start}"')[1].split("</article>")[0]
    early_block = first_day.split("Early")[1].split("</div>")[0]
    assert "07:00–15:00" in early_block
    assert ward.people[0].name in early_block
    assert reverse("roster-person", args=[roster.id, ward.people[0].id]) in early_block
    # and the night says it ends the next day
    assert "21:30–07:30 (next day)" in first_day


def test_the_person_page_shows_weeks_hours_requests_leave_and_their_penalties(client, ward, planner):
    # given a two-week roster; person 0 has a penalty on day 0, sick leave on day 5 and an off request
    roster = solved_roster(ward, days=14)
    first = ward.people[0]
    LeaveFactory(
        person=first,
        start_date=ward.start + timedelta(days=5),
        end_date=ward.start + timedelta(days=5),
        kind=Leave.Kind.SICK,
    )
    ShiftRequest.objects.create(
        person=first, date=ward.start, kind=ShiftRequest.Kind.OFF, weight=3, shift_type=None
    )
    client.force_login(planner)
    # when their page is opened
    response = client.get(reverse("roster-person", args=[roster.id, first.id]))
    html = response.content.decode()
    # then it has two weeks with hours against the contract's 37.5 h a week
    assert response.status_code == 200
    assert html.count('data-testid="person-week"') == 2
    worked = roster.assignments.filter(person=first, date__lt=ward.start + timedelta(days=7)).count()
    paid_hours = worked * ward.shift_types[0].paid_minutes / 60
    assert f"{paid_hours:g} h</strong> of 37.5 contracted" in html
    # the off request on a day they work is not granted, the sick day is listed
    assert "asked to be off, weight 3" in html and "not granted" in html
    assert "sick leave" in html.split('data-testid="person-leave"')[1]
    # and the roster's penalty on them is shown in words with its unit
    penalties = html.split('data-testid="person-penalties"')[1].split("</table>")[0]
    assert "Day-off requests not granted" in penalties and "3 <small>points</small>" in penalties


def test_the_person_page_refuses_other_units_people_and_users_without_access(
    client, ward, other_ward, planner
):
    roster = solved_roster(ward)
    client.force_login(planner)
    # someone of another unit is not in this roster
    assert client.get(reverse("roster-person", args=[roster.id, other_ward.people[0].id])).status_code == 404
    # and a user without a grant on the unit does not learn the roster exists
    outsider = user_with_role("elsewhere", other_ward.unit, "planner")
    client.force_login(outsider)
    assert client.get(reverse("roster-person", args=[roster.id, ward.people[0].id])).status_code == 404
    assert client.get(_url(roster, view="timeline")).status_code == 404


def _ward_with_two_roles(ward):
    """Person 0 and 1 become charge nurses on a part-time contract, person 1 with a medication skill."""
    charge = RoleFactory(name="Charge nurse")
    part_time = WorkRulesFactory(name="Part time", contract_minutes_per_week=1200)
    for person in ward.people[:2]:
        person.role = charge
        person.save(update_fields=["role"])
        person.contract.work_rules = part_time
        person.contract.save(update_fields=["work_rules"])
    PersonSkillFactory(person=ward.people[1], skill=SkillTagFactory(name="Medication"))


@pytest.mark.parametrize("view", ["", "timeline", "list"])
def test_every_view_filters_groups_and_highlights_people(client, ward, planner, view):
    # given a roster whose unit has two charge nurses on a part-time contract
    roster = solved_roster(ward)
    _ward_with_two_roles(ward)
    client.force_login(planner)
    first, second, third = ward.people[:3]
    query = {"view": view} if view else {}
    # when filtered by role, then only the two charge nurses are shown, and their links keep the filter
    html = client.get(_url(roster, role="Charge nurse", **query)).content.decode()
    people_part = html.split('data-testid="people-bar"')[1].split('data-testid="print-weeks"')[0]
    assert first.name in people_part and second.name in people_part
    assert third.name not in people_part.split("</form>")[1]
    assert "2 of 14 people" in html
    person_link = (
        reverse("roster-person", args=[roster.id, first.id])
        + "?"
        + urlencode({**query, "role": "Charge nurse"})
    )
    assert escape(person_link) in html
    # when filtered by skill, only the person holding it
    html = client.get(_url(roster, skill="Medication", **query)).content.decode()
    assert "1 of 14 people" in html
    # when filtered by contract and by part of a name
    assert "2 of 14 people" in client.get(_url(roster, contract="Part time", **query)).content.decode()
    assert "1 of 14 people" in client.get(_url(roster, name="PERSON 02", **query)).content.decode()
    # when grouped by contract, the group labels appear in order, and one person is highlighted
    html = client.get(_url(roster, group="contract", highlight=str(second.id), **query)).content.decode()
    labels = re.findall(r'data-testid="group-label">([^<]+) <small>', html)
    groups = sorted(["Part time", f"{ward.unit.name} contract"])
    if view == "list":  # per day and shift, each group that works it
        assert set(labels) == set(groups)
    else:
        assert labels == groups
    if view == "list":  # the highlighted person is marked on every day they work, nobody else is
        marked = re.findall(r'<a href="([^"?]+)[^"]*" class="who highlighted', html)
        assert marked and set(marked) == {reverse("roster-person", args=[roster.id, second.id])}
        assert len(marked) == roster.assignments.filter(person=second).count()
    else:
        assert html.count('data-testid="highlighted"') == 1


def test_the_view_switcher_keeps_the_filter(client, ward, planner):
    roster = solved_roster(ward)
    client.force_login(planner)
    html = client.get(_url(roster, role="x", sort="role")).content.decode()
    switch = html.split('data-testid="view-switch"')[1].split("</nav>")[0]
    assert 'href="?view=timeline&amp;role=x&amp;sort=role"' in switch
    assert 'href="?view=list&amp;role=x&amp;sort=role"' in switch


def test_sorting_by_hours_puts_the_furthest_from_contract_first(client, ward, planner):
    # given a week where person 5 works nothing (37.5 h under contract; everyone else works 2 or 3 shifts)
    roster = solved_roster(ward, days=7)
    idle = ward.people[5]
    roster.assignments.filter(person=idle).delete()
    client.force_login(planner)
    # when sorted by hours against contract, then they come first, and by name they do not
    html = client.get(_url(roster, view="timeline", sort="hours")).content.decode()
    assert int(re.search(r'data-person-row="(\d+)"', html).group(1)) == idle.id
    html = client.get(_url(roster, view="timeline")).content.decode()
    assert int(re.search(r'data-person-row="(\d+)"', html).group(1)) == ward.people[0].id


def test_unknown_filter_values_fall_back_and_never_fail(client, ward, planner):
    roster = solved_roster(ward)
    client.force_login(planner)
    response = client.get(
        _url(roster, view="timeline", sort="nope", group="<x>", highlight="abc", role="none")
    )
    assert response.status_code == 200
    assert "Nobody matches the filter." in response.content.decode()


def test_the_print_weeks_cut_the_roster_into_weeks(client, ward, planner):
    roster = solved_roster(ward, days=14)
    client.force_login(planner)
    for query in ({}, {"view": "timeline"}, {"view": "list"}):
        html = client.get(_url(roster, **query)).content.decode()
        assert html.count('<section class="print-week">') == 2


@pytest.mark.parametrize("people", [3, 12])
@pytest.mark.parametrize(
    ("kind", "expected"),
    [("timeline", TIMELINE_QUERIES), ("list", LIST_QUERIES), ("person", PERSON_QUERIES)],
)
def test_roster_view_queries_do_not_grow_with_people(
    client, django_assert_num_queries, people, kind, expected
):
    # given a solved roster of a unit of 3 or 12 people, some with skills, and a cached access
    ward = planning_unit(name=f"Views {people} Ward", people=people, assignments=False)
    for person in ward.people[::2]:
        PersonSkillFactory(person=person)
    user = user_with_role(f"views-{people}", ward.unit, "planner")
    roster = solved_roster(ward, days=14)
    client.force_login(user)
    client.get("/")
    url = (
        reverse("roster-person", args=[roster.id, ward.people[0].id])
        if kind == "person"
        else _url(roster, view=kind, group="skill", sort="role")
    )
    # when the view is opened, then the query count is the same whatever the size
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
