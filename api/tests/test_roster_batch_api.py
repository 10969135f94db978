"""POST /api/rosters/batch: validation in the error contract, scoping, and what a started batch holds."""

from datetime import date

import pytest

from api.testing import api_client, make_user
from capacity.models import Department
from capacity.tests.factories import DepartmentFactory, PersonFactory
from ops.models import Job
from scheduler.models import Roster

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)


def _post(client, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=False):
        return client.post("/api/rosters/batch", body, format="json")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"department": None, "start": "2025-03-03", "weeks": 2}, "department"),
        ({"department": "x", "start": "2025-03-03", "weeks": 2}, "department"),
        ({"start": "2025-13-03", "weeks": 2}, "start"),
        ({"start": "1800-01-01", "weeks": 2}, "start"),
        ({"start": "2025-03-03", "weeks": 0}, "weeks"),
        ({"start": "2025-03-03", "weeks": 13}, "weeks"),
        ({"start": "2025-03-03"}, "weeks"),
        ({"start": "2025-03-03", "weeks": 2, "engine": "magic"}, "engine"),
        ({"start": "2025-03-03", "weeks": 2, "time_limit": 10**6}, "time_limit"),
    ],
)
def test_bad_bodies_answer_400_in_the_error_contract(org, body, field, django_capture_on_commit_callbacks):
    client = api_client(make_user("planner", [org["root"]]))
    body = {k: v for k, v in {"department": org["root"].pk, **body}.items() if v is not None}
    response = _post(client, django_capture_on_commit_callbacks, **body)
    assert response.status_code == 400, response.content
    payload = response.json()
    assert set(payload) == {"message", "extra"}
    assert field in str(payload["extra"])
    assert not Job.objects.exists()
    assert not Roster.objects.exists()


def test_a_department_without_units_answers_400_and_creates_nothing(org, django_capture_on_commit_callbacks):
    empty = DepartmentFactory(name="Empty site", kind=Department.Kind.SITE, parent=org["root"])
    client = api_client(make_user("planner", [org["root"]]))
    response = _post(
        client, django_capture_on_commit_callbacks, department=empty.pk, start="2025-03-03", weeks=2
    )
    assert response.status_code == 400
    assert response.json()["extra"] == {"fields": {"department": empty.pk}}
    assert not Job.objects.exists()


def test_a_department_out_of_scope_is_404_and_a_viewer_is_403(org, django_capture_on_commit_callbacks):
    only_a = api_client(make_user("planner", [org["a"]]))
    response = _post(
        only_a, django_capture_on_commit_callbacks, department=org["root"].pk, start="2025-03-03", weeks=1
    )
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}
    viewer = api_client(make_user("viewer", [org["root"]]))
    response = _post(
        viewer, django_capture_on_commit_callbacks, department=org["root"].pk, start="2025-03-03", weeks=1
    )
    assert response.status_code == 403
    assert set(response.json()) == {"message", "extra"}
    assert not Job.objects.exists()


def test_a_batch_makes_a_roster_and_a_linked_job_per_unit_and_chains_units_that_share_people(
    org, django_capture_on_commit_callbacks
):
    # given a third unit elsewhere, and someone of unit A who may also be rostered in unit B
    other_site = DepartmentFactory(name="Site 2", kind=Department.Kind.SITE, parent=org["root"])
    unit_c = DepartmentFactory(name="Unit C", kind=Department.Kind.UNIT, parent=other_site)
    floater = PersonFactory(department=org["a"])
    floater.other_units.add(org["b"])
    client = api_client(make_user("planner", [org["root"]]))

    # when the organisation is planned
    response = _post(
        client, django_capture_on_commit_callbacks, department=org["root"].pk, start="2025-03-03", weeks=2
    )

    # then every unit has a solving roster of two weeks with its own job under one parent
    assert response.status_code == 202, response.content
    body = response.json()
    parent = Job.objects.get(id=body["job"])
    assert parent.kind == "roster.batch"
    assert parent.status == Job.Status.RUNNING
    assert parent.result["units_done"] == 0 and parent.result["units_total"] == 3
    assert {u["unit"] for u in body["units"]} == {org["a"].pk, org["b"].pk, unit_c.pk}
    for row in body["units"]:
        roster = Roster.objects.get(id=row["roster"])
        assert roster.status == Roster.Status.SOLVING
        assert (roster.start_date, roster.end_date) == (MONDAY, date(2025, 3, 16))
        assert roster.job_id == row["job"]
        assert Job.objects.get(id=row["job"]).parent_id == parent.id
    # and A and B, sharing the floater, are one chain; C runs beside it
    assert sorted(body["chains"]) == sorted([[org["a"].pk, org["b"].pk], [unit_c.pk]])
    child = api_client(make_user("planner", [org["a"]])).get(f"/api/jobs/{body['units'][0]['job']}")
    assert child.json()["parent"] == parent.id


def test_a_unit_already_solving_those_dates_refuses_the_whole_batch(org, django_capture_on_commit_callbacks):
    client = api_client(make_user("planner", [org["root"]]))
    first = _post(
        client, django_capture_on_commit_callbacks, department=org["a"].pk, start="2025-03-03", weeks=1
    )
    assert first.status_code == 202
    again = _post(
        client, django_capture_on_commit_callbacks, department=org["root"].pk, start="2025-03-03", weeks=1
    )
    assert again.status_code == 409
    assert [row["unit"] for row in again.json()["extra"]["solving"]] == [org["a"].pk]
    assert Roster.objects.count() == 1
