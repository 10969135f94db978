"""What a solve may be asked for: `SolveOptions`, with its defaults, bounds and engine names defined once.

The API's serializers, the pages' forms, the OpenAPI schema, the roster services and the solve job all read
them from here; a job's `params` carry `SolveOptions.to_dict()` and the worker parses it back once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

AUTO = "auto"
# Every engine name the core knows (colgen: column generation polished by CP-SAT; bench/results/SOLVER.md).
ENGINES = (AUTO, "cpsat", "milp", "assign", "colgen")
# The engines a person may ask for a whole roster: assign only fills open shifts of a day, and auto picks it
# when that is the job.
ROSTER_ENGINES = (AUTO, "colgen", "cpsat", "milp")
COMPARE_ENGINES = tuple(e for e in ROSTER_ENGINES if e != AUTO)
DEFAULT_COMPARE_ENGINES = ("cpsat", "milp")
ENGINE_LABELS = {
    AUTO: "Automatic (recommended)",
    "cpsat": "CP-SAT",
    "milp": "MILP (HiGHS/CBC)",
    "assign": "Assignment (fill open shifts)",
    "colgen": "Column generation",
}

DEFAULT_TIME_LIMIT_S = 30  # a job started through the API or a service
INTERACTIVE_TIME_LIMIT_S = 10  # what the pages propose: a person watches the progress bar
MIN_TIME_LIMIT_S = 1
DEFAULT_WORKERS = 2
MAX_WORKERS = 64
DEFAULT_SEED = 0


class SolveOptionsError(ValueError):
    """An option out of its bounds; `field` names it, for the caller's error contract."""

    def __init__(self, field: str, message: str, allowed: Any = None) -> None:
        super().__init__(message)
        self.field = field
        self.allowed = allowed


@dataclass(frozen=True)
class SolveOptions:
    engine: str = AUTO
    time_limit: float = DEFAULT_TIME_LIMIT_S
    workers: int = DEFAULT_WORKERS
    seed: int = DEFAULT_SEED
    # Stop as soon as the relative gap between incumbent and bound is at most this (None: use the time).
    early_stop_gap: float | None = None
    # Stop once the best roster has not improved for this share of the time limit (None: never).
    stall_share: float | None = None

    def validated(
        self, *, max_time_limit: float | None = None, engines: tuple[str, ...] = ENGINES
    ) -> SolveOptions:
        """These options, or SolveOptionsError naming the first one out of bounds. The longest solve a
        person may ask for is the deployment's to say (settings.SOLVE_TIME_LIMIT_MAX), so the services
        pass `max_time_limit`; the core itself (benchmarks, the CLI) sets no ceiling."""
        if self.engine not in engines:
            raise SolveOptionsError("engine", f"Unknown engine {self.engine!r}", list(engines))
        if self.time_limit < MIN_TIME_LIMIT_S:
            raise SolveOptionsError("time_limit", f"time_limit must be at least {MIN_TIME_LIMIT_S} second")
        if max_time_limit is not None and self.time_limit > max_time_limit:
            raise SolveOptionsError(
                "time_limit", f"time_limit must be between {MIN_TIME_LIMIT_S} and {max_time_limit:g} seconds"
            )
        if not 1 <= self.workers <= MAX_WORKERS:
            raise SolveOptionsError("workers", f"workers must be between 1 and {MAX_WORKERS}")
        if self.seed < 0:
            raise SolveOptionsError("seed", "seed must be 0 or more")
        if self.early_stop_gap is not None and not 0 <= self.early_stop_gap < 1:
            raise SolveOptionsError("early_stop_gap", "early_stop_gap must be at least 0 and below 1")
        if self.stall_share is not None and not 0 < self.stall_share <= 1:
            raise SolveOptionsError("stall_share", "stall_share must be above 0 and at most 1")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolveOptions:
        """The options a job's params carry (keys that are not options, like `roster_id`, are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
