from celery import shared_task

from forecasting.engine.options import DEFAULT_HORIZON_DAYS
from forecasting.retrain_runs import forecast_run_create, forecast_run_item_execute
from ops.task_base import LoggedTask


@shared_task(base=LoggedTask, name="forecasting.tasks.forecast_retrain_item", acks_late=True)
def forecast_retrain_item(*, item_id: int) -> str:
    """Retrain one series of a run (queue `forecast`); safe to run twice."""
    return forecast_run_item_execute(item_id=item_id)


@shared_task(base=LoggedTask, name="forecasting.tasks.forecast_retrain_all")
def forecast_retrain_all(*, horizon_days: int = DEFAULT_HORIZON_DAYS) -> int:
    """The weekly beat entry: fan out one task per series."""
    return forecast_run_create(horizon_days=horizon_days).pk
