"""Fair use of the solver: a cap on the solves queued or running per department (429 naming them), the
API's throttles on the pages' forms too (one count for both), a cap on the solver seconds one user asks
for per hour, and the queue position of a waiting job."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from api.testing import api_client
from capacity.models import AccessGrant
from ops.models import Job
from scheduler.models import Roster
from web.tests.builders import planning_unit, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(db):
    return planning_unit(name="Fair Ward", people=3, weeks=1, assignments=False)


@pytest.fixture
def planner(ward):
    return user_with_role("fair-planner", ward.unit.parent, "planner")


def _generate(client, ward, week: int, time_limit: int = 5):
    start = ward.start + timedelta(weeks=week)
    return client.post(
        "/api/rosters",
        {
            "unit": ward.unit.id,
            "start": start.isoformat(),
            "end": (start + timedelta(days=6)).isoformat(),
            "time_limit": time_limit,
        },
        format="json",
    )


def test_a_third_solve_in_a_department_waits_its_turn(
    ward, planner, django_capture_on_commit_callbacks, settings
):
    # given two solves of the unit queued (the default cap is 2)
    assert settings.SOLVE_MAX_ACTIVE_PER_DEPARTMENT == 2
    client = api_client(planner)
    with django_capture_on_commit_callbacks(execute=False):
        first, second = _generate(client, ward, 0), _generate(client, ward, 1)
        # when a third is asked for, through the API and through the page
        third = _generate(client, ward, 2)
    page = _web_client(planner)
    form = page.post(
        reverse("roster-new"),
        {
            "unit": ward.unit.id,
            "start": (ward.start + timedelta(weeks=3)).isoformat(),
            "weeks": 1,
            "engine": "auto",
            "time_limit": 5,
        },
    )

    # then both are refused with the running jobs named, and nothing was created
    assert first.status_code == 202 and second.status_code == 202
    running = [first.json()["job"], second.json()["job"]]
    assert third.status_code == 429 and third.json()["extra"]["active_jobs"] == running
    assert all(str(job) in third.json()["message"] for job in running)
    assert int(third["Retry-After"]) > 0
    assert str(running[0]) in form.content.decode()
    assert Roster.objects.count() == 2

    # when one of them is cancelled, the unit may solve again
    client.post(f"/api/jobs/{running[0]}/cancel")
    with django_capture_on_commit_callbacks(execute=False):
        assert _generate(client, ward, 2).status_code == 202


def _web_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_pages_forms_share_the_apis_solve_throttle(ward, settings, django_capture_on_commit_callbacks):
    # given a planner whose id no other test used (throttle windows outlive a test in the shared
    # cache), a solve rate of 2 a minute, and one solve already asked for through the API
    planner = get_user_model().objects.create_user(
        id=700_000_000 + uuid.uuid4().int % 10**8, username="rated"
    )
    AccessGrant.objects.create(
        user=planner, department=ward.unit.parent, role="planner", include_children=True
    )
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "solve": "2/min"},
    }
    settings.SOLVE_MAX_ACTIVE_PER_DEPARTMENT = 50
    with django_capture_on_commit_callbacks(execute=False):
        assert _generate(api_client(planner), ward, 0).status_code == 202
    page = _web_client(planner)

    # when the page's form posts twice more
    def post(week):
        with django_capture_on_commit_callbacks(execute=False):
            return page.post(
                reverse("roster-new"),
                {
                    "unit": ward.unit.id,
                    "start": (ward.start + timedelta(weeks=week)).isoformat(),
                    "weeks": 1,
                    "engine": "auto",
                    "time_limit": 5,
                },
            )

    allowed, refused = post(1), post(2)

    # then the second form post is over the shared rate: 429 with Retry-After
    assert allowed.status_code == 302
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Roster.objects.count() == 2


def test_a_user_may_ask_for_a_bounded_number_of_solver_seconds_an_hour(
    ward, planner, settings, django_capture_on_commit_callbacks
):
    # given a budget of 10 solver seconds per user and hour
    settings.SOLVE_SECONDS_PER_USER_HOUR = 10
    settings.SOLVE_MAX_ACTIVE_PER_DEPARTMENT = 50
    client = api_client(planner)

    # when they ask for 6 s, then 6 s more
    with django_capture_on_commit_callbacks(execute=False):
        first = _generate(client, ward, 0, time_limit=6)
        second = _generate(client, ward, 1, time_limit=6)

    # then the second is refused, saying how much was used
    assert first.status_code == 202
    assert second.status_code == 429
    assert second.json()["extra"] | {"used": 6.0, "requested": 6, "limit": 10} == second.json()["extra"]


def test_a_waiting_job_shows_its_queue_position(ward, planner, django_capture_on_commit_callbacks):
    # given two queued solves
    client = api_client(planner)
    with django_capture_on_commit_callbacks(execute=False):
        first, second = _generate(client, ward, 0), _generate(client, ward, 1)
    first_id, second_id = first.json()["job"], second.json()["job"]

    # then each knows its place, and a started job has none
    assert client.get(f"/api/jobs/{first_id}").json()["queue_position"] == 1
    assert client.get(f"/api/jobs/{second_id}").json()["queue_position"] == 2
    Job.objects.filter(id=first_id).update(status=Job.Status.RUNNING)
    assert client.get(f"/api/jobs/{first_id}").json()["queue_position"] is None
    assert client.get(f"/api/jobs/{second_id}").json()["queue_position"] == 1
