"""A unit's demand events: list, create, read, change, delete (scoped to the caller's units; writes need a
planning role there). Thin: validate, call one service in forecasting.events."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.conditional import conditional_read
from api.errors_schema import ERROR_RESPONSES, ERROR_RESPONSES_LIST, ERRORS_WRITE
from api.forecasting import serializers as s
from api.pagination import CappedPageNumberPagination
from api.permissions import RolePermission
from api.scoping import get_scoped_or_404, request_department_roles, require_department_role
from capacity.models import Department
from forecasting.events import demand_event_create, demand_event_delete, demand_event_update
from forecasting.models import DemandEvent

TAG = "forecasting"
NOTE = " Events enter the unit's forecasts at the next retrain."


def _unit(request, unit_id: int, *, write: bool = False) -> Department:
    unit = get_scoped_or_404(Department.objects.all(), request.user, department_field="id", id=unit_id)
    if write:
        require_department_role(request.user, unit.pk, held=request_department_roles(request))
    return unit


def _event(request, unit_id: int, event_id: int, *, write: bool = False) -> DemandEvent:
    unit = _unit(request, unit_id, write=write)
    event = DemandEvent.objects.filter(department=unit, pk=event_id).first()
    if event is None:
        raise Http404("Not found")
    return event


class UnitDemandEventListApi(APIView):
    permission_classes = [RolePermission]
    pagination_class = CappedPageNumberPagination  # read by the schema: list bodies are pages

    @extend_schema(
        operation_id="unit_demand_event_list",
        tags=[TAG],
        responses={200: s.DemandEventSerializer(many=True), **ERROR_RESPONSES_LIST},
    )
    def get(self, request, unit_id: int):
        unit = _unit(request, unit_id)
        paginator = CappedPageNumberPagination()
        rows = DemandEvent.objects.filter(department=unit).order_by("start_date", "id")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.DemandEventSerializer(page, many=True).data)

    @extend_schema(
        operation_id="unit_demand_event_create",
        tags=[TAG],
        request=s.DemandEventSerializer,
        responses={201: s.DemandEventSerializer, **ERRORS_WRITE},
        description="Add an event (a ward closed, a flu season) to the unit." + NOTE,
    )
    def post(self, request, unit_id: int):
        unit = _unit(request, unit_id, write=True)
        data = s.DemandEventSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = demand_event_create(unit=unit, **data.validated_data)
        return Response(s.DemandEventSerializer(event).data, status=status.HTTP_201_CREATED)


class UnitDemandEventDetailApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="unit_demand_event_read",
        tags=[TAG],
        responses={200: s.DemandEventSerializer, 304: None, **ERROR_RESPONSES},
    )
    def get(self, request, unit_id: int, event_id: int):
        event = _event(request, unit_id, event_id)
        return conditional_read(request, s.DemandEventSerializer(event).data, max_age=0)

    @extend_schema(
        operation_id="unit_demand_event_update",
        tags=[TAG],
        request=s.DemandEventSerializer,
        responses={200: s.DemandEventSerializer, **ERRORS_WRITE},
        description="Change an event's name or dates." + NOTE,
    )
    def patch(self, request, unit_id: int, event_id: int):
        event = _event(request, unit_id, event_id, write=True)
        data = s.DemandEventSerializer(event, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        event = demand_event_update(event=event, **data.validated_data)
        return Response(s.DemandEventSerializer(event).data)

    @extend_schema(operation_id="unit_demand_event_delete", tags=[TAG], responses={204: None, **ERRORS_WRITE})
    def delete(self, request, unit_id: int, event_id: int):
        demand_event_delete(event=_event(request, unit_id, event_id, write=True))
        return Response(status=status.HTTP_204_NO_CONTENT)
