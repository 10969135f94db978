"""Operations: settings, the Celery app, jobs, the cache toolkit, health, errors."""

from ops.celery import app as celery_app

__all__ = ["celery_app"]
