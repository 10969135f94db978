import pytest

from conftest import wait_for
from forecasting.models import ForecastModel, ForecastRun, ForecastRunItem
from forecasting.retrain_runs import forecast_run_create, forecast_run_item_execute
from forecasting.tests.factories import DemandSeriesFactory, add_weekly_history
from ops.models import Job


@pytest.mark.django_db
def test_running_an_item_twice_trains_once_and_the_run_finishes_once(django_capture_on_commit_callbacks):
    # given a run over two series whose messages were not sent (captured on commit)
    first, second = DemandSeriesFactory(), DemandSeriesFactory()
    add_weekly_history(first)
    add_weekly_history(second)
    with django_capture_on_commit_callbacks(execute=False):
        run = forecast_run_create(series_ids=[first.pk, second.pk], horizon_days=7)
    items = list(run.items.order_by("pk"))

    # when the first item's message is delivered twice, then the second one's
    assert forecast_run_item_execute(item_id=items[0].pk) == "succeeded"
    assert forecast_run_item_execute(item_id=items[0].pk) == "already done"
    assert Job.objects.get(pk=run.job_id).status == Job.Status.RUNNING
    forecast_run_item_execute(item_id=items[1].pk)

    # then each series has one model, and the run and its job finished once with a summary
    assert ForecastModel.objects.filter(series=first).count() == 1
    run.refresh_from_db()
    assert run.finished_at is not None
    assert run.summary == {"series": 2, "succeeded": 2, "failed": []}
    job = Job.objects.get(pk=run.job_id)
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["succeeded"] == 2


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_weekly_fan_out_runs_one_task_per_series_on_a_real_worker(celery_worker_process):
    # given three series, one of which cannot be trained
    good = [DemandSeriesFactory(), DemandSeriesFactory()]
    for series in good:
        add_weekly_history(series)
    bad = DemandSeriesFactory()
    add_weekly_history(bad, days=4)

    # when the run is created (its tasks go through Redis to the worker)
    run = forecast_run_create(horizon_days=7)

    # then every series is handled, the bad one fails alone, and the run records its summary
    wait_for(lambda: Job.objects.get(pk=run.job_id).status == Job.Status.SUCCEEDED, timeout=120)
    statuses = dict(ForecastRunItem.objects.filter(run=run).values_list("series_id", "status"))
    assert statuses == {good[0].pk: "succeeded", good[1].pk: "succeeded", bad.pk: "failed"}
    summary = ForecastRun.objects.get(pk=run.pk).summary
    assert summary["succeeded"] == 2
    assert [f["series_id"] for f in summary["failed"]] == [bad.pk]
    assert ForecastModel.objects.filter(is_current=True).count() == 2
