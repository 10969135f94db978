"""A Celery worker killed (SIGKILL) in the middle of a forecast retrain: the series it was training is
redelivered and trained again, and every series of the run ends with exactly one model, the run and its
job finishing once.

The task is held at a hold point (ops/hold_points.py) after it has trained the second series and before it
stores anything, so the kill always lands mid-task: without the hold, a short series could finish first.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from django.db import transaction

from conftest import ROOT, wait_for
from forecasting.models import ForecastModel, ForecastRun, ForecastRunItem
from forecasting.retrain_runs import forecast_run_create
from forecasting.tests.factories import DemandSeriesFactory, add_weekly_history
from ops.models import Job

pytestmark = [pytest.mark.celery_worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SERIES = 4


def _pool_children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children.extend(int(c) for c in (task / "children").read_text().split())
    return children


def _done(run: ForecastRun) -> int:
    return run.items.exclude(status=ForecastRunItem.Status.PENDING).count()


def _worker_log() -> str:
    return (ROOT / "var" / f"test-worker-{os.getpid()}.log").read_text()


def test_a_worker_killed_mid_retrain_trains_each_series_once(celery_worker_process, hold_points):
    # given: a run over several series with two years of daily history, and the second series' task armed
    # to hold once it has trained and before it stores its model
    series = [DemandSeriesFactory() for _ in range(SERIES)]
    for one in series:
        add_weekly_history(one, days=730)
    log_before = len(_worker_log())
    with transaction.atomic():  # armed before the tasks are sent on commit
        run = forecast_run_create(horizon_days=14)
        second = run.items.order_by("pk")[1]
        held = hold_points(f"forecast-item-trained-{second.pk}")

    # when: the worker's single pool process holds there (one series done, the second trained, not stored),
    # that process is killed
    wait_for(held.exists, timeout=180, interval=0.05)
    assert _done(run) == 1
    assert not ForecastModel.objects.filter(series_id=second.series_id).exists()
    children = _pool_children(celery_worker_process.pid)
    assert children, "the worker has no pool process to kill"
    for child in children:
        os.kill(child, signal.SIGKILL)

    # then: the killed task was lost mid-run and redelivered...
    job = wait_for(lambda: Job.objects.filter(pk=run.job_id, status__in=Job.FINISHED).first(), timeout=300)
    assert "WorkerLostError" in _worker_log()[log_before:]
    # ...and every series was trained once; the run and its job finished once
    assert job.status == Job.Status.SUCCEEDED, job.error
    statuses = list(ForecastRunItem.objects.filter(run=run).values_list("status", flat=True))
    assert statuses == [ForecastRunItem.Status.SUCCEEDED] * SERIES
    for one in series:
        assert ForecastModel.objects.filter(series=one).count() == 1
        assert ForecastModel.objects.filter(series=one, is_current=True).count() == 1
    run.refresh_from_db()
    assert run.finished_at is not None and run.summary["succeeded"] == SERIES
    assert job.result == run.summary
