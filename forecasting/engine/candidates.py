"""The candidate models, by name, in order of simplicity: a tie on the backtest goes to the simpler one."""

from __future__ import annotations

from .baselines import ets, seasonal_naive
from .fitted import FitPredict
from .mstl_model import mstl
from .prophet_model import prophet

CANDIDATES: dict[str, FitPredict] = {
    "seasonal_naive": seasonal_naive,
    "ets": ets,
    "mstl": mstl,
    "prophet": prophet,
}
# Combinations of the single candidates above (combine.py); scored from their members' backtest forecasts.
COMBINATIONS: tuple[str, ...] = ("combination_mean", "combination_weighted")
DEFAULT_CANDIDATES: tuple[str, ...] = (*CANDIDATES, *COMBINATIONS)
BASELINE = "seasonal_naive"  # always scored: the chosen model is never worse than it on the backtest
# Candidates the backtest may stop fitting after the first origin (backtest.PRUNE_RATIO). Only the costly one:
# a Prophet fit costs about 10 times an ETS fit, and pruning ETS as well changed the choice on a public series
# (bench/forecast.py --section accuracy: chosen mean MASE 1.184 instead of 1.163) to save 1% of the CPU.
# MSTL stays too: pruned at 1.3x on the weighting-only origin it changed 7 of 100 synthetic series' choices,
# 6 for the worse (chosen mean 1.4118 -> 1.4130), and one series MSTL won was 3.25x the best on that origin.
PRUNABLE: frozenset[str] = frozenset({"prophet"})


def candidate_order() -> list[str]:
    """Every name, simplest first: the order that breaks ties."""
    return [*CANDIDATES, *COMBINATIONS]


def candidate_names(requested: tuple[str, ...] | None) -> tuple[str, ...]:
    names = DEFAULT_CANDIDATES if requested is None else tuple(requested)
    order = candidate_order()
    unknown = [name for name in names if name not in order]
    if unknown:
        raise ValueError(f"unknown candidate(s) {unknown}; known: {order}")
    if BASELINE not in names:
        names = (BASELINE, *names)
    return tuple(sorted(names, key=order.index))
