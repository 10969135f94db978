"""Prometheus metrics. Under gunicorn set PROMETHEUS_MULTIPROC_DIR so every worker process writes its
samples to files that the /metrics view merges (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram(
    "crewplan_request_duration_seconds",
    "Time to answer an HTTP request, per view",
    ["view", "method", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
CACHE_EVENTS = Counter(
    "crewplan_cache_events_total", "Cache look-ups by namespace and outcome", ["namespace", "outcome"]
)
JOBS_FINISHED = Counter(
    "crewplan_jobs_finished_total", "Background jobs by kind and outcome", ["kind", "outcome"]
)
JOB_SECONDS = Histogram(
    "crewplan_job_duration_seconds",
    "Background job run time",
    ["kind"],
    buckets=(0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600),
)
SOLVER_SECONDS = Histogram(
    "crewplan_solver_seconds",
    "Solver wall time",
    ["engine"],
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
)
SOLVER_OBJECTIVE = Gauge(
    "crewplan_solver_objective",
    "Objective of the last roster solved",
    ["engine"],
    multiprocess_mode="livemax",
)
SOLVER_GAP = Gauge(
    "crewplan_solver_gap", "Relative gap of the last roster solved", ["engine"], multiprocess_mode="livemax"
)
FORECAST_TRAIN_SECONDS = Histogram(
    "crewplan_forecast_train_seconds",
    "Time to backtest and train one series",
    ["algorithm"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)

QUEUES = ("solve", "forecast", "default")


class QueueDepthCollector:
    """Celery queue depths, read from the broker at scrape time (Redis lists; 0 where unknown)."""

    def collect(self):
        family = GaugeMetricFamily(
            "crewplan_celery_queue_depth", "Messages waiting per Celery queue", labels=["queue"]
        )
        for queue, depth in queue_depths().items():
            family.add_metric([queue], depth)
        yield family


def queue_depths() -> dict[str, int]:
    from ops.celery import app

    depths = {queue: 0 for queue in QUEUES}
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return depths
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
            channel = conn.default_channel
            for queue in QUEUES:
                # kombu's Redis transport keeps a queue's default-priority messages in a list named after it
                # (the channel's client adds the broker key prefix itself).
                depths[queue] = int(channel.client.llen(queue))
    except Exception:  # a broker that does not answer shows as depth 0; /readyz reports it
        pass
    return depths


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return registry


_queue_registry = CollectorRegistry()
_queue_registry.register(QueueDepthCollector())


FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_X_FORWARDED_HOST")


def _direct_loopback(request) -> bool:
    """A client on this machine, not a proxy on it: behind nginx every request comes from loopback, so
    without METRICS_KEY a proxied deployment (or any forwarded request) is refused."""
    if getattr(settings, "BEHIND_TLS_PROXY", False) or any(h in request.META for h in FORWARDING_HEADERS):
        return False
    return request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")


@never_cache
def metrics_view(request):
    """Guarded by METRICS_KEY (a bearer token); without one set, only loopback clients may read it."""
    key = getattr(settings, "METRICS_KEY", None)
    if key:
        supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(supplied.encode(), key.encode()):
            return HttpResponseForbidden("metrics key required\n")
    elif not _direct_loopback(request):
        return HttpResponseNotFound()
    body = generate_latest(_registry()) + generate_latest(_queue_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
