from django.contrib import admin

from scheduler.models import (
    CoverRequirement,
    PersonContract,
    Roster,
    RosterAssignment,
    RosterScenario,
    ShiftRequest,
    ShiftType,
    WorkRules,
)


@admin.register(ShiftType)
class ShiftTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "start_time", "duration_minutes", "is_night")
    list_filter = ("is_night",)
    search_fields = ("code", "name")


@admin.register(WorkRules)
class WorkRulesAdmin(admin.ModelAdmin):
    list_display = ("name", "contract_minutes_per_week", "max_minutes_per_week", "max_consecutive_work_days")
    search_fields = ("name",)


@admin.register(PersonContract)
class PersonContractAdmin(admin.ModelAdmin):
    list_display = ("person", "work_rules")
    list_select_related = ("person", "work_rules")
    raw_id_fields = ("person",)


@admin.register(CoverRequirement)
class CoverRequirementAdmin(admin.ModelAdmin):
    list_display = ("department", "date", "shift_type", "skill", "minimum", "preferred", "source")
    list_filter = ("source", "shift_type__code")
    list_select_related = ("department", "shift_type", "skill")
    date_hierarchy = "date"


@admin.register(ShiftRequest)
class ShiftRequestAdmin(admin.ModelAdmin):
    list_display = ("person", "date", "shift_type", "kind", "weight")
    list_select_related = ("person", "shift_type")
    raw_id_fields = ("person",)


class RosterAssignmentInline(admin.TabularInline):
    model = RosterAssignment
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ("id", "department", "start_date", "end_date", "status", "engine", "objective", "version")
    list_filter = ("status", "engine")
    list_select_related = ("department",)
    inlines = [RosterAssignmentInline]


@admin.register(RosterScenario)
class RosterScenarioAdmin(admin.ModelAdmin):
    list_display = ("id", "base", "base_revision", "created_by", "created_at", "adopted_as")
    list_select_related = ("base__department", "created_by")
    raw_id_fields = ("base", "job", "adopted_as")
    readonly_fields = ("changes", "result")
