"""Audit retention: a nightly beat task forgets entries older than AUDIT_RETENTION_DAYS."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import wait_for
from ops.audit import audit_prune
from ops.models import AuditEntry
from ops.tasks import audit_prune as audit_prune_task


def _entry(age_days: int) -> AuditEntry:
    entry = AuditEntry.objects.create(action="person_update", object_type="capacity.person", object_id="1")
    AuditEntry.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=age_days))
    return entry


@pytest.mark.django_db
def test_pruning_deletes_only_entries_past_the_retention(settings):
    # given a retention of 30 days, an entry of 31 days and one of 29
    settings.AUDIT_RETENTION_DAYS = 30
    old, recent = _entry(31), _entry(29)

    # when the trail is pruned
    deleted = audit_prune()

    # then only the old entry is gone
    assert deleted == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_a_retention_of_zero_keeps_every_entry(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    _entry(5000)

    assert audit_prune() == 0
    assert AuditEntry.objects.count() == 1


def test_beat_runs_the_prune_every_night():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "ops.tasks.audit_prune")
    assert entry["schedule"].hour == {3}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_prunes_the_trail_through_the_broker(celery_worker_process):
    # given an entry older than the worker's retention (the default, 400 days) and a fresh one
    old, fresh = _entry(settings.AUDIT_RETENTION_DAYS + 1), _entry(1)

    # when beat's task goes through Redis to the worker process
    audit_prune_task.apply_async()

    # then the worker deleted only the old entry
    wait_for(lambda: not AuditEntry.objects.filter(pk=old.pk).exists(), timeout=60)
    assert AuditEntry.objects.filter(pk=fresh.pk).exists()
