"""API keys for integrations. Department access grants live in capacity (capacity.models.AccessGrant)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApiKey(models.Model):
    """An integration's key: shown once at creation; only its prefix (for look-up) and hash are stored."""

    class Scope(models.TextChoices):
        READ = "read"
        WRITE = "write"

    name = models.CharField(max_length=80)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=12, unique=True)
    hashed_key = models.CharField(max_length=128)
    scopes = models.JSONField(default=list)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"], condition=Q(revoked_at__isnull=True), name="apikey_user_live")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def audit_label(self) -> str:
        """How the audit trail names a write made with this key (ops.audit reads it)."""
        return f"{self.prefix} {self.name}"[:100]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
