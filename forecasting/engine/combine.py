"""Forecast combinations: the best single models of a series, averaged, chosen and weighted without peeking.

Two combinations are scored beside the single candidates:
- ``combination_mean``: the equal-weight mean of the ``TOP_K`` members with the lowest MASE on the earlier
  origins;
- ``combination_weighted``: every member, with the weights (non-negative, summing to one) that minimise the
  squared error of the combined forecast over the earlier origins (the constrained regression of Granger and
  Ramanathan 1984).

Measured on the public daily series (13 origins x 28 days, every rank and weight from earlier origins only;
pedestrians / bike sharing / page views; best single candidate 1.431 / 1.219 / 0.838): the mean of the top 2
scored 1.434 / 1.237 / 0.867, of the top 3 1.428 / 1.168 / 0.927, of all four 1.418 / 1.176 / 0.971;
inverse-MSE weights (Bates and Granger 1969) 1.435 / 1.173 / 0.933; least-squares weights on the simplex
1.445 / 1.214 / 0.830. The two kept are the ones that cover each other: a mean that averages errors away where
the members are close, and fitted weights that follow one dominant member where there is one.

Ranks and weights used to score an origin come only from origins whose test window ended before that origin's
cut, i.e. from data its members were allowed to see. The backtest adds ``WEIGHTING_ORIGINS`` older origins
that only serve this purpose, so the first scored origin has a past too; an origin without any (a short
history) falls back to the equal mean of every member and says so in the decisions. The final forecast, made
after every origin, ranks and weights on all of them.

The interval comes from the combination's own backtest errors (actual minus the combined forecast on the
scored origins): their empirical quantiles, added to the combined point forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from .backtest import mape, mase, seasonal_naive_scale
from .candidates import COMBINATIONS
from .domain import CandidateScore

TOP_K = 3
WEIGHTING_ORIGINS = 1

# member -> cut -> that member's (clipped) forecast for the window after the cut
Forecasts = dict[str, dict[int, np.ndarray]]


@dataclass(frozen=True)
class Weights:
    """Members and weights of a combination, and whether they had any past origin to be fitted on."""

    weights: dict[str, float]
    from_origins: tuple[int, ...]

    def combine(self, forecasts: dict[str, np.ndarray]) -> np.ndarray:
        return sum(weight * np.asarray(forecasts[name]) for name, weight in self.weights.items())

    def without_zero_weights(self) -> Weights:
        """The members that count (adding 0.0 times a finite forecast changes no bit of the sum)."""
        return Weights({m: w for m, w in self.weights.items() if w > 0}, self.from_origins)


def fit_weights(
    name: str, forecasts: Forecasts, y: np.ndarray, *, season_length: int, before: int, horizon: int
) -> Weights:
    """Members and weights of ``name`` from the origins whose whole test window lies before ``before``."""
    members = sorted(forecasts)
    past = sorted(
        cut for cut in set.intersection(*(set(f) for f in forecasts.values())) if cut + horizon <= before
    )
    if not past:
        return Weights({m: 1 / len(members) for m in members}, ())
    if name == "combination_mean":
        score = {m: np.mean([_mase(forecasts[m][c], y, c, season_length) for c in past]) for m in members}
        top = sorted(members, key=lambda m: (score[m], members.index(m)))[:TOP_K]
        return Weights({m: 1 / len(top) for m in top}, tuple(past))
    if name == "combination_weighted":
        stacked = np.vstack(
            [np.column_stack([forecasts[m][c] for m in members])[: len(y[c : c + horizon])] for c in past]
        )
        actual = np.concatenate([y[c : c + horizon] for c in past])
        observed = ~np.isnan(actual)
        weights = _simplex_least_squares(stacked[observed], actual[observed])
        return Weights(dict(zip(members, map(float, weights), strict=True)), tuple(past))
    raise ValueError(f"unknown combination {name!r}; known: {list(COMBINATIONS)}")


def score_combinations(
    names: tuple[str, ...],
    forecasts: Forecasts,
    y: np.ndarray,
    *,
    scored: tuple[tuple[int, float], ...],
    season_length: int,
    horizon: int,
) -> tuple[dict[str, CandidateScore], dict[str, np.ndarray], dict[str, Any]]:
    """Each combination's score on the scored origins, its backtest errors (for its interval), decisions."""
    scores, residuals, decisions = {}, {}, {}
    for name in names:
        per_origin, actuals, predictions, errors = [], [], [], []
        without_past = 0
        for cut, scale in scored:
            weights = fit_weights(
                name, forecasts, y, season_length=season_length, before=cut, horizon=horizon
            )
            without_past += not weights.from_origins
            combined = weights.combine({m: forecasts[m][cut] for m in weights.weights})
            actual = y[cut : cut + horizon][: len(combined)]
            per_origin.append(mase(actual, combined[: len(actual)], scale))
            actuals.append(actual)
            predictions.append(combined[: len(actual)])
            errors.append(_errors(combined, y, cut))
        scores[name] = CandidateScore(
            algorithm=name,
            mase=float(np.mean(per_origin)),
            mape=mape(np.concatenate(actuals), np.concatenate(predictions)),
            mase_per_origin=tuple(per_origin),
            duration_s=0.0,  # its members' fits are counted in their own scores
            error=None,
        )
        residuals[name] = np.concatenate(errors)
        if without_past:
            decisions[f"{name}_origins_without_past"] = (
                f"{without_past} scored origin(s) had no earlier origin: equal mean of every member"
            )
    return scores, residuals, decisions


def _simplex_least_squares(predictions: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """argmin_w |actual - predictions w|^2 with w >= 0 and sum(w) = 1, solved exactly.

    With a handful of members every support set can be tried: on each, the equality-constrained least squares
    is one small linear (KKT) system; the best solution with no negative weight wins. Exact and repeatable
    to the last digit in any process, which an iterative optimiser (SLSQP) was not.
    """
    k = predictions.shape[1]
    best, best_loss = np.full(k, 1 / k), np.inf
    for size in range(1, k + 1):
        for support in combinations(range(k), size):
            columns = predictions[:, support]
            kkt = np.zeros((size + 1, size + 1))
            kkt[:size, :size] = 2 * columns.T @ columns
            kkt[:size, size] = kkt[size, :size] = 1.0
            rhs = np.append(2 * columns.T @ actual, 1.0)
            solution = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:size]
            if (solution < -1e-12).any():
                continue
            loss = float(np.sum((actual - columns @ solution) ** 2))
            if best_loss == np.inf or loss < best_loss * (1 - 1e-12):  # ties keep the smaller support
                weights = np.zeros(k)
                weights[list(support)] = np.clip(solution, 0.0, None)
                best, best_loss = weights / weights.sum(), loss
    return best


def empirical_interval(
    value: np.ndarray, residuals: np.ndarray, interval_width: float
) -> tuple[np.ndarray, np.ndarray]:
    """The combined forecast plus the central ``interval_width`` quantiles of its backtest errors."""
    low, high = np.quantile(residuals, [0.5 - interval_width / 2, 0.5 + interval_width / 2])
    return value + low, value + high


def _errors(predicted: np.ndarray, y: np.ndarray, cut: int) -> np.ndarray:
    actual = y[cut : cut + len(predicted)]
    observed = ~np.isnan(actual)
    return (actual - predicted[: len(actual)])[observed]


def _mase(predicted: np.ndarray, y: np.ndarray, cut: int, season_length: int) -> float:
    actual = y[cut : cut + len(predicted)]
    return mase(actual, predicted[: len(actual)], seasonal_naive_scale(y[:cut], season_length))
