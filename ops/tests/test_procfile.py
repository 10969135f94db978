"""The Procfile runs: honcho starts gunicorn, a worker per queue and beat against the real services."""

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import _database_url_of_test_db, wait_for
from ops.models import Job

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_honcho_starts_the_whole_stack_from_the_procfile(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ops.settings_test",
        "DATABASE_URL": _database_url_of_test_db(),
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "CELERY_BROKER_KEY_PREFIX": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", ""),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "CREWPLAN_VAR_DIR": str(tmp_path),
        "DB_CONN_MAX_AGE": "0",
        # the Procfile names gunicorn and celery as an activated virtualenv would
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    stale = Job.objects.create(kind="test.lost")
    Job.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=2))
    honcho = subprocess.Popen(
        [sys.executable, "-m", "honcho", "-f", "Procfile", "start", "web", "default", "beat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # the web process answers readiness, and beat's stale-job sweep reaches the default worker
        wait_for(lambda: _ready(f"http://127.0.0.1:{port}/readyz"), timeout=60)
        from ops.tasks import jobs_fail_stale

        jobs_fail_stale.apply_async(kwargs={"older_than_minutes": 30})
        wait_for(lambda: Job.objects.get(pk=stale.pk).status == Job.Status.FAILED, timeout=60)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert "crewplan_request_duration_seconds" in metrics
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
