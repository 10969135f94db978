"""Request and response bodies of the labour endpoints: pay rates, actual hours, budgets, variance."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.fields import PlanningDateField
from api.serializers_base import PortableModelSerializer
from capacity.aggregates.common import MAX_WEEKS
from capacity.budgets import MAX_BUDGET_WEEKS
from scheduler.models import PayRate, TimesheetEntry
from scheduler.pay_rates import PAY_RATE_FIELDS


@extend_schema_serializer(component_name="PayRate")
class PayRateOutputSerializer(PortableModelSerializer):
    class Meta:
        model = PayRate
        fields = ["id", *PAY_RATE_FIELDS, "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="PayRateInput")
class PayRateInputSerializer(PortableModelSerializer):
    class Meta:
        model = PayRate
        fields = list(PAY_RATE_FIELDS)
        validators = []  # the service checks the model's rules and refuses overlaps (409)


@extend_schema_serializer(component_name="TimesheetRow")
class TimesheetRowSerializer(serializers.Serializer):
    person = serializers.CharField(help_text="The person's id or email")
    date = serializers.CharField(help_text="ISO date of the shift's start")
    start = serializers.CharField(required=False, help_text="HH:MM; may be left out with `shift`")
    end = serializers.CharField(
        required=False, help_text="HH:MM; before the start means the next day; may be left out with `shift`"
    )
    break_minutes = serializers.CharField(
        required=False,
        help_text="Minutes; default 0, or the shift's unpaid minutes when only `shift` is given",
    )
    shift = serializers.CharField(
        required=False, help_text="The code of the shift worked; without start and end, worked as rostered"
    )


@extend_schema_serializer(component_name="TimesheetUploadRequest")
class TimesheetUploadInputSerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False)
    source = serializers.ChoiceField(
        choices=TimesheetEntry.Source.choices, required=False, default=TimesheetEntry.Source.IMPORT
    )


@extend_schema_serializer(component_name="TimesheetUploadResult")
class TimesheetUploadOutputSerializer(serializers.Serializer):
    inserted = serializers.IntegerField()
    replaced = serializers.IntegerField()


@extend_schema_serializer(component_name="ActualsQuery")
class ActualsQuerySerializer(serializers.Serializer):
    start = PlanningDateField()
    end = PlanningDateField()


@extend_schema_serializer(component_name="ActualRow")
class ActualRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField()
    name = serializers.CharField()
    date = serializers.DateField(read_only=True)
    start = serializers.CharField()
    end = serializers.CharField()
    break_minutes = serializers.IntegerField()
    hours = serializers.FloatField()
    shift = serializers.CharField(allow_null=True)
    rostered_shift = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    unplanned = serializers.BooleanField(help_text="No rostered shift for this person on this date")


@extend_schema_serializer(component_name="NotYetRecordedRow")
class NotYetRecordedRowSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    date = serializers.DateField(read_only=True)
    shift = serializers.CharField()
    roster = serializers.IntegerField()
    hours = serializers.FloatField()


@extend_schema_serializer(component_name="UnitActuals")
class UnitActualsSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)
    actuals = ActualRowSerializer(many=True)
    not_yet_recorded = NotYetRecordedRowSerializer(many=True)


@extend_schema_serializer(component_name="LabourBudgetInput")
class BudgetInputSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


@extend_schema_serializer(component_name="LabourBudgetRangeInput")
class BudgetRangeInputSerializer(BudgetInputSerializer):
    start = PlanningDateField(help_text="The Monday of the first week")
    weeks = serializers.IntegerField(min_value=1, max_value=MAX_BUDGET_WEEKS)


@extend_schema_serializer(component_name="LabourBudget")
class BudgetOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="department_id")
    week = serializers.DateField(read_only=True, source="week_start")
    hours = serializers.FloatField()
    cost = serializers.FloatField()
    updated_at = serializers.DateTimeField(read_only=True)


@extend_schema_serializer(component_name="LabourBudgetsQuery")
class BudgetsQuerySerializer(serializers.Serializer):
    start = PlanningDateField(required=False, help_text="First week (any day of it); default: this week")
    weeks = serializers.IntegerField(required=False, default=12, min_value=1, max_value=MAX_BUDGET_WEEKS)


@extend_schema_serializer(component_name="LabourVarianceQuery")
class LabourVarianceQuerySerializer(serializers.Serializer):
    department = serializers.IntegerField(
        required=False, help_text="A department id (its units below it); default: every unit you may read"
    )
    start = PlanningDateField(required=False, help_text="First week (any day of it); default: this week")
    weeks = serializers.IntegerField(required=False, default=12, min_value=1, max_value=MAX_WEEKS)


class _HoursCost(serializers.Serializer):
    hours = serializers.FloatField(allow_null=True)
    cost = serializers.FloatField(allow_null=True)


@extend_schema_serializer(component_name="LabourHoursCost")
class HoursCostSerializer(_HoursCost):
    pass


@extend_schema_serializer(component_name="LabourVarianceCauses")
class VarianceCausesSerializer(serializers.Serializer):
    overtime = HoursCostSerializer(help_text="Minutes worked beyond (or short of) the rostered shift")
    unplanned = HoursCostSerializer(help_text="Actuals with no rostered shift")
    missing = HoursCostSerializer(help_text="Rostered shifts with no actual (negative)")
    rate = HoursCostSerializer(help_text="Paid above (or below) the rostered cost per minute")


@extend_schema_serializer(component_name="LabourVariance")
class VarianceSerializer(serializers.Serializer):
    hours = serializers.FloatField(help_text="actual - rostered")
    cost = serializers.FloatField(help_text="actual - rostered; the causes sum to it")
    rosteredAgainstBudget = serializers.FloatField(allow_null=True)
    actualAgainstBudget = serializers.FloatField(allow_null=True)
    causes = VarianceCausesSerializer()


@extend_schema_serializer(component_name="LabourFigures")
class LabourFiguresSerializer(serializers.Serializer):
    budget = HoursCostSerializer()
    rostered = HoursCostSerializer()
    actual = HoursCostSerializer()
    variance = VarianceSerializer()


@extend_schema_serializer(component_name="LabourVarianceWeek")
class LabourVarianceWeekSerializer(LabourFiguresSerializer):
    week = serializers.DateField(read_only=True)
    complete = serializers.BooleanField(help_text="The week has ended: its actuals should all be in")


@extend_schema_serializer(component_name="LabourVarianceUnit")
class LabourVarianceUnitSerializer(serializers.Serializer):
    unitId = serializers.IntegerField()
    name = serializers.CharField()
    weeks = LabourVarianceWeekSerializer(many=True)


@extend_schema_serializer(component_name="LabourVarianceReport")
class LabourVarianceReportSerializer(serializers.Serializer):
    weekKeys = serializers.ListField(child=serializers.DateField(read_only=True))
    units = LabourVarianceUnitSerializer(many=True)
    totals = LabourFiguresSerializer()


@extend_schema_serializer(component_name="RosterBudgetWeek")
class RosterBudgetWeekSerializer(serializers.Serializer):
    week = serializers.DateField(read_only=True)
    hours = serializers.FloatField()
    cost = serializers.FloatField()
    budget_hours = serializers.FloatField(allow_null=True)
    budget_cost = serializers.FloatField(allow_null=True)
    cost_over_budget = serializers.FloatField(allow_null=True)


@extend_schema_serializer(component_name="RosterBudget")
class RosterBudgetSerializer(serializers.Serializer):
    roster = serializers.IntegerField()
    weeks = RosterBudgetWeekSerializer(many=True)
    hours = serializers.FloatField()
    cost = serializers.FloatField()
    budget_cost = serializers.FloatField(allow_null=True)
    cost_over_budget = serializers.FloatField(allow_null=True)
