"""Settings for the test suite: the real settings, with a test secret and a fast password hasher.

DATABASE_URL and REDIS_URL still come from the environment, so `make test` with them set runs the suite
on the real PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
# One namespace per test run in the shared Redis, for the cache and the broker alike, so concurrent runs
# never read each other's keys or take each other's messages.
os.environ.setdefault("CACHE_KEY_PREFIX", f"crewplan-test-{os.getpid()}")
os.environ.setdefault("CELERY_BROKER_KEY_PREFIX", f"crewplan-test-{os.getpid()}:")

from ops.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test-only hold points (ops/hold_points.py): the worker fixture shares this directory with the tests.
HOLD_POINT_DIR = os.environ.get("CREWPLAN_HOLD_POINT_DIR") or str(VAR_DIR / f"hold-points-{os.getpid()}")  # noqa: F405
# Replica routing (issue 18): with DATABASE_REPLICA_URL set the router is installed, but only the replica
# tests switch it on (settings.DATABASE_REPLICA_READS = True), since a test may touch only the databases
# it declares.
DATABASE_REPLICA_READS = False
