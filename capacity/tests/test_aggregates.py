"""Heatmap, project availability, skill match, find-available and the grid snapshot: what they answer,
their fixed query counts, and that the next read after every write path is fresh."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from capacity.aggregates.availability import compute_project_availability, project_availability
from capacity.aggregates.find_available import compute_find_available, find_available
from capacity.aggregates.grid import compute_grid_snapshot, grid_snapshot
from capacity.aggregates.heatmap import compute_heatmap, heatmap
from capacity.aggregates.role_capacity import role_capacity
from capacity.aggregates.skill_match import compute_skill_match, skill_match
from capacity.models import Leave
from capacity.services import (
    assignment_create,
    assignment_delete,
    assignment_update,
    assignments_bulk_update_hours,
    week_hours_resync_people,
)
from capacity.tests.factories import (
    AssignmentFactory,
    LeaveFactory,
    PersonFactory,
    PersonSkillFactory,
    ProjectFactory,
    RoleFactory,
    SkillTagFactory,
    UnitFactory,
)
from ops import cache as ops_cache

pytestmark = pytest.mark.django_db

WEEK = date(2025, 3, 3)


@pytest.fixture
def ward():
    unit = UnitFactory(name="Rowan")
    nurse = RoleFactory(name="Nurse")
    medication, first_aid = SkillTagFactory(name="Medication"), SkillTagFactory(name="First Aid")
    ada = PersonFactory(name="Ada", department=unit, role=nurse, weekly_capacity_hours=40)
    ben = PersonFactory(name="Ben", department=unit, role=nurse, weekly_capacity_hours=20)
    cy = PersonFactory(
        name="Cy", department=unit, role=nurse, weekly_capacity_hours=40, hire_date=date(2025, 3, 12)
    )
    PersonFactory(name="Gone", department=unit, role=nurse, active=False)
    PersonSkillFactory(person=ada, skill=medication)
    PersonSkillFactory(person=ada, skill=first_aid)
    PersonSkillFactory(person=ben, skill=medication, certified_until=date(2025, 3, 1))  # expired by the week
    PersonSkillFactory(person=cy, skill=first_aid, certified_until=date(2099, 12, 31))
    project = ProjectFactory(department=unit)
    AssignmentFactory(person=ada, project=project, weekly_hours={"2025-03-03": 30, "2025-03-10": 10})
    AssignmentFactory(person=ben, project=project, weekly_hours={"2025-03-03": 5})
    # Ada is on approved leave Thursday to the next Monday (2 working days in week 1, 1 in week 2)
    LeaveFactory(person=ada, start_date=date(2025, 3, 6), end_date=date(2025, 3, 10))
    LeaveFactory(
        person=ben, start_date=date(2025, 3, 3), end_date=date(2025, 3, 7), status=Leave.Status.REQUESTED
    )
    return {"unit": unit, "ada": ada, "ben": ben, "cy": cy, "project": project, "nurse": nurse}


def test_heatmap_answers_capacity_assigned_leave_and_availability(ward):
    # when
    result = compute_heatmap(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=2)
    # then
    assert result["weekKeys"] == ["2025-03-03", "2025-03-10"]
    by_name = {p["name"]: p for p in result["people"]}
    assert list(by_name) == ["Ada", "Ben", "Cy"]  # active only, by name
    ada = by_name["Ada"]
    assert ada["assignedByWeek"] == [30.0, 10.0]
    assert ada["leaveByWeek"] == [16.0, 8.0]
    assert ada["percentByWeek"] == [75.0, 25.0]
    assert ada["availableByWeek"] == [-6.0, 22.0]
    assert by_name["Ben"]["leaveByWeek"] == [0.0, 0.0]  # requested, not approved
    cy = by_name["Cy"]
    assert cy["capacityByWeek"] == [0.0, 40.0]
    assert cy["percentByWeek"][0] is None


def test_project_availability_lists_candidates_most_available_first(ward):
    result = compute_project_availability(department_ids=[ward["unit"].pk], week=WEEK)
    assert result["week"] == "2025-03-03"
    assert [(p["personName"], p["availableHours"]) for p in result["people"]] == [
        ("Ben", 15.0),
        ("Cy", 0.0),
        ("Ada", -6.0),
    ]
    ada = result["people"][-1]
    assert ada == {
        "personId": ward["ada"].pk,
        "personName": "Ada",
        "departmentId": ward["unit"].pk,
        "roleName": "Nurse",
        "totalHours": 30.0,
        "capacity": 40.0,
        "leaveHours": 16.0,
        "availableHours": -6.0,
        "utilizationPercent": 75.0,
    }


def test_skill_match_is_case_insensitive_and_ignores_expired_certifications(ward):
    # when: one exact term, one partial term
    result = compute_skill_match(department_ids=[ward["unit"].pk], skills="medication, AID")
    # then: Ben's medication certificate has lapsed; Cy holds only the partial match
    assert [(r["name"], r["score"]) for r in result["results"]] == [("Ada", 75.0), ("Cy", 25.0)]
    ada = result["results"][0]
    assert ada["matchedSkills"] == ["First Aid", "Medication"] and ada["missingSkills"] == []
    assert result["results"][1]["missingSkills"] == ["medication"]


def test_skill_match_with_a_week_weighs_availability(ward):
    result = compute_skill_match(department_ids=[ward["unit"].pk], skills="first aid", week="2025-03-10")
    # Ada: 0.7 * 1 + 0.3 * 22/40; Cy: 0.7 * 1 + 0.3 * 1
    assert [(r["name"], r["score"]) for r in result["results"]] == [("Cy", 100.0), ("Ada", 86.5)]


def test_find_available_ranks_by_the_documented_score(ward):
    result = compute_find_available(department_ids=[ward["unit"].pk], week=WEEK, min_available_hours=1)
    # Ben: 15 of 20 free -> 0.6 * 75 + 0.4 * 100; Ada is overbooked and Cy not hired yet
    assert [(r["name"], r["score"], r["availabilityScore"], r["skillScore"]) for r in result["results"]] == [
        ("Ben", 85.0, 75.0, 100.0)
    ]
    assert result["scoring"]["availabilityWeight"] == 0.6


def test_find_available_with_skills_requires_a_match(ward):
    result = compute_find_available(department_ids=[ward["unit"].pk], week="2025-03-10", skills="first aid")
    assert [(r["name"], r["availableHours"]) for r in result["results"]] == [("Cy", 40.0), ("Ada", 22.0)]


def test_grid_snapshot_answers_people_and_hours(ward):
    result = compute_grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=2)
    assert [p["name"] for p in result["people"]] == ["Ada", "Ben", "Cy"]
    assert result["people"][0] == {
        "id": ward["ada"].pk,
        "name": "Ada",
        "weeklyCapacity": 40.0,
        "department": {"id": ward["unit"].pk, "name": "Rowan"},
    }
    assert result["hoursByPerson"] == {
        str(ward["ada"].pk): {"2025-03-03": 30.0, "2025-03-10": 10.0},
        str(ward["ben"].pk): {"2025-03-03": 5.0},
    }


def test_grid_snapshot_refuses_more_than_26_weeks(ward):
    with pytest.raises(ValueError):
        compute_grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=27)


def test_scoping_leaves_other_departments_out(ward):
    other = UnitFactory()
    stranger = PersonFactory(department=other, name="Stranger")
    AssignmentFactory(person=stranger, weekly_hours={"2025-03-03": 9})
    result = compute_grid_snapshot(department_ids=[other.pk], first_week=WEEK, weeks=1)
    assert [p["name"] for p in result["people"]] == ["Stranger"]
    assert result["hoursByPerson"] == {str(stranger.pk): {"2025-03-03": 9.0}}


# --- query counts: fixed whatever the number of people ---------------------------------------------------


def _more_people(ward, n=6):
    for i in range(n):
        person = PersonFactory(department=ward["unit"], role=ward["nurse"], name=f"Extra {i}")
        PersonSkillFactory(person=person, skill=SkillTagFactory(name=f"First Aid {i}"))
        AssignmentFactory(person=person, weekly_hours={"2025-03-03": 3})
        LeaveFactory(person=person, start_date=WEEK, end_date=WEEK)


@pytest.mark.parametrize(
    ("queries", "read"),
    [
        (3, lambda ids: compute_heatmap(department_ids=ids, first_week=WEEK, weeks=4)),
        (3, lambda ids: compute_project_availability(department_ids=ids, week=WEEK)),
        (2, lambda ids: compute_skill_match(department_ids=ids, skills="aid")),
        (4, lambda ids: compute_skill_match(department_ids=ids, skills="aid", week=WEEK)),
        (3, lambda ids: compute_find_available(department_ids=ids, week=WEEK)),
        (4, lambda ids: compute_find_available(department_ids=ids, week=WEEK, skills="aid")),
        (2, lambda ids: compute_grid_snapshot(department_ids=ids, first_week=WEEK, weeks=4)),
    ],
    ids=["heatmap", "availability", "skill-match", "skill-match-week", "find", "find-skills", "grid"],
)
def test_aggregate_query_counts_do_not_grow_with_rows(ward, queries, read, django_assert_num_queries):
    ids = [ward["unit"].pk]
    with django_assert_num_queries(queries):
        small = read(ids)
    _more_people(ward)
    with django_assert_num_queries(queries):
        large = read(ids)
    assert large != small


# --- invalidation: after each write path the next read is fresh ------------------------------------------


def _reads(unit_id):
    ids = [unit_id]
    return {
        "role_capacity": lambda: role_capacity(department_ids=ids, first_week=WEEK, weeks=2),
        "heatmap": lambda: heatmap(department_ids=ids, first_week=WEEK, weeks=2),
        "availability": lambda: project_availability(department_ids=ids, week=WEEK),
        "skill_match": lambda: skill_match(department_ids=ids, skills="aid", week=WEEK),
        "find_available": lambda: find_available(department_ids=ids, week=WEEK),
        "grid": lambda: grid_snapshot(department_ids=ids, first_week=WEEK, weeks=2),
    }


def _write_create(ward):
    assignment_create(
        person=ward["ben"], project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-03": 7}
    )


def _write_update(ward):
    assignment = ward["ada"].assignments.get()
    assignment_update(assignment=assignment, weekly_hours={"2025-03-03": 1, "2025-03-10": 2})


def _write_bulk(ward):
    assignment = ward["ben"].assignments.get()
    assignments_bulk_update_hours(
        items=[{"assignment_id": assignment.pk, "weekly_hours": {"2025-03-03": 11}, "expected_version": 1}]
    )


def _write_delete(ward):
    assignment_delete(assignment=ward["ada"].assignments.get())


def _write_backfill(ward):
    # hours written behind the services' back are made exact (and the cache fresh) by the backfill
    ward["ada"].assignments.update(weekly_hours={"2025-03-03": 2})
    call_command("backfill_week_hours", "--department", str(ward["unit"].pk), stdout=None)


def _write_person_move(ward):
    ada = ward["ada"]
    ada.hire_date = date(2025, 3, 10)
    ada.save()
    week_hours_resync_people(person_ids=[ada.pk])


@pytest.mark.parametrize(
    "write",
    [_write_create, _write_update, _write_bulk, _write_delete, _write_backfill, _write_person_move],
    ids=["create", "update", "bulk-update", "delete", "backfill", "person-resync"],
)
def test_the_next_read_after_a_write_is_fresh(ward, write):
    # given every aggregate read once (cached)
    reads = _reads(ward["unit"].pk)
    before = {name: read() for name, read in reads.items()}
    # when
    write(ward)
    # then each cached read equals a fresh computation, and the hours-based ones changed
    after = {name: read() for name, read in reads.items()}
    ops_cache.bump("capacity")
    recomputed = {name: read() for name, read in reads.items()}
    assert after == recomputed
    assert after["grid"] != before["grid"]
    assert after["heatmap"] != before["heatmap"]


@pytest.mark.urls("capacity.tests.urls_admin")
def test_admin_save_of_an_assignment_writes_facts_and_invalidates(ward, admin_client):
    # given a cached grid
    before = grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=1)
    assignment = ward["ben"].assignments.get()
    # when the admin form changes the hours
    response = admin_client.post(
        f"/admin/capacity/assignment/{assignment.pk}/change/",
        {
            "person": ward["ben"].pk,
            "project": ward["project"].pk,
            "role": ward["nurse"].pk,
            "weekly_hours": '{"2025-03-03": 12}',
        },
    )
    # then
    assert response.status_code == 302, response.content[:2000]
    after = grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=1)
    assert after["hoursByPerson"][str(ward["ben"].pk)] == {"2025-03-03": 12.0}
    assert after != before
    assignment.refresh_from_db()
    assert assignment.version == 2
    assert [(r.week_start, r.hours) for r in assignment.week_hours.all()] == [(WEEK, Decimal("12.00"))]


@pytest.mark.urls("capacity.tests.urls_admin")
def test_admin_move_of_a_project_moves_its_open_placeholders(ward, admin_client):
    # given an open placeholder on the ward's project, counted in the ward
    from capacity.models import AssignmentWeekHours

    AssignmentFactory(
        person=None, project=ward["project"], role=ward["nurse"], weekly_hours={"2025-03-03": 6}
    )
    elsewhere = UnitFactory()
    before = role_capacity(department_ids=[elsewhere.pk], first_week=WEEK, weeks=1)
    project = ward["project"]
    # when the admin moves the project
    response = admin_client.post(
        f"/admin/capacity/project/{project.pk}/change/",
        {
            "name": project.name,
            "client": project.client,
            "status": project.status,
            "department": elsewhere.pk,
        },
    )
    # then
    assert response.status_code == 302, response.content[:2000]
    assert set(
        AssignmentWeekHours.objects.filter(assignment__project=project, person__isnull=True).values_list(
            "department_id", flat=True
        )
    ) == {elsewhere.pk}
    after = role_capacity(department_ids=[elsewhere.pk], first_week=WEEK, weeks=1)
    assert before != after
    assert next(s for s in after["series"] if s["roleId"] == ward["nurse"].pk)["assigned"] == [6.0]


def test_week_hours_sync_alone_invalidates(ward):
    # given a cached read, and hours changed by a path that only calls week_hours_sync (the demo seeder)
    from capacity.services import week_hours_sync

    before = grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=1)
    assignment = ward["ben"].assignments.get()
    assignment.weekly_hours = {"2025-03-03": 1}
    assignment.save()
    # when
    week_hours_sync(assignments=[assignment])
    # then
    after = grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=1)
    assert after["hoursByPerson"][str(ward["ben"].pk)] == {"2025-03-03": 1.0} and after != before


@pytest.mark.urls("capacity.tests.urls_admin")
def test_every_capacity_admin_page_renders(ward, admin_client):
    for model in (
        "department",
        "role",
        "person",
        "skilltag",
        "personskill",
        "leave",
        "project",
        "assignment",
        "assignmentweekhours",
    ):
        assert admin_client.get(f"/admin/capacity/{model}/").status_code == 200, model
    assert admin_client.get(f"/admin/capacity/person/{ward['ada'].pk}/change/").status_code == 200
    assert admin_client.get("/admin/capacity/assignment/add/").status_code == 200


@pytest.mark.urls("capacity.tests.urls_admin")
def test_admin_change_of_a_hire_date_rewrites_the_persons_facts(ward, admin_client):
    # given Ada, booked in both weeks, cached
    ada = ward["ada"]
    before = grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=2)
    form = {
        "department": ada.department_id,
        "role": ada.role_id,
        "name": ada.name,
        "email": ada.email,
        "weekly_capacity_hours": "40",
        "hire_date": "2025-03-10",  # now hired in the second week
        "active": "on",
    }
    for prefix in ("skills", "leaves"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    # when
    response = admin_client.post(f"/admin/capacity/person/{ada.pk}/change/", form)
    # then
    assert response.status_code == 302, response.content[:3000]
    after = grid_snapshot(department_ids=[ward["unit"].pk], first_week=WEEK, weeks=2)
    assert before["hoursByPerson"][str(ada.pk)] == {"2025-03-03": 30.0, "2025-03-10": 10.0}
    assert after["hoursByPerson"][str(ada.pk)] == {"2025-03-10": 10.0}


def test_the_default_week_is_the_calendar_week_holding_today_on_every_weekday(monkeypatch):
    # given each day of one week as today (a stored key of a Friday rounds to the next Monday; today must not)
    from datetime import timedelta

    from capacity.aggregates import common

    monday = date(2026, 11, 30)
    for offset in range(7):
        today = monday + timedelta(days=offset)
        monkeypatch.setattr(common.timezone, "localdate", lambda today=today: today)
        # when an aggregate is asked for no week, then it starts at that week's Monday
        assert common.first_monday(None) == monday
        assert common.window(None, 2) == [monday, monday + timedelta(weeks=1)]
    # and a requested key still rounds to the nearest Monday, as stored keys do
    assert common.first_monday("2026-12-04") == date(2026, 12, 7)
