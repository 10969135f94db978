"""The pages through Django's test client: scoping by department and role, the roster writes, and the
query counts of the grid and the dashboard (fixed whatever the number of people)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from capacity.models import Assignment
from forecasting.tests.factories import DemandSeriesFactory, current_daily_forecast
from ops import cache as ops_cache
from scheduler.models import Roster, RosterAssignment
from scheduler.tests.factories import RosterAssignmentFactory, RosterFactory
from web.tests.builders import planning_unit, user_with_role

pytestmark = pytest.mark.django_db


def solved_roster(ward, *, days: int = 7) -> Roster:
    roster = RosterFactory(
        department=ward.unit,
        start_date=ward.start,
        end_date=ward.start + timedelta(days=days - 1),
        status=Roster.Status.SOLVED,
        engine="cpsat",
        objective=10.0,
        statistics={
            "status": "optimal",
            "penalties_by_rule": {"shift_off_requests": 3},
            "penalties": [
                {
                    "rule": "shift_off_requests",
                    "amount": 3,
                    "person": ward.people[0].id,
                    "date": ward.start.isoformat(),
                    "shift": "E",
                    "detail": "",
                }
            ],
            "violations": [],
            "shortfalls": [],
        },
    )
    early = ward.shift_types[0]
    for i, person in enumerate(ward.people):
        for day in range(days):
            if (i + day) % 3 == 0:
                RosterAssignmentFactory(
                    roster=roster, person=person, date=ward.start + timedelta(days=day), shift_type=early
                )
    return roster


def test_navigation_shows_only_the_users_units(client, ward, other_ward, planner):
    # given a planner of Ash Ward's site only
    client.force_login(planner)
    # when they open the start page
    html = client.get("/").content.decode()
    # then Ash Ward is offered and Elm Ward is not, and Elm Ward's pages do not exist for them
    assert "Ash Ward" in html
    assert "Elm Ward" not in html
    assert client.get(reverse("roster-list", args=[other_ward.unit.id])).status_code == 404
    assert client.get(reverse("requirements", args=[other_ward.unit.id])).status_code == 404


def test_a_viewer_reads_but_cannot_generate(client, ward, viewer):
    # given a viewer of Ash Ward
    client.force_login(viewer)
    # when they open the rosters and try to start one anyway
    page = client.get(reverse("roster-list", args=[ward.unit.id])).content.decode()
    response = client.post(
        reverse("roster-new"),
        {
            "unit": ward.unit.id,
            "start": ward.start.isoformat(),
            "weeks": 1,
            "engine": "auto",
            "time_limit": 3,
        },
    )
    # then there is no form for them, and nothing was started
    assert "Generate roster" not in page
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Roster.objects.exists()


def test_new_roster_starts_a_solve_and_shows_its_progress_panel(
    client, ward, planner, django_capture_on_commit_callbacks
):
    # given a planner on the start page, whose unit is preselected
    client.force_login(planner)
    assert f'value="{ward.unit.id}" selected' in client.get("/").content.decode()
    # when they generate a two-week roster
    with (
        mock.patch("scheduler.tasks.roster_solve.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("roster-new"),
            {
                "unit": ward.unit.id,
                "start": ward.start.isoformat(),
                "weeks": 2,
                "engine": "cpsat",
                "time_limit": 3,
            },
        )
    # then a solving roster exists, its job was sent, and its page polls the job
    roster = Roster.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rosters/{roster.id}/"
    assert roster.status == Roster.Status.SOLVING
    assert roster.end_date == ward.start + timedelta(days=13)
    send.assert_called_once()
    html = client.get(response["Location"]).content.decode()
    assert f'data-job-id="{roster.job_id}"' in html


def test_grid_marks_penalties_and_cover(client, ward, planner):
    # given a solved roster with a soft penalty on the first person's first day
    roster = solved_roster(ward)
    client.force_login(planner)
    # when the grid is opened
    html = client.get(reverse("roster-detail", args=[roster.id])).content.decode()
    # then the cell names its rule, the cover rows compare assigned against required, and links exist
    assert "Penalty: Day-off requests not granted (3 points)" in html
    assert "assigned/required" in html
    assert reverse("roster-csv", args=[roster.id]) in html
    assert reverse("roster-ical", args=[roster.id, ward.people[0].id]) in html


def test_a_cell_that_breaks_a_hard_rule_is_refused_with_the_rule(client, ward, planner):
    # given a solved roster where the first person works a late shift on day 2
    roster = solved_roster(ward)
    person = ward.people[1]
    day = ward.start + timedelta(days=1)
    client.force_login(planner)
    late, early = ward.shift_types[1], ward.shift_types[0]
    RosterAssignment.objects.filter(
        roster=roster, person=person, date__in=[day, day + timedelta(days=1)]
    ).delete()
    ok = client.post(
        reverse("roster-cell", args=[roster.id]),
        {"person": person.id, "date": day.isoformat(), "shift": late.code, "revision": roster.revision},
    )
    assert ok.status_code == 204
    # when an early shift is put the next morning (9 hours of rest, the contract needs 11)
    refused = client.post(
        reverse("roster-cell", args=[roster.id]),
        {"person": person.id, "date": (day + timedelta(days=1)).isoformat(), "shift": early.code},
    )
    # then it is refused with the rule's name, and nothing changed
    assert refused.status_code == 422
    body = refused.json()
    assert "needs at least 11 h of rest between shifts" in body["message"]
    assert body["extra"]["violations"][0]["rule"] == "min_rest_between_shifts"
    assert not RosterAssignment.objects.filter(
        roster=roster, person=person, date=day + timedelta(days=1)
    ).exists()


def test_pin_then_publish(client, ward, planner):
    # given a solved roster
    roster = solved_roster(ward)
    person, day = ward.people[0], ward.start
    client.force_login(planner)
    # when the planner pins the first person's first day and publishes
    pinned = client.post(
        reverse("roster-cell", args=[roster.id]),
        {
            "person": person.id,
            "date": day.isoformat(),
            "shift": "E",
            "pinned": "1",
            "revision": roster.revision,
        },
    )
    roster.refresh_from_db()
    published = client.post(reverse("roster-publish", args=[roster.id]), {"revision": roster.revision})
    # then the cell is pinned, the roster published, and editing it is no longer offered
    assert pinned.status_code == 204
    assert RosterAssignment.objects.get(roster=roster, person=person, date=day).pinned
    assert published.status_code == 302
    roster.refresh_from_db()
    assert roster.status == Roster.Status.PUBLISHED
    html = client.get(reverse("roster-detail", args=[roster.id])).content.decode()
    assert "data-editable" not in html and "Make a new version" in html


def test_a_planner_deletes_a_solved_roster_and_a_viewer_cannot(client, ward, planner, viewer):
    # given a solved roster with an assignment, offered for deletion on its page
    roster = solved_roster(ward)
    assert RosterAssignment.objects.filter(roster=roster).exists()
    client.force_login(planner)
    page = client.get(reverse("roster-detail", args=[roster.id])).content.decode()
    # when a viewer tries first, then the planner deletes it
    client.force_login(viewer)
    refused = client.post(reverse("roster-delete", args=[roster.id]), {"revision": roster.revision})
    kept = Roster.objects.filter(pk=roster.pk).exists()
    client.force_login(planner)
    deleted = client.post(reverse("roster-delete", args=[roster.id]), {"revision": roster.revision})
    # then only the planner's request removes the roster and its rows, landing on the unit's roster list
    assert reverse("roster-delete", args=[roster.id]) in page
    assert refused.status_code in (403, 404) and kept
    assert deleted.status_code == 302 and deleted["Location"] == reverse("roster-list", args=[ward.unit.id])
    assert not Roster.objects.filter(pk=roster.pk).exists()
    assert not RosterAssignment.objects.filter(roster_id=roster.pk).exists()


def test_requirements_save_manual_numbers(client, ward, planner):
    # given the requirements page of the ward's first planning week
    client.force_login(planner)
    url = reverse("requirements", args=[ward.unit.id])
    early = ward.shift_types[0]
    name = f"{ward.start.isoformat()}_{early.id}"
    # when the planner enters a manual minimum of 4 and preferred of 5 for Monday's early shift
    response = client.post(url, {"week": ward.start.isoformat(), f"min_{name}": "4", f"pref_{name}": "5"})
    # then a manual requirement exists beside the forecast-free one, and the page shows it
    assert response.status_code == 302
    row = ward.unit.cover_requirements.get(date=ward.start, shift_type=early, source="manual")
    assert (row.minimum, row.preferred) == (4, 5)
    assert (
        f'id="min_{name}" name="min_{name}" type="number" min="0" inputmode="numeric" size="2" value="4"'
        in (client.get(f"{url}?week={ward.start.isoformat()}").content.decode())
    )


def test_capacity_grid_carries_each_rows_etag(client, ward, planner):
    # given assignments with weekly hours
    client.force_login(planner)
    # when the capacity grid is opened
    html = client.get(reverse("capacity") + f"?unit={ward.unit.id}").content.decode()
    # then every assignment row carries its ETag for the bulk endpoint
    for assignment in Assignment.objects.filter(person__department=ward.unit):
        assert (
            f'data-assignment-id="{assignment.id}" data-etag="&quot;assignment-{assignment.id}-v1&quot;"'
            in html
        )


@pytest.mark.parametrize("people", [3, 12])
def test_roster_grid_queries_do_not_grow_with_people(client, django_assert_num_queries, people):
    # given a solved roster of a unit of 3 or 12 people, and a planner whose access is already cached
    ward = planning_unit(name=f"Size {people} Ward", people=people, assignments=False)
    user = user_with_role(f"size-{people}", ward.unit, "planner")
    roster = solved_roster(ward, days=14)
    client.force_login(user)
    client.get("/")
    # when the grid is opened, then the query count is the same whatever the size
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(reverse("roster-detail", args=[roster.id]))
    assert response.status_code == 200


@pytest.mark.parametrize("people", [3, 12])
def test_dashboard_queries_do_not_grow_with_people(client, django_assert_num_queries, people):
    # given a unit of 3 or 12 people with a solved roster, and a cold dashboard cache
    ward = planning_unit(name=f"Dash {people} Ward", people=people)
    user = user_with_role(f"dash-{people}", ward.unit, "manager")
    solved_roster(ward, days=14)
    client.force_login(user)
    client.get("/")
    ops_cache.bump("roster", "capacity", "forecast")
    # when the dashboard is computed, then the query count is the same whatever the size
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    # and a second read comes from the cache with only the page's own queries
    with django_assert_num_queries(DASHBOARD_CACHED_QUERIES):
        client.get(reverse("dashboard"))


# session, user, roster, the selectors' reads (grid, hours and cost with its pay rates, fairness, cover), the
# units in view, and the session write that remembers the unit in view
# the grid (people, cells, leave, requests, locks, skills, contracts), cover, hours, fairness, the edit
# history, other versions, the user's override permission, and the unit's demand series for the risk rows
GRID_QUERIES = 28
# the dashboard's reads, with the pay rates of the roster's cost and the rostered hours in utilisation (2),
# and the labour-variance report's (scheduler.labour_variance: two on PostgreSQL, seven elsewhere)
DASHBOARD_QUERIES = 20 + (2 if connection.vendor == "postgresql" else 7)
DASHBOARD_CACHED_QUERIES = 4  # session, user, the units in view, the unit in view


def test_unit_switch_keeps_the_section_and_refuses_other_units(client, ward, other_ward, planner):
    # given a planner on the requirements page
    client.force_login(planner)
    # when they switch the unit in view from the header
    moved = client.get(reverse("unit-switch"), {"unit": ward.unit.id, "section": "requirements"})
    refused = client.get(reverse("unit-switch"), {"unit": other_ward.unit.id, "section": "requirements"})
    # then they land on the same section of that unit, and a unit outside their grants does not exist
    assert moved.status_code == 302 and moved["Location"] == reverse("requirements", args=[ward.unit.id])
    assert refused.status_code == 404


def test_compare_engines_starts_one_job_per_engine(client, ward, planner, django_capture_on_commit_callbacks):
    # given a solved roster
    roster = solved_roster(ward)
    client.force_login(planner)
    # when the planner compares the engines
    with (
        mock.patch("scheduler.tasks.roster_solve.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("roster-compare", args=[roster.id]), {"engine": "auto", "time_limit": 3}
        )
    # then one job per engine was sent and the page polls both
    assert send.call_count == 2
    html = client.get(response["Location"]).content.decode()
    assert html.count("data-compare-job=") == 2


def test_utilisation_counts_rostered_shift_hours_beside_project_hours(client):
    # given people on no project, rostered next week: the first on three 7.5-hour shifts, the others on two
    ward = planning_unit(name="Util Ward", people=3, assignments=False)
    user = user_with_role("util-manager", ward.unit, "manager")
    solved_roster(ward, days=7)
    client.force_login(user)
    # when the dashboard is opened
    html = client.get(reverse("dashboard")).content.decode()
    # then next week's utilisation is their shift hours against 37.5 hours of capacity, not 0 %
    heatmap = html[html.index('data-chart="heatmap"') :]
    rows = {
        name: heatmap[heatmap.index(name) :].split("</tr>", 1)[0] for name in (p.name for p in ward.people)
    }
    next_week_cells = {name: row.split("<td")[2] for name, row in rows.items()}
    assert ">60<" in next_week_cells[ward.people[0].name]
    assert ">40<" in next_week_cells[ward.people[1].name]


def test_the_roster_page_shows_the_risk_of_each_shift_beside_the_cover(client):
    # given a roster of a unit with a forecast: 4 carers for 20 residents on Monday, 5 for 24 on Tuesday
    from scheduler.shift_risk import roster_shift_risk
    from scheduler.tests.risk_setup import roster_with_forecast

    roster = roster_with_forecast()
    client.force_login(user_with_role("risk-viewer", roster.department, "viewer"))
    # when the page opens, then the risk rows give each shift's chance of being short and its shortfall
    html = client.get(reverse("roster-detail", args=[roster.id])).content.decode()
    assert "data-roster-risk" in html and "Risk E" in html
    monday = roster_shift_risk(roster=roster)["shifts"][0]
    assert f"short on {round(100 * monday['probability_short'])}% of paths" in html
    assert 40 <= round(100 * monday["probability_short"]) <= 60
    assert 'data-testid="expected-shortfall"' in html


def test_a_roster_without_a_forecast_says_why_there_is_no_risk(client, ward, viewer):
    roster = solved_roster(ward)
    client.force_login(viewer)
    html = client.get(reverse("roster-detail", args=[roster.id])).content.decode()
    assert "No risk to show: the unit has no demand series with a staffing conversion." in html


def test_a_planner_sets_the_units_rule_weights_and_a_viewer_cannot(client, ward, planner, viewer):
    from scheduler.models import RuleWeights

    url = reverse("rule-weights", args=[ward.unit.id])
    client.force_login(planner)
    assert "Cover shortfall risk" in client.get(url).content.decode()
    body = {"fairness_nights": 2, "fairness_weekends": 0, "fairness_minutes": 0, "cover_shortfall_risk": 1500}
    assert client.post(url, body).status_code == 302
    assert RuleWeights.objects.get(department=ward.unit).cover_shortfall_risk == 1500
    bad = client.post(url, {**body, "cover_shortfall_risk": -5})
    assert bad.status_code == 200 and RuleWeights.objects.get().cover_shortfall_risk == 1500
    client.force_login(viewer)
    assert client.post(url, body).status_code == 403


def test_a_planner_adds_and_removes_a_demand_event(client, ward, planner):
    from forecasting.models import DemandEvent

    url = reverse("demand-events", args=[ward.unit.id])
    client.force_login(planner)
    added = client.post(url, {"name": "Flu season", "start_date": "2025-12-01", "end_date": "2026-02-28"})
    assert added.status_code == 302
    event = DemandEvent.objects.get(department=ward.unit)
    assert "Flu season" in client.get(url).content.decode()
    refused = client.post(url, {"name": "Closed", "start_date": "2025-12-10", "end_date": "2025-12-01"})
    assert refused.status_code == 200 and DemandEvent.objects.count() == 1
    assert "ends on or after its start" in refused.content.decode()
    assert client.post(reverse("demand-event-remove", args=[ward.unit.id, event.id])).status_code == 302
    assert not DemandEvent.objects.exists()


def test_requirements_fill_from_forecast_on_a_service_level(client, ward, planner):
    # given the ward's forecast of N(20, 5) residents each day of its first week, one carer per 5 on earlies
    series = DemandSeriesFactory(department=ward.unit, staffing={"method": "ratio", "per_staff": {"E": 5}})
    current_daily_forecast(series, ward.start, [20.0] * 8, sigma=5.0)
    client.force_login(planner)
    url = reverse("requirements-fill", args=[ward.unit.id])
    early = ward.shift_types[0]

    # when the planner fills the week at a 90% service level, then each early needs 6 carers (the mean 4)
    client.post(url, {"week": ward.start.isoformat(), "service_level": "90"})
    minima = set(ward.unit.cover_requirements.filter(source="forecast").values_list("minimum", flat=True))
    assert minima == {6}
    assert ward.unit.cover_requirements.filter(source="forecast", shift_type=early).count() == 7

    # and a level of 100% or more is refused in words, leaving the rows as they were
    page = client.post(url, {"week": ward.start.isoformat(), "service_level": "100"}, follow=True)
    assert "is not a percentage above 0 and below 100" in page.content.decode()
    kept = ward.unit.cover_requirements.filter(source="forecast").values_list("minimum", flat=True)
    assert set(kept) == {6}
