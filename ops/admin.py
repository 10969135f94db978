from django.contrib import admin

from ops.models import AuditEntry, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress", "attempts", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Job._meta.fields]
    search_fields = ("kind", "message", "error")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the services and pruned by retention, never edited by hand."""

    list_display = ("at", "actor", "actor_key", "action", "object_type", "object_id", "department_id")
    list_filter = ("object_type", "action")
    search_fields = ("object_type", "object_id", "action", "actor__username", "actor_key")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
