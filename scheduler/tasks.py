from celery import shared_task

from ops.task_base import LoggedTask
from scheduler.services.solving import roster_solve_run


@shared_task(base=LoggedTask, name="scheduler.tasks.roster_solve", acks_late=True)
def roster_solve(*, job_id: int) -> str:
    """Solve one roster job (queue `solve`). Idempotent: see roster_solve_run. An infeasible roster is a
    result, not a retry, so there is no autoretry here."""
    return roster_solve_run(job_id=job_id)
