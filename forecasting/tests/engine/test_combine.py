import numpy as np
import pandas as pd
import pytest

from forecasting.engine import candidates, combine
from forecasting.engine.backtest import backtest
from forecasting.engine.combine import fit_weights
from forecasting.engine.domain import Series
from forecasting.engine.fitted import Fitted
from forecasting.engine.prepare import prepare
from forecasting.engine.train import train_one

HORIZON = 7


def _history(values):
    stamps = pd.date_range("2024-01-01", periods=len(values), freq="D")
    history, _ = prepare(Series("s", tuple(stamps), tuple(float(v) for v in values)))
    return history


def _fixed(level):
    """A member that ignores its data and forecasts ``level(cut)``: its forecast cannot carry a leak."""

    def fit_predict(history, horizon, **_):
        return Fitted(np.full(horizon, level(len(history)), dtype=float))

    return fit_predict


@pytest.fixture
def two_members(monkeypatch):
    # "good_early" is exact before the last origin and far off on it; "good_late" the other way round.
    def good_early(cut):
        return 100.0 if cut < last_cut else 300.0

    def good_late(cut):
        return 180.0 if cut < last_cut else 100.0

    last_cut = 28 * 3 - HORIZON
    monkeypatch.setitem(candidates.CANDIDATES, "ets", _fixed(good_early))
    monkeypatch.setitem(candidates.CANDIDATES, "mstl", _fixed(good_late))
    return last_cut


def test_the_combination_never_uses_the_scored_origins_data(two_members, monkeypatch):
    monkeypatch.setattr(combine, "TOP_K", 1)  # the mean's ranking must then come from earlier origins alone
    # given a flat history at 100 and two members whose merit flips on the last origin
    values = 100 + np.tile([1.0, -1.0], 42)
    names = ("seasonal_naive", "ets", "mstl", "combination_mean", "combination_weighted")
    # when it is backtested, and again with the last window's actuals changed
    result = backtest(_history(values), horizon=HORIZON, origins=3, candidates=names)
    changed = values.copy()
    changed[two_members:] = 200.0
    altered = backtest(_history(changed), horizon=HORIZON, origins=3, candidates=names)
    # then on the last origin the weights come from the earlier origins: ets (exact there) leads,
    # although mstl is the better forecast of that very window
    for name in ("combination_mean", "combination_weighted"):
        weights = fit_weights(
            name, result.forecasts, _history(values).y, season_length=7, before=two_members, horizon=HORIZON
        )
        assert max(weights.weights, key=weights.weights.get) == "ets"
        last_mase = result.scores[name].mase_per_origin[-1]
        assert last_mase > result.scores["mstl"].mase_per_origin[-1]
        # and the combined forecast of that origin does not move when its actuals do
        combined = weights.combine({m: result.forecasts[m][two_members] for m in weights.weights})
        altered_weights = fit_weights(
            name, altered.forecasts, _history(changed).y, season_length=7, before=two_members, horizon=HORIZON
        )
        again = altered_weights.combine(
            {m: altered.forecasts[m][two_members] for m in altered_weights.weights}
        )
        np.testing.assert_allclose(combined, again)


def test_a_weighting_only_origin_gives_the_first_scored_origin_a_past(two_members):
    values = 100 + np.tile([1.0, -1.0], 42)
    result = backtest(
        _history(values), horizon=HORIZON, origins=2, candidates=("ets", "mstl", "combination_mean")
    )
    assert result.decisions["weighting_origins_used"] == 1
    assert len(result.origins) == 2
    assert len(result.forecasts["ets"]) == 3  # the scored two and the older weighting one
    assert not any(key.endswith("origins_without_past") for key in result.decisions)


def test_train_one_chooses_a_combination_that_beats_its_members_and_gives_it_an_interval(monkeypatch):
    # given members that miss a flat, noisy series by -10 and +10: each is poor, their mean is right
    monkeypatch.setitem(candidates.CANDIDATES, "ets", _fixed(lambda cut: 90.0))
    monkeypatch.setitem(candidates.CANDIDATES, "mstl", _fixed(lambda cut: 110.0))
    rng = np.random.default_rng(0)
    values = 100 + rng.normal(0, 1, 120)
    stamps = pd.date_range("2024-01-01", periods=len(values), freq="D")
    series = Series("flat", tuple(stamps), tuple(values))
    # when it is trained with both combinations among the candidates
    result = train_one(
        series,
        horizon=7,
        origins=3,
        candidates=("ets", "mstl", "combination_mean", "combination_weighted"),
    )
    # then a combination wins, its members are the two, and its interval comes from its backtest errors
    assert result.ok, result.error
    assert result.algorithm in ("combination_mean", "combination_weighted")
    chosen = result.metrics[result.algorithm].mase
    assert chosen < min(result.metrics[n].mase for n in ("seasonal_naive", "ets", "mstl"))
    assert {"ets", "mstl"} <= set(result.params["members"])
    np.testing.assert_allclose(result.forecast.value, 100.0, atol=2.0)  # seasonal naive may weigh in
    assert all(p.lower < p.value < p.upper for p in result.forecast.points())
    assert "21 backtest errors" in result.params["interval"]


def test_a_member_with_zero_weight_is_not_refitted_for_the_final_combination(monkeypatch):
    # given two members that miss a flat series by +10 and -10 on alternate days (their mean is exact)
    # and one that misses it by +400 (no convex combination with it can be exact)
    final_fits = []

    def member(name, offset):
        def fit_predict(history, horizon, **_):
            if len(history) == 120:
                final_fits.append(name)
            days = len(history) + np.arange(horizon)
            return Fitted(100.0 + offset(days))

        return fit_predict

    monkeypatch.setitem(candidates.CANDIDATES, "ets", member("ets", lambda d: 10.0 * (-1.0) ** d))
    monkeypatch.setitem(candidates.CANDIDATES, "mstl", member("mstl", lambda d: -10.0 * (-1.0) ** d))
    far_off = member("seasonal_naive", lambda d: np.full(len(d), 400.0))
    monkeypatch.setitem(candidates.CANDIDATES, "seasonal_naive", far_off)
    rng = np.random.default_rng(0)
    stamps = pd.date_range("2024-01-01", periods=120, freq="D")
    series = Series("flat", tuple(stamps), tuple(100 + rng.normal(0, 1, 120)))

    # when the weighted combination is chosen
    result = train_one(series, horizon=7, origins=3, candidates=("ets", "mstl", "combination_weighted"))

    # then the far-off member has weight 0 and only the members with weight were fitted on the whole history
    assert result.algorithm == "combination_weighted", result.metrics
    weights = result.params["members"]
    assert weights["seasonal_naive"] == 0.0 and weights["ets"] > 0 and weights["mstl"] > 0
    assert sorted(final_fits) == ["ets", "mstl"]
    assert set(result.params["member_params"]) == {m for m, w in weights.items() if w > 0}
    np.testing.assert_allclose(result.forecast.value, 100.0, atol=2.0)
