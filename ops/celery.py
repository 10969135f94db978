"""The Celery application. Its configuration is the CELERY_* block of ops/settings.py: JSON only,
queues solve/forecast/default, prefetch 1, late acks with reject-on-worker-lost, soft and hard time
limits, and a visibility timeout longer than the longest task.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")

app = Celery("crewplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("solve"), Queue("forecast"), Queue("default"))
app.autodiscover_tasks()


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender: Celery, **kwargs) -> None:
    """The filesystem transport needs its folders before the first message is written."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
