"""Bad input answers 4xx in the error contract and writes nothing, wherever it enters: NUL bytes in filters,
dates at the calendar's ends (one planning window, 1900..2200, for serializers, forms and uploads), deep
JSON nesting, bodies and CSV fields over their limits, and duplicate rows (409 naming the field, with no
database text)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from api.testing import api_client, make_user
from capacity.tests.factories import AssignmentFactory, PersonFactory, RoleFactory
from forecasting.models import DemandObservation
from forecasting.tests.factories import DemandSeriesFactory
from scheduler.models import Roster
from scheduler.tests.factories import WorkRulesFactory
from web.tests.builders import planning_unit, user_with_role

pytestmark = pytest.mark.django_db


def _contract(response, status: int | tuple = (400,)) -> dict:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"message", "extra"}
    return body


@pytest.fixture
def admin_client(org):
    return api_client(make_user("admin", departments=[org["root"]]))


@pytest.mark.parametrize(
    "url",
    [
        "/api/rosters?status=%00",
        "/api/access-grants?role=%00",
        "/api/cover-requirements?source=%00",
        "/api/projects?status=%00",
        "/api/leave?status=%00",
        "/api/leave?kind=a%00b",
        "/api/shift-requests?kind=%00",
        "/api/people?na%00me=x",
    ],
)
def test_a_nul_byte_in_a_filter_is_refused(admin_client, url):
    body = _contract(admin_client.get(url))
    assert "NUL" in body["message"]


REPORT_DATE_PARAMETER = {
    "role-capacity": "start",
    "heatmap": "start",
    "grid-snapshot": "start",
    "project-availability": "week",
    "skill-match": "week",
    "find-available": "week",
}


@pytest.mark.parametrize("report", sorted(REPORT_DATE_PARAMETER))
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_report_dates_outside_the_planning_window_are_refused(admin_client, report, day):
    response = admin_client.get(f"/api/reports/{report}", {REPORT_DATE_PARAMETER[report]: day})
    assert "planning window" in str(_contract(response))


@pytest.mark.parametrize("week", ["9999-12-27", "9999-12-31", "0001-01-01"])
def test_a_bulk_hours_week_at_the_calendar_end_is_refused(org, week):
    admin_client = api_client(make_user(is_superuser=True))
    assignment = AssignmentFactory(person=PersonFactory(department=org["a"]))
    etag = admin_client.get(f"/api/assignments/{assignment.id}")["ETag"]
    response = admin_client.patch(
        "/api/assignments/bulk-update-hours",
        [{"assignmentId": assignment.id, "weeklyHours": {week: 10}, "etag": etag}],
        format="json",
    )
    assert "planning window" in str(_contract(response))


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "1899-12-31"])
def test_observation_timestamps_outside_the_window_are_refused_as_json_and_csv(org, stamp):
    series = DemandSeriesFactory(department=org["a"])
    client = api_client(make_user("planner", departments=[org["a"]]))
    url = f"/api/forecasting/series/{series.id}/observations"
    as_json = client.post(url, {"rows": [{"timestamp": stamp, "value": 3}]}, format="json")
    as_csv = client.generic("POST", url, f"timestamp,value\n{stamp},3\n", content_type="text/csv")
    for response in (as_json, as_csv):
        body = _contract(response)
        assert "planning window" in str(body["extra"])
    assert not DemandObservation.objects.filter(series=series).exists()


@pytest.mark.parametrize("start", ["9999-12-25", "0001-01-01"])
def test_a_roster_outside_the_window_is_refused_at_the_api(admin_client, org, start):
    end = start.replace("-25", "-31") if start.startswith("9999") else "0001-01-07"
    body = _contract(
        admin_client.post("/api/rosters", {"unit": org["a"].id, "start": start, "end": end}, format="json")
    )
    assert "planning window" in str(body["extra"])
    assert not Roster.objects.exists()


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 50_000])
@pytest.mark.parametrize("url", ["/api/rosters", "/api/people", "/api/assignments/bulk-update-hours"])
def test_deeply_nested_json_is_a_400(admin_client, url, body):
    response = admin_client.generic(
        "POST" if "bulk" not in url else "PATCH", url, body, content_type="application/json"
    )
    assert "nested" in _contract(response)["message"]


@override_settings(REQUEST_BODY_MAX_BYTES=2048, DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_a_json_body_over_the_limit_is_a_413_in_the_contract(admin_client):
    response = admin_client.generic(
        "POST", "/api/people", '{"name": "' + "x" * 5000 + '"}', content_type="application/json"
    )
    assert _contract(response, 413)["extra"]["limit"] == 2048


@override_settings(REQUEST_BODY_MAX_BYTES=4096, DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_a_csv_body_over_the_limit_is_a_413_and_writes_nothing(org):
    series = DemandSeriesFactory(department=org["a"])
    client = api_client(make_user("planner", departments=[org["a"]]))
    rows = "".join(f"2026-01-{1 + i % 28:02d}T{i % 24:02d}:00:00,{i}\n" for i in range(400))
    response = client.generic(
        "POST",
        f"/api/forecasting/series/{series.id}/observations",
        "timestamp,value\n" + rows,
        content_type="text/csv",
    )
    assert _contract(response, 413)["extra"]["limit"] == 4096
    assert not DemandObservation.objects.filter(series=series).exists()


def test_a_csv_field_over_the_csv_modules_limit_is_a_400(org):
    series = DemandSeriesFactory(department=org["a"])
    client = api_client(make_user("planner", departments=[org["a"]]))
    body = "timestamp,value\n2026-01-05," + "9" * 200_000 + "\n"
    response = client.generic(
        "POST", f"/api/forecasting/series/{series.id}/observations", body, content_type="text/csv"
    )
    assert "CSV" in _contract(response)["message"]


def test_a_duplicate_row_is_a_409_naming_the_field_without_database_text(admin_client, org):
    # given a role name in use
    RoleFactory(name="Nurse")
    # when another role of the same name is created
    response = admin_client.post("/api/roles", {"name": "Nurse"}, format="json")
    # then 409 (or the model's own validation, 400) names the field and carries no database text
    body = _contract(response, (400, 409))
    assert "name" in str(body)
    assert "DETAIL" not in str(body) and "Key (" not in str(body) and "UNIQUE constraint" not in str(body)


def test_bulk_people_duplicates_answer_409_naming_the_field(admin_client, org):
    PersonFactory(department=org["a"], email="taken@example.test")
    row = {
        "department": org["a"].id,
        "name": "Twin",
        "email": "taken@example.test",
        "role": RoleFactory().id,
        "hire_date": "2024-01-01",
    }
    response = admin_client.post("/api/people/bulk", {"rows": [row]}, format="json")
    body = _contract(response, (400, 409))
    assert "email" in str(body)
    assert "DETAIL" not in str(body) and "Key (" not in str(body) and "UNIQUE constraint" not in str(body)


# --- pages -------------------------------------------------------------------------------------------


@pytest.fixture
def ward_planner(db):
    ward = planning_unit(name="Edge Ward", people=2, weeks=1, assignments=False)
    return ward, user_with_role("edge-planner", ward.unit.parent, "planner")


def test_unit_switch_with_a_non_numeric_unit_is_a_400_page(client, ward_planner):
    client.force_login(ward_planner[1])
    response = client.get("/units/switch?unit=abc")
    assert response.status_code == 400 and b"unit" in response.content


def test_pages_refuse_dates_outside_the_planning_window(client, ward_planner):
    ward, planner = ward_planner
    client.force_login(planner)
    requirements = client.get(f"/units/{ward.unit.id}/requirements/?week=0001-01-01")
    fill = client.post(f"/units/{ward.unit.id}/requirements/fill", {"week": "9999-12-31"})
    new = client.post(
        "/rosters/new",
        {"unit": ward.unit.id, "start": "9999-12-25", "weeks": 1, "engine": "auto", "time_limit": 3},
    )
    assert requirements.status_code == 400 and b"planning window" in requirements.content
    assert fill.status_code == 400 and b"planning window" in fill.content
    assert new.status_code == 200 and b"planning window" in new.content
    assert not Roster.objects.exists()


def test_a_nul_byte_in_a_page_form_is_a_400_page(client, ward_planner):
    ward, planner = ward_planner
    client.force_login(planner)
    response = client.get(f"/units/{ward.unit.id}/requirements/?week=2026-01-05%00")
    assert response.status_code == 400 and b"NUL" in response.content


@pytest.mark.parametrize("body", ['{"name": "a\\u0000b"}', '{"max_shifts_per_type": {"E": "\\u0000"}}'])
def test_a_nul_byte_anywhere_in_a_json_body_is_a_400(org, body):
    # a JSON field included: PostgreSQL stores NUL in neither text nor jsonb
    admin = api_client(make_user(is_superuser=True))
    rule = WorkRulesFactory()
    response = admin.generic("PATCH", f"/api/work-rules/{rule.id}", body, content_type="application/json")
    assert "NUL" in _contract(response)["message"]
