"""A unit's rule weights through the API (set, read back, bad input, scoping); a roster's risk per shift."""

from datetime import date

import pytest

from api.testing import api_client, make_user
from scheduler.models import RuleWeights
from scheduler.rule_weights import solver_weights
from scheduler.tests.factories import RosterFactory
from scheduler.tests.risk_setup import roster_with_forecast

pytestmark = pytest.mark.django_db
DEFAULTS = {
    "fairness_nights": 0,
    "fairness_weekends": 0,
    "fairness_minutes": 0,
    "cover_shortfall_risk": 0,
    "labour_budget_over": 0,
}


@pytest.fixture
def ward():
    return roster_with_forecast()


@pytest.fixture
def planner(org):
    return api_client(make_user("planner", [org["a"]]))


def _url(unit):
    return f"/api/units/{unit.pk}/rule-weights"


def test_rule_weights_default_to_off_and_a_put_sets_some_of_them(org, planner):
    assert {k: v for k, v in planner.get(_url(org["a"])).json().items() if k != "updated_at"} == DEFAULTS
    response = planner.put(
        _url(org["a"]), {"cover_shortfall_risk": 2000, "fairness_nights": 3}, format="json"
    )
    assert response.status_code == 200, response.json()
    again = planner.put(_url(org["a"]), {"fairness_nights": 5}, format="json").json()
    assert {k: v for k, v in again.items() if k != "updated_at"} == {
        **DEFAULTS,
        "cover_shortfall_risk": 2000,
        "fairness_nights": 5,
    }
    # and the next solve of the unit takes them
    weights = solver_weights(unit=org["a"], change=7)
    assert (weights.cover_shortfall_risk, weights.fairness_nights, weights.change) == (2000, 5, 7)


@pytest.mark.parametrize(
    "body", [{"cover_shortfall_risk": -1}, {"fairness_minutes": 10**9}, {"fairness_nights": "many"}]
)
def test_a_bad_weight_is_refused_with_the_error_contract(org, planner, body):
    response = planner.put(_url(org["a"]), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}
    assert not RuleWeights.objects.exists()


def test_rule_weights_are_scoped_and_need_a_planning_role(org, planner):
    assert planner.get(_url(org["b"])).status_code == 404
    assert planner.put(_url(org["b"]), {"fairness_nights": 1}, format="json").status_code == 404
    viewer = api_client(make_user("viewer", [org["a"]]))
    assert viewer.get(_url(org["a"])).status_code == 200
    assert viewer.put(_url(org["a"]), {"fairness_nights": 1}, format="json").status_code == 403
    site_planner = api_client(make_user("planner", [org["site"]]))
    assert site_planner.put(_url(org["site"]), {"fairness_nights": 1}, format="json").status_code == 400
    assert not RuleWeights.objects.exists()


def test_a_rosters_risk_names_each_shift_and_is_scoped(ward):
    reader = api_client(make_user("viewer", [ward.department]))
    response = reader.get(f"/api/rosters/{ward.pk}/risk")
    assert response.status_code == 200
    body = response.json()
    assert body["samples"] == 2000 and body["message"] == ""
    assert [(s["date"], s["shift"], s["assigned"]) for s in body["shifts"]] == [
        ("2025-03-03", "E", 4),
        ("2025-03-04", "E", 5),
    ]
    assert body["shifts"][0]["probability_short"] == pytest.approx(0.5, abs=0.03)
    assert body["expected_shortfall"] == pytest.approx(sum(s["expected_shortfall"] for s in body["shifts"]))
    # revalidation answers 304 while neither the roster nor the forecast moved
    etag = response["ETag"]
    assert reader.get(f"/api/rosters/{ward.pk}/risk", HTTP_IF_NONE_MATCH=etag).status_code == 304
    stranger = api_client(make_user("viewer", [RosterFactory(start_date=date(2025, 3, 3)).department]))
    assert stranger.get(f"/api/rosters/{ward.pk}/risk").status_code == 404
