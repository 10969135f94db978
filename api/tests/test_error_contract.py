"""One error contract: {"message", "extra"}; 413 naming the limit; 400 for unknown query parameters."""

from __future__ import annotations

import logging

import pytest

from api.testing import api_client, make_user
from capacity.catalogue import PEOPLE_BULK_MAX_ROWS
from capacity.models import Person
from capacity.tests.factories import PersonFactory, RoleFactory


@pytest.fixture
def planner(org):
    return api_client(make_user("planner", departments=[org["a"]]))


def _person_row(org, n, **extra):
    role = RoleFactory(name="Nurse")
    return {
        "department": org["a"].pk,
        "role": role.pk,
        "name": f"Bulk {n}",
        "email": f"bulk{n}@example.test",
        "hire_date": "2024-01-01",
        **extra,
    }


@pytest.mark.django_db
def test_field_errors_come_in_the_contract(planner):
    response = planner.post("/api/people", {"name": ""}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"message", "extra"}
    assert {"department", "role", "email", "name"} <= set(body["extra"]["fields"])


@pytest.mark.django_db
def test_an_unknown_query_parameter_answers_400(planner):
    response = planner.get("/api/people", {"departmnet": 1})
    assert response.status_code == 400
    assert response.json()["extra"]["unknown"] == ["departmnet"]


@pytest.mark.django_db
def test_a_page_above_the_cap_answers_413_naming_the_limit(planner):
    response = planner.get("/api/people", {"page_size": 501})
    assert response.status_code == 413
    assert response.json()["extra"]["limit"] == 500


@pytest.mark.django_db
def test_a_bulk_load_above_the_limit_answers_413(planner, org):
    rows = [_person_row(org, 0)] * (PEOPLE_BULK_MAX_ROWS + 1)
    response = planner.post("/api/people/bulk", {"rows": rows}, format="json")
    assert response.status_code == 413
    assert response.json()["extra"]["limit"] == PEOPLE_BULK_MAX_ROWS


@pytest.mark.django_db
def test_a_bulk_load_is_all_or_nothing(planner, org):
    # given: the third row repeats the first one's email
    rows = [_person_row(org, 1), _person_row(org, 2), _person_row(org, 1)]

    # when
    refused = planner.post("/api/people/bulk", {"rows": rows}, format="json")
    accepted = planner.post("/api/people/bulk", {"rows": rows[:2]}, format="json")

    # then
    assert refused.status_code == 400
    assert accepted.status_code == 201
    assert Person.objects.filter(name__startswith="Bulk").count() == 2


@pytest.mark.django_db
def test_a_bulk_row_for_another_department_is_refused_whole(planner, org):
    rows = [_person_row(org, 1), _person_row(org, 2, department=org["b"].pk)]
    response = planner.post("/api/people/bulk", {"rows": rows}, format="json")
    assert response.status_code == 400
    assert not Person.objects.filter(name__startswith="Bulk").exists()


@pytest.mark.django_db
def test_a_duplicate_answers_400_with_the_field_not_500(planner, org):
    existing = PersonFactory(department=org["a"])
    response = planner.post("/api/people", _person_row(org, 9, email=existing.email), format="json")
    assert response.status_code == 400
    assert "email" in response.json()["extra"]["fields"]


@pytest.mark.django_db
def test_deleting_what_is_still_in_use_answers_409(org):
    client = api_client(make_user("admin", departments=[org["root"]]))
    PersonFactory(department=org["a"])
    response = client.delete(f"/api/departments/{org['a'].pk}")
    assert response.status_code == 409
    assert response.json()["extra"]["protected_by"] == ["Person"]


@pytest.mark.django_db
def test_one_log_line_per_request_with_duration_and_user_id_only(planner, caplog):
    # when
    with caplog.at_level(logging.INFO, logger="crewplan.requests"):
        planner.get("/api/people")

    # then
    lines = [r.getMessage() for r in caplog.records if r.name == "crewplan.requests"]
    assert len(lines) == 1
    assert "duration_ms=" in lines[0] and "method=GET" in lines[0] and "status=200" in lines[0]
    assert "user_id=" in lines[0] and "user1" not in lines[0]


@pytest.mark.django_db
def test_large_json_is_gzipped(org, client):
    # given
    for _ in range(60):
        PersonFactory(department=org["a"])
    user = make_user("viewer", departments=[org["a"]])
    client.force_login(user)

    # when
    response = client.get("/api/people", {"page_size": 60}, HTTP_ACCEPT_ENCODING="gzip")

    # then
    assert response.headers["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_capabilities_list_features_and_limits(planner):
    body = planner.get("/api/capabilities").json()
    assert body["features"]["api_keys"] is True
    assert body["limits"]["people_bulk_max_rows"] == PEOPLE_BULK_MAX_ROWS
    assert "solve" in body["throttle_rates"]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"department": "abc"}, {"active": "maybe"}, {"page": "x"}])
def test_a_malformed_filter_answers_400_not_500(planner, params):
    response = planner.get("/api/people", params)
    assert response.status_code in (400, 404)
    assert set(response.json()) == {"message", "extra"}
