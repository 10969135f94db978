import pytest

from ops.jobs import job_claim, job_create, job_succeed

pytestmark = pytest.mark.django_db


def test_metrics_show_request_latency_per_view_and_finished_jobs(client):
    # given a request that was answered and a job that finished
    client.get("/healthz")
    job = job_create(kind="test.metrics")
    job_claim(job_id=job.id)
    job_succeed(job_id=job.id)

    # when loopback reads /metrics
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    # then both are there, and the queue depths too
    body = response.content.decode()
    assert response.status_code == 200
    assert 'crewplan_request_duration_seconds_count{method="GET",status="200",view="healthz"}' in body
    assert 'crewplan_jobs_finished_total{kind="test.metrics",outcome="succeeded"}' in body
    assert 'crewplan_celery_queue_depth{queue="solve"}' in body


def test_metrics_are_hidden_from_other_addresses_without_a_key(client):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404


def test_metrics_need_the_key_when_one_is_set(client, settings):
    settings.METRICS_KEY = "s3cret"
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 200
