import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.engine.backtest import backtest, mape, mase, origin_cuts, seasonal_naive_scale
from forecasting.engine.baselines import seasonal_naive
from forecasting.engine.domain import Series
from forecasting.engine.prepare import prepare


def test_seasonal_naive_repeats_last_week():
    # given two weeks of data ending on a Sunday
    stamps = pd.date_range("2024-01-01", periods=14, freq="D")
    history, _ = prepare(Series("s", tuple(stamps), tuple(float(v) for v in range(14))))

    # when
    fitted = seasonal_naive(history, 10)

    # then the forecast repeats the last seven values, weekday by weekday
    assert list(fitted.value) == [7, 8, 9, 10, 11, 12, 13, 7, 8, 9]


def test_seasonal_naive_interval_widens_each_season():
    stamps = pd.date_range("2024-01-01", periods=28, freq="D")
    values = np.tile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 4) + np.r_[np.zeros(21), np.ones(7)]
    history, _ = prepare(Series("s", tuple(stamps), tuple(values)))
    fitted = seasonal_naive(history, 14, interval_width=0.8)
    width = fitted.upper - fitted.lower
    assert width[7] == pytest.approx(width[0] * np.sqrt(2))


def test_mase_and_mape_by_hand():
    # given a training window whose weekly differences are all 2 (scale 2)
    train = np.r_[np.arange(7.0), np.arange(7.0) + 2]
    scale = seasonal_naive_scale(train, 7)
    actual = np.array([10.0, 20.0, np.nan, 40.0])
    predicted = np.array([11.0, 18.0, 0.0, 40.0])

    # then MASE uses observed points only: mean(|1|, |2|, |0|) / 2 = 0.5
    assert scale == 2.0
    assert mase(actual, predicted, scale) == pytest.approx(0.5)
    # and MAPE = mean(10%, 10%, 0%)
    assert mape(actual, predicted) == pytest.approx(20 / 3)


def test_mape_is_undefined_with_a_zero_actual():
    assert mape(np.array([0.0, 5.0]), np.array([1.0, 5.0])) is None


def test_origin_cuts_step_back_one_horizon_and_respect_the_minimum():
    assert origin_cuts(100, origins=3, horizon=10, min_train=28) == [70, 80, 90]
    assert origin_cuts(60, origins=5, horizon=10, min_train=28) == [30, 40, 50]


def test_backtest_scores_every_candidate_on_the_same_origins(weekly):
    history, _ = prepare(weekly)
    result = backtest(history, horizon=14, origins=3, candidates=("seasonal_naive", "ets"), prune_ratio=None)
    assert set(result.scores) == {"seasonal_naive", "ets"}
    assert all(len(s.mase_per_origin) == 3 for s in result.scores.values())
    assert result.decisions["origins_used"] == 3


def test_a_failing_candidate_is_scored_out_not_raised(weekly, monkeypatch):
    from forecasting.engine import candidates

    def broken(history, horizon, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(candidates.CANDIDATES, "ets", broken)
    history, _ = prepare(weekly)
    result = backtest(history, horizon=14, origins=2, candidates=("seasonal_naive", "ets"))
    assert result.scores["ets"].mase == float("inf")
    assert "boom" in result.scores["ets"].error
    assert result.scores["seasonal_naive"].ok


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=0.01, max_value=1e6), st.integers(min_value=0, max_value=2**32 - 1))
def test_mase_does_not_depend_on_units(factor, seed):
    rng = np.random.default_rng(seed)
    train, actual, predicted = rng.normal(100, 10, 35), rng.normal(100, 10, 7), rng.normal(100, 10, 7)
    before = mase(actual, predicted, seasonal_naive_scale(train, 7))
    after = mase(actual * factor, predicted * factor, seasonal_naive_scale(train * factor, 7))
    assert after == pytest.approx(before, rel=1e-9)


def _far_off(calls):
    """A stand-in for a costly candidate that forecasts nonsense: twice the level, counting its fits."""
    from forecasting.engine.fitted import Fitted

    def fit(history, horizon, **kwargs):
        calls.append(len(history))
        return Fitted(np.full(horizon, 2 * np.nanmean(history.y)))

    return fit


def test_a_costly_candidate_far_behind_on_the_first_origin_is_not_fitted_again(weekly, monkeypatch):
    from forecasting.engine import candidates
    from forecasting.engine.choose import choose

    # given a Prophet that is far off on every origin
    calls = []
    monkeypatch.setitem(candidates.CANDIDATES, "prophet", _far_off(calls))
    history, _ = prepare(weekly)

    # when the backtest runs three origins
    result = backtest(history, horizon=14, origins=3)

    # then it was fitted on the first (oldest) origin only, is marked pruned and never chosen,
    # while the cheap candidates ran every origin (the oldest is the combinations' weighting-only one)
    assert calls == [len(history) - 4 * 14]
    assert result.scores["prophet"].pruned and len(result.scores["prophet"].mase_per_origin) == 1
    assert not result.scores["prophet"].ok
    assert result.decisions["pruned_after_first_origin"] == ["prophet"]
    assert all(len(result.scores[n].mase_per_origin) == 3 for n in ("seasonal_naive", "ets"))
    assert choose(result.scores) != "prophet"


def test_without_pruning_every_candidate_runs_every_origin(weekly, monkeypatch):
    from forecasting.engine import candidates

    calls = []
    monkeypatch.setitem(candidates.CANDIDATES, "prophet", _far_off(calls))
    history, _ = prepare(weekly)
    result = backtest(history, horizon=14, origins=3, prune_ratio=None)
    assert len(calls) == 4 and not result.scores["prophet"].pruned  # three scored, one weighting-only


def test_cheap_candidates_are_never_pruned(weekly, monkeypatch):
    from forecasting.engine import candidates

    # given an ETS as far off as the costly stand-in above
    calls = []
    monkeypatch.setitem(candidates.CANDIDATES, "ets", _far_off(calls))
    history, _ = prepare(weekly)
    result = backtest(history, horizon=14, origins=3, candidates=("seasonal_naive", "ets"))
    assert len(calls) == 3 and not result.scores["ets"].pruned
