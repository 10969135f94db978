"""Per-series model choice: the lowest backtest MASE wins; ties go to the simpler candidate."""

from __future__ import annotations

from .candidates import BASELINE, candidate_order
from .domain import CandidateScore, SeriesError


def choose(scores: dict[str, CandidateScore]) -> str:
    """The candidate with the lowest mean MASE over the backtest origins.

    Seasonal naive is always among the candidates, so the choice is never worse than it on the backtest.
    """
    if BASELINE not in scores:
        raise ValueError(f"{BASELINE} must be scored: it is the floor every choice is held to")
    scored = [s for s in scores.values() if s.ok]
    if not scored:
        errors = "; ".join(f"{s.algorithm}: {s.error}" for s in scores.values())
        raise SeriesError(f"no candidate could be scored ({errors})")
    order = candidate_order()
    best = min(scored, key=lambda s: (s.mase, order.index(s.algorithm)))
    return best.algorithm
