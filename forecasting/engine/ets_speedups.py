"""statsmodels' ETSModel without the standard errors nobody here reads: same fit, forecasts and intervals.

Every ``ETSResults`` computes the covariance of its parameters when it is made: a complex-step Hessian of the
log-likelihood, 15 filter runs for the five parameters of MSTL's damped trend, about a fifth of a warm-started
fit. The engine reads the forecast, the prediction interval (analytic, from the smoothing parameters and the
residual variance) and the AICc, none of which use it. ``LeanETSModel`` makes results whose covariance is
left unknown (NaN), and still leaves the model updated to the parameters the way the Hessian's computation
does. Checked against ETSModel in ``forecasting/tests/engine/test_ets_speedups.py``.
"""

from __future__ import annotations

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel, ETSResults, ETSResultsWrapper


class ResultsWithoutCovariance(ETSResults):
    def _cov_params_approx(self, approx_complex_step: bool = True, approx_centered: bool = False):
        self.model.update(self.params, transformed=True, includes_fixed=True)  # as the parent leaves it
        if self._rank is None:
            self._rank = len(self.params) - len(self.fixed_params)
        return np.full((len(self.params), len(self.params)), np.nan)


class LeanETSModel(ETSModel):
    @property
    def _res_classes(self):
        return {"fit": (ResultsWithoutCovariance, ETSResultsWrapper)}
