import math

import pytest
from django_redis.serializers.json import JSONSerializer

from ops.cache_json import OrjsonReadingJSONSerializer

ODD_VALUES = [
    {"weeks": ["2026-12-07", "2026-12-14"], "percent": [0.1 + 0.2, 1e-310, 123456789.123456789]},
    [1, -2, 2**63 - 1, -(2**63), True, False, None, "", "naïve ☃ \u2028"],
    2**64 + 1,  # beyond orjson's integers
    -(2**70),
    float("nan"),
    [float("inf"), float("-inf")],
    "\ud800 lone surrogate",  # json.dumps escapes it; orjson refuses to read it back
    '{"weeks": ["2026-12-07"], "tab": "\\t", "pair": "\\ud83d\\ude00"}',  # a cached JSON text
    {"1": {"nested": [[[]], {}]}},
    "x" * 100_000,
]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("value", ODD_VALUES, ids=range(len(ODD_VALUES)))
def test_reads_back_what_django_redis_serializer_reads(value):
    ours, theirs = OrjsonReadingJSONSerializer({}), JSONSerializer({})
    stored = theirs.dumps(value)
    assert ours.dumps(value) == stored  # the bytes written are django-redis's own
    assert _same(ours.loads(stored), theirs.loads(stored))


def test_a_raw_control_character_in_a_text_is_refused_as_before():
    with pytest.raises(ValueError):
        OrjsonReadingJSONSerializer({}).loads(b'"a\x01b"')


def test_text_that_is_not_json_is_refused_as_before():
    with pytest.raises(ValueError):
        OrjsonReadingJSONSerializer({}).loads(b"{not json")


@pytest.mark.redis
def test_the_redis_cache_reads_with_it():
    from django.core.cache import cache

    assert isinstance(cache.client._serializer, OrjsonReadingJSONSerializer)
    value = {"text": "x" * 70_000, "ratio": float("nan"), "big": 2**70}
    cache.set("test:cache-json", value, timeout=30)
    assert _same(cache.get("test:cache-json"), value)
