"""django-redis's JSON serializer, reading cached texts with orjson.

Why: a cached aggregate is stored as its JSON text (capacity.aggregates' `cached_json`), tens of kilobytes
in one JSON string (the medium demo's 12-week heatmap: 72 KB), and every hit decodes it. The standard
library's `json.loads` took 97 us for it, orjson 28 us, on this machine (bench/results/LOAD.md, 8 December):
on a cached read of about 1 ms of CPU, the largest single step after the Redis round trip itself.

Only a stored JSON string goes to orjson: it reads every valid string to the same text, and refuses what
the standard library would read differently or refuse (a lone surrogate, a raw control character), which
then goes the usual way. Numbers never do: orjson reads an integer beyond 64 bits as a float, where
`json.loads` keeps it exact. Writing stays django-redis's (`json.dumps` with Django's encoder), so every
stored byte is what it was, and a reader gets exactly what django-redis's own serializer gives.
"""

from __future__ import annotations

from typing import Any

import orjson
from django_redis.serializers.json import JSONSerializer


class OrjsonReadingJSONSerializer(JSONSerializer):
    def loads(self, value: bytes) -> Any:
        if value[:1] == b'"':
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return super().loads(value)
