"""What-if scenarios of a roster: try one (202 with its job), list them, compare them with the base, adopt
one. Thin: validate, call one service or selector."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors_schema import ERROR_RESPONSES
from api.permissions import RolePermission
from api.rosters.edit_views import EDIT_ERRORS
from api.rosters.scenario_serializers import (
    ScenarioComparisonSerializer,
    ScenarioInputSerializer,
    ScenarioSerializer,
)
from api.rosters.serializers import RosterOutputSerializer
from api.rosters.views import _roster_for_read, _roster_for_write
from api.scoping import get_scoped_or_404
from api.throttles import ScopedRateThrottle
from scheduler.models import RosterScenario
from scheduler.services.scenarios import scenario_adopt, scenario_comparison, scenario_create

TAG = "rosters"


class RosterScenarioListCreateApi(APIView):
    permission_classes = [RolePermission]
    throttle_classes = [ScopedRateThrottle]

    def get_throttles(self):
        self.throttle_scope = "solve" if self.request.method == "POST" else None
        return super().get_throttles()

    @extend_schema(
        operation_id="roster_scenario_list",
        tags=[TAG],
        responses={200: ScenarioSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        scenarios = RosterScenario.objects.filter(base=roster).select_related("job").order_by("id")
        return Response(ScenarioSerializer(scenarios, many=True).data)

    @extend_schema(
        operation_id="roster_scenario_create",
        tags=[TAG],
        request=ScenarioInputSerializer,
        responses={202: ScenarioSerializer, **EDIT_ERRORS},
        description="Try a what-if: a copy of the roster's inputs with `changes` applied, solved as a job on "
        "the solve queue (poll `/api/jobs/{job}`). The roster itself is never written. 400 names a malformed "
        "change, 422 one the roster cannot take (a person, date or shift that is not there).",
    )
    def post(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        data = ScenarioInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scenario = scenario_create(roster=roster, user=request.user, **data.validated_data)
        return Response(ScenarioSerializer(scenario).data, status=202)


class RosterScenarioComparisonApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_scenario_comparison",
        tags=[TAG],
        responses={200: ScenarioComparisonSerializer, **ERROR_RESPONSES},
        description="The base and its scenarios side by side: cover met, penalties by rule, cost against "
        "budget, fairness, hours against contract, and the cells each scenario changes.",
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        return Response(scenario_comparison(roster=roster))


class RosterScenarioAdoptApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_scenario_adopt",
        tags=[TAG],
        request=None,
        responses={200: RosterOutputSerializer, **EDIT_ERRORS},
        description="Make the scenario's cells the roster's next state: a new version of a published roster, "
        "the next revision of another. 409 when the roster changed since the scenario was tried.",
    )
    def post(self, request, roster_id: int, scenario_id: int):
        roster = _roster_for_write(request, roster_id)
        scenario = get_scoped_or_404(
            RosterScenario.objects.filter(base=roster), request.user, "base__department_id", id=scenario_id
        )
        return Response(RosterOutputSerializer(scenario_adopt(scenario=scenario, user=request.user)).data)
