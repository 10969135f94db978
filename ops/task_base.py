"""The one base class of every crewplan task: it logs task id, duration and outcome."""

from __future__ import annotations

import logging
import time

from celery import Task

logger = logging.getLogger("crewplan.tasks")


class LoggedTask(Task):
    """Logs one line per run. Retries are declared per task with `autoretry_for=(NamedError,)`."""

    def __call__(self, *args, **kwargs):
        started = time.monotonic()
        outcome = "failed"
        try:
            result = super().__call__(*args, **kwargs)
            outcome = "succeeded"
            return result
        finally:
            logger.info(
                "task=%s id=%s outcome=%s duration_ms=%d",
                self.name,
                getattr(self.request, "id", None),
                outcome,
                (time.monotonic() - started) * 1000,
            )
