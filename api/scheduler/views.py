"""Scoped CRUD of the scheduler catalogue: shift types, work rules, cover requirements, shift requests.
Writes go through scheduler.catalogue."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.conditional import conditional_read
from api.crud import ScopedDetailApi, ScopedListApi, person_department_id, referable_department_ids
from api.crud import related_department_id as department_id_of
from api.errors_schema import ERRORS_READ, ERRORS_WRITE
from api.limits import require_at_most
from api.permissions import RolePermission, SharedCatalogueAdminPermission, writable_department_ids
from api.scheduler import serializers as s
from api.schema import ERRORS_BULK, crud_schema
from api.scoping import get_scoped_or_404, request_department_roles, require_department_role
from capacity.models import Department
from scheduler import catalogue
from scheduler.models import CoverRequirement, ShiftRequest, ShiftType, WorkRules
from scheduler.rule_weights import rule_weights_of, rule_weights_set

TAG = "scheduler"


class _ShiftTypeResource:
    queryset = ShiftType.objects.all()
    department_field = "department_id"
    output_serializer = s.ShiftTypeOutputSerializer
    input_serializer = s.ShiftTypeInputSerializer
    scoped_related = {"department": "id"}
    filters = {"department": "department_id"}
    service_arg = "shift_type"

    def write_department_id(self, src):
        return department_id_of(src)


_list, _detail = crud_schema(
    name="shift_type",
    tag=TAG,
    output=s.ShiftTypeOutputSerializer,
    input=s.ShiftTypeInputSerializer,
    filters={"department": int},
)


@_list
class ShiftTypeListApi(_ShiftTypeResource, ScopedListApi):
    create_service = catalogue.shift_type_create


@_detail
class ShiftTypeDetailApi(_ShiftTypeResource, ScopedDetailApi):
    update_service = catalogue.shift_type_update
    delete_service = catalogue.shift_type_delete


class _WorkRulesResource:
    queryset = WorkRules.objects.all()
    department_field = None
    output_serializer = s.WorkRulesOutputSerializer
    input_serializer = s.WorkRulesInputSerializer
    permission_classes = [SharedCatalogueAdminPermission]
    service_arg = "work_rules"


_list, _detail = crud_schema(
    name="work_rules", tag=TAG, output=s.WorkRulesOutputSerializer, input=s.WorkRulesInputSerializer
)


@_list
class WorkRulesListApi(_WorkRulesResource, ScopedListApi):
    create_service = catalogue.work_rules_create


@_detail
class WorkRulesDetailApi(_WorkRulesResource, ScopedDetailApi):
    update_service = catalogue.work_rules_update
    delete_service = catalogue.work_rules_delete


class _CoverResource:
    queryset = CoverRequirement.objects.all()
    department_field = "department_id"
    output_serializer = s.CoverRequirementOutputSerializer
    input_serializer = s.CoverRequirementInputSerializer
    scoped_related = {"department": "id", "shift_type": "*department_id"}
    filters = {
        "department": "department_id",
        "date": "date",
        "source": "source",
        "shift_type": "shift_type_id",
    }
    service_arg = "cover"

    def write_department_id(self, src):
        return department_id_of(src)


_list, _detail = crud_schema(
    name="cover_requirement",
    tag=TAG,
    output=s.CoverRequirementOutputSerializer,
    input=s.CoverRequirementInputSerializer,
    filters={"department": int, "date": str, "source": str, "shift_type": int},
)


@_list
class CoverRequirementListApi(_CoverResource, ScopedListApi):
    create_service = catalogue.cover_requirement_create


@_detail
class CoverRequirementDetailApi(_CoverResource, ScopedDetailApi):
    update_service = catalogue.cover_requirement_update
    delete_service = catalogue.cover_requirement_delete


class CoverRequirementsBulkApi(APIView):
    """Create many cover requirements at once, all or nothing, at most COVER_BULK_MAX_ROWS rows."""

    permission_classes = [RolePermission]
    throttle_scope = "bulk"

    @extend_schema(
        operation_id="cover_requirements_bulk_create",
        tags=[TAG],
        description=f"All or nothing; at most {catalogue.COVER_BULK_MAX_ROWS} rows (413 above).",
        request=s.CoverRequirementsBulkInputSerializer,
        responses={201: s.CoverRequirementsBulkOutputSerializer, **ERRORS_BULK},
    )
    def post(self, request):
        rows = request.data.get("rows") if isinstance(request.data, dict) else None
        if isinstance(rows, list):
            require_at_most("rows", len(rows), catalogue.COVER_BULK_MAX_ROWS)
        serializer = s.CoverRequirementsBulkInputSerializer(data=request.data)
        if not request.user.is_superuser:
            fields = serializer.fields["rows"].child.fields
            fields["department"].queryset = Department.objects.filter(
                pk__in=writable_department_ids(request.user)
            )
            fields["shift_type"].queryset = ShiftType.objects.filter(
                department_id__in=referable_department_ids(request.user)
            )
        serializer.is_valid(raise_exception=True)
        covers = catalogue.cover_requirements_bulk_create(rows=serializer.validated_data["rows"])
        body = {"created": len(covers), "ids": [c.pk for c in covers]}
        return Response(s.CoverRequirementsBulkOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class _ShiftRequestResource:
    queryset = ShiftRequest.objects.select_related("person")
    department_field = "person__department_id"
    output_serializer = s.ShiftRequestOutputSerializer
    input_serializer = s.ShiftRequestInputSerializer
    scoped_related = {"person": "department_id", "shift_type": "*department_id"}
    filters = {"person": "person_id", "date": "date", "kind": "kind"}
    service_arg = "shift_request"

    def write_department_id(self, src):
        return person_department_id(src)


_list, _detail = crud_schema(
    name="shift_request",
    tag=TAG,
    output=s.ShiftRequestOutputSerializer,
    input=s.ShiftRequestInputSerializer,
    filters={"person": int, "date": str, "kind": str},
)


@_list
class ShiftRequestListApi(_ShiftRequestResource, ScopedListApi):
    create_service = catalogue.shift_request_create


@_detail
class ShiftRequestDetailApi(_ShiftRequestResource, ScopedDetailApi):
    update_service = catalogue.shift_request_update
    delete_service = catalogue.shift_request_delete


def _unit(request, unit_id: int, *, write: bool = False) -> Department:
    unit = get_scoped_or_404(Department.objects.all(), request.user, department_field="id", id=unit_id)
    if write:
        require_department_role(request.user, unit.pk, held=request_department_roles(request))
    return unit


class UnitRuleWeightsApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="unit_rule_weights",
        tags=[TAG],
        responses={200: s.RuleWeightsSerializer, 304: None, **ERRORS_READ},
        description="The unit's weights for the optional soft rules of its rosters (0: the rule is off).",
    )
    def get(self, request, unit_id: int):
        unit = _unit(request, unit_id)
        return conditional_read(request, s.RuleWeightsSerializer(rule_weights_of(unit=unit)).data, max_age=0)

    @extend_schema(
        operation_id="unit_rule_weights_set",
        tags=[TAG],
        request=s.RuleWeightsSerializer,
        responses={200: s.RuleWeightsSerializer, **ERRORS_WRITE},
        description="Set some or all of the unit's rule weights; the next solve uses them. "
        "`cover_shortfall_risk` is the cost of a shift sure to be under-staffed, charged times the chance it "
        "is, from demand paths sampled from the unit's forecast; `labour_budget_over` is charged per started "
        "hour and per currency unit a week of a roster is over its labour budget.",
    )
    def put(self, request, unit_id: int):
        unit = _unit(request, unit_id, write=True)
        data = s.RuleWeightsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(s.RuleWeightsSerializer(rule_weights_set(unit=unit, **data.validated_data)).data)
