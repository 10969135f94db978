import pytest

from api.testing import api_client, make_user
from capacity.tests.factories import PersonFactory, RoleFactory
from scheduler.models import PayRate

pytestmark = pytest.mark.django_db


def test_a_planner_sets_a_persons_rates_and_an_overlap_answers_409(org):
    # given a planner of unit A and a nurse there
    client = api_client(make_user("planner", [org["a"]]))
    nurse = PersonFactory(department=org["a"])
    # when a rate is set, then another overlapping it
    first = client.post(
        "/api/pay-rates",
        {"person": nurse.pk, "valid_from": "2025-01-01", "valid_to": "2025-06-30", "hourly_rate": "21.50"},
        format="json",
    )
    overlap = client.post(
        "/api/pay-rates", {"person": nurse.pk, "valid_from": "2025-06-01", "hourly_rate": "23"}, format="json"
    )
    # then the first is stored with default multipliers and the second refused, naming the first
    assert first.status_code == 201, first.json()
    assert first.json()["overtime_multiplier"] == "1.50"
    assert overlap.status_code == 409
    assert overlap.json()["extra"]["overlaps"][0]["id"] == first.json()["id"]
    # and closing the gap works through PATCH
    moved = client.patch(f"/api/pay-rates/{first.json()['id']}", {"valid_to": "2025-05-31"}, format="json")
    assert moved.status_code == 200
    assert (
        client.post(
            "/api/pay-rates",
            {"person": nurse.pk, "valid_from": "2025-06-01", "hourly_rate": "23"},
            format="json",
        ).status_code
        == 201
    )


def test_rates_of_other_units_are_hidden_and_role_rates_need_an_admin(org):
    planner = api_client(make_user("planner", [org["a"]]))
    elsewhere = PersonFactory(department=org["b"])
    PayRate.objects.create(person=elsewhere, valid_from="2025-01-01", hourly_rate=20)
    role = RoleFactory(name="Nurse")
    PayRate.objects.create(role=role, valid_from="2025-01-01", valid_to="2025-12-31", hourly_rate=18)
    # a planner sees the role's rate but not unit B's person's, and may not write role rates
    listed = planner.get("/api/pay-rates").json()["results"]
    assert [(r["person"], r["role"]) for r in listed] == [(None, role.pk)]
    body = {"role": role.pk, "valid_from": "2026-01-01", "hourly_rate": "19"}
    assert planner.post("/api/pay-rates", body, format="json").status_code == 403
    assert (
        planner.post(
            "/api/pay-rates",
            {"person": elsewhere.pk, "valid_from": "2026-01-01", "hourly_rate": "1"},
            format="json",
        ).status_code
        == 400
    )  # not a person this planner may name
    admin = api_client(make_user("admin", [org["root"]]))
    assert admin.post("/api/pay-rates", body, format="json").status_code == 201
