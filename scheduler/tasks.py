from celery import shared_task
from django.db import InterfaceError, OperationalError

from ops.task_base import LoggedTask
from scheduler.services.scenarios import scenario_solve_run
from scheduler.services.solving import roster_solve_run


@shared_task(
    base=LoggedTask,
    name="scheduler.tasks.roster_solve",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def roster_solve(*, job_id: int) -> str:
    """Solve one roster job (queue `solve`). Idempotent: see roster_solve_run. Retried only when the
    database connection failed; an infeasible roster is a result, not a retry."""
    return roster_solve_run(job_id=job_id)


@shared_task(
    base=LoggedTask,
    name="scheduler.tasks.roster_scenario_solve",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def roster_scenario_solve(*, job_id: int) -> str:
    """Solve one what-if scenario (queue `solve`) into the scenario's record; its base is never written.
    Idempotent: see scenario_solve_run."""
    return scenario_solve_run(job_id=job_id)
