from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "scheduler"

    def ready(self) -> None:
        from ops.jobs import job_ended
        from scheduler.services.rosters import roster_release_after_job

        def release_rosters(sender, *, job_ids: list[int], status: str, **kwargs) -> None:
            roster_release_after_job(job_ids=job_ids)

        job_ended.connect(release_rosters, dispatch_uid="scheduler.release_rosters", weak=False)
