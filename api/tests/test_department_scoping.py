"""A user scoped to department A never receives a row of department B: lists, details, writes."""

from __future__ import annotations

from datetime import date

import pytest

from api.testing import api_client, make_user
from capacity.models import Leave
from capacity.tests.factories import PersonFactory, PersonSkillFactory, ProjectFactory, RoleFactory
from scheduler.models import ShiftRequest
from scheduler.tests.factories import CoverRequirementFactory, ShiftTypeFactory


def _rows_of(unit):
    person = PersonFactory(department=unit)
    shift_type = ShiftTypeFactory(department=unit)
    project = ProjectFactory(department=unit)
    from capacity.services import assignment_create

    return {
        "departments": unit,
        "people": person,
        "person-skills": PersonSkillFactory(person=person),
        "leave": Leave.objects.create(person=person, start_date=date(2025, 3, 3), end_date=date(2025, 3, 7)),
        "projects": project,
        "assignments": assignment_create(
            person=person, project=project, role=RoleFactory(), weekly_hours={"2025-03-03": 10}
        ),
        "shift-types": shift_type,
        "cover-requirements": CoverRequirementFactory(department=unit, shift_type=shift_type),
        "shift-requests": ShiftRequest.objects.create(
            person=person, date=date(2025, 3, 4), shift_type=shift_type, kind="off"
        ),
    }


@pytest.fixture
def two_units(org):
    return org, _rows_of(org["a"]), _rows_of(org["b"])


def _all_ids(client, resource):
    response = client.get(f"/api/{resource}", {"page_size": 500})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "planner"])
def test_lists_never_hold_a_row_of_another_department(two_units, role):
    # given
    org, rows_a, rows_b = two_units
    client = api_client(make_user(role, departments=[org["a"]]))

    # when / then
    for resource in rows_a:
        ids = _all_ids(client, resource)
        assert rows_a[resource].pk in ids, resource
        assert rows_b[resource].pk not in ids, resource


@pytest.mark.django_db
def test_details_of_another_department_answer_404_like_missing_ids(two_units):
    # given
    org, rows_a, rows_b = two_units
    client = api_client(make_user("planner", departments=[org["a"]]))

    # when / then
    for resource in rows_a:
        assert client.get(f"/api/{resource}/{rows_a[resource].pk}").status_code == 200, resource
        other = client.get(f"/api/{resource}/{rows_b[resource].pk}")
        missing = client.get(f"/api/{resource}/999999")
        assert other.status_code == missing.status_code == 404, resource
        assert other.json() == missing.json()
        assert client.patch(f"/api/{resource}/{rows_b[resource].pk}", {}, format="json").status_code == 404
        assert client.delete(f"/api/{resource}/{rows_b[resource].pk}").status_code == 404


@pytest.mark.django_db
def test_a_grant_on_a_parent_covers_its_children_only_with_include_children(org):
    # given
    person_a = PersonFactory(department=org["a"])
    inherited = api_client(make_user("viewer", departments=[org["site"]], include_children=True))
    direct_only = api_client(make_user("viewer", departments=[org["site"]], include_children=False))

    # when / then
    assert person_a.pk in _all_ids(inherited, "people")
    assert person_a.pk not in _all_ids(direct_only, "people")


@pytest.mark.django_db
def test_a_write_cannot_reference_an_object_of_another_department(two_units):
    # given
    org, rows_a, rows_b = two_units
    client = api_client(make_user("planner", departments=[org["a"]]))

    # when: a leave for B's person, a person moved into B
    leave = client.post(
        "/api/leave",
        {"person": rows_b["people"].pk, "start_date": "2025-04-01", "end_date": "2025-04-02"},
        format="json",
    )
    move = client.patch(f"/api/people/{rows_a['people'].pk}", {"department": org["b"].pk}, format="json")

    # then: the other department's ids read as if they did not exist
    assert leave.status_code == 400 and "person" in leave.json()["extra"]["fields"]
    assert move.status_code == 400 and "department" in move.json()["extra"]["fields"]
    rows_a["people"].refresh_from_db()
    assert rows_a["people"].department_id == org["a"].pk


@pytest.mark.django_db
def test_viewers_and_managers_read_but_cannot_write(org):
    # given
    person = PersonFactory(department=org["a"])
    for role in ("viewer", "manager"):
        client = api_client(make_user(role, departments=[org["a"]]))

        # when
        read = client.get(f"/api/people/{person.pk}")
        write = client.patch(f"/api/people/{person.pk}", {"name": "Changed"}, format="json")

        # then
        assert read.status_code == 200
        assert write.status_code == 403
        assert set(write.json()) == {"message", "extra"}
    person.refresh_from_db()
    assert person.name != "Changed"


@pytest.mark.django_db
def test_a_user_without_any_grant_reads_nothing(org):
    client = api_client(make_user("viewer", departments=[]))
    assert client.get("/api/people").status_code == 403


@pytest.mark.django_db
def test_access_changes_take_effect_at_once_despite_the_cache(org):
    # given
    person_b = PersonFactory(department=org["b"])
    user = make_user("viewer", departments=[org["a"]])
    client = api_client(user)
    assert person_b.pk not in _all_ids(client, "people")  # the access set is now cached

    # when
    make_user  # noqa: B018 - grants go through the service, which bumps "access"
    from capacity.access import access_grant_set

    access_grant_set(user=user, department=org["b"], role="viewer")

    # then
    assert person_b.pk in _all_ids(client, "people")


REPORTS = [
    ("/api/reports/role-capacity", {}),
    ("/api/reports/heatmap", {}),
    ("/api/reports/project-availability", {}),
    ("/api/reports/skill-match", {"skills": "Triage"}),
    ("/api/reports/find-available", {}),
    ("/api/reports/grid-snapshot", {}),
]


@pytest.fixture
def named_people(org):
    """One person in each unit, with names that can be searched for in any response body."""
    from datetime import timedelta

    from django.utils import timezone

    from capacity.tests.factories import SkillTagFactory

    triage = SkillTagFactory(name="Triage")
    people = {}
    for unit, label in ((org["a"], "Alpha"), (org["b"], "Bravo")):
        role = RoleFactory(name=f"Role {label[0]}")  # roles are a global catalogue, listed for everyone
        person = PersonFactory(
            department=unit, role=role, name=f"{label} Secretname", email=f"{label.lower()}@example.test"
        )
        PersonSkillFactory(person=person, skill=triage)
        monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        assignment_create_for(person, unit, role, monday)
        people[label] = person
    return people


def assignment_create_for(person, unit, role, monday):
    from capacity.services import assignment_create

    project = ProjectFactory(department=unit, name=f"{person.name} project")
    return assignment_create(person=person, project=project, role=role, weekly_hours={monday.isoformat(): 8})


def _reports_available() -> bool:
    from api.urls import _module_exists

    return _module_exists("api.capacity.aggregates.urls")


@pytest.mark.django_db
@pytest.mark.skipif(not _reports_available(), reason="the capacity aggregates are not wired in yet")
def test_aggregates_never_hold_a_row_of_another_department(org, named_people):
    # given
    client = api_client(make_user("viewer", departments=[org["a"]]))

    # when / then: A's person shows up where people are listed; B's never anywhere
    for url, params in REPORTS:
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.content.decode()
        assert "Bravo" not in body, url
        if "role-capacity" in url:
            series = {row["roleName"]: row for row in response.json()["series"]}
            assert series["Role A"]["assigned"][0] == 8
            assert set(series["Role B"]["assigned"]) == set(series["Role B"]["capacity"]) == {0}
        else:
            assert "Alpha Secretname" in body, url
        asking_for_b = client.get(url, {**params, "department": org["b"].pk})
        assert asking_for_b.status_code == 404, url


@pytest.mark.django_db
def test_roster_reads_and_exports_never_cross_departments(org, named_people):
    from api.urls import _module_exists
    from scheduler.tests.factories import RosterAssignmentFactory, RosterFactory

    if not _module_exists("api.rosters.urls"):
        pytest.skip("the roster endpoints are not wired in yet")

    # given
    rosters = {}
    for unit, label in ((org["a"], "Alpha"), (org["b"], "Bravo")):
        roster = RosterFactory(department=unit)
        RosterAssignmentFactory(
            roster=roster, person=named_people[label], shift_type=ShiftTypeFactory(department=unit)
        )
        rosters[label] = roster
    client = api_client(make_user("viewer", departments=[org["a"]]))
    bravo = rosters["Bravo"].pk
    bravo_person = named_people["Bravo"].pk

    # when / then
    listed = client.get("/api/rosters")
    assert listed.status_code == 200
    assert "Bravo" not in listed.content.decode()
    assert {r["id"] for r in listed.json()["results"]} == {rosters["Alpha"].pk}
    for suffix in ("", "/grid", "/cover", "/hours", "/fairness", "/export.csv"):
        assert client.get(f"/api/rosters/{rosters['Alpha'].pk}{suffix}").status_code == 200, suffix
        assert client.get(f"/api/rosters/{bravo}{suffix}").status_code == 404, suffix
    assert client.get(f"/api/rosters/{bravo}/people/{bravo_person}/calendar.ics").status_code == 404
    export = client.get(f"/api/rosters/{rosters['Alpha'].pk}/export.csv")
    assert "Bravo" not in export.content.decode()
