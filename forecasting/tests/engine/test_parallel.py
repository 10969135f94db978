import pandas as pd

from forecasting.engine.domain import Series
from forecasting.engine.parallel import train_many

from .conftest import random_walk_series, weekly_series


def _batch():
    nan_only = Series("nan-only", tuple(pd.date_range("2024-01-01", periods=60)), (float("nan"),) * 60)
    too_short = Series("too-short", tuple(pd.date_range("2024-01-01", periods=10)), (5.0,) * 10)
    return [
        weekly_series("good-1", days=200),
        nan_only,
        random_walk_series("good-2", days=200),
        too_short,
        weekly_series("good-3", days=200, seed=3),
    ]


def test_bad_series_fail_alone_and_parallel_matches_sequential():
    # given a batch where two series cannot be trained
    batch = _batch()
    seen = []

    # when trained in this process and over two worker processes
    sequential = train_many(batch, workers=1, horizon=14, origins=2)
    parallel = train_many(
        batch,
        workers=2,
        horizon=14,
        origins=2,
        progress=lambda done, total, result: seen.append((done, total, result.series_key)),
    )

    # then the bad ones carry their error, the others succeed, in input order
    assert [r.series_key for r in parallel] == [s.key for s in batch]
    assert [r.ok for r in parallel] == [True, False, True, False, True]
    assert "all NaN" in parallel[1].error
    assert "too short" in parallel[3].error
    assert all(r.duration_s > 0 for r in parallel if r.ok)
    # and progress saw every series once
    assert sorted(key for *_, key in seen) == sorted(s.key for s in batch)
    assert [done for done, *_ in seen] == [1, 2, 3, 4, 5]
    # and both ways give the same numbers
    for one, other in zip(sequential, parallel, strict=True):
        assert one.algorithm == other.algorithm
        assert one.forecast == other.forecast
        assert one.model_json == other.model_json
        assert {k: v.mase for k, v in one.metrics.items()} == {k: v.mase for k, v in other.metrics.items()}
