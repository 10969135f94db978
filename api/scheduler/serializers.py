"""Request and response bodies of the scheduler catalogue endpoints (explicit OpenAPI component names)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.serializers_base import PortableModelSerializer
from scheduler.catalogue import WORK_RULES_FIELDS
from scheduler.models import CoverRequirement, RuleWeights, ShiftRequest, ShiftType, WorkRules
from scheduler.rule_weights import RULE_WEIGHT_FIELDS

COVER_INPUT_FIELDS = [
    "department",
    "date",
    "shift_type",
    "skill",
    "minimum",
    "preferred",
    "under_weight",
    "over_weight",
    "source",
]


@extend_schema_serializer(component_name="ShiftType")
class ShiftTypeOutputSerializer(PortableModelSerializer):
    class Meta:
        model = ShiftType
        fields = [
            "id",
            "department",
            "code",
            "name",
            "start_time",
            "duration_minutes",
            "paid_minutes",
            "is_night",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="ShiftTypeInput")
class ShiftTypeInputSerializer(PortableModelSerializer):
    class Meta:
        model = ShiftType
        fields = ["department", "code", "name", "start_time", "duration_minutes", "paid_minutes", "is_night"]
        validators = []


@extend_schema_serializer(component_name="WorkRules")
class WorkRulesOutputSerializer(PortableModelSerializer):
    class Meta:
        model = WorkRules
        fields = ["id", *WORK_RULES_FIELDS]
        read_only_fields = fields


@extend_schema_serializer(component_name="WorkRulesInput")
class WorkRulesInputSerializer(PortableModelSerializer):
    class Meta:
        model = WorkRules
        fields = list(WORK_RULES_FIELDS)
        validators = []


@extend_schema_serializer(component_name="CoverRequirement")
class CoverRequirementOutputSerializer(PortableModelSerializer):
    class Meta:
        model = CoverRequirement
        fields = ["id", *COVER_INPUT_FIELDS, "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="CoverRequirementInput")
class CoverRequirementInputSerializer(PortableModelSerializer):
    class Meta:
        model = CoverRequirement
        fields = COVER_INPUT_FIELDS
        validators = []
        extra_kwargs = {"preferred": {"required": False}}


@extend_schema_serializer(component_name="CoverRequirementsBulkInput")
class CoverRequirementsBulkInputSerializer(serializers.Serializer):
    rows = CoverRequirementInputSerializer(many=True)


@extend_schema_serializer(component_name="CoverRequirementsBulkResult")
class CoverRequirementsBulkOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


@extend_schema_serializer(component_name="ShiftRequest")
class ShiftRequestOutputSerializer(PortableModelSerializer):
    class Meta:
        model = ShiftRequest
        fields = ["id", "person", "date", "shift_type", "kind", "weight"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ShiftRequestInput")
class ShiftRequestInputSerializer(PortableModelSerializer):
    class Meta:
        model = ShiftRequest
        fields = ["person", "date", "shift_type", "kind", "weight"]


@extend_schema_serializer(component_name="RuleWeights")
class RuleWeightsSerializer(PortableModelSerializer):
    """A unit's weights for the optional soft rules; 0 leaves a rule out (input: any subset of them)."""

    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="null while the unit keeps the defaults"
    )

    class Meta:
        model = RuleWeights
        fields = [*RULE_WEIGHT_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]
