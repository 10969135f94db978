"""The cache toolkit: versions, JSON only, single-flight, graceful degradation, counters."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction

from ops import cache


@pytest.fixture(autouse=True)
def _fresh_namespaces():
    cache.bump(*cache.NAMESPACES)
    cache.clear_local_counters()


def test_cached_computes_once_then_hits():
    # given
    calls = []

    def compute():
        calls.append(1)
        return {"a": [1, 2]}

    # when
    first = cache.cached("capacity", ("t", 1), 60, compute)
    second = cache.cached("capacity", ("t", 1), 60, compute)

    # then
    assert first == second == {"a": [1, 2]}
    assert len(calls) == 1


def test_bump_makes_every_key_of_the_namespace_stale_and_no_other():
    # given
    cache.cached("capacity", ("k",), 60, lambda: 1)
    cache.cached("forecast", ("k",), 60, lambda: 1)
    before = cache.namespace_version("capacity")

    # when
    cache.bump("capacity")

    # then
    assert cache.namespace_version("capacity") > before
    assert cache.cached("capacity", ("k",), 60, lambda: 2) == 2
    assert cache.cached("forecast", ("k",), 60, lambda: 2) == 1


def test_bump_refuses_an_unknown_namespace():
    with pytest.raises(ValueError):
        cache.bump("nope")


def test_values_must_be_json():
    with pytest.raises(TypeError):
        cache.cached("capacity", ("set",), 60, lambda: {1, 2})


def test_counters_report_hits_and_misses_per_namespace():
    # given
    before = cache.stats()["roster"]

    # when
    cache.cached("roster", ("x",), 60, lambda: 1)
    cache.cached("roster", ("x",), 60, lambda: 1)
    cache.cached("roster", ("x",), 60, lambda: 1)
    after = cache.stats()["roster"]

    # then
    assert after["misses"] - before["misses"] == 1
    assert after["hits"] - before["hits"] == 2


@pytest.mark.django_db(transaction=True)
def test_bump_in_a_transaction_bumps_again_on_commit():
    # given
    start = cache.namespace_version("capacity")

    # when
    with transaction.atomic():
        cache.bump("capacity")
        inside = cache.namespace_version("capacity")
        # a reader computing from pre-commit data stores under the intermediate version
        cache.cached("capacity", ("stale",), 60, lambda: "old")

    # then
    assert inside > start
    assert cache.namespace_version("capacity") > inside
    assert cache.cached("capacity", ("stale",), 60, lambda: "new") == "new"


def test_single_flight_computes_a_cold_key_once_across_threads():
    # given
    calls = []
    started = threading.Event()

    def slow():
        calls.append(1)
        started.set()
        time.sleep(0.3)
        return 42

    results = []

    def read():
        results.append(cache.cached("forecast", ("cold",), 60, slow))

    # when
    first = threading.Thread(target=read)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=read) for _ in range(4)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()

    # then
    assert results == [42] * 5
    assert len(calls) == 1


class _BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_a_cache_error_never_fails_the_read(monkeypatch, caplog):
    # given
    monkeypatch.setattr(cache, "cache", _BrokenCache())

    # when
    value = cache.cached("capacity", ("down",), 60, lambda: {"ok": True})
    cache.bump("capacity")

    # then
    assert value == {"ok": True}
    assert "cache unavailable" in caplog.text
    monkeypatch.undo()
    assert cache.stats()["capacity"]["errors"] >= 2


def test_rate_hit_counts_in_a_window():
    # given
    ident = f"t{time.time_ns()}"

    # when
    answers = [cache.rate_hit("test", ident, 2, 60) for _ in range(3)]

    # then
    assert answers[:2] == [None, None]
    assert 0 < answers[2] <= 60


def test_entries_are_stored_as_json_text_not_pickled_objects():
    # given
    cache.cached("capacity", ("json",), 60, lambda: {"n": 1})

    # when
    key = cache._entry_key("capacity", cache.namespace_version("capacity"), ["json"])

    # then
    assert django_cache.get(key) == '{"n":1}'


def test_cached_json_answers_the_stored_text_on_hit_and_miss():
    # when
    miss = cache.cached_json("forecast", ("j",), 60, lambda: {"b": 1, "a": [1.5]})
    hit = cache.cached_json("forecast", ("j",), 60, lambda: {"other": True})

    # then
    assert miss == hit == '{"b":1,"a":[1.5]}'
    assert cache.cached("forecast", ("j",), 60, lambda: None) == {"b": 1, "a": [1.5]}
