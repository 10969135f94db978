"""Request and response shapes of what-if scenarios. The changes are checked by the domain
(scheduler.scenario_changes), which gives every refusal its field; the schema here documents them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.rosters.serializers import _time_limit_field
from scheduler.rule_weights import RULE_WEIGHT_FIELDS
from scheduler.scenario_changes import MAX_COVER_SCALE, WORK_RULE_LIMITS

CHANGES_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "add_people": {
            "type": "array",
            "description": "People of other units borrowed for the period (ids), or new hires like someone "
            'in the scenario: {"like": person id, "count": n}',
            "items": {
                "oneOf": [
                    {"type": "integer", "minimum": 1},
                    {
                        "type": "object",
                        "properties": {
                            "like": {"type": "integer"},
                            "count": {"type": "integer", "minimum": 1},
                        },
                        "required": ["like"],
                    },
                ]
            },
        },
        "remove_people": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "description": "People of the unit left out for the period",
        },
        "cover_scale": {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": MAX_COVER_SCALE,
            "description": "A factor on every cover level (minimum and preferred, rounded half up)",
        },
        "cover": {
            "type": "array",
            "description": "Cover levels of one day and shift (after cover_scale)",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "shift": {"type": "string"},
                    "minimum": {"type": "integer", "minimum": 0},
                    "preferred": {"type": "integer", "minimum": 0},
                },
                "required": ["date", "shift"],
            },
        },
        "work_rules": {
            "type": "object",
            "description": "Contract rules changed, by work rules id: {rule: value or null}; rules: "
            + ", ".join(WORK_RULE_LIMITS),
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "integer", "nullable": True},
            },
        },
        "rule_weights": {
            "type": "object",
            "description": "Rule weights changed: " + ", ".join(RULE_WEIGHT_FIELDS),
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
        "budget": {
            "type": "object",
            "description": "Every week's labour budget (hours, cost); one left out keeps the stored one",
            "properties": {
                "hours": {"type": "number", "minimum": 0},
                "cost": {"type": "number", "minimum": 0},
            },
        },
    },
}


@extend_schema_field(CHANGES_SCHEMA)
class ScenarioChangesField(serializers.JSONField):
    pass


@extend_schema_serializer(component_name="ScenarioRequest")
class ScenarioInputSerializer(serializers.Serializer):
    changes = ScenarioChangesField(help_text="The inputs to change (at least one)")
    time_limit = _time_limit_field(help_text="Seconds the solver may use")


@extend_schema_serializer(component_name="Scenario")
class ScenarioSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    base = serializers.IntegerField(source="base_id")
    base_revision = serializers.IntegerField()
    changes = ScenarioChangesField()
    job = serializers.IntegerField(source="job_id", allow_null=True)
    job_status = serializers.SerializerMethodField()
    solved = serializers.SerializerMethodField()
    engine = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    adopted_as = serializers.IntegerField(source="adopted_as_id", allow_null=True)

    def get_job_status(self, scenario) -> str | None:
        return scenario.job.status if scenario.job_id else None

    def get_solved(self, scenario) -> bool:
        return bool(scenario.result)

    def get_engine(self, scenario) -> str | None:
        return scenario.result.get("engine")

    def get_status(self, scenario) -> str | None:
        return scenario.result.get("status")

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_figures(self, scenario):
        return scenario.result.get("figures")


@extend_schema_serializer(component_name="ScenarioComparison")
class ScenarioComparisonSerializer(serializers.Serializer):
    roster = serializers.IntegerField()
    revision = serializers.IntegerField()
    version = serializers.IntegerField()
    base = serializers.DictField(help_text="The base roster's figures on its own inputs")
    scenarios = serializers.ListField(
        child=serializers.DictField(), help_text="Each scenario's figures and the cells where it differs"
    )
