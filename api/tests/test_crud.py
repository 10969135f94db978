"""The catalogue endpoints write through the services, validate, and bump the cache namespaces."""

from __future__ import annotations

import pytest

from api.testing import api_client, make_user
from capacity.models import Assignment, AssignmentWeekHours, Department, Person, Project
from capacity.tests.factories import AssignmentFactory, PersonFactory, ProjectFactory, RoleFactory
from ops import cache
from scheduler.models import CoverRequirement
from scheduler.tests.factories import ShiftTypeFactory


@pytest.fixture
def planner(org):
    return api_client(make_user("planner", departments=[org["a"]]))


@pytest.mark.django_db
def test_a_person_is_created_updated_and_deleted(planner, org):
    # given
    role = RoleFactory()
    before = cache.namespace_version("capacity")

    # when
    created = planner.post(
        "/api/people",
        {
            "department": org["a"].pk,
            "role": role.pk,
            "name": "Ada",
            "email": "ada@example.test",
            "hire_date": "2024-01-01",
        },
        format="json",
    )
    person_id = created.json()["id"]
    renamed = planner.patch(f"/api/people/{person_id}", {"name": "Ada L."}, format="json")
    deleted = planner.delete(f"/api/people/{person_id}")

    # then
    assert (created.status_code, renamed.status_code, deleted.status_code) == (201, 200, 204)
    assert renamed.json()["name"] == "Ada L."
    assert not Person.objects.filter(pk=person_id).exists()
    assert cache.namespace_version("capacity") > before


@pytest.mark.django_db
def test_an_assignment_is_created_with_its_fact_rows_and_updated_with_if_match(planner, org):
    # given
    person = PersonFactory(department=org["a"])
    project = ProjectFactory(department=org["a"])
    role = RoleFactory()

    # when
    created = planner.post(
        "/api/assignments",
        {"person": person.pk, "project": project.pk, "role": role.pk, "weekly_hours": {"2025-03-03": 8}},
        format="json",
    )
    assignment_id = created.json()["id"]
    etag = planner.get(f"/api/assignments/{assignment_id}").headers["ETag"]
    updated = planner.patch(
        f"/api/assignments/{assignment_id}",
        {"weekly_hours": {"2025-03-10": 4}},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    # then
    assert created.status_code == 201 and updated.status_code == 200
    assert updated.json()["version"] == 2
    rows = AssignmentWeekHours.objects.filter(assignment_id=assignment_id)
    assert [(str(r.week_start), float(r.hours)) for r in rows] == [("2025-03-10", 4.0)]
    assert Assignment.objects.get(pk=assignment_id).version == 2


@pytest.mark.django_db
def test_only_an_admin_of_the_parent_creates_a_department(org):
    # given
    planner = api_client(make_user("planner", departments=[org["site"]]))
    admin = api_client(make_user("admin", departments=[org["site"]]))
    payload = {"name": "Unit C", "kind": "unit", "parent": org["site"].pk}

    # when
    refused = planner.post("/api/departments", payload, format="json")
    created = admin.post("/api/departments", payload, format="json")
    misplaced = admin.post("/api/departments", {**payload, "name": "X", "kind": "site"}, format="json")

    # then
    assert refused.status_code == 403
    assert created.status_code == 201
    assert misplaced.status_code == 400 and "parent" in misplaced.json()["extra"]["fields"]
    assert Department.objects.filter(name="Unit C", parent=org["site"]).count() == 1


@pytest.mark.django_db
def test_a_new_child_department_is_visible_at_once_to_holders_of_the_parent(org):
    # given: the admin's access set is cached before the new unit exists
    user = make_user("admin", departments=[org["site"]])
    client = api_client(user)
    client.get("/api/departments")

    # when
    created = client.post(
        "/api/departments", {"name": "Unit D", "kind": "unit", "parent": org["site"].pk}, format="json"
    )

    # then
    assert client.get(f"/api/departments/{created.json()['id']}").status_code == 200


@pytest.mark.django_db
def test_cover_requirements_bulk_load_bumps_the_roster_namespace(planner, org):
    # given
    shift = ShiftTypeFactory(department=org["a"])
    rows = [
        {"department": org["a"].pk, "date": f"2025-03-0{day}", "shift_type": shift.pk, "minimum": 2}
        for day in range(3, 8)
    ]
    before = cache.namespace_version("roster")

    # when
    response = planner.post("/api/cover-requirements/bulk", {"rows": rows}, format="json")

    # then
    assert response.status_code == 201
    assert response.json()["created"] == 5
    assert CoverRequirement.objects.filter(department=org["a"], preferred=2).count() == 5
    assert cache.namespace_version("roster") > before


@pytest.mark.django_db
def test_a_shift_type_of_another_unit_cannot_be_used_for_cover(planner, org):
    # given
    foreign = ShiftTypeFactory(department=org["b"])

    # when
    response = planner.post(
        "/api/cover-requirements",
        {"department": org["a"].pk, "date": "2025-03-03", "shift_type": foreign.pk, "minimum": 1},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "shift_type" in response.json()["extra"]["fields"]


@pytest.mark.django_db
def test_global_catalogues_are_read_by_all_and_written_by_admins(org):
    # given
    viewer = api_client(make_user("viewer", departments=[org["a"]]))
    planner = api_client(make_user("planner", departments=[org["a"]]))
    unit_admin = api_client(make_user("admin", departments=[org["a"]]))
    admin = api_client(make_user("admin", departments=[org["root"]]))

    # when / then: shared by every site, so only the organisation's admins write them
    assert viewer.get("/api/work-rules").status_code == 200
    assert planner.post("/api/roles", {"name": "Medic"}, format="json").status_code == 403
    assert unit_admin.post("/api/roles", {"name": "Medic"}, format="json").status_code == 403
    assert admin.post("/api/roles", {"name": "Medic"}, format="json").status_code == 201
    assert admin.post("/api/roles", {"name": "MEDIC"}, format="json").status_code == 400


@pytest.mark.django_db
def test_admins_grant_access_within_their_departments_only(org):
    # given
    admin = api_client(make_user("admin", departments=[org["a"]]))
    newcomer = make_user("viewer", departments=[])
    payload = {"user": newcomer.pk, "department": org["a"].pk, "role": "viewer"}

    # when
    granted = admin.post("/api/access-grants", payload, format="json")
    outside = admin.post("/api/access-grants", {**payload, "department": org["b"].pk}, format="json")
    by_planner = api_client(make_user("planner", departments=[org["a"]])).post(
        "/api/access-grants", {**payload, "role": "admin"}, format="json"
    )

    # then
    assert granted.status_code == 201
    assert outside.status_code == 400  # B is not a department the admin can name
    assert by_planner.status_code == 403
    assert api_client(newcomer).get("/api/people").status_code == 200


def test_assignments_list_by_client_then_project_ignoring_case_blank_clients_last(org):
    person = PersonFactory(department=org["a"])
    for client, name in [("", "Alpha"), ("beta Ltd", "zeta"), ("Beta Ltd", "Eta"), ("acme", "Omega")]:
        AssignmentFactory(
            person=person, project=ProjectFactory(department=org["a"], client=client, name=name)
        )
    user = make_user("viewer", [org["a"]])

    rows = api_client(user).get("/api/assignments").json()["results"]

    names = [Project.objects.get(pk=row["project"]).name for row in rows]
    assert names == ["Omega", "Eta", "zeta", "Alpha"]


@pytest.mark.django_db
def test_a_department_takes_a_holiday_region_the_holidays_package_knows(org):
    # given
    admin = api_client(make_user("admin", departments=[org["site"]]))
    payload = {"name": "Unit S", "kind": "unit", "parent": org["site"].pk, "country": "GB"}

    # when
    created = admin.post("/api/departments", {**payload, "subdivision": "SCT"}, format="json")
    unknown = admin.post("/api/departments", {**payload, "name": "U2", "subdivision": "XYZ"}, format="json")
    orphan = admin.post(
        "/api/departments", {**payload, "name": "U3", "country": "", "subdivision": "SCT"}, format="json"
    )
    bad_zone = admin.post(
        "/api/departments", {**payload, "name": "U4", "time_zone": "Mars/Base"}, format="json"
    )

    # then
    assert created.status_code == 201 and created.json()["subdivision"] == "SCT"
    assert unknown.status_code == 400 and "subdivision" in unknown.json()["extra"]["fields"]
    assert orphan.status_code == 400 and "subdivision" in orphan.json()["extra"]["fields"]
    assert bad_zone.status_code == 400 and "time_zone" in bad_zone.json()["extra"]["fields"]
    assert not Department.objects.filter(name__in=["U2", "U3", "U4"]).exists()
