"""The aggregate endpoints: shapes, department scoping (404 outside), conditional reads, the async
variants, and the bulk edit of hours (all or nothing, 412, 409, 428, 413, fresh ETags)."""

from datetime import date

import pytest

from api.conditional import version_etag
from api.testing import api_client, make_user
from capacity.models import Assignment, Department
from capacity.services import BULK_UPDATE_MAX_ITEMS
from capacity.tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    PersonFactory,
    PersonSkillFactory,
    ProjectFactory,
    RoleFactory,
    SkillTagFactory,
    UnitFactory,
)
from ops import cache as ops_cache
from ops.models import Job

pytestmark = pytest.mark.django_db
WEEK = "2025-03-03"


@pytest.fixture(autouse=True)
def _fresh_cache():
    ops_cache.bump(*ops_cache.NAMESPACES)


@pytest.fixture
def org():
    root = DepartmentFactory(name="Org")
    site = DepartmentFactory(name="Site", kind=Department.Kind.SITE, parent=root)
    a, b = UnitFactory(name="Unit A", parent=site), UnitFactory(name="Unit B", parent=site)
    nurse = RoleFactory(name="Nurse")
    ada = PersonFactory(name="Ada", department=a, role=nurse, weekly_capacity_hours=40)
    bea = PersonFactory(name="Bea", department=b, role=nurse, weekly_capacity_hours=40)
    PersonSkillFactory(person=ada, skill=SkillTagFactory(name="Medication"))
    project_a = ProjectFactory(department=a, name="Audit")
    AssignmentFactory(person=ada, project=project_a, weekly_hours={WEEK: 10})
    AssignmentFactory(person=bea, project=ProjectFactory(department=b), weekly_hours={WEEK: 20})
    return {
        "root": root,
        "site": site,
        "a": a,
        "b": b,
        "ada": ada,
        "bea": bea,
        "project_a": project_a,
        "nurse": nurse,
    }


def _get(client, path, **params):
    return client.get(f"/api/reports/{path}", params)


def test_role_capacity_answers_the_documented_shape(org):
    client = api_client(make_user("viewer", [org["root"]]))
    response = _get(client, "role-capacity", department=org["site"].pk, start=WEEK, weeks=2)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["weekKeys"] == ["2025-03-03", "2025-03-10"]
    assert body["roles"] == [{"id": org["nurse"].pk, "name": "Nurse"}]
    assert body["series"] == [
        {"roleId": org["nurse"].pk, "roleName": "Nurse", "assigned": [30.0, 0.0], "capacity": [80.0, 80.0]}
    ]


def test_reports_see_only_the_callers_departments(org):
    # given a viewer of unit A only
    client = api_client(make_user("viewer", [org["a"]]))
    # when no department is named, the scope is what they may read
    body = _get(client, "grid-snapshot", start=WEEK, weeks=1).json()
    assert [p["name"] for p in body["people"]] == ["Ada"]
    # a department outside answers 404, and include_children never widens past the grant
    assert _get(client, "heatmap", department=org["b"].pk).status_code == 404
    assert _get(client, "heatmap", department=org["site"].pk).status_code == 404
    body = _get(client, "role-capacity", department=org["a"].pk, start=WEEK, weeks=1).json()
    assert body["series"][0]["assigned"] == [10.0]


def test_every_report_answers_for_a_reader(org):
    client = api_client(make_user("viewer", [org["root"]]))
    for path, params in [
        ("heatmap", {"start": WEEK, "weeks": 2}),
        ("project-availability", {"project": org["project_a"].pk, "week": WEEK}),
        ("skill-match", {"skills": "med", "week": WEEK}),
        ("find-available", {"week": WEEK, "minAvailableHours": 5, "limit": 10}),
        ("grid-snapshot", {"start": WEEK, "weeks": 26}),
    ]:
        response = _get(client, path, **params)
        assert response.status_code == 200, (path, response.content)
        assert response["ETag"] and "private" in response["Cache-Control"]
    availability = _get(client, "project-availability", project=org["project_a"].pk, week=WEEK).json()
    assert [p["personName"] for p in availability["people"]] == ["Ada"]  # the project's unit by default
    assert _get(client, "skill-match", skills="med").json()["results"][0]["matchedSkills"] == ["Medication"]


def test_limits_and_unknown_parameters_are_refused(org):
    client = api_client(make_user("viewer", [org["root"]]))
    assert _get(client, "grid-snapshot", weeks=27).status_code == 400
    assert _get(client, "find-available", limit=201).status_code == 400
    assert _get(client, "heatmap", wekks=3).status_code == 400
    assert _get(client, "skill-match").status_code == 400  # skills are required


def test_anonymous_callers_are_refused(org):
    assert _get(api_client(), "heatmap").status_code in (401, 403)


def test_a_current_etag_answers_304_and_a_write_makes_it_stale(org):
    # given
    planner = make_user("planner", [org["root"]])
    client = api_client(planner)
    first = _get(client, "heatmap", start=WEEK, weeks=1)
    # when revalidated
    again = client.get("/api/reports/heatmap", {"start": WEEK, "weeks": 1}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # when hours change through the bulk edit
    assignment = org["ada"].assignments.get()
    patched = client.patch(
        "/api/assignments/bulk-update-hours",
        [
            {
                "assignmentId": assignment.pk,
                "weeklyHours": {WEEK: 12},
                "etag": version_etag("assignment", assignment.pk, 1),
            }
        ],
        format="json",
    )
    assert patched.status_code == 200, patched.content
    # then the old ETag no longer matches and the body is fresh
    after = client.get("/api/reports/heatmap", {"start": WEEK, "weeks": 1}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    ada = next(p for p in after.json()["people"] if p["name"] == "Ada")
    assert ada["assignedByWeek"] == [12.0]


def _item(assignment, hours, version=1):
    return {
        "assignmentId": assignment.pk,
        "weeklyHours": hours,
        "etag": version_etag("assignment", assignment.pk, version),
    }


def _patch(client, items):
    return client.patch("/api/assignments/bulk-update-hours", items, format="json")


def test_bulk_update_answers_fresh_etags(org):
    client = api_client(make_user("planner", [org["root"]]))
    a, b = org["ada"].assignments.get(), org["bea"].assignments.get()
    response = _patch(client, [_item(a, {WEEK: None, "2025-03-10": 4}), _item(b, {WEEK: 1})])
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {
            "assignmentId": a.pk,
            "version": 2,
            "etag": version_etag("assignment", a.pk, 2),
            "weeklyHours": {"2025-03-10": 4},
        },
        {
            "assignmentId": b.pk,
            "version": 2,
            "etag": version_etag("assignment", b.pk, 2),
            "weeklyHours": {WEEK: 1},
        },
    ]


def test_bulk_update_with_one_stale_etag_writes_nothing_and_answers_412(org):
    client = api_client(make_user("planner", [org["root"]]))
    a, b = org["ada"].assignments.get(), org["bea"].assignments.get()
    response = _patch(client, [_item(a, {WEEK: 1}), _item(b, {WEEK: 1}, version=7)])
    assert response.status_code == 412
    assert response.json()["extra"]["stale"][0]["assignment_id"] == b.pk
    assert Assignment.objects.get(pk=a.pk).weekly_hours == {WEEK: 10}


def test_bulk_update_with_one_assignment_twice_answers_409(org):
    client = api_client(make_user("planner", [org["root"]]))
    a = org["ada"].assignments.get()
    assert _patch(client, [_item(a, {WEEK: 1}), _item(a, {WEEK: 2})]).status_code == 409


def test_bulk_update_without_an_etag_answers_428_and_above_the_maximum_413(org):
    client = api_client(make_user("planner", [org["root"]]))
    a = org["ada"].assignments.get()
    assert _patch(client, [{"assignmentId": a.pk, "weeklyHours": {WEEK: 1}}]).status_code == 428
    too_many = [_item(a, {WEEK: 1})] * (BULK_UPDATE_MAX_ITEMS + 1)
    assert _patch(client, too_many).status_code == 413
    assert _patch(client, [_item(a, {WEEK: -1})]).status_code == 400


def test_bulk_update_outside_the_callers_departments_answers_404_and_for_a_viewer_403(org):
    a, b = org["ada"].assignments.get(), org["bea"].assignments.get()
    planner_of_a = api_client(make_user("planner", [org["a"]]))
    assert _patch(planner_of_a, [_item(b, {WEEK: 1})]).status_code == 404
    viewer = api_client(make_user("viewer", [org["root"]]))
    assert _patch(viewer, [_item(a, {WEEK: 1})]).status_code == 403
    assert Assignment.objects.get(pk=b.pk).version == 1


def test_async_grid_snapshot_answers_a_job_id(org, django_capture_on_commit_callbacks):
    client = api_client(make_user("viewer", [org["root"]]))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/api/reports/grid-snapshot", {"department": org["a"].pk, "weeks": 4}, format="json"
        )
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["jobId"])
    assert job.kind == "capacity.grid_snapshot" and job.params["department_ids"] == [org["a"].pk]
    assert response["Location"] == f"/api/jobs/{job.pk}"


def test_async_skill_match_checks_the_scope_first(org):
    client = api_client(make_user("viewer", [org["a"]]))
    response = client.post(
        "/api/reports/skill-match", {"department": org["b"].pk, "skills": "med"}, format="json"
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_hours_cleared_with_a_date_in_the_middle_of_the_week(org):
    client = api_client(make_user("planner", [org["root"]]))
    a = org["ada"].assignments.get()
    response = _patch(client, [_item(a, {"2025-03-05": None})])  # a Wednesday of the stored week
    assert response.status_code == 200
    assert Assignment.objects.get(pk=a.pk).weekly_hours == {}
    assert date(2025, 3, 3).isoformat() not in response.json()["results"][0]["weeklyHours"]


def test_reports_still_answer_when_the_cache_is_down(org, monkeypatch):
    # given a cache that fails every call
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    client = api_client(make_user("viewer", [org["root"]]))
    client.get("/api/reports/grid-snapshot", {"start": WEEK, "weeks": 1})  # the access set, while it worked
    for method in ("get", "add", "incr", "set", "get_many", "delete"):
        monkeypatch.setattr(cache, method, down)
    # when
    response = client.get("/api/reports/grid-snapshot", {"start": WEEK, "weeks": 1})
    # then
    assert response.status_code == 200, response.content
    assert response["ETag"]
    assert response.json()["hoursByPerson"][str(org["ada"].pk)] == {WEEK: 10.0}
