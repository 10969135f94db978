"""Roster solver core: plain Python, no Django. See `dispatch.solve`, `options.SolveOptions` and
`domain.Problem` / `domain.Solution`."""

from .dispatch import solve
from .domain import (
    Absence,
    Contract,
    Cover,
    Penalty,
    Person,
    Pin,
    Problem,
    Progress,
    ShiftRequest,
    ShiftType,
    Shortfall,
    Solution,
    Weights,
)
from .evaluate import evaluate
from .options import SolveOptions

__all__ = [
    "Absence",
    "Contract",
    "Cover",
    "Penalty",
    "Person",
    "Pin",
    "Problem",
    "Progress",
    "ShiftRequest",
    "ShiftType",
    "Shortfall",
    "Solution",
    "SolveOptions",
    "Weights",
    "evaluate",
    "solve",
]
