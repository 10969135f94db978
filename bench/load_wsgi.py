"""The WSGI app the load test runs under gunicorn: crewplan itself, plus the ceiling at /bench/ceiling.

The ceiling is the cheapest Django answer that still hands over the same cached bytes: a bare view that
reads one key from the same Django cache (Redis) and returns it, through the same middleware stack, in
the same gunicorn. Nothing of it is in the product: it exists only when gunicorn loads this module.

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
urlpatterns = [
    path("bench/ceiling", ceiling, name="bench-ceiling"),
    path("", include("ops.urls")),
]
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after the URLconf is switched

application = get_wsgi_application()
