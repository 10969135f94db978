from datetime import date, time, timedelta

import pytest

from api.testing import api_client, make_user
from capacity.tests.factories import PersonFactory
from ops.models import Job
from scheduler.models import Roster, RosterAssignment
from scheduler.services.solving import roster_solve_run
from scheduler.tests.factories import (
    CoverRequirementFactory,
    PersonContractFactory,
    ShiftTypeFactory,
    WorkRulesFactory,
)

pytestmark = pytest.mark.django_db
MONDAY = date(2025, 3, 3)


@pytest.fixture
def ward(org):
    unit = org["a"]
    early = ShiftTypeFactory(department=unit, code="E", start_time=time(7))
    late = ShiftTypeFactory(department=unit, code="L", start_time=time(14))
    rules = WorkRulesFactory(max_consecutive_work_days=5, min_rest_hours=11)
    people = [PersonFactory(department=unit) for _ in range(4)]
    for person in people:
        PersonContractFactory(person=person, work_rules=rules)
    for offset in range(7):
        for shift in (early, late):
            CoverRequirementFactory(
                department=unit,
                date=MONDAY + timedelta(days=offset),
                shift_type=shift,
                minimum=1,
                preferred=1,
            )
    return {"unit": unit, "people": people, "early": early, "late": late}


def _generate(client, unit, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/api/rosters",
            {
                "unit": unit.pk,
                "start": MONDAY,
                "end": MONDAY + timedelta(days=6),
                "engine": "cpsat",
                "time_limit": 3,
                **extra,
            },
            format="json",
        )
    return response


def _solved_roster(org, ward, django_capture_on_commit_callbacks):
    planner = make_user("planner", [org["a"]])
    client = api_client(planner)
    response = _generate(client, ward["unit"], django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    roster_solve_run(job_id=response.json()["job"], workers=1)
    return client, Roster.objects.get(pk=response.json()["roster"]["id"])


def test_generate_answers_202_with_the_roster_and_its_job(org, ward, django_capture_on_commit_callbacks):
    client = api_client(make_user("planner", [org["a"]]))

    response = _generate(client, ward["unit"], django_capture_on_commit_callbacks)

    body = response.json()
    assert response.status_code == 202
    assert body["roster"]["status"] == "solving"
    assert Job.objects.get(pk=body["job"]).status == Job.Status.QUEUED


def test_a_second_generate_while_solving_answers_409_with_the_job_id(
    org, ward, django_capture_on_commit_callbacks
):
    client = api_client(make_user("planner", [org["a"]]))
    first = _generate(client, ward["unit"], django_capture_on_commit_callbacks).json()

    second = _generate(client, ward["unit"], django_capture_on_commit_callbacks)

    assert second.status_code == 409
    assert second.json()["extra"]["job_id"] == first["job"]


def test_a_viewer_cannot_generate_and_another_unit_is_invisible(
    org, ward, django_capture_on_commit_callbacks
):
    viewer = api_client(make_user("viewer", [org["a"]]))
    assert _generate(viewer, ward["unit"], django_capture_on_commit_callbacks).status_code == 403
    outsider = api_client(make_user("planner", [org["b"]]))
    assert _generate(outsider, ward["unit"], django_capture_on_commit_callbacks).status_code == 404


def test_bad_generate_input_gets_the_error_contract(org, ward):
    client = api_client(make_user("planner", [org["a"]]))
    response = client.post(
        "/api/rosters", {"unit": ward["unit"].pk, "start": "2025-03-10", "end": "2025-03-01"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}
    too_long = client.post(
        "/api/rosters", {"unit": ward["unit"].pk, "start": "2025-01-01", "end": "2025-12-31"}, format="json"
    )
    assert too_long.status_code == 413


def test_grid_cover_hours_fairness_explanation_and_exports_read_the_solved_roster(
    org, ward, django_capture_on_commit_callbacks
):
    client, roster = _solved_roster(org, ward, django_capture_on_commit_callbacks)
    base = f"/api/rosters/{roster.pk}"

    grid = client.get(f"{base}/grid")
    assert grid.status_code == 200
    assert len(grid.json()["days"]) == 7
    rows = grid.json()["cells"].values()
    assert all(len(row) == 7 for row in rows)  # every day of every person
    cells = sum(1 for row in rows for cell in row.values() if cell["shift"])
    assert cells == RosterAssignment.objects.filter(roster=roster).count()
    assert client.get(f"{base}/grid", HTTP_IF_NONE_MATCH=grid["ETag"]).status_code == 304

    cover = client.get(f"{base}/cover").json()
    assert {(row["shift"], row["minimum"]) for row in cover} == {("E", 1), ("L", 1)}
    assert all(row["assigned"] >= row["minimum"] for row in cover)
    assert client.get(f"{base}/hours").json()[0]["hours"] > 0
    assert "groups" in client.get(f"{base}/fairness").json()
    assert "penalties_by_rule" in client.get(f"{base}/explanation").json()
    csv = client.get(f"{base}/export.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0].startswith("person_id,name,role,2025-03-03")
    person = ward["people"][0]
    ics = client.get(f"{base}/people/{person.pk}/calendar.ics").content.decode()
    assert ics.startswith("BEGIN:VCALENDAR") and ics.rstrip().endswith("END:VCALENDAR")


def test_editing_a_cell_needs_the_current_etag_and_names_a_broken_rule(
    org, ward, django_capture_on_commit_callbacks
):
    client, roster = _solved_roster(org, ward, django_capture_on_commit_callbacks)
    base = f"/api/rosters/{roster.pk}"
    etag = client.get(base)["ETag"]
    person = ward["people"][0]
    # a pinned Late on Monday; an Early on Tuesday would then leave too little rest
    cell = {"person": person.pk, "date": "2025-03-03", "shift": "L", "pinned": True}

    assert client.patch(f"{base}/assignments", cell, format="json").status_code == 428
    ok = client.patch(f"{base}/assignments", cell, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200, ok.json()
    assert RosterAssignment.objects.get(roster=roster, person=person, date=MONDAY).pinned is True
    stale = client.patch(f"{base}/assignments", cell, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412

    fresh = ok["ETag"]
    too_close = client.patch(
        f"{base}/assignments",
        {"person": person.pk, "date": "2025-03-04", "shift": "E"},
        format="json",
        HTTP_IF_MATCH=fresh,
    )
    assert too_close.status_code == 422
    body = too_close.json()
    assert "min_rest_between_shifts" in body["message"] or any(
        v["rule"] == "min_rest_between_shifts" for v in body["extra"]["violations"]
    )
    assert body["extra"]["violations"][0]["person"] == person.pk


def test_publish_needs_if_match_and_then_freezes_the_roster(org, ward, django_capture_on_commit_callbacks):
    client, roster = _solved_roster(org, ward, django_capture_on_commit_callbacks)
    base = f"/api/rosters/{roster.pk}"
    etag = client.get(base)["ETag"]

    published = client.post(f"{base}/publish", HTTP_IF_MATCH=etag)

    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert roster.events.filter(action="publish").count() == 1
    edit = client.patch(
        f"{base}/assignments",
        {"person": ward["people"][0].pk, "date": "2025-03-05", "shift": None},
        format="json",
        HTTP_IF_MATCH=client.get(base)["ETag"],
    )
    assert edit.status_code == 409
    version = client.post(f"{base}/versions")
    assert version.status_code == 201
    assert version.json()["version"] == 2
    assert version.json()["status"] == "solved"


def test_delete_removes_a_solved_roster_with_its_rows_and_keeps_a_published_one(
    org, ward, django_capture_on_commit_callbacks
):
    # given a solved roster and a published one of the same unit
    client, roster = _solved_roster(org, ward, django_capture_on_commit_callbacks)
    base = f"/api/rosters/{roster.pk}"
    assert RosterAssignment.objects.filter(roster=roster).exists()
    # when it is deleted without an ETag, then with a stale one, then with the current one
    missing = client.delete(base)
    stale = client.delete(base, HTTP_IF_MATCH='"roster-0-0"')
    deleted = client.delete(base, HTTP_IF_MATCH=client.get(base)["ETag"])
    # then only the current ETag deletes it, with its assignments and events
    assert missing.status_code == 428 and set(missing.json()) == {"message", "extra"}
    assert stale.status_code == 412
    assert deleted.status_code == 204
    assert not Roster.objects.filter(pk=roster.pk).exists()
    assert not RosterAssignment.objects.filter(roster_id=roster.pk).exists()
    assert client.get(base).status_code == 404

    _, published = _solved_roster(org, ward, django_capture_on_commit_callbacks)
    published_base = f"/api/rosters/{published.pk}"
    client.post(f"{published_base}/publish", HTTP_IF_MATCH=client.get(published_base)["ETag"])
    refused = client.delete(published_base, HTTP_IF_MATCH=client.get(published_base)["ETag"])
    assert refused.status_code == 409 and refused.json()["extra"]["status"] == "published"
    assert Roster.objects.filter(pk=published.pk).exists()


def test_delete_refuses_a_roster_whose_solve_is_queued_and_another_departments_roster(
    org, ward, django_capture_on_commit_callbacks
):
    # given a roster whose solve is still queued, and a planner of another department
    planner = make_user("planner", [org["a"]])
    client = api_client(planner)
    created = _generate(client, ward["unit"], django_capture_on_commit_callbacks).json()
    base = f"/api/rosters/{created['roster']['id']}"
    outsider = api_client(make_user("planner", [org["b"]]))
    # when both try to delete it
    queued = client.delete(base, HTTP_IF_MATCH=client.get(base)["ETag"])
    foreign = outsider.delete(base, HTTP_IF_MATCH=client.get(base)["ETag"])
    # then the queued solve keeps it (409 naming the job) and the other department does not see it
    assert queued.status_code == 409 and queued.json()["extra"]["job"] == created["job"]
    assert foreign.status_code == 404
    assert Roster.objects.filter(pk=created["roster"]["id"]).exists()
