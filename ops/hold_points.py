"""Named points where a test can hold a running task, so a test of a killed worker kills it at a known
moment instead of racing the task to it.

Inert unless the settings define HOLD_POINT_DIR (ops/settings_test.py does; production settings do not).
A test arms a point by creating `<dir>/<name>.hold`. The first task to reach an armed point renames the file
to `<name>.held` (a rename succeeds once, so exactly one task holds) and waits while `<name>.held` exists;
every later arrival, such as a redelivery of the same task, passes straight through.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings

POLL_SECONDS = 0.05


def hold_point(name: str) -> None:
    directory = getattr(settings, "HOLD_POINT_DIR", None)
    if not directory:
        return
    armed, held = Path(directory) / f"{name}.hold", Path(directory) / f"{name}.held"
    try:
        os.rename(armed, held)
    except FileNotFoundError:
        return  # not armed, or another arrival holds it already
    while held.exists():
        time.sleep(POLL_SECONDS)
