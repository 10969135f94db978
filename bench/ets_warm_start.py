"""Hourly ETS, warm-started across the backtest's origins (as the engine fits it) against a cold start from
statsmodels' default parameters, side by side on bike sharing by the hour, one week ahead.

    .venv/bin/python bench/ets_warm_start.py [--origins 8] [--weighting 1]

The same 9 origins as `bench/forecast.py --section hourly` (8 scored after 1 weighting-only origin, 168 h
each). Per origin: MASE on the 168 h seasonal-naive scale, the smoothing parameters (alpha, gamma) and the
log-likelihood each start reaches. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument("--weighting", type=int, default=1, help="weighting-only origins before the scored")
    parser.add_argument("--horizon", type=int, default=168)
    parser.add_argument("--results", default=None, help="also write what is printed to this file")
    args = parser.parse_args()
    if args.results:
        from bench.forecast import _Tee

        sys.stdout = _Tee(sys.stdout, open(args.results, "w"))  # noqa: SIM115 - open for the whole run
    warnings.simplefilter("ignore")

    from bench.forecast import load_hourly
    from forecasting.engine.backtest import mase, min_train_length, origin_cuts, seasonal_naive_scale
    from forecasting.engine.baselines import ets
    from forecasting.engine.prepare import prepare

    history, _ = prepare(load_hourly())
    m, horizon = history.season_length, args.horizon
    cuts = origin_cuts(
        len(history), origins=args.origins + args.weighting, horizon=horizon, min_train=min_train_length(m)
    )
    print(
        f"== ETS(A,N,A) by the hour, {len(cuts)} origins x {horizon} h (MASE over the last {args.origins}) =="
    )
    rows = {}
    for mode in ("cold", "warm"):
        previous, scores, fits = None, [], []
        started = time.perf_counter()
        for cut in cuts:
            fitted = ets(history.head(cut), horizon, previous=previous if mode == "warm" else None)
            if history.nonnegative:
                fitted = fitted.clipped_at_zero()
            actual = history.y[cut : cut + horizon]
            scores.append(mase(actual, fitted.value[: len(actual)], seasonal_naive_scale(history.y[:cut], m)))
            smoothing = fitted.params["smoothing"]
            fits.append(
                (smoothing["smoothing_level"], smoothing["smoothing_seasonal"], fitted.params["aicc"])
            )
            previous = fitted
        rows[mode] = (scores, fits, time.perf_counter() - started)
    print(
        f"{'origin':>8}{'MASE cold':>11}{'warm':>8}{'alpha,gamma cold':>20}{'warm':>16}"
        f"{'AICc cold - warm':>18}"
    )
    for i, cut in enumerate(cuts):
        (cold, cold_fit), (warm, warm_fit) = ((rows[k][0][i], rows[k][1][i]) for k in ("cold", "warm"))
        print(
            f"{cut:>8}{cold:>11.3f}{warm:>8.3f}{cold_fit[0]:>12.3f},{cold_fit[1]:.3f}"
            f"{warm_fit[0]:>10.3f},{warm_fit[1]:.3f}{cold_fit[2] - warm_fit[2]:>18.1f}"
        )
    for mode, (scores, _fits, seconds) in rows.items():
        print(
            f"{mode}: MASE {np.mean(scores[-args.origins :]):.3f} over the scored origins, "
            f"{seconds:.1f} s of fits"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
