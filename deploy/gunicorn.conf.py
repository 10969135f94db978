"""gunicorn for crewplan: sync workers (the views are short and CPU-bound), two per core.

Prometheus multiprocess mode: each worker writes samples under PROMETHEUS_MULTIPROC_DIR; a dead worker's
live gauges are removed so /metrics stays true.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 100_000  # recycling is a leak guard; at 5,000 all workers restarted together under load
max_requests_jitter = 10_000
accesslog = None  # crewplan logs one line per request itself (ops.middleware)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if metrics_dir:
        shutil.rmtree(metrics_dir, ignore_errors=True)
        Path(metrics_dir).mkdir(parents=True, exist_ok=True)


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # imported here, not in the hook: child_exit runs inside the arbiter's SIGCHLD handler, where a first
    # import can collide with one already in progress
    from prometheus_client import multiprocess
else:
    multiprocess = None


def child_exit(server, worker):
    if multiprocess is not None:
        multiprocess.mark_process_dead(worker.pid)
