import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from capacity.models import Department
from ops.errors import ApplicationError
from ops.models import Job
from ops.planning_window import OutsidePlanningWindow, check_planning_date
from scheduler.services.batch import roster_batch_plan
from scheduler.solver.options import AUTO, DEFAULT_TIME_LIMIT_S, ROSTER_ENGINES

POLL_S = 1.0


class Command(BaseCommand):
    help = (
        "Plan a roster for every unit below a department (the whole organisation by default) over the "
        "solve workers, and wait for them. Exits non-zero on bad input or when any unit's solve failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day of every roster, YYYY-MM-DD")
        parser.add_argument("--weeks", required=True, type=int, help="weeks per roster")
        parser.add_argument(
            "--department", help="id or name of the department (default: the one organisation at the top)"
        )
        parser.add_argument("--engine", choices=ROSTER_ENGINES, default=AUTO)
        parser.add_argument("--time-limit", type=int, default=DEFAULT_TIME_LIMIT_S, help="seconds per unit")
        parser.add_argument("--no-wait", action="store_true", help="start the batch and exit")

    def handle(self, *args, start, weeks, department, engine, time_limit, no_wait, **options):
        try:
            start_date = check_planning_date(date.fromisoformat(start))
        except (ValueError, OutsidePlanningWindow) as exc:
            raise CommandError(f"--start: {exc}") from exc
        root = self._department(department)
        try:
            job = roster_batch_plan(
                department=root, start_date=start_date, weeks=weeks, engine=engine, time_limit=time_limit
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.extra or ''}".strip()) from exc
        total = job.result["units_total"]
        chains = job.result["chains"]
        self.stdout.write(
            f"job {job.id}: {total} unit(s) of {root.name}, {len(chains)} chain(s) "
            f"(the longest {max(len(c) for c in chains)} unit(s) sharing people)"
        )
        if no_wait:
            return
        job = self._wait(job.id)
        self.stdout.write(f"job {job.id} {job.status}: {job.message}")
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(f"batch {job.id} {job.status}: {job.error or job.message}")

    def _department(self, wanted: str | None) -> Department:
        if wanted is None:
            roots = list(Department.objects.filter(parent__isnull=True)[:2])
            if len(roots) != 1:
                raise CommandError("give --department: there is not exactly one organisation at the top")
            return roots[0]
        found = (
            Department.objects.filter(pk=int(wanted)).first()
            if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18
            else Department.objects.filter(name__iexact=wanted).first()
        )
        if found is None:
            raise CommandError(f"--department: no department {wanted!r}")
        return found

    def _wait(self, job_id: int) -> Job:
        shown = None
        while True:
            job = Job.objects.get(id=job_id)
            if job.message != shown:
                shown = job.message
                self.stderr.write(f"  {job.message}")
            if job.is_finished:
                return job
            time.sleep(POLL_S)
