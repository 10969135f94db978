from django.conf import settings
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.fields import PlanningDateField
from api.serializers_base import PortableModelSerializer
from scheduler.models import Roster
from scheduler.services.rosters import MAX_HORIZON_DAYS
from scheduler.solver.options import (
    AUTO,
    COMPARE_ENGINES,
    DEFAULT_COMPARE_ENGINES,
    DEFAULT_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
    ROSTER_ENGINES,
)


def _time_limit_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=MIN_TIME_LIMIT_S,
        max_value=settings.SOLVE_TIME_LIMIT_MAX,
        default=DEFAULT_TIME_LIMIT_S,
        **kwargs,
    )


@extend_schema_serializer(component_name="RosterGenerateRequest")
class RosterGenerateInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, help_text="Id of a unit department")
    start = PlanningDateField(help_text="First day of the roster")
    end = PlanningDateField(help_text="Last day of the roster (inclusive)")
    engine = serializers.ChoiceField(choices=ROSTER_ENGINES, default=AUTO)
    time_limit = _time_limit_field(help_text="Seconds the solver may use")


@extend_schema_serializer(component_name="RosterBatchRequest")
class RosterBatchInputSerializer(serializers.Serializer):
    department = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="Id of a department: every unit below it gets a roster"
    )
    start = PlanningDateField(help_text="First day of every roster")
    weeks = serializers.IntegerField(
        min_value=1, max_value=MAX_HORIZON_DAYS // 7, help_text="Weeks per roster"
    )
    engine = serializers.ChoiceField(choices=ROSTER_ENGINES, default=AUTO)
    time_limit = _time_limit_field(help_text="Seconds the solver may use for each unit")


@extend_schema_serializer(component_name="RosterBatchUnit")
class RosterBatchUnitSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    roster = serializers.IntegerField()
    job = serializers.IntegerField(help_text="The unit's own solve job")


@extend_schema_serializer(component_name="RosterBatchStarted")
class RosterBatchStartedSerializer(serializers.Serializer):
    job = serializers.IntegerField(
        help_text="The parent job: progress is units done of total; cancel it to cancel all"
    )
    units = RosterBatchUnitSerializer(many=True)
    chains = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Unit ids solved one after another because they share people; chains run in parallel",
    )


@extend_schema_serializer(component_name="RosterSolveRequest")
class RosterSolveInputSerializer(serializers.Serializer):
    engine = serializers.ChoiceField(choices=ROSTER_ENGINES, default=AUTO)
    time_limit = _time_limit_field()


@extend_schema_serializer(component_name="RosterCompareRequest")
class RosterCompareInputSerializer(serializers.Serializer):
    engines = serializers.ListField(
        child=serializers.ChoiceField(choices=COMPARE_ENGINES),
        min_length=2,
        max_length=2,
        default=list(DEFAULT_COMPARE_ENGINES),
    )
    time_limit = _time_limit_field()


@extend_schema_serializer(component_name="RosterCellRequest")
class RosterCellInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    date = PlanningDateField()
    shift = serializers.CharField(
        allow_null=True, max_length=8, help_text="Shift code, or null for a day off"
    )
    pinned = serializers.BooleanField(
        default=True, help_text="Locked, so a re-solve keeps it (a day off too); false releases the lock"
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Keep the change although it breaks a hard rule (needs the override permission)",
    )


@extend_schema_serializer(component_name="Roster")
class RosterOutputSerializer(PortableModelSerializer):
    unit = serializers.IntegerField(source="department_id")
    unit_name = serializers.CharField(source="department.name")
    job = serializers.IntegerField(source="job_id", allow_null=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Roster
        fields = [
            "id",
            "unit",
            "unit_name",
            "start_date",
            "end_date",
            "status",
            "engine",
            "objective",
            "bound",
            "version",
            "job",
            "created_at",
            "updated_at",
            "published_at",
            "summary",
        ]

    def get_summary(self, roster) -> dict:
        stats = roster.statistics or {}
        keys = (
            "status",
            "gap",
            "stopped_early",
            "changes",
            "hard_violations",
            "hard_rules_broken",
            "breaks_hard_rules",
            "first_feasible_s",
            "solve_s",
            "assignments",
            "penalties_by_rule",
            "engine_reason",
            "stop_reason",  # optimal, gap, stalled, cancelled, time_limit or completed
            "stop_reason_text",
            "below_preferred",
            "plain",
        )
        return {k: stats.get(k) for k in keys if k in stats}


@extend_schema_serializer(component_name="RosterStarted")
class RosterStartedSerializer(serializers.Serializer):
    roster = RosterOutputSerializer()
    job = serializers.IntegerField()


@extend_schema_serializer(component_name="RosterCompareStarted")
class RosterCompareStartedSerializer(serializers.Serializer):
    jobs = serializers.DictField(child=serializers.IntegerField(), help_text="engine -> job id")


@extend_schema_serializer(component_name="RosterExplanation")
class RosterExplanationSerializer(serializers.Serializer):
    penalties_by_rule = serializers.DictField(child=serializers.IntegerField())
    penalties = serializers.ListField(child=serializers.DictField())
    violations = serializers.ListField(child=serializers.DictField())
    shortfalls = serializers.ListField(child=serializers.DictField())
    blocking_rules = serializers.DictField()
    rules = serializers.DictField(
        child=serializers.DictField(), help_text="rule -> {name, means, unit: points or currency}"
    )


@extend_schema_serializer(component_name="RosterCoverRow")
class RosterCoverRowSerializer(serializers.Serializer):
    date = PlanningDateField()
    shift = serializers.CharField()
    minimum = serializers.IntegerField()
    preferred = serializers.IntegerField()
    assigned = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    source = serializers.CharField(allow_null=True)


@extend_schema_serializer(component_name="RosterShiftRisk")
class RosterShiftRiskSerializer(serializers.Serializer):
    date = PlanningDateField()
    shift = serializers.CharField()
    assigned = serializers.IntegerField()
    mean_need = serializers.FloatField(help_text="Staff the shift needs, averaged over the demand paths")
    probability_short = serializers.FloatField(help_text="Share of demand paths on which the shift is short")
    expected_shortfall = serializers.FloatField(help_text="People missing, averaged over the demand paths")


@extend_schema_serializer(component_name="RosterRisk")
class RosterRiskSerializer(serializers.Serializer):
    samples = serializers.IntegerField(help_text="Demand paths sampled from the unit's forecast (0: none)")
    seed = serializers.IntegerField()
    expected_shortfall = serializers.FloatField(help_text="Sum over the shifts")
    shifts = RosterShiftRiskSerializer(many=True)
    message = serializers.CharField(help_text="Why there are no shifts, when there are none")


@extend_schema_serializer(component_name="RosterHoursRow")
class RosterHoursRowSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    shifts = serializers.IntegerField()
    hours = serializers.FloatField()
    contract_hours = serializers.FloatField()
    overtime_hours = serializers.FloatField()
    cost = serializers.FloatField()


@extend_schema_serializer(component_name="RosterFairness")
class RosterFairnessSerializer(serializers.Serializer):
    people = serializers.ListField(child=serializers.DictField())
    groups = serializers.ListField(child=serializers.DictField())


@extend_schema_serializer(component_name="RosterCellResult")
class RosterCellOutputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    date = PlanningDateField()
    shift = serializers.CharField(allow_null=True)
    pinned = serializers.BooleanField()
    version = serializers.IntegerField(help_text="The roster's version (published states)")
    revision = serializers.IntegerField(help_text="Changes of this version so far")
    edit = serializers.IntegerField(help_text="The edit in the version's history")
