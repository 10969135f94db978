"""The weekly fan-out retrain: one Celery task per series on the `forecast` queue, so several machines
share the work, and a final step that bumps the forecast cache and records the run's summary.

Fan-in is a compare-and-swap on per-series rows rather than a Celery chord: a chord needs a result
backend, and its counter is decremented again when a message is redelivered after a worker died, so it
can fire early. Here each series moves pending -> done once, and the run finishes once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from forecasting.engine.options import DEFAULT_HORIZON_DAYS, ForecastOptions
from forecasting.models import DemandSeries, ForecastRun, ForecastRunItem
from forecasting.services import forecast_options, forecast_store, forecast_train
from ops.cache import bump
from ops.hold_points import hold_point
from ops.jobs import (
    job_claim,
    job_create,
    job_enqueue_on_commit,
    job_report_progress,
    job_succeed,
    task_signature,
)

RUN_JOB_KIND = "forecast.retrain"
ITEM_TASK = "forecasting.tasks.forecast_retrain_item"


@transaction.atomic
def forecast_run_create(
    *, series_ids: list[int] | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS, user=None
) -> ForecastRun:
    series = (
        DemandSeries.objects.all() if series_ids is None else DemandSeries.objects.filter(pk__in=series_ids)
    )
    options = forecast_options(horizon_days=horizon_days)
    ids = list(series.order_by("pk").values_list("pk", flat=True))
    job = job_create(kind=RUN_JOB_KIND, params={"series_ids": ids, **options.to_dict()}, requested_by=user)
    run = ForecastRun.objects.create(job=job, horizon_days=options.horizon_days)
    ForecastRunItem.objects.bulk_create(ForecastRunItem(run=run, series_id=pk) for pk in ids)
    job_claim(job_id=job.id)  # the run is under way as soon as its tasks are sent
    job_enqueue_on_commit(job, lambda: _send(run), on_broker_down=_close_run)
    return run


def _send(run: ForecastRun) -> None:
    from celery import group

    item_ids = run.items.values_list("pk", flat=True)
    group(task_signature(ITEM_TASK, item_id=item_id) for item_id in item_ids).apply_async(retry=False)


def _close_run(job) -> None:
    """The broker refused the run's tasks: the run ends now, with nothing trained."""
    ForecastRun.objects.filter(job=job, finished_at__isnull=True).update(
        finished_at=timezone.now(), summary={"error": "broker unavailable"}
    )


def forecast_run_item_execute(*, item_id: int) -> str:
    item = ForecastRunItem.objects.select_related("run__job", "series__department").get(pk=item_id)
    if item.status != ForecastRunItem.Status.PENDING:
        return "already done"  # a redelivered message for a series that finished
    options = ForecastOptions.from_dict(item.run.job.params)
    result = forecast_train(series=item.series, options=options)
    hold_point(f"forecast-item-trained-{item_id}")  # trained, nothing stored yet: where a kill hurts most
    status = ForecastRunItem.Status.SUCCEEDED if result.ok else ForecastRunItem.Status.FAILED
    with transaction.atomic():  # the model and the item's outcome commit together: a series counts once
        moved = ForecastRunItem.objects.filter(pk=item_id, status=ForecastRunItem.Status.PENDING).update(
            status=status,
            algorithm=result.algorithm or "",
            duration_seconds=result.duration_s,
            error=result.error or "",
        )
        if moved and result.ok:
            forecast_store(series=item.series, result=result)
    if moved:
        _report(item.run)
    return status


def _report(run: ForecastRun) -> None:
    counts = {s: 0 for s in ForecastRunItem.Status.values}
    for status in run.items.values_list("status", flat=True):
        counts[status] += 1
    total = sum(counts.values())
    done = total - counts[ForecastRunItem.Status.PENDING]
    job_report_progress(
        job_id=run.job_id,
        progress=int(100 * done / max(total, 1)) if done < total else 99,
        message=f"{done}/{total} series",
        result={"done": done, "total": total, "plain": f"{done} of {total} series retrained"},
    )
    if done < total:
        return
    with transaction.atomic():
        if not ForecastRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=timezone.now()
        ):
            return  # another worker finished the run
        failed = list(run.items.filter(status=ForecastRunItem.Status.FAILED).values("series_id", "error"))
        summary = {"series": total, "succeeded": counts[ForecastRunItem.Status.SUCCEEDED], "failed": failed}
        ForecastRun.objects.filter(pk=run.pk).update(summary=summary)
        bump("forecast")
    job_succeed(job_id=run.job_id, result=summary, message=f"{summary['succeeded']}/{total} series retrained")
