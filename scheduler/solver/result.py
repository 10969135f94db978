"""Shared by the engines: turn a roster into a `Solution` that explains itself, and track progress."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .context import roster_check
from .domain import INFEASIBLE, OPTIMAL, Problem, Progress, Roster, Solution, Timings

Cancel = Callable[[], bool] | threading.Event | None
ProgressFn = Callable[[Progress], None] | None


def is_cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


@dataclass
class Tracker:
    """Progress of one solve call: first feasible, best incumbent, bound, callbacks."""

    progress: ProgressFn = None
    cancel: Cancel = None
    start: float = field(default_factory=time.monotonic)
    first_feasible: float | None = None
    best_time: float | None = None
    best: float | None = None
    bound: float | None = None

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def report(self, objective: float | None, bound: float | None = None, phase: str = "") -> None:
        now = self.elapsed()
        if objective is not None:
            if self.first_feasible is None:
                self.first_feasible = now
            if self.best is None or objective < self.best - 1e-6:
                self.best, self.best_time = objective, now
        if bound is not None:
            self.bound = bound if self.bound is None else max(self.bound, bound)
        if self.progress is not None:
            best = None if self.best is None else round(self.best)
            self.progress(Progress(now, best, self.bound, phase))

    def cancelled(self) -> bool:
        return is_cancelled(self.cancel)


def make_solution(
    problem: Problem,
    roster: Roster,
    *,
    status: str,
    bound: float | None,
    engine: str,
    tracker: Tracker,
    build: float,
    message: str = "",
) -> Solution:
    """Score `roster` with the rules (engine's own account) and wrap it as a Solution."""
    check = roster_check(problem, roster)
    penalties = tuple(check.penalties())
    violations = tuple(check.broken) + tuple(check.hard_penalties())
    objective = sum(p.amount for p in penalties)
    if status == OPTIMAL and violations:
        status = INFEASIBLE  # proven: the hard cover minimum cannot be met; this is the closest roster
    if bound is not None and not violations:
        bound = min(bound, objective)
    elif violations:
        bound = None  # the model's bound mixes relaxed hard terms; it says nothing about the soft objective
    if status != OPTIMAL and bound is not None and objective <= bound + 1e-6:
        status = OPTIMAL
    timings = Timings(
        build=build,
        solve=tracker.elapsed() - build,
        first_feasible=tracker.first_feasible,
        best=tracker.best_time,
    )
    return Solution(
        roster=dict(roster),
        objective=objective,
        bound=bound,
        status=status,
        penalties=penalties,
        violations=violations,
        timings=timings,
        engine=engine,
        message=message,
    )
