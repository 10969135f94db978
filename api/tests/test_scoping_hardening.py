"""No way around department scoping: staff status grants nothing outside the admin site; the shared
catalogues are edited only by the organisation's admins; a department's time zone is a real one; a write
that needs If-Match needs a real ETag, not *."""

from __future__ import annotations

import pytest

from api.testing import api_client, make_user
from api.tests import test_rosters_api as rosters
from ops.models import Job
from scheduler.tests.factories import WorkRulesFactory

pytestmark = pytest.mark.django_db
ward = rosters.ward  # the roster tests' fixture


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_staff_status_does_not_open_another_departments_jobs(org):
    # given a staff user who is a viewer of unit A, and jobs of unit B and of a colleague in A
    staff_viewer = _staff(make_user("viewer", [org["a"]]))
    colleague = make_user("planner", [org["a"]])
    job_b = Job.objects.create(kind="roster.solve", department_id=org["b"].id, requested_by=colleague)
    job_a = Job.objects.create(kind="roster.solve", department_id=org["a"].id, requested_by=colleague)
    client = api_client(staff_viewer)

    # when they read and cancel them
    read_b = client.get(f"/api/jobs/{job_b.id}")
    cancel_b = client.post(f"/api/jobs/{job_b.id}/cancel")
    cancel_a = client.post(f"/api/jobs/{job_a.id}/cancel")

    # then B's job does not exist for them, and A's may be read but not cancelled by a viewer
    assert read_b.status_code == 404 and cancel_b.status_code == 404
    assert client.get(f"/api/jobs/{job_a.id}").status_code == 200
    assert cancel_a.status_code == 403
    assert not Job.objects.filter(cancel_requested=True).exists()


@pytest.mark.parametrize(
    "resource, body",
    [
        ("roles", {"name": "Surgeon"}),
        ("skills", {"name": "ventilation"}),
        ("work-rules", {"name": "Night contract", "contract_minutes_per_week": 2250}),
    ],
)
def test_a_site_admin_cannot_edit_the_shared_catalogues(org, resource, body):
    # given an admin of one site only, and an existing work rule other sites use
    site_admin = api_client(make_user("admin", [org["site"]]))
    rule = WorkRulesFactory(name="Shared contract")

    # when they write a catalogue
    created = site_admin.post(f"/api/{resource}", body, format="json")
    changed = site_admin.patch(f"/api/work-rules/{rule.id}", {"name": "Mine now"}, format="json")
    deleted = site_admin.delete(f"/api/work-rules/{rule.id}")

    # then each is refused, and reads still work
    assert created.status_code == 403 and changed.status_code == 403 and deleted.status_code == 403
    assert site_admin.get(f"/api/{resource}").status_code == 200
    rule.refresh_from_db()
    assert rule.name == "Shared contract"


def test_the_organisations_admin_edits_the_shared_catalogues(org):
    org_admin = api_client(make_user("admin", [org["root"]]))
    assert org_admin.post("/api/roles", {"name": "Surgeon"}, format="json").status_code == 201


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "", "UTC+5"])
def test_a_department_time_zone_must_be_in_the_zone_database(org, zone):
    admin = api_client(make_user("admin", [org["root"]]))
    response = admin.patch(f"/api/departments/{org['a'].id}", {"time_zone": zone}, format="json")
    assert response.status_code == 400, response.content
    assert "time_zone" in str(response.json()["extra"])
    org["a"].refresh_from_db()
    assert org["a"].time_zone != zone
    ok = admin.patch(f"/api/departments/{org['a'].id}", {"time_zone": "Europe/London"}, format="json")
    assert ok.status_code == 200


def test_if_match_star_does_not_satisfy_roster_edits_or_publish(
    org, ward, django_capture_on_commit_callbacks
):
    # given a solved roster
    client, roster = rosters._solved_roster(org, ward, django_capture_on_commit_callbacks)
    base = f"/api/rosters/{roster.pk}"
    cell = {"person": ward["people"][0].pk, "date": rosters.MONDAY.isoformat(), "shift": "L"}

    # when a client sends If-Match: * instead of the ETag it read
    edit = client.patch(f"{base}/assignments", cell, format="json", HTTP_IF_MATCH="*")
    publish = client.post(f"{base}/publish", HTTP_IF_MATCH="*")

    # then both are refused as lacking a real precondition, and nothing changed
    assert edit.status_code == 428 and publish.status_code == 428
    roster.refresh_from_db()
    assert roster.status == "solved"
