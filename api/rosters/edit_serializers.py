"""Request and response bodies of the roster grid, cell options, edits, undo and diff."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.fields import PlanningDateField
from capacity.models import Leave
from scheduler.models import RosterEdit, ShiftRequest
from scheduler.services.roster_edits import MAX_CELLS_PER_EDIT


@extend_schema_serializer(component_name="RosterGridRequest")
class RosterGridRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ShiftRequest.Kind.choices)
    weight = serializers.IntegerField()
    shift = serializers.CharField(allow_null=True, help_text="The shift asked for or against; null: any")
    granted = serializers.BooleanField(help_text="Whether the roster as it stands grants the request")


@extend_schema_serializer(component_name="RosterGridCell")
class RosterGridCellSerializer(serializers.Serializer):
    shift = serializers.CharField(allow_null=True, help_text="Shift code; null: off")
    pinned = serializers.BooleanField(help_text="Locked: a re-solve keeps it (a day off too)")
    leave = serializers.ChoiceField(choices=Leave.Kind.choices, allow_null=True, help_text="Approved leave")
    request = RosterGridRequestSerializer(allow_null=True)
    override = serializers.CharField(allow_null=True, help_text="Why a planner kept it against a hard rule")


@extend_schema_serializer(component_name="RosterGridPerson")
class RosterGridPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    skills = serializers.ListField(child=serializers.DictField())
    hours = serializers.FloatField(help_text="Paid hours rostered")
    contract_hours = serializers.FloatField(allow_null=True, help_text="Contracted hours over the roster")
    contract = serializers.CharField(help_text="The contract's (work rules') name; empty without one")
    contract_minutes_per_week = serializers.IntegerField(
        allow_null=True, help_text="Contracted minutes a week; null without a contract"
    )
    hours_flagged = serializers.BooleanField(help_text="Differs by more than ROSTER_HOURS_FLAG_PERCENT")


@extend_schema_serializer(component_name="RosterGrid")
class RosterGridSerializer(serializers.Serializer):
    days = serializers.ListField(child=PlanningDateField())
    people = RosterGridPersonSerializer(many=True)
    shift_types = serializers.ListField(child=serializers.DictField())
    cells = serializers.DictField(
        child=serializers.DictField(child=RosterGridCellSerializer()),
        help_text="person id -> ISO date -> cell, every day of every person",
    )


@extend_schema_serializer(component_name="RosterCellChange")
class CellChangeSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    date = PlanningDateField()
    shift = serializers.CharField(allow_null=True, max_length=8, help_text="Shift code; null: off")
    locked = serializers.BooleanField(default=True, help_text="Kept by a re-solve; false releases the lock")


@extend_schema_serializer(component_name="RosterCellsRequest")
class CellsChangeSerializer(serializers.Serializer):
    cells = CellChangeSerializer(many=True, min_length=1, max_length=MAX_CELLS_PER_EDIT)
    action = serializers.ChoiceField(
        choices=[c for c in RosterEdit.Action.choices if c[0] != RosterEdit.Action.UNDO],
        default=RosterEdit.Action.BULK,
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Keep the change although it breaks a hard rule (needs the override permission)",
    )


@extend_schema_serializer(component_name="RosterEditResult")
class EditResultSerializer(serializers.Serializer):
    edit = serializers.IntegerField()
    action = serializers.CharField()
    revision = serializers.IntegerField()
    cells = serializers.ListField(child=serializers.DictField())
    override_reason = serializers.CharField(allow_blank=True)
    overridden_rules = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(component_name="RosterCellOption")
class CellOptionSerializer(serializers.Serializer):
    shift = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    current = serializers.BooleanField()
    allowed = serializers.BooleanField()
    blocking = serializers.ListField(child=serializers.DictField(), help_text="{rule, rule_name, text}")
    instead = serializers.ListField(child=serializers.DictField(), help_text="{person, name}: could take it")


@extend_schema_serializer(component_name="RosterCellOptions")
class CellOptionsSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    date = PlanningDateField()
    current = serializers.CharField(allow_null=True)
    options = CellOptionSerializer(many=True)


@extend_schema_serializer(component_name="RosterDiffCell")
class DiffCellSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    date = PlanningDateField()
    shift = serializers.CharField(allow_null=True)
    against_shift = serializers.CharField(allow_null=True)


@extend_schema_serializer(component_name="RosterDiff")
class DiffSerializer(serializers.Serializer):
    roster = serializers.IntegerField()
    against = serializers.IntegerField()
    start = PlanningDateField(allow_null=True)
    end = PlanningDateField(allow_null=True)
    cells = DiffCellSerializer(many=True)
