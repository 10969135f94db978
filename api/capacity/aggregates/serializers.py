"""Query and response bodies of the capacity aggregates (explicit OpenAPI component names).

Responses are built by capacity.aggregates and cached as JSON; these serializers document them (and
validate the queries), they do not re-serialise the cached payloads."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.fields import PlanningDateField
from capacity.aggregates.common import MAX_WEEKS
from capacity.aggregates.grid import MAX_GRID_WEEKS
from capacity.aggregates.role_capacity import SOURCES
from capacity.aggregates.skill_match import MAX_LIMIT
from capacity.services import BULK_UPDATE_MAX_ITEMS


class CommaSeparatedIntegers(serializers.CharField):
    """`1,2,3` -> [1, 2, 3]."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            values = [int(part) for part in text.split(",") if part.strip()]
        except ValueError as exc:
            raise serializers.ValidationError("a comma-separated list of ids") from exc
        if len(values) > 100:
            raise serializers.ValidationError("at most 100 ids")
        return values


class ScopeQuerySerializer(serializers.Serializer):
    department = serializers.IntegerField(
        required=False, help_text="A department id; default: every department you may read"
    )
    include_children = serializers.BooleanField(
        required=False, default=True, help_text="Include the departments below `department`"
    )


@extend_schema_serializer(component_name="RoleCapacityQuery")
class RoleCapacityQuerySerializer(ScopeQuerySerializer):
    start = PlanningDateField(required=False, help_text="First week (any day of it); default: this week")
    weeks = serializers.IntegerField(required=False, default=12, min_value=1, max_value=MAX_WEEKS)
    roles = CommaSeparatedIntegers(required=False, help_text="Role ids, comma-separated; default: every role")
    source = serializers.ChoiceField(
        choices=SOURCES,
        required=False,
        help_text="Where assigned hours are read; default: ROLE_CAPACITY_SOURCE",
    )


@extend_schema_serializer(component_name="HeatmapQuery")
class HeatmapQuerySerializer(ScopeQuerySerializer):
    start = PlanningDateField(required=False)
    weeks = serializers.IntegerField(required=False, default=12, min_value=1, max_value=MAX_WEEKS)
    roles = CommaSeparatedIntegers(required=False)


@extend_schema_serializer(component_name="ProjectAvailabilityQuery")
class ProjectAvailabilityQuerySerializer(ScopeQuerySerializer):
    week = PlanningDateField(required=False, help_text="Any day of the week; default: this week")
    project = serializers.IntegerField(
        required=False, help_text="Candidates come from the project's department (and below) by default"
    )
    roles = CommaSeparatedIntegers(required=False)


@extend_schema_serializer(component_name="SkillMatchQuery")
class SkillMatchQuerySerializer(ScopeQuerySerializer):
    skills = serializers.CharField(help_text="Comma-separated skill names or parts of names")
    week = PlanningDateField(required=False, help_text="Weigh availability in this week")
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=MAX_LIMIT)


@extend_schema_serializer(component_name="FindAvailableQuery")
class FindAvailableQuerySerializer(ScopeQuerySerializer):
    week = PlanningDateField(required=False)
    skills = serializers.CharField(required=False, default="", allow_blank=True)
    minAvailableHours = serializers.FloatField(required=False, default=0.0, min_value=0)
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=MAX_LIMIT)


@extend_schema_serializer(component_name="GridSnapshotQuery")
class GridSnapshotQuerySerializer(ScopeQuerySerializer):
    start = PlanningDateField(required=False)
    weeks = serializers.IntegerField(required=False, default=12, min_value=1, max_value=MAX_GRID_WEEKS)


# --- responses -------------------------------------------------------------------------------------------


class _RoleRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="RoleCapacitySeries")
class RoleCapacitySeriesSerializer(serializers.Serializer):
    roleId = serializers.IntegerField()
    roleName = serializers.CharField()
    assigned = serializers.ListField(child=serializers.FloatField())
    capacity = serializers.ListField(child=serializers.FloatField())


@extend_schema_serializer(component_name="RoleCapacity")
class RoleCapacitySerializer(serializers.Serializer):
    weekKeys = serializers.ListField(child=PlanningDateField())
    roles = _RoleRef(many=True)
    series = RoleCapacitySeriesSerializer(many=True)


def _by_week(nullable: bool = False):
    return serializers.ListField(
        child=serializers.FloatField(allow_null=nullable),
        help_text="one value per week, aligned with weekKeys",
    )


@extend_schema_serializer(component_name="HeatmapPerson")
class HeatmapPersonSerializer(serializers.Serializer):
    personId = serializers.IntegerField()
    name = serializers.CharField()
    departmentId = serializers.IntegerField()
    roleName = serializers.CharField()
    weeklyCapacity = serializers.FloatField()
    assignedByWeek = _by_week()
    capacityByWeek = _by_week()
    leaveByWeek = _by_week()
    percentByWeek = _by_week(nullable=True)
    availableByWeek = _by_week()


@extend_schema_serializer(component_name="Heatmap")
class HeatmapSerializer(serializers.Serializer):
    weekKeys = serializers.ListField(child=PlanningDateField())
    people = HeatmapPersonSerializer(many=True)


@extend_schema_serializer(component_name="ProjectAvailabilityPerson")
class ProjectAvailabilityPersonSerializer(serializers.Serializer):
    personId = serializers.IntegerField()
    personName = serializers.CharField()
    departmentId = serializers.IntegerField()
    roleName = serializers.CharField()
    totalHours = serializers.FloatField()
    capacity = serializers.FloatField()
    leaveHours = serializers.FloatField()
    availableHours = serializers.FloatField()
    utilizationPercent = serializers.FloatField(allow_null=True)


@extend_schema_serializer(component_name="ProjectAvailability")
class ProjectAvailabilitySerializer(serializers.Serializer):
    week = PlanningDateField()
    people = ProjectAvailabilityPersonSerializer(many=True)


@extend_schema_serializer(component_name="SkillMatchResult")
class SkillMatchResultSerializer(serializers.Serializer):
    personId = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField(help_text="0-100")
    skillScore = serializers.FloatField()
    availabilityScore = serializers.FloatField(allow_null=True)
    availableHours = serializers.FloatField(allow_null=True)
    matchedSkills = serializers.ListField(child=serializers.CharField())
    missingSkills = serializers.ListField(child=serializers.CharField())
    departmentId = serializers.IntegerField()
    roleName = serializers.CharField()


@extend_schema_serializer(component_name="SkillMatch")
class SkillMatchSerializer(serializers.Serializer):
    skills = serializers.ListField(child=serializers.CharField())
    week = PlanningDateField(allow_null=True)
    scoring = serializers.DictField(child=serializers.FloatField())
    results = SkillMatchResultSerializer(many=True)


@extend_schema_serializer(component_name="FindAvailableResult")
class FindAvailableResultSerializer(serializers.Serializer):
    personId = serializers.IntegerField()
    name = serializers.CharField()
    departmentId = serializers.IntegerField()
    roleName = serializers.CharField()
    capacity = serializers.FloatField()
    assignedHours = serializers.FloatField()
    leaveHours = serializers.FloatField()
    availableHours = serializers.FloatField()
    availabilityScore = serializers.FloatField()
    skillScore = serializers.FloatField()
    score = serializers.FloatField()
    matchedSkills = serializers.ListField(child=serializers.CharField())
    missingSkills = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(component_name="FindAvailableScoring")
class FindAvailableScoringSerializer(serializers.Serializer):
    availabilityWeight = serializers.FloatField()
    skillWeight = serializers.FloatField()
    formula = serializers.CharField()


@extend_schema_serializer(component_name="FindAvailable")
class FindAvailableSerializer(serializers.Serializer):
    week = PlanningDateField()
    scoring = FindAvailableScoringSerializer()
    results = FindAvailableResultSerializer(many=True)


class _DepartmentRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="GridPerson")
class GridPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    weeklyCapacity = serializers.FloatField()
    department = _DepartmentRef()


@extend_schema_serializer(component_name="GridSnapshot")
class GridSnapshotSerializer(serializers.Serializer):
    weekKeys = serializers.ListField(child=PlanningDateField())
    people = GridPersonSerializer(many=True)
    hoursByPerson = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField()), help_text="person id -> week -> hours"
    )


@extend_schema_serializer(component_name="AggregateJobStarted")
class AggregateJobStartedSerializer(serializers.Serializer):
    jobId = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField(help_text="Poll this for the result (GET /api/jobs/{id})")


# --- bulk edit -------------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="BulkHoursItem")
class BulkHoursItemSerializer(serializers.Serializer):
    assignmentId = serializers.IntegerField()
    weeklyHours = serializers.DictField(
        child=serializers.FloatField(allow_null=True, min_value=0, max_value=168),
        allow_empty=True,
        help_text="week -> hours, merged into the stored hours; null clears a week",
    )
    etag = serializers.CharField(help_text="The assignment's ETag as you read it")


class BulkHoursInputSerializer(serializers.ListSerializer):
    child = BulkHoursItemSerializer()
    max_length = BULK_UPDATE_MAX_ITEMS
    allow_empty = False


@extend_schema_serializer(component_name="BulkHoursResult")
class BulkHoursResultSerializer(serializers.Serializer):
    assignmentId = serializers.IntegerField()
    version = serializers.IntegerField()
    etag = serializers.CharField()
    weeklyHours = serializers.DictField(child=serializers.FloatField())


@extend_schema_serializer(component_name="BulkHoursUpdated")
class BulkHoursUpdatedSerializer(serializers.Serializer):
    results = BulkHoursResultSerializer(many=True)
