"""Suite-wide fixtures: service requirements and a real Celery worker process.

Tests marked `postgres` or `redis` skip on the embedded default, but under CI=true they fail instead:
CI must never pass by skipping the tests that matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ON_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent
SHARED_BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


def using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def using_redis() -> bool:
    return bool(settings.REDIS_URL)


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if ON_CI:
        pytest.fail(f"{what} is required under CI=true and is not configured")
    pytest.skip(f"needs {what}")


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        _require(using_postgres(), "PostgreSQL (DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis"):
        _require(using_redis(), "Redis (REDIS_URL=redis://...)")
    if item.get_closest_marker("replica"):
        _require(
            using_postgres() and "replica" in settings.DATABASES,
            "a streaming replica (DATABASE_REPLICA_URL; .ci/replica.sh starts one)",
        )
    if item.get_closest_marker("celery_worker"):
        _require(
            using_postgres() and settings.CELERY_BROKER_URL.startswith("redis"),
            "PostgreSQL and a Redis broker for a real worker process",
        )


def _database_url_of_test_db() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` on every queue, pointed at the test database and this run's broker prefix.

    Tests that use it must be transactional (`@pytest.mark.django_db(transaction=True)`), so the
    worker sees committed rows.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ops.settings_test",
        "DATABASE_URL": _database_url_of_test_db(),
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "CELERY_BROKER_KEY_PREFIX": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", ""),
        "DB_CONN_MAX_AGE": "0",
        "CREWPLAN_HOLD_POINT_DIR": settings.HOLD_POINT_DIR,
        # as the Procfile starts forecast workers: one BLAS thread per process
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    log_path = ROOT / "var" / f"test-worker-{os.getpid()}.log"  # one per run: runs may overlap
    log = open(log_path, "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ops",
            "worker",
            "-Q",
            "solve,forecast,default",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready." in log_path.read_text():
            break
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited at start-up; see {log_path}")
        time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError(f"the Celery worker did not become ready in 60 s; see {log_path}")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def hold_points():
    """Arm a hold point (ops/hold_points.py) in the worker: `arm(name)` returns the file that exists while a
    task is held there; deleting that file releases it."""
    directory = Path(settings.HOLD_POINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    armed: list[str] = []

    def arm(name: str) -> Path:
        (directory / f"{name}.hold").touch()
        armed.append(name)
        return directory / f"{name}.held"

    yield arm
    for name in armed:
        for suffix in (".hold", ".held"):
            (directory / f"{name}{suffix}").unlink(missing_ok=True)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy; returns its value or fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


@pytest.fixture(autouse=True)
def _throttle_counters_start_at_zero():
    """SQLite hands a rolled-back test's ids out again, so each test's first user is user 1 again, and the
    throttle counters (keyed by scope, user id and minute) carried over from test to test within a minute:
    the 31st solve request of a minute got a 429 in whichever test made it (40 API tests failed so on a
    fast run). PostgreSQL's sequences are not rolled back, so ids, and counters, never meet there."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # django-redis: only this run's keys (a shared server)
        cache.delete_pattern("throttle:*")
    else:  # the embedded cache under this checkout's var/
        cache.clear()
