"""MILP engine (PuLP): HiGHS through highspy where installed, else CBC. Supports every rule in `rules/`.

The solvers available are discovered at run time with ``pulp.listSolvers(onlyAvailable=True)``. The model is
the same linear model CP-SAT gets (binary x[person, day, shift], work[person, day]; continuous slack for cover
and spreads; integer overtime hours). Limits: progress is reported at the start and the end only, cancellation
is checked before the solve starts, the bound is reported for HiGHS only (CBC via PuLP does not expose it),
and a hint is passed as a MIP start to CBC only.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pulp

from .context import ModelContext
from .domain import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Problem, Roster, Solution, empty_roster
from .result import Cancel, ProgressFn, Tracker, make_solution
from .rules import build_rules

PREFERENCE = ("HiGHS", "PULP_CBC_CMD")


def available_solvers() -> list[str]:
    found = set(pulp.listSolvers(onlyAvailable=True))
    return [name for name in PREFERENCE if name in found]


class PulpContext(ModelContext):
    def __init__(self, problem: Problem, **kwargs: Any) -> None:
        super().__init__(problem, **kwargs)
        self.lp = pulp.LpProblem("roster", pulp.LpMinimize)
        self._count = 0
        self._build_cells()

    def _name(self, prefix: str) -> str:
        self._count += 1  # short unique names: PuLP writes them to the solver
        return f"{prefix}{self._count}"

    def new_bool(self, name: str) -> Any:
        return pulp.LpVariable(self._name("x"), lowBound=0, upBound=1, cat=pulp.LpBinary)

    def new_var(self, low: int, up: int, name: str, *, integer: bool) -> Any:
        cat = pulp.LpInteger if integer else pulp.LpContinuous
        return pulp.LpVariable(self._name("v"), lowBound=low, upBound=up, cat=cat)

    def post(self, constraint: Any) -> None:
        self.lp.addConstraint(constraint)

    def linear_sum(self, terms: list[Any]) -> Any:
        return pulp.lpSum(terms)

    def add(self, constraint: Any, *, rule: str, person: str | None = None, day: int | None = None) -> None:
        if isinstance(constraint, bool):
            if not constraint:
                self.lp.addConstraint(pulp.lpSum([]) >= 1)
            return
        if len(constraint) == 0:  # no variables left: check the constant
            if not constraint.valid(0):
                zero = self.new_var(0, 0, "z", integer=False)
                self.lp.addConstraint(zero >= 1)
            return
        self.lp.addConstraint(constraint)

    def set_objective(self) -> None:
        self.lp.setObjective(self.objective_expr())


def solve_milp(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    solver: str | None = None,
    progress: ProgressFn = None,
    cancel: Cancel = None,
    hint: Roster | None = None,
) -> Solution:
    tracker = Tracker(progress=progress, cancel=cancel)
    names = available_solvers()
    if not names:
        raise RuntimeError("no MILP solver available to PuLP (neither HiGHS nor CBC)")
    name = solver or names[0]
    if name not in names:
        raise ValueError(f"MILP solver {name!r} not available; found {names}")
    ctx = PulpContext(problem)
    build_rules(ctx)
    ctx.set_objective()
    build = tracker.elapsed()
    tracker.report(None, None, "built")
    if tracker.cancelled():
        return Solution(
            roster=empty_roster(problem),
            objective=None,
            bound=None,
            status=UNKNOWN,
            engine="milp",
            message="cancelled",
        )
    left = max(1.0, time_limit - build)
    hint = hint if hint is not None else problem.reference
    if name == "HiGHS":
        # HiGHS's MIP search is serial, and its thread pool cannot be resized once started in a process
        # (a second solve with another `threads` fails with "Not Set"), so `workers` only applies to CBC.
        backend = pulp.HiGHS(msg=False, timeLimit=left, random_seed=0)
    else:
        if hint is not None:
            for (person, day, shift), var in ctx.vars.items():
                var.setInitialValue(int(hint[person][day] == shift))
        backend = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=left,
            threads=workers,
            warmStart=hint is not None,
            options=["randomSeed 0", "randomCbcSeed 0"],
        )
    started = time.monotonic()
    ctx.lp.solve(backend)
    bound = None
    status_text = pulp.LpStatus[ctx.lp.status]
    if name == "HiGHS":
        info = ctx.lp.solverModel.getInfo()
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
        model_status = ctx.lp.solverModel.getModelStatus()
        status_text = ctx.lp.solverModel.modelStatusToString(model_status)
    has_solution = ctx.lp.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if not has_solution:
        status = INFEASIBLE if ctx.lp.status == pulp.LpStatusInfeasible else UNKNOWN
        return Solution(
            roster=empty_roster(problem),
            objective=None,
            bound=bound,
            status=status,
            engine="milp",
            message=f"{name}: {status_text}",
        )
    value = pulp.value(ctx.lp.objective) or 0.0
    tracker.report(value, bound, "done")
    tracker.first_feasible = tracker.best_time = time.monotonic() - tracker.start  # only known at the end
    proven = ctx.lp.sol_status == pulp.LpSolutionOptimal and status_text.lower() in ("optimal", "1")
    status = OPTIMAL if proven else FEASIBLE
    if proven:
        bound = value  # optimal within HiGHS/CBC gap tolerances
    message = f"{name}: {status_text}; solve {time.monotonic() - started:.1f}s"
    return make_solution(
        problem,
        ctx.roster(lambda var: var.value()),
        status=status,
        bound=bound,
        engine="milp",
        tracker=tracker,
        build=build,
        message=message,
    )
