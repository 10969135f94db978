"""The demand forecast engine: plain Python, no Django. Dataclasses in, dataclasses out.

Entry points: ``train_one`` (one series, e.g. from a Celery task), ``train_many`` (many series over worker
processes), ``backtest`` (rolling-origin scores), ``staffing_requirements`` (forecast to headcount).

Names are imported on first use (PEP 562), so ``python -m forecasting.engine.backtest`` runs its module once
and importing the package stays cheap.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Backtest": "backtest",
    "backtest": "backtest",
    "choose": "choose",
    "CandidateScore": "domain",
    "Forecast": "domain",
    "ForecastPoint": "domain",
    "Series": "domain",
    "SeriesError": "domain",
    "TrainResult": "domain",
    "train_many": "parallel",
    "prepare": "prepare",
    "ErlangCRule": "staffing",
    "RatioRule": "staffing",
    "StaffingRequirement": "staffing",
    "agents_needed": "staffing",
    "staffing_requirements": "staffing",
    "train_one": "train",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
