"""The scenario page without a browser: who sees what, refusals in plain words, and a query count that does
not grow with the number of people or scenarios."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduler.models import RosterScenario
from scheduler.services.scenarios import scenario_create, scenario_solve_run
from scheduler.tests.scenario_setup import scenario_ward, solved_roster
from web.tests.builders import user_with_role

pytestmark = pytest.mark.django_db


def _solved_scenarios(roster, count: int) -> None:
    for i in range(count):
        scenario = scenario_create(roster=roster, changes={"cover_scale": 1 + i / 10}, time_limit=2)
        assert scenario_solve_run(job_id=scenario.job_id) == "succeeded"


def test_a_viewer_reads_the_comparison_but_cannot_try_or_adopt(client):
    ward = scenario_ward(name="Viewer What-if")
    roster = solved_roster(ward)
    _solved_scenarios(roster, 1)
    client.force_login(user_with_role("whatif-viewer", ward.unit, "viewer"))
    response = client.get(reverse("roster-scenarios", args=[roster.id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="scenario-comparison"' in body and "cover × 1" in body
    assert 'data-testid="scenario-form"' not in body and "data-adopt" not in body
    assert client.post(reverse("roster-scenarios", args=[roster.id]), {"cover_scale": "2"}).status_code == 403
    assert not RosterScenario.objects.filter(changes__cover_scale=2).exists()


def test_a_refused_scenario_says_why_and_records_nothing(client):
    ward = scenario_ward(name="Refused What-if")
    roster = solved_roster(ward)
    client.force_login(user_with_role("whatif-refused", ward.unit, "planner"))
    url = reverse("roster-scenarios", args=[roster.id])
    response = client.post(url, {"hire_count": "0", "time_limit": "5"}, follow=True)
    assert "A scenario changes at least one input" in response.content.decode()
    response = client.post(url, {"cover_scale": "40", "hire_count": "0", "time_limit": "5"}, follow=True)
    assert "Check the scenario: cover_scale" in response.content.decode()
    assert not RosterScenario.objects.exists()


@pytest.mark.parametrize(("people", "scenarios"), [(4, 1), (9, 3)])
def test_the_comparison_page_queries_do_not_grow_with_people_or_scenarios(client, people, scenarios):
    # given a roster of 4 or 9 people with 1 or 3 solved scenarios, and a planner who opened a page before
    ward = scenario_ward(name=f"Size {people} What-if", people=people)
    roster = solved_roster(ward)
    _solved_scenarios(roster, scenarios)
    client.force_login(user_with_role(f"whatif-size-{people}", ward.unit, "planner"))
    client.get("/")
    # when the comparison is opened, then the query count is the same whatever the sizes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roster-scenarios", args=[roster.id]))
    assert response.status_code == 200
    assert len(queries) == SCENARIO_PAGE_QUERIES, [q["sql"][:80] for q in queries]


# session, user, roster, access, the base's problem (people, contracts, cover, leave, requests, locks,
# rates, budgets, weights, history...), its cells twice (figures, differences), the scenarios with their
# jobs, the running job, the names in the changes, the unit's people for the form, the units in view
SCENARIO_PAGE_QUERIES = 29


def test_a_scenario_cancelled_before_it_ran_says_so(client):
    from ops.jobs import job_request_cancel

    ward = scenario_ward(name="Cancelled What-if")
    roster = solved_roster(ward)
    scenario = scenario_create(roster=roster, changes={"cover_scale": 2}, time_limit=2)
    job_request_cancel(job_id=scenario.job_id)
    client.force_login(user_with_role("whatif-cancel", ward.unit, "planner"))
    body = client.get(reverse("roster-scenarios", args=[roster.id])).content.decode()
    assert "not solved (job cancelled)" in body and "data-adopt" not in body
