import numpy as np
import pandas as pd
import pytest

from forecasting.engine.domain import Series

WEEKLY_PATTERN = np.array([100.0, 120.0, 130.0, 125.0, 140.0, 80.0, 60.0])  # Monday first


def weekly_series(
    key: str = "weekly", days: int = 364, noise: float = 2.0, seed: int = 0, start: str = "2023-01-02"
) -> Series:
    """A flat level with a known weekly pattern plus small Gaussian noise; starts on a Monday."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range(start, periods=days, freq="D")
    values = WEEKLY_PATTERN[stamps.dayofweek] + rng.normal(0, noise, days)
    return Series(key=key, timestamps=tuple(stamps), values=tuple(values), freq="D")


def random_walk_series(key: str = "walk", days: int = 300, seed: int = 0) -> Series:
    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2023-01-02", periods=days, freq="D")
    values = 500 + np.cumsum(rng.normal(0, 10, days))
    return Series(key=key, timestamps=tuple(stamps), values=tuple(values), freq="D")


@pytest.fixture
def weekly():
    return weekly_series()
