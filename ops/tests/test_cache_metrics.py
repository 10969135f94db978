"""The cache toolkit's hits, misses and errors reach Prometheus per namespace."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from ops import cache


def _events(namespace: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "crewplan_cache_events_total", {"namespace": namespace, "outcome": outcome}
    )
    return value or 0.0


@pytest.fixture(autouse=True)
def _fresh_namespace():
    cache.bump("forecast")


def test_a_miss_then_a_hit_are_counted_per_namespace():
    # given
    hits, misses = _events("forecast", "hit"), _events("forecast", "miss")
    other_hits = _events("roster", "hit")

    # when
    first = cache.cached("forecast", ["metrics-test", 1], 60, lambda: {"n": 1})
    second = cache.cached("forecast", ["metrics-test", 1], 60, lambda: {"n": 2})

    # then
    assert first == second == {"n": 1}
    assert _events("forecast", "miss") == misses + 1
    assert _events("forecast", "hit") == hits + 1
    assert _events("roster", "hit") == other_hits


def test_a_cache_error_is_counted(monkeypatch):
    # given: a cache that fails every read
    errors = _events("forecast", "error")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache.cache, "get", broken)

    # when
    value = cache.cached("forecast", ["metrics-test", 2], 60, lambda: [1, 2])

    # then: computed uncached, and the error shows in the metric
    assert value == [1, 2]
    assert _events("forecast", "error") == errors + 1
