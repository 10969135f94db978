"""The WSGI app the load test runs under gunicorn: crewplan itself, plus the ceiling at /bench/ceiling.

The ceiling is the cheapest Django answer that still hands over the same cached bytes: a bare view that
reads one key from the same Django cache (Redis) and returns it, through the same middleware stack, in
the same gunicorn; and the heatmap through DRF alone, without the cached fast path, at
/bench/drf/reports/heatmap. Nothing of it is in the product: it exists only when gunicorn loads this module.

    gunicorn bench.load_wsgi --config deploy/gunicorn.conf.py      (bench/load.py does this)
"""

from __future__ import annotations

import os

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ops.settings")
CEILING_KEY = "bench:ceiling:body"  # bench/load.py stores the aggregate's response body under it


def ceiling(request):
    from django.core.cache import cache

    body = cache.get(CEILING_KEY)
    if body is None:
        return HttpResponse(status=404)
    return HttpResponse(body, content_type="application/json")


django.setup()

from api.capacity.aggregates.views import HeatmapApi  # noqa: E402 - after django.setup()

urlpatterns = [
    path("bench/ceiling", ceiling, name="bench-ceiling"),
    # the same API view without its cached fast path (api/capacity/aggregates/cached_reads.py): DRF's
    # request handling, measured beside the fast path in the same run
    path("bench/drf/reports/heatmap", HeatmapApi.as_view(cached_fast_path=False), name="bench-drf-heatmap"),
    path("", include("ops.urls")),
]
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after the URLconf is switched

application = get_wsgi_application()
