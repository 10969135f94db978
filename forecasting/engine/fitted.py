"""What every candidate model returns: the common shape the backtest and the trainer rely on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Fitted:
    """A fitted candidate's forecast for ``horizon`` steps after its history, and what to store about it."""

    value: np.ndarray
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)
    model_json: str | None = None
    decisions: dict[str, Any] = field(default_factory=dict)
    # What a later fit of the same candidate may start from or reuse (never stored): see ``FitPredict``.
    reusable: Any = field(default=None, compare=False, repr=False)

    def clipped_at_zero(self) -> Fitted:
        def clip(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else np.maximum(a, 0.0)

        return Fitted(
            clip(self.value),
            clip(self.lower),
            clip(self.upper),
            self.params,
            self.model_json,
            self.decisions,
            self.reusable,
        )


# fit_predict(history, horizon, *, interval_width=None, model_json=False, previous=None, refit=True) -> Fitted
# ``previous`` is this candidate's fit on an earlier, shorter window of the same series: a candidate may start
# its optimiser there. ``refit=False`` lets it keep the previous parameters instead of estimating them again,
# where its model can take the newer points without re-estimation (ETS runs its filter over them).
FitPredict = Callable[..., Fitted]


def check_forecast(fitted: Fitted, horizon: int, name: str) -> None:
    if fitted.value.shape != (horizon,) or not np.isfinite(fitted.value).all():
        raise ValueError(f"{name} produced a non-finite or mis-shaped forecast")
