"""Error tracking with Sentry: errors and performance samples from the web processes and Celery workers.

sentry-sdk is an optional extra (`pip install 'crewplan[sentry]'`). settings.py calls `error_tracking_init`
only when SENTRY_DSN is set, and this module is the only one that imports the SDK, so a deployment
without the variable never loads it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ops.env import EnvError

# Personal data off: no user identity, cookies, bodies, client addresses, SQL parameters, task arguments or
# local variables (a frame's locals may hold a person's name) leave the process; other headers are sent
# with sensitive values filtered.
PERSONAL_DATA_OFF = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {
        "request": {"mode": "denylist", "terms": ["forwarded", "-ip", "remote-", "via", "-user"]},
    },
    "http_bodies": [],
    "url_query_params": {"mode": "denylist"},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


def error_tracking_release() -> str:
    try:
        return f"crewplan@{version('crewplan')}"
    except PackageNotFoundError:  # a checkout run without the package installed
        return "crewplan@unknown"


def error_tracking_init(
    *,
    dsn: str,
    release: str,
    environment: str,
    traces_sample_rate: float,
    transport: Any = None,
) -> None:
    """Starts the SDK with the Django and Celery integrations; `transport` replaces HTTP (tests)."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as exc:
        raise EnvError(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'crewplan[sentry]'"
        ) from exc

    sentry_sdk.init(
        dsn=dsn,
        release=release,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        data_collection=PERSONAL_DATA_OFF,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=False)],
        transport=transport,
    )
