"""The cache is shared by every process of a deployment, on the embedded default too: a version bumped or
a throttle hit counted by another process (the Celery worker beside the web server) is seen here."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from django.conf import settings

from conftest import ROOT
from ops import cache

OTHER_PROCESS = """
import django
django.setup()
from ops import cache
cache.bump("roster")
for _ in range(3):
    cache.rate_hit("solve", IDENT, 5, WINDOW_S)
"""
WINDOW_S = 10**8  # one window for the whole test, whenever it runs


def _in_another_process(code: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ops.settings_test",
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


def test_a_bump_and_throttle_hits_in_another_process_are_seen_here():
    # given this process's view of the roster version and two throttle hits of its own
    ident = f"user:shared-{uuid.uuid4().hex}"
    before = cache.namespace_version("roster")
    assert cache.rate_hit("solve", ident, 5, WINDOW_S) is None
    assert cache.rate_hit("solve", ident, 5, WINDOW_S) is None

    # when another process bumps the roster namespace and counts three hits for the same user
    _in_another_process(f"IDENT = {ident!r}\nWINDOW_S = {WINDOW_S}\n" + OTHER_PROCESS)

    # then this process reads the new version, and the sixth hit is over the limit of five
    assert cache.namespace_version("roster") > before
    assert cache.rate_hit("solve", ident, 5, WINDOW_S) is not None
