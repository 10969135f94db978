"""Writes of a unit's demand events (a ward closed, a flu season): regressors of its forecasts from the next
retrain on. Each write validates with the model's rules and runs in a transaction."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from capacity.models import Department
from forecasting.models import DemandEvent
from ops import audit
from ops.cache import bump
from ops.errors import ApplicationError


def _save(event: DemandEvent, action: str) -> DemandEvent:
    if event.start_date and event.end_date and event.end_date < event.start_date:
        raise ApplicationError(
            "An event ends on or after its start", extra={"fields": {"end_date": [str(event.end_date)]}}
        )
    try:
        event.full_clean()
    except ValidationError as exc:
        raise ApplicationError("Invalid demand event", extra={"fields": exc.message_dict}) from exc
    stored = DemandEvent.objects.filter(pk=event.pk).first() if event.pk else None
    event.save()
    audit.record(action=action, obj=event, before=audit.snapshot(stored), after=audit.snapshot(event))
    bump("forecast")
    return event


@transaction.atomic
def demand_event_create(*, unit: Department, name: str, start_date: date, end_date: date) -> DemandEvent:
    if unit.kind != Department.Kind.UNIT:
        raise ApplicationError("Demand events belong to a unit", extra={"department": unit.pk})
    return _save(
        DemandEvent(department=unit, name=name, start_date=start_date, end_date=end_date),
        "demand_event_create",
    )


@transaction.atomic
def demand_event_update(*, event: DemandEvent, **values) -> DemandEvent:
    for name in ("name", "start_date", "end_date"):
        if name in values:
            setattr(event, name, values[name])
    return _save(event, "demand_event_update")


@transaction.atomic
def demand_event_delete(*, event: DemandEvent) -> None:
    audit.record(action="demand_event_delete", obj=event, before=audit.snapshot(event))
    event.delete()
    bump("forecast")
