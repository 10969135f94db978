"""A Celery worker killed (SIGKILL) in the middle of a forecast retrain: the series it was training is
redelivered and trained again, and every series of the run ends with exactly one model, the run and its
job finishing once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

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


def test_a_worker_killed_mid_retrain_trains_each_series_once(celery_worker_process):
    # given: a run over several series with two years of daily history, so each takes a while to train
    series = [DemandSeriesFactory() for _ in range(SERIES)]
    for one in series:
        add_weekly_history(one, days=730)
    run = forecast_run_create(horizon_days=14)
    log_before = len(_worker_log())

    # when: one series has finished (so the worker's single pool process is training the next one),
    # that process is killed
    wait_for(lambda: _done(run) >= 1, timeout=180, interval=0.05)
    assert _done(run) < SERIES
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
