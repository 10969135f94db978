"""The broker down when a roster is requested: a clear 503, and no job left "queued" forever."""

from datetime import date, time

import pytest

from api.testing import api_client, make_user
from ops.celery import app
from ops.models import Job
from scheduler.models import Roster
from scheduler.tests.factories import ShiftTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down():
    """Point the Celery app at a loopback port where nothing listens (a real refused connection)."""
    saved = {key: app.conf[key] for key in ("broker_url", "broker_write_url")}
    app.conf.broker_url = app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


def test_generate_with_the_broker_down_answers_503_and_fails_its_job(org, broker_down):
    ShiftTypeFactory(department=org["a"], code="E", start_time=time(7))
    client = api_client(make_user("planner", [org["a"]]))

    response = client.post(
        "/api/rosters",
        {"unit": org["a"].pk, "start": date(2025, 3, 3), "end": date(2025, 3, 9)},
        format="json",
    )

    assert response.status_code == 503
    assert set(response.json()) == {"message", "extra"}
    job = Job.objects.get(pk=response.json()["extra"]["job_id"])
    assert job.status == Job.Status.FAILED
    assert "broker unavailable" in job.error
    assert Roster.objects.get(job=job).status == Roster.Status.DRAFT
    assert not Job.objects.filter(status=Job.Status.QUEUED).exists()


def test_retrain_with_the_broker_down_answers_503_and_fails_its_job_and_run(org, broker_down):
    from forecasting.models import ForecastRun
    from forecasting.tests.factories import DemandSeriesFactory

    DemandSeriesFactory(department=org["a"])
    client = api_client(make_user("planner", [org["a"]]))

    response = client.post("/api/forecasting/retrain", {"horizon_days": 7}, format="json")

    assert response.status_code == 503
    assert set(response.json()) == {"message", "extra"}
    job = Job.objects.get(pk=response.json()["extra"]["job_id"])
    assert job.status == Job.Status.FAILED and "broker unavailable" in job.error
    assert ForecastRun.objects.get(job=job).finished_at is not None
    assert not Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists()


def test_an_async_aggregate_with_the_broker_down_answers_503_and_fails_its_job(org, broker_down):
    client = api_client(make_user("viewer", [org["root"]]))

    response = client.post(
        "/api/reports/grid-snapshot", {"department": org["a"].pk, "weeks": 4}, format="json"
    )

    assert response.status_code == 503
    assert set(response.json()) == {"message", "extra"}
    job = Job.objects.get(pk=response.json()["extra"]["job_id"])
    assert job.kind == "capacity.grid_snapshot"
    assert job.status == Job.Status.FAILED and "broker unavailable" in job.error
