"""`make demo` (scripts/demo.sh) stops at once on TERM to its process group or Ctrl-C, even while the
worker runs a long solve: the worker is not left in a warm shutdown waiting for the task."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT, wait_for
from ops.tests.test_procfile import _free_port, _ready

pytestmark = pytest.mark.slow
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",  # set in CI (.ci/run): a replica needs a PostgreSQL primary, refused with SQLite
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
)

START_LONG_SOLVE = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from capacity.models import Department
from scheduler.services.rosters import roster_generate
unit = Department.objects.filter(kind=Department.Kind.UNIT).order_by("id").first()
start = timezone.localdate()
end = start + timedelta(days=27)
roster_generate(unit=unit, start_date=start, end_date=end, engine="cpsat", time_limit=300)
"""


def _job_status(database) -> str | None:
    try:
        with sqlite3.connect(database, timeout=5) as db:
            row = db.execute("select status, progress from ops_job order by id desc limit 1").fetchone()
    except sqlite3.Error:
        return None
    return f"{row[0]}:{'started' if row[1] == 0 else 'solving'}" if row else None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _worker_pids(var_dir) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if f"CREWPLAN_VAR_DIR={var_dir}".encode() in f.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_demo_stops_while_a_long_solve_runs(tmp_path, stop_signal):
    # given the embedded demo (no external service) running, its worker in the middle of a 300 s solve
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update(CREWPLAN_VAR_DIR=str(tmp_path), PORT=str(port), SEED_SIZE="small", PY=sys.executable)
    # no early stop: with the deployment's defaults a small unit's roster can come within 1% of its bound
    # in seconds (on 6 December the 300 s solve ended after 2 s, stop reason "gap"), and then nothing runs
    # when the signal is sent; only a proof of optimality ends this solve before its limit
    env.update(SOLVE_EARLY_STOP_GAP_PERCENT="0", SOLVE_STALL_SHARE="0")
    demo = subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _ready(f"http://127.0.0.1:{port}/readyz"), timeout=240, interval=0.5)
        solve_env = {**env, "DJANGO_SETTINGS_MODULE": "ops.settings", "DEBUG": "true"}
        subprocess.run(
            [sys.executable, "-c", START_LONG_SOLVE], cwd=ROOT, env=solve_env, check=True, timeout=120
        )
        database = tmp_path / "crewplan.sqlite3"
        wait_for(lambda: _job_status(database) == "running:solving", timeout=120, interval=0.2)

        # when the demo's process group is sent the signal (Ctrl-C sends INT to it)
        os.killpg(demo.pid, stop_signal)
        demo.wait(timeout=60)  # a guard only; the assertions below say what must hold

        # then every process of the demo is gone, the web server and the worker's pool included, and the
        # solve did not get to finish first
        assert not _group_alive(demo.pid)
        wait_for(lambda: not _worker_pids(tmp_path), timeout=5, interval=0.1)
        assert not _job_status(database).startswith("succeeded")
    finally:
        for pid in _worker_pids(tmp_path):
            os.kill(pid, signal.SIGKILL)
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
