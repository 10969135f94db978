"""Within a request, each namespace's version is read from the cache once, and a bump in the same
request is seen at once."""

from __future__ import annotations

from ops import cache


class CountingGets:
    """Records every key read from the cache, by get or get_many (once, however the backend nests them)."""

    def __init__(self, monkeypatch) -> None:
        self.keys: list[str] = []
        self.nested = False
        real_get, real_get_many = cache.cache.get, cache.cache.get_many

        def get(key, *args, **kwargs):
            if not self.nested:
                self.keys.append(key)
            return real_get(key, *args, **kwargs)

        def get_many(keys, *args, **kwargs):
            self.keys.extend(keys)
            self.nested = True
            try:
                return real_get_many(keys, *args, **kwargs)
            finally:
                self.nested = False

        monkeypatch.setattr(cache.cache, "get", get)
        monkeypatch.setattr(cache.cache, "get_many", get_many)

    def version_reads(self, namespace: str) -> int:
        return self.keys.count(f"ns:{namespace}:version")


def test_a_request_reads_each_version_once(monkeypatch):
    # given
    cache.bump("roster")
    gets = CountingGets(monkeypatch)

    # when: three cached reads of one namespace in one request
    with cache.request_scope():
        values = [cache.cached("roster", ["scope-test", n], 60, lambda n=n: n) for n in range(3)]

    # then
    assert values == [0, 1, 2]
    assert gets.version_reads("roster") == 1


def test_outside_a_request_every_read_asks_the_cache(monkeypatch):
    # given
    gets = CountingGets(monkeypatch)

    # when
    for n in range(3):
        cache.cached("roster", ["scope-test-outside", n], 60, lambda n=n: n)

    # then
    assert gets.version_reads("roster") == 3


def test_a_bump_inside_the_request_is_seen_by_its_next_read():
    # given: a cached value read in this request
    with cache.request_scope():
        before = cache.namespace_version("forecast")
        first = cache.cached("forecast", ["scope-test-bump"], 60, lambda: "old")

        # when: the request writes and bumps, then reads again
        cache.bump("forecast")
        after = cache.namespace_version("forecast")
        second = cache.cached("forecast", ["scope-test-bump"], 60, lambda: "new")

    # then
    assert after > before
    assert (first, second) == ("old", "new")
