"""Labour endpoints: pay rates over time, actual hours per unit, labour budgets per unit and week, and
the labour-variance report. Thin: validate, resolve the department scope, call one service or selector."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.capacity.aggregates.views import AggregateApi, query_params, resolve_scope, respond_aggregate
from api.conditional import conditional_read
from api.crud import ScopedDetailApi, ScopedListApi
from api.errors_schema import ERRORS_BULK, ERRORS_READ, ERRORS_WRITE
from api.labour import serializers as s
from api.labour.parsers import TimesheetCsvParser
from api.parsers import LimitedJSONParser
from api.permissions import RolePermission
from api.schema import crud_schema
from api.scoping import get_scoped_or_404, request_department_roles, require_department_role
from capacity.aggregates.common import first_monday
from capacity.budgets import (
    MAX_BUDGET_WEEKS,
    labour_budget_delete,
    labour_budget_set,
    labour_budgets,
    labour_budgets_set_range,
    require_monday,
)
from capacity.models import Department
from ops.errors import ApplicationError
from ops.planning_window import check_planning_date
from scheduler import pay_rates
from scheduler.labour_variance import labour_variance, labour_variance_csv
from scheduler.models import PayRate
from scheduler.timesheets import MAX_TIMESHEET_ROWS, timesheet_upload, unit_actuals

WEEK_PARAM = OpenApiParameter("week", OpenApiTypes.DATE, OpenApiParameter.PATH, description="The Monday")

TAG = "labour"


# --- pay rates ------------------------------------------------------------------------------------------


class _PayRateResource:
    """A person's rates are scoped by the person's department; role rates apply organisation-wide, so
    everyone with a role may read them and only admins may write them."""

    queryset = PayRate.objects.select_related("person")
    department_field = "person__department_id"
    output_serializer = s.PayRateOutputSerializer
    input_serializer = s.PayRateInputSerializer
    scoped_related = {"person": "department_id"}
    filters = {"person": "person_id", "role": "role_id", "work_rules": "work_rules_id"}
    service_arg = "rate"

    def scoped_queryset(self, request):
        if request.user.is_superuser:
            return self.queryset.all()
        readable = set(request_department_roles(request))
        return self.queryset.filter(Q(person__department_id__in=readable) | Q(person__isnull=True))

    def write_department_id(self, src):
        person = src.get("person") if isinstance(src, dict) else getattr(src, "person", None)
        return None if person is None else person.department_id

    def check_write(self, request, department_id):
        if department_id is not None:
            return super().check_write(request, department_id)
        if not request.user.is_superuser and "admin" not in set(request_department_roles(request).values()):
            raise PermissionDenied("Rates of a role apply everywhere: only an admin may write them")
        return None


_list, _detail = crud_schema(
    name="pay_rate",
    tag=TAG,
    output=s.PayRateOutputSerializer,
    input=s.PayRateInputSerializer,
    filters={"person": int, "role": int, "work_rules": int},
)


@_list
class PayRateListApi(_PayRateResource, ScopedListApi):
    create_service = pay_rates.pay_rate_create


@_detail
class PayRateDetailApi(_PayRateResource, ScopedDetailApi):
    update_service = pay_rates.pay_rate_update
    delete_service = pay_rates.pay_rate_delete


# --- actual hours ---------------------------------------------------------------------------------------


def _unit(request, unit_id: int, *, write: bool = False) -> Department:
    unit = get_scoped_or_404(Department.objects.all(), request.user, department_field="id", id=unit_id)
    if write:
        require_department_role(request.user, unit.pk, held=request_department_roles(request))
    return unit


class UnitActualsApi(APIView):
    permission_classes = [RolePermission]
    parser_classes = [LimitedJSONParser, TimesheetCsvParser]

    @extend_schema(
        operation_id="unit_actuals",
        tags=[TAG],
        parameters=[s.ActualsQuerySerializer],
        responses={200: s.UnitActualsSerializer, 304: None, **ERRORS_READ, 413: ERRORS_BULK[413]},
        description="The unit's timesheet rows from start to end (at most 366 days), each marked "
        "`unplanned` when no rostered shift matches its person and date, and the rostered shifts with no "
        "actual yet (`not_yet_recorded`).",
    )
    def get(self, request, unit_id: int):
        unit = _unit(request, unit_id)
        q = query_params(request, s.ActualsQuerySerializer)
        return conditional_read(request, unit_actuals(unit=unit, start=q["start"], end=q["end"]), max_age=0)

    @extend_schema(
        operation_id="unit_actuals_upload",
        tags=[TAG],
        request={"application/json": s.TimesheetUploadInputSerializer, "text/csv": str},
        responses={201: s.TimesheetUploadOutputSerializer, **ERRORS_BULK},
        description="Timesheet rows as JSON (`rows`) or CSV with the header "
        "`person,date,start,end,break_minutes` and an optional `shift` column; times are HH:MM and an end "
        "before the start is on the next day. All or nothing: any bad row rejects the upload and every "
        f"bad row is named in `extra.errors`. At most {MAX_TIMESHEET_ROWS} rows. A row with the same "
        "person, date and start as a stored one replaces it.",
    )
    def post(self, request, unit_id: int):
        unit = _unit(request, unit_id, write=True)
        data = s.TimesheetUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = timesheet_upload(
            unit=unit, rows=data.validated_data["rows"], source=data.validated_data["source"]
        )
        return Response(outcome, status=201)


# --- budgets --------------------------------------------------------------------------------------------


def _week(week: str) -> date:
    try:
        return require_monday(check_planning_date(date.fromisoformat(week)))
    except ValueError as exc:  # OutsidePlanningWindow too
        raise ApplicationError(
            "The week is given by its Monday, an ISO date in the planning window",
            extra={"week": week, "error": str(exc)},
        ) from exc


class UnitBudgetsApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="unit_budgets",
        tags=[TAG],
        parameters=[s.BudgetsQuerySerializer],
        responses={200: s.BudgetOutputSerializer(many=True), **ERRORS_READ},
        description="The unit's budgets in a window of weeks (weeks without a budget are left out).",
    )
    def get(self, request, unit_id: int):
        unit = _unit(request, unit_id)
        q = query_params(request, s.BudgetsQuerySerializer)
        first = first_monday(q.get("start"))
        rows = labour_budgets(unit_ids=[unit.pk], first_week=first, weeks=q["weeks"])
        body = s.BudgetOutputSerializer(sorted(rows.values(), key=lambda b: b.week_start), many=True).data
        return conditional_read(request, body, max_age=0)

    @extend_schema(
        operation_id="unit_budgets_set_range",
        tags=[TAG],
        request=s.BudgetRangeInputSerializer,
        responses={200: s.BudgetOutputSerializer(many=True), **ERRORS_BULK},
        description=f"Set the same budget for `weeks` consecutive weeks (at most {MAX_BUDGET_WEEKS}) from "
        "the Monday `start`, replacing what was set.",
    )
    def put(self, request, unit_id: int):
        unit = _unit(request, unit_id, write=True)
        data = s.BudgetRangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rows = labour_budgets_set_range(
            unit=unit, first_week=v["start"], weeks=v["weeks"], hours=v["hours"], cost=v["cost"]
        )
        return Response(s.BudgetOutputSerializer(rows, many=True).data)


class UnitBudgetWeekApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="unit_budget_set",
        tags=[TAG],
        parameters=[WEEK_PARAM],
        request=s.BudgetInputSerializer,
        responses={200: s.BudgetOutputSerializer, **ERRORS_WRITE},
        description="Set one week's budget; the week is given by its Monday.",
    )
    def put(self, request, unit_id: int, week: str):
        unit = _unit(request, unit_id, write=True)
        data = s.BudgetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = labour_budget_set(unit=unit, week=_week(week), **data.validated_data)
        return Response(s.BudgetOutputSerializer(row).data)

    @extend_schema(
        operation_id="unit_budget_delete",
        tags=[TAG],
        parameters=[WEEK_PARAM],
        responses={204: None, **ERRORS_WRITE},
    )
    def delete(self, request, unit_id: int, week: str):
        unit = _unit(request, unit_id, write=True)
        if not labour_budget_delete(unit=unit, week=_week(week)):
            raise ApplicationError("No budget for this week", extra={"week": week}, status=404)
        return Response(status=204)


# --- variance -------------------------------------------------------------------------------------------


def _variance_params(request) -> dict:
    q = query_params(request, s.LabourVarianceQuerySerializer)
    return {
        "department_ids": resolve_scope(request, q.get("department"), True),
        "first_week": q.get("start"),
        "weeks": q["weeks"],
    }


class LabourVarianceApi(AggregateApi):
    @extend_schema(
        operation_id="report_labour_variance",
        tags=[TAG],
        parameters=[s.LabourVarianceQuerySerializer],
        responses={200: s.LabourVarianceReportSerializer, 304: None, **ERRORS_READ},
        description="Per unit and week: budget, rostered and actual hours and cost, and actual minus "
        "rostered split into its causes (overtime, unplanned shifts, missing shifts, rate differences), "
        "which sum to it. See scheduler.labour_variance.",
    )
    def get(self, request):
        params = _variance_params(request)
        return respond_aggregate(
            request,
            "labour_variance",
            params,
            lambda **kw: labour_variance(**params, **kw),
            namespaces=("capacity", "roster"),
        )


class LabourVarianceCsvApi(AggregateApi):
    @extend_schema(
        operation_id="report_labour_variance_csv",
        tags=[TAG],
        parameters=[s.LabourVarianceQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **ERRORS_READ},
        description="The labour-variance report as CSV, one row per unit and week.",
    )
    def get(self, request):
        report = labour_variance(**_variance_params(request))
        response = HttpResponse(labour_variance_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="labour-variance.csv"'
        return response
