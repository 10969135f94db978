"""The audit trail: every service that writes calls `record(...)` inside its transaction.

    from ops import audit

    @transaction.atomic
    def labour_budget_set(...):
        before = audit.snapshot(existing)            # {} for a create
        ...write...
        audit.record(action="labour_budget_set", obj=budget, before=before, after=audit.snapshot(budget))

`record` refuses to run outside a transaction, so an entry can only commit with its write and a write that
rolls back leaves none. Who wrote comes from the request being served (the user, and the API key when the
request authenticated with one: AuditActorMiddleware keeps the request in a context variable, and DRF sets
`user` and `auth` on it when it authenticates), or from `acting_as(user)` in a task or a command; with
neither, the entry has no actor (the system wrote it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ops.models import AuditEntry

_request: ContextVar = ContextVar("audit_request", default=None)
_actor: ContextVar = ContextVar("audit_actor", default=None)


class AuditActorMiddleware:
    """Keeps the request being served where `record` can find its user and API key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Attribute the writes inside the block to `user` (a task doing a user's work, a command)."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def _current_actor():
    user = _actor.get()
    if user is not None:
        return user, ""
    request = _request.get()
    if request is None:
        return None, ""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, ""
    # an API key model names itself for the trail (ops imports no other app); a session has no auth
    key = getattr(getattr(request, "auth", None), "audit_label", "")
    return user, key


def _json_ready(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(instance: models.Model | None, fields: Iterable[str] | None = None) -> dict:
    """The instance's stored fields as JSON values (a foreign key by its id); {} for no instance."""
    if instance is None:
        return {}
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if fields is None and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            continue  # the write's own time is the entry's `at`
        values[field.attname if field.is_relation else field.name] = _stored_form(field, instance)
    return _json_ready(values)


def _stored_form(field: models.Field, instance: models.Model):
    # a decimal as the column stores it (37.5 given, 37.50 read back), so before and after compare alike
    value = field.value_from_object(instance)
    if isinstance(field, models.DecimalField) and isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def _changes(before: dict, after: dict) -> dict:
    before, after = _json_ready(before or {}), _json_ready(after or {})
    return {
        field: {"before": before.get(field), "after": after.get(field)}
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def _entry(*, action, obj, object_type, object_id, department_id, before, after, user, key) -> AuditEntry:
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = obj.pk if object_id is None else object_id
        if department_id is None:
            department_id = getattr(obj, "department_id", None)
    return AuditEntry(
        actor=user,
        actor_key=key,
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        department_id=department_id,
        changes=_changes(before, after),
    )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record runs inside the writing transaction (wrap the service in atomic)")


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id=None,
    department_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Record one write. `action` is the service's name; `obj` gives the object's type, id and department
    (or pass them); `before` and `after` are field -> value maps ({} for a create or a delete), of which
    only the fields that differ are kept."""
    _require_transaction()
    user, key = _current_actor()
    entry = _entry(
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        department_id=department_id,
        before=before,
        after=after,
        user=user,
        key=key,
    )
    entry.save()
    return entry


def record_many(*, action: str, items: Iterable[tuple[models.Model, dict, dict]], department_of=None) -> int:
    """Record a bulk write: one entry per (object, before, after), in one INSERT; `department_of(obj)`
    scopes each entry when the object has no department_id of its own."""
    _require_transaction()
    user, key = _current_actor()
    entries = [
        _entry(
            action=action,
            obj=obj,
            object_type=None,
            object_id=None,
            department_id=department_of(obj) if department_of else None,
            before=before,
            after=after,
            user=user,
            key=key,
        )
        for obj, before, after in items
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def audit_prune(*, older_than_days: int | None = None) -> int:
    """Delete the entries older than the retention (AUDIT_RETENTION_DAYS); 0 keeps everything."""
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    if days <= 0:
        return 0
    deleted, _ = AuditEntry.objects.filter(at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


def audit_entries(
    *,
    user,
    department_ids: Iterable[int] | None,
    include_shared: bool = False,
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    since=None,
):
    """The entries a reader may see, newest first: those of `department_ids` (None: every entry, for a
    superuser), the shared catalogues' (no department) when `include_shared`, and the reader's own writes.
    Filters: the object's type (and id), the actor (a username or an API key's prefix), since a time."""
    entries = AuditEntry.objects.select_related("actor")
    if department_ids is not None:
        visible = Q(department_id__in=list(department_ids)) | Q(actor=user)
        if include_shared:
            visible |= Q(department_id__isnull=True)
        entries = entries.filter(visible)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if actor:
        entries = entries.filter(Q(actor__username=actor) | Q(actor_key__startswith=f"{actor} "))
    if since is not None:
        entries = entries.filter(at__gte=since)
    return entries.order_by("-at", "-id")
