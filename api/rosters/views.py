"""Roster endpoints: generate, read (grid, cover, hours, fairness, explanations, CSV, iCalendar), edit a
cell, re-solve, publish, new version, compare engines. Thin: validate, call one service or selector."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import get_language_from_request
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.conditional import conditional_read, require_if_match, version_etag
from api.errors_schema import ERROR_RESPONSES, ERROR_RESPONSES_LIST, ErrorSerializer
from api.labour.serializers import RosterBudgetSerializer
from api.pagination import CappedPageNumberPagination
from api.permissions import RolePermission
from api.rosters.edit_serializers import RosterGridSerializer
from api.rosters.serializers import (
    RosterBatchInputSerializer,
    RosterBatchStartedSerializer,
    RosterCellInputSerializer,
    RosterCellOutputSerializer,
    RosterCompareInputSerializer,
    RosterCompareStartedSerializer,
    RosterCoverRowSerializer,
    RosterExplanationSerializer,
    RosterFairnessSerializer,
    RosterGenerateInputSerializer,
    RosterHoursRowSerializer,
    RosterOutputSerializer,
    RosterRiskSerializer,
    RosterSolveInputSerializer,
    RosterStartedSerializer,
)
from api.scoping import get_scoped_or_404, require_department_role, scope_queryset
from api.throttles import ScopedRateThrottle
from capacity.models import Department, Person
from scheduler import selectors
from scheduler.labour_variance import roster_against_budget
from scheduler.models import Roster
from scheduler.rule_text import rule_means, rule_name, rule_unit
from scheduler.services.batch import roster_batch_plan
from scheduler.services.roster_edits import CellChange, roster_cells_change
from scheduler.services.rosters import (
    roster_compare,
    roster_delete,
    roster_generate,
    roster_new_version,
    roster_publish,
    roster_resolve,
)
from scheduler.shift_risk import roster_shift_risk

WRITE_ERRORS = {
    **ERROR_RESPONSES,
    409: OpenApiResponse(ErrorSerializer, description="Conflicts with the roster's state or a running job"),
    412: OpenApiResponse(ErrorSerializer, description="If-Match names an older version"),
    413: OpenApiResponse(ErrorSerializer, description="Horizon longer than allowed"),
    503: OpenApiResponse(ErrorSerializer, description="The job queue is unavailable"),
}


def _rosters():
    return Roster.objects.select_related("department")


def _roster_for_read(request, roster_id: int) -> Roster:
    return get_scoped_or_404(_rosters(), request.user, id=roster_id)


def _roster_for_write(request, roster_id: int) -> Roster:
    roster = _roster_for_read(request, roster_id)
    require_department_role(request.user, roster.department_id)
    return roster


def _etag(roster: Roster) -> str:
    return version_etag("roster", roster.pk, roster.etag_version)


def _read(request, roster: Roster, payload):
    return conditional_read(request, payload, etag=_etag(roster), last_modified=roster.updated_at)


class RosterListCreateApi(APIView):
    permission_classes = [RolePermission]
    pagination_class = CappedPageNumberPagination  # read by the schema: list bodies are pages
    throttle_classes = [ScopedRateThrottle]

    def get_throttles(self):
        self.throttle_scope = "solve" if self.request.method == "POST" else None
        return super().get_throttles()

    @extend_schema(
        operation_id="roster_list",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="Only this unit's rosters"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Roster.Status.values)),
        ],
        responses={200: RosterOutputSerializer(many=True), **ERROR_RESPONSES_LIST},
    )
    def get(self, request):
        rosters = scope_queryset(_rosters(), request.user)
        if unit := request.query_params.get("unit"):
            if not (unit.isascii() and unit.isdigit()) or int(unit) > 2**63 - 1:
                return Response({"message": "unit must be an id", "extra": {"unit": unit}}, status=400)
            rosters = rosters.filter(department_id=int(unit))
        if status_filter := request.query_params.get("status"):
            rosters = rosters.filter(status=status_filter)
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(
            rosters.order_by("-start_date", "-version", "-id"), request, view=self
        )
        return paginator.get_paginated_response(RosterOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="roster_generate",
        request=RosterGenerateInputSerializer,
        responses={202: RosterStartedSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = RosterGenerateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit = get_scoped_or_404(
            Department.objects.all(), request.user, department_field="id", id=values["unit"]
        )
        require_department_role(request.user, unit.pk)
        roster = roster_generate(
            unit=unit,
            start_date=values["start"],
            end_date=values["end"],
            engine=values["engine"],
            time_limit=values["time_limit"],
            user=request.user,
        )
        return Response(
            {"roster": RosterOutputSerializer(roster).data, "job": roster.job_id},
            status=status.HTTP_202_ACCEPTED,
        )


class RosterBatchApi(APIView):
    permission_classes = [RolePermission]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "solve"

    @extend_schema(
        operation_id="roster_batch_plan",
        request=RosterBatchInputSerializer,
        responses={202: RosterBatchStartedSerializer, **WRITE_ERRORS},
        description="One roster per unit below the department, solved over the workers; units that share "
        "people are solved one after another so nobody is double-booked. Poll the parent job "
        "(`result.units_done` of `result.units_total`) or each unit's job.",
    )
    def post(self, request):
        data = RosterBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        department = get_scoped_or_404(
            Department.objects.all(), request.user, department_field="id", id=values["department"]
        )
        require_department_role(request.user, department.pk)
        job = roster_batch_plan(
            department=department,
            start_date=values["start"],
            weeks=values["weeks"],
            engine=values["engine"],
            time_limit=values["time_limit"],
            user=request.user,
        )
        body = {"job": job.id, "units": job.result["units"], "chains": job.result["chains"]}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class RosterDetailApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_detail", responses={200: RosterOutputSerializer, 304: None, **ERROR_RESPONSES}
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        return _read(request, roster, RosterOutputSerializer(roster).data)

    @extend_schema(
        operation_id="roster_delete",
        request=None,
        responses={204: None, 428: OpenApiResponse(ErrorSerializer), **WRITE_ERRORS},
    )
    def delete(self, request, roster_id: int):
        """Delete a draft or solved roster (If-Match required); a published or solving one stays (409)."""
        roster = _roster_for_write(request, roster_id)
        require_if_match(request, _etag(roster))
        roster_delete(roster=roster, user=request.user, expected_revision=roster.revision)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RosterGridApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_grid", responses={200: RosterGridSerializer, 304: None, **ERROR_RESPONSES}
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        grid = selectors.roster_grid(roster=roster)
        payload = {
            "days": [d.isoformat() for d in grid.days],
            "people": grid.people,
            "shift_types": grid.shift_types,
            "cells": {str(k): v for k, v in grid.cells.items()},
        }
        return _read(request, roster, payload)


class RosterCoverApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_cover", responses={200: RosterCoverRowSerializer(many=True), **ERROR_RESPONSES}
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        return _read(request, roster, selectors.roster_cover(roster=roster))


class RosterHoursApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_hours", responses={200: RosterHoursRowSerializer(many=True), **ERROR_RESPONSES}
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        # tagged by its content: a pay-rate change moves the cost without changing the roster
        return conditional_read(request, selectors.roster_hours_and_cost(roster=roster))


class RosterBudgetApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_budget",
        responses={200: RosterBudgetSerializer, 304: None, **ERROR_RESPONSES},
        description="The roster's hours and cost in each week it touches (each shift at the rate of its "
        "date, overtime above the contract's weekly hours) against the unit's labour budget for the week.",
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        return conditional_read(request, roster_against_budget(roster=roster))


class RosterRiskApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_risk",
        responses={200: RosterRiskSerializer, 304: None, **ERROR_RESPONSES},
        description="How the roster's cover holds up when demand moves: per shift of each day, the chance it "
        "is under-staffed and the expected shortfall, over demand paths sampled from the unit's forecast "
        "(fixed seed). Empty, with a message, when the unit has no forecast for these days.",
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        # tagged by its content: a retrained forecast moves the risk without changing the roster
        return conditional_read(request, roster_shift_risk(roster=roster))


class RosterFairnessApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_fairness", responses={200: RosterFairnessSerializer, **ERROR_RESPONSES}
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        return _read(request, roster, selectors.roster_fairness(roster=roster))


class RosterExplanationApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_explanation", responses={200: RosterExplanationSerializer, **ERROR_RESPONSES}
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        stats = roster.statistics or {}
        payload = {
            key: stats.get(key, default)
            for key, default in (
                ("penalties_by_rule", {}),
                ("penalties", []),
                ("violations", []),
                ("shortfalls", []),
                ("blocking_rules", {}),
            )
        }
        named = {t["rule"] for t in [*payload["penalties"], *payload["violations"]]} | set(
            payload["penalties_by_rule"]
        )
        payload["rules"] = {
            rule: {"name": rule_name(rule), "means": rule_means(rule), "unit": rule_unit(rule)}
            for rule in sorted(named)
        }
        return _read(request, roster, payload)


class RosterCsvApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_csv", responses={(200, "text/csv"): OpenApiTypes.STR, **ERROR_RESPONSES}
    )
    def get(self, request, roster_id: int):
        roster = _roster_for_read(request, roster_id)
        response = HttpResponse(selectors.roster_csv(roster=roster), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="roster-{roster.pk}-v{roster.version}.csv"'
        return response


class RosterCalendarApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_person_calendar",
        responses={(200, "text/calendar"): OpenApiTypes.STR, **ERROR_RESPONSES},
    )
    def get(self, request, roster_id: int, person_id: int):
        roster = _roster_for_read(request, roster_id)
        get_scoped_or_404(Person.objects.all(), request.user, id=person_id)
        response = HttpResponse(
            selectors.roster_ical(roster=roster, person_id=person_id),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'inline; filename="roster-{roster.pk}-person-{person_id}.ics"'
        return response


class RosterCellApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_cell_set",
        request=RosterCellInputSerializer,
        responses={
            200: RosterCellOutputSerializer,
            422: OpenApiResponse(
                ErrorSerializer, description="Breaks a hard rule (named with person and day)"
            ),
            428: OpenApiResponse(ErrorSerializer, description="If-Match is required"),
            **WRITE_ERRORS,
        },
    )
    def patch(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        require_if_match(request, _etag(roster))
        data = RosterCellInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = get_scoped_or_404(Person.objects.all(), request.user, id=values["person"])
        edit = roster_cells_change(
            roster=roster,
            changes=[CellChange(person.pk, values["date"], values["shift"], locked=values["pinned"])],
            action="set",
            user=request.user,
            expected_revision=roster.revision,
            override_reason=values.get("override_reason", ""),
            language=get_language_from_request(request),
        )
        roster.refresh_from_db()
        response = Response(
            {
                "person": person.pk,
                "date": values["date"],
                "shift": values["shift"],
                "pinned": edit.cells[0]["after"]["locked"],
                "version": roster.version,
                "revision": roster.revision,
                "edit": edit.pk,
            }
        )
        response["ETag"] = _etag(roster)
        return response


class RosterResolveApi(APIView):
    permission_classes = [RolePermission]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "solve"

    @extend_schema(
        operation_id="roster_resolve",
        request=RosterSolveInputSerializer,
        responses={202: RosterStartedSerializer, **WRITE_ERRORS},
    )
    def post(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        data = RosterSolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roster = roster_resolve(roster=roster, user=request.user, **data.validated_data)
        return Response({"roster": RosterOutputSerializer(roster).data, "job": roster.job_id}, status=202)


class RosterPublishApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_publish",
        request=None,
        responses={200: RosterOutputSerializer, 428: OpenApiResponse(ErrorSerializer), **WRITE_ERRORS},
    )
    def post(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        require_if_match(request, _etag(roster))
        roster = roster_publish(roster=roster, user=request.user, expected_revision=roster.revision)
        return Response(RosterOutputSerializer(roster).data)


class RosterNewVersionApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="roster_new_version",
        request=None,
        responses={201: RosterOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        copy = roster_new_version(roster=roster, user=request.user)
        return Response(RosterOutputSerializer(copy).data, status=201)


class RosterCompareApi(APIView):
    permission_classes = [RolePermission]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "solve"

    @extend_schema(
        operation_id="roster_compare",
        request=RosterCompareInputSerializer,
        responses={202: RosterCompareStartedSerializer, **WRITE_ERRORS},
    )
    def post(self, request, roster_id: int):
        roster = _roster_for_write(request, roster_id)
        data = RosterCompareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        jobs = roster_compare(roster=roster, user=request.user, **data.validated_data)
        return Response({"jobs": {engine: job.id for engine, job in jobs.items()}}, status=202)
