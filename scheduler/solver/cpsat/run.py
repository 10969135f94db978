"""One CP-SAT solve: parameters, progress and cancellation, and sharing solutions with a portfolio's pool."""

from __future__ import annotations

import threading
from typing import Any

from ortools.sat.python import cp_model

from ..domain import UNKNOWN, Problem, Solution, empty_roster
from ..incumbent import IncumbentPool
from ..result import Tracker
from .context import CpSatContext


def offer(pool: IncumbentPool | None, ctx: CpSatContext, value: Any, objective: float, source: str) -> None:
    """Share a model solution with the other engines when no relaxed hard term is active; otherwise keep it
    on the context as the closest roster so far (a roster breaking a hard rule is never shared)."""
    hard = ctx.hard_expr
    if (hard if isinstance(hard, int) else value(hard)) == 0:
        if pool is not None:
            pool.offer(ctx.roster(value), objective, f"cpsat:{source}")
    elif ctx.fallback is None or objective < ctx.fallback[1] - 1e-6:
        ctx.fallback = (ctx.roster(value), objective)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, tracker: Tracker, phase: str, ctx: CpSatContext | None = None, pool: IncumbentPool | None = None
    ) -> None:
        super().__init__()
        self.tracker, self.phase, self.ctx, self.pool = tracker, phase, ctx, pool

    def on_solution_callback(self) -> None:
        bound = self.best_objective_bound if self.phase == "full" else None
        self.tracker.report(self.objective_value, bound, self.phase)
        if self.ctx is not None:
            offer(self.pool, self.ctx, self.value, self.objective_value, self.phase)
        if self.tracker.cancelled():
            self.stop_search()


def run_model(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    tracker: Tracker,
    phase: str,
    stop_after_first: bool = False,
    ctx: CpSatContext | None = None,
    pool: IncumbentPool | None = None,
    stop: threading.Event | None = None,
) -> tuple[int, cp_model.CpSolver]:
    """Solve `model`; phase "full" and "lns" use LP-based workers, "plain" CP-SAT's default portfolio.
    Every solution goes to `pool` (with `ctx`); `stop` (or the tracker's cancel) ends the search."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if stop_after_first:
        solver.parameters.stop_after_first_solution = True
    if phase in ("full", "lns"):
        # LP-based search: neighbourhoods and small models close much faster with the LP
        # With few workers the default portfolio runs no LP worker and the bound stays trivial.
        if workers == 1:
            solver.parameters.linearization_level = 2
        elif workers <= 4:
            solver.parameters.subsolvers.extend(["max_lp", "default_lp", "core", "no_lp"][:workers])
    done = threading.Event()

    def watch() -> None:  # cancellation also before the first solution
        while not done.wait(0.05):
            if tracker.cancelled() or (stop is not None and stop.is_set()):
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    if tracker.cancel is not None or stop is not None:
        watcher.start()
    try:
        status = solver.solve(model, _Callback(tracker, phase, ctx, pool))
    finally:
        done.set()
    return status, solver


def no_roster(
    problem: Problem, message: str, *, bound: float | None = None, engine: str = "cpsat"
) -> Solution:
    """The answer when the time limit ends before any roster (or the search was cancelled)."""
    return Solution(
        roster=empty_roster(problem),
        objective=None,
        bound=bound,
        status=UNKNOWN,
        engine=engine,
        message=message,
    )
