"""Admin pages for every capacity model. Saves and deletes go through capacity.services where one exists
(assignments: fact rows in the same transaction) and always invalidate the "capacity" cache namespace."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction

from capacity.models import (
    Assignment,
    AssignmentWeekHours,
    Department,
    Leave,
    Person,
    PersonSkill,
    Project,
    Role,
    SkillTag,
)
from capacity.services import (
    ASSIGNMENT_EDITABLE_FIELDS,
    assignment_create,
    assignment_delete,
    assignment_refs_check,
    assignment_update,
    capacity_changed,
    week_hours_remove,
    week_hours_resync_people,
    week_hours_sync,
    weekly_hours_normalise,
)
from ops import audit
from ops.errors import ApplicationError


class InvalidatesCapacity(admin.ModelAdmin):
    """Every admin write of a model the aggregates read bumps the cache namespace. A model whose delete
    cascades to assignments names the lookup (`assignments_via`), so their hours leave the role-week
    rollup first."""

    assignments_via: str | None = None

    def _forget_assignments(self, objects) -> None:
        if self.assignments_via:
            week_hours_remove(
                assignment_ids=Assignment.objects.filter(
                    **{f"{self.assignments_via}__in": objects}
                ).values_list("pk", flat=True)
            )

    # the admin writes rows directly, not through the services, so it records its own audit entries
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            stored = type(obj).objects.filter(pk=obj.pk).first() if change else None
            super().save_model(request, obj, form, change)
            audit.record(
                action="admin_change" if change else "admin_add",
                obj=obj,
                before=audit.snapshot(stored),
                after=audit.snapshot(obj),
            )
            capacity_changed()

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._forget_assignments([obj])
            audit.record(action="admin_delete", obj=obj, before=audit.snapshot(obj))
            super().delete_model(request, obj)
            capacity_changed()

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            self._forget_assignments(queryset)
            audit.record_many(
                action="admin_delete", items=[(obj, audit.snapshot(obj), {}) for obj in queryset]
            )
            super().delete_queryset(request, queryset)
            capacity_changed()


@admin.register(Department)
class DepartmentAdmin(InvalidatesCapacity):
    list_display = ("name", "kind", "parent", "time_zone", "country", "subdivision")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


@admin.register(Role)
class RoleAdmin(InvalidatesCapacity):
    search_fields = ("name",)


class PersonSkillInline(admin.TabularInline):
    model = PersonSkill
    extra = 0
    autocomplete_fields = ("skill",)


class LeaveInline(admin.TabularInline):
    model = Leave
    extra = 0


@admin.register(Person)
class PersonAdmin(InvalidatesCapacity):
    assignments_via = "person"
    list_display = ("name", "email", "department", "role", "weekly_capacity_hours", "hire_date", "active")
    list_filter = ("active", "role")
    search_fields = ("name", "email")
    autocomplete_fields = ("department", "role", "other_units")
    inlines = [PersonSkillInline, LeaveInline]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and {"department", "hire_date"} & set(form.changed_data):
                week_hours_resync_people(person_ids=[obj.pk])

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)  # skills and leave
            capacity_changed()


@admin.register(SkillTag)
class SkillTagAdmin(InvalidatesCapacity):
    search_fields = ("name",)


@admin.register(PersonSkill)
class PersonSkillAdmin(InvalidatesCapacity):
    list_display = ("person", "skill", "level", "certified_until")
    list_filter = ("skill",)
    autocomplete_fields = ("person", "skill")


@admin.register(Leave)
class LeaveAdmin(InvalidatesCapacity):
    list_display = ("person", "kind", "status", "start_date", "end_date")
    list_filter = ("status", "kind")
    autocomplete_fields = ("person",)


@admin.register(Project)
class ProjectAdmin(InvalidatesCapacity):
    assignments_via = "project"
    list_display = ("name", "client", "status", "department")
    list_filter = ("status",)
    search_fields = ("name", "client")
    autocomplete_fields = ("department",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "department" in form.changed_data:
                # open placeholders count against their project's department
                week_hours_sync(
                    assignments=obj.assignments.filter(person__isnull=True).select_related("project")
                )


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = list(ASSIGNMENT_EDITABLE_FIELDS)

    def clean_weekly_hours(self):
        try:
            return weekly_hours_normalise(self.cleaned_data.get("weekly_hours"))
        except ApplicationError as exc:
            raise forms.ValidationError(f"{exc.message}: {exc.extra}") from exc

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("project") and cleaned.get("role"):
            try:
                assignment_refs_check(
                    person=cleaned.get("person"), project=cleaned["project"], role=cleaned["role"]
                )
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from exc
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Writes through capacity.services, so the fact rows and the cache follow every admin edit."""

    form = AssignmentForm
    list_display = ("id", "person", "project", "role", "version", "updated_at")
    list_select_related = ("person", "project", "role")
    search_fields = ("person__name", "project__name", "project__client")
    autocomplete_fields = ("person", "project", "role")
    readonly_fields = ("version", "updated_at")

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                field: getattr(obj, field)
                for field in form.changed_data
                if field in ASSIGNMENT_EDITABLE_FIELDS
            }
            assignment_update(assignment=obj, **changes)
            return
        created = assignment_create(
            person=obj.person,
            project=obj.project,
            role=obj.role,
            weekly_hours=obj.weekly_hours,
            actor=request.user,
        )
        obj.pk = created.pk
        obj.version, obj.updated_at = created.version, created.updated_at

    def delete_model(self, request, obj):
        assignment_delete(assignment=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for assignment in queryset:
                assignment_delete(assignment=assignment)


@admin.register(AssignmentWeekHours)
class AssignmentWeekHoursAdmin(admin.ModelAdmin):
    """Read-only: the fact rows derive from Assignment.weekly_hours (backfill_week_hours rebuilds them)."""

    list_display = ("assignment", "person", "role", "department", "week_start", "hours")
    list_filter = ("role",)
    list_select_related = ("assignment", "person", "role", "department")
    date_hierarchy = "week_start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
