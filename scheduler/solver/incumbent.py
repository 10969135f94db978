"""The best roster found so far, shared by engines that run side by side in one process (a portfolio).

Each engine offers every roster it finds, scored by the referee-equivalent objective the offering engine
computed (lower is better), and reads the best one back when it can use it: column generation turns it into
columns, CP-SAT's neighbourhood search restarts from it. Engines run in threads (CP-SAT, HiGHS and the
compiled pricing release the GIL), so a lock is all the exchange needs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .domain import Roster


@dataclass(frozen=True)
class Incumbent:
    roster: Roster
    objective: float  # soft objective; a roster breaking a hard rule is never offered
    source: str  # the engine (and phase) that found it, e.g. "colgen:dive", "cpsat:lns"
    version: int  # increases with every accepted offer


class IncumbentPool:
    """Thread-safe holder of the best roster; offers that are not strictly better are ignored."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._best: Incumbent | None = None

    def offer(self, roster: Roster, objective: float, source: str) -> bool:
        """Keep `roster` if it beats the current best; True when it was kept."""
        with self._lock:
            if self._best is not None and objective >= self._best.objective - 1e-9:
                return False
            version = 1 if self._best is None else self._best.version + 1
            self._best = Incumbent(dict(roster), float(objective), source, version)
            return True

    def best(self) -> Incumbent | None:
        with self._lock:
            return self._best

    def newer_than(self, version: int) -> Incumbent | None:
        """The best roster if it was accepted after `version` (0 = any), else None."""
        with self._lock:
            if self._best is not None and self._best.version > version:
                return self._best
            return None
