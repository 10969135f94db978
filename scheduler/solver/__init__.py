"""Roster solver core: plain Python, no Django. See `api.solve` and `domain.Problem` / `domain.Solution`."""

from .api import solve
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
    "Weights",
    "evaluate",
    "solve",
]
