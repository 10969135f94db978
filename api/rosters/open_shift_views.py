"""The open shifts of a unit as JSON: the page's twin (web/views/open_shifts.py). Assigning one is an
ordinary edit: `POST /api/rosters/{id}/cells` with the candidate's cell, checked like any other."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors_schema import ERRORS_READ
from api.fields import PlanningDateField
from api.permissions import RolePermission
from api.scoping import get_scoped_or_404
from capacity.models import Department
from scheduler.open_shifts import open_shifts


@extend_schema_serializer(component_name="OpenShiftCandidate")
class CandidateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    qualified = serializers.BooleanField(
        help_text="Holds the skill the cover counts (always, for cover of any skill)"
    )
    within_contract = serializers.BooleanField(help_text="The shift keeps them within their contracted hours")
    hours = serializers.FloatField(help_text="Rostered hours in this roster before the shift")
    hours_after = serializers.FloatField()
    contract_hours = serializers.FloatField(allow_null=True)
    cost = serializers.FloatField(help_text="The shift's labour cost for them, in currency")
    shifts = serializers.IntegerField(help_text="Shifts already rostered (fairness: fewer ranks first)")


@extend_schema_serializer(component_name="OpenShift")
class OpenShiftSerializer(serializers.Serializer):
    date = PlanningDateField()
    shift = serializers.CharField()
    shift_name = serializers.CharField()
    skill = serializers.CharField(allow_null=True)
    minimum = serializers.IntegerField()
    preferred = serializers.IntegerField()
    assigned = serializers.IntegerField()
    below = serializers.ChoiceField(choices=["minimum", "preferred"])
    missing = serializers.IntegerField()
    candidates = CandidateSerializer(many=True, help_text="Best first; at most 5")


@extend_schema_serializer(component_name="RosterOpenShifts")
class RosterOpenShiftsSerializer(serializers.Serializer):
    roster = serializers.IntegerField(source="roster.id")
    status = serializers.CharField(source="roster.status")
    version = serializers.IntegerField(source="roster.version")
    revision = serializers.IntegerField(source="roster.revision")
    start = PlanningDateField(source="roster.start_date")
    end = PlanningDateField(source="roster.end_date")
    editable = serializers.BooleanField(help_text="False when published: assign in a new version")
    below_minimum = serializers.IntegerField(help_text="People missing below minimum cover")
    below_preferred = serializers.IntegerField(help_text="People missing below preferred cover")
    open_shifts = OpenShiftSerializer(many=True)


class UnitOpenShiftsApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="unit_open_shifts",
        tags=["rosters"],
        responses={200: RosterOpenShiftsSerializer(many=True), **ERRORS_READ},
        description="Every shift below its minimum or preferred cover in the unit's rosters from today to "
        "13 days on (the page pages by two weeks), with the people who could take it ranked (off that day "
        "and allowed by their own hard rules; qualified, within contract, cheapest, fewest shifts). "
        "Assign one with `POST /api/rosters/{id}/cells`.",
    )
    def get(self, request, unit_id: int):
        unit = get_scoped_or_404(
            Department.objects.filter(kind=Department.Kind.UNIT),
            request.user,
            department_field="id",
            id=unit_id,
        )
        rosters = open_shifts(unit=unit, today=timezone.localdate())
        return Response(RosterOpenShiftsSerializer(rosters, many=True).data)
