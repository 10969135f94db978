"""Forecasting endpoints: series, observation uploads, forecasts with their backtest scores, retrains."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.conditional import conditional_read
from api.errors_schema import ERROR_RESPONSES, ERROR_RESPONSES_LIST, ErrorSerializer
from api.forecasting import serializers as s
from api.forecasting.parsers import ObservationsCsvParser
from api.pagination import CappedPageNumberPagination
from api.parsers import LimitedJSONParser
from api.permissions import RolePermission
from api.scoping import get_scoped_or_404, require_department_role, scope_queryset, writable_department_ids
from api.throttles import ScopedRateThrottle
from capacity.models import Department
from forecasting.models import DemandSeries
from forecasting.retrain_runs import forecast_run_create
from forecasting.selectors import current_forecast_model, forecast_points
from forecasting.services import observations_upload
from ops.cache import cached
from ops.errors import ApplicationError
from scheduler.services.cover import cover_fill_from_forecast

FORECAST_TTL_S = 24 * 3600  # a retrain bumps the "forecast" namespace, so nothing stale outlives it
WRITE_ERRORS = {
    **ERROR_RESPONSES,
    409: OpenApiResponse(ErrorSerializer, description="No forecast yet, or it does not cover the dates"),
    413: OpenApiResponse(ErrorSerializer, description="Too many rows"),
}


def _series():
    return DemandSeries.objects.select_related("department")


class SeriesListApi(APIView):
    permission_classes = [RolePermission]
    pagination_class = CappedPageNumberPagination  # read by the schema: list bodies are pages

    @extend_schema(
        operation_id="demand_series_list",
        responses={200: s.DemandSeriesOutputSerializer(many=True), **ERROR_RESPONSES_LIST},
    )
    def get(self, request):
        paginator = CappedPageNumberPagination()
        rows = scope_queryset(_series(), request.user).order_by("department__name", "metric", "id")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.DemandSeriesOutputSerializer(page, many=True).data)


class ObservationUploadApi(APIView):
    permission_classes = [RolePermission]
    parser_classes = [LimitedJSONParser, ObservationsCsvParser]

    @extend_schema(
        operation_id="demand_observations_upload",
        request={"application/json": s.ObservationUploadInputSerializer, "text/csv": str},
        responses={201: s.ObservationUploadOutputSerializer, **WRITE_ERRORS},
        description="All or nothing: any bad date, negative value or duplicate rejects the whole upload. "
        "Existing timestamps are replaced.",
    )
    def post(self, request, series_id: int):
        series = get_scoped_or_404(_series(), request.user, id=series_id)
        require_department_role(request.user, series.department_id)
        data = s.ObservationUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = observations_upload(series=series, rows=data.validated_data["rows"])
        return Response(outcome, status=201)


def _forecast_payload(series: DemandSeries) -> dict:
    model = current_forecast_model(series=series)
    payload = {"series": s.DemandSeriesOutputSerializer(series).data, "model": None, "points": []}
    if model is None:
        return payload
    payload["model"] = {
        "id": model.pk,
        "algorithm": model.algorithm,
        "trained_at": model.trained_at.isoformat(),
        "duration_seconds": model.duration_seconds,
        "metrics": model.metrics,
        "decisions": model.parameters.get("decisions", {}),
    }
    payload["points"] = [
        {"timestamp": p.timestamp.isoformat(), "value": p.value, "lower": p.lower, "upper": p.upper}
        for p in forecast_points(model=model)
    ]
    return payload


class SeriesForecastApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="demand_series_forecast",
        responses={200: s.SeriesForecastSerializer, 304: None, **ERROR_RESPONSES},
    )
    def get(self, request, series_id: int):
        series = get_scoped_or_404(_series(), request.user, id=series_id)
        payload = cached(
            "forecast", ("series_forecast", series.pk), FORECAST_TTL_S, lambda: _forecast_payload(series)
        )
        return conditional_read(request, payload, max_age=300)


class RetrainApi(APIView):
    permission_classes = [RolePermission]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "solve"

    @extend_schema(
        operation_id="forecast_retrain",
        request=s.RetrainInputSerializer,
        responses={202: s.RetrainStartedSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = s.RetrainInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        allowed = (
            scope_queryset(_series(), request.user).filter(
                department_id__in=writable_department_ids(request.user)
            )
            if not request.user.is_superuser
            else _series()
        )
        wanted = data.validated_data.get("series")
        if wanted is not None:
            found = set(allowed.filter(pk__in=wanted).values_list("pk", flat=True))
            if missing := sorted(set(wanted) - found):
                raise ApplicationError(
                    "Unknown series, or not yours to retrain", extra={"series": missing}, status=404
                )
            ids = sorted(found)
        else:
            ids = list(allowed.order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ApplicationError("No series to retrain", extra={"series": []})
        run = forecast_run_create(
            series_ids=ids, horizon_days=data.validated_data["horizon_days"], user=request.user
        )
        return Response({"job": run.job_id, "run": run.pk, "series": len(ids)}, status=202)


class CoverFillFromForecastApi(APIView):
    permission_classes = [RolePermission]

    @extend_schema(
        operation_id="cover_fill_from_forecast",
        request=s.CoverFillInputSerializer,
        responses={200: s.CoverFillOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, unit_id: int):
        unit = get_scoped_or_404(Department.objects.all(), request.user, department_field="id", id=unit_id)
        require_department_role(request.user, unit.pk)
        data = s.CoverFillInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if (values["end"] - values["start"]).days > 366:
            raise ApplicationError("At most 366 days at once", extra={"limit": 366}, status=413)
        written = cover_fill_from_forecast(
            unit=unit,
            start=values["start"],
            end=values["end"],
            quantile=values.get("quantile"),
            service_level=values.get("service_level"),
        )
        return Response({"written": written})
