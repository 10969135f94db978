"""Thin views over capacity.aggregates: validate the query, resolve the department scope, read the cached
aggregate, answer with ETag / Cache-Control (304 when the client's copy is current).

Scope: `department` (default: every department the caller may read) and, with include_children (the
default), every department below it, intersected with the caller's departments. A department the caller
cannot read answers 404.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.capacity.aggregates import serializers as s
from api.capacity.aggregates.cached_reads import (
    READ_MAX_AGE_S,
    CachedAggregateRead,
    aggregate_etag,
    json_response,
)
from api.conditional import conditional_read
from api.errors_schema import ERROR_RESPONSES, ErrorSerializer
from api.limits import reject_unknown_query_params, require_at_most
from api.permissions import WRITE_ROLES, RolePermission
from api.scoping import request_department_roles
from capacity.aggregates.availability import project_availability
from capacity.aggregates.find_available import find_available
from capacity.aggregates.grid import grid_snapshot
from capacity.aggregates.heatmap import heatmap, heatmap_cache_params
from capacity.aggregates.jobs import aggregate_job_create
from capacity.aggregates.role_capacity import role_capacity, role_capacity_cache_params
from capacity.aggregates.skill_match import parse_terms, skill_match
from capacity.models import Assignment, Project
from capacity.selectors import department_subtree_ids
from capacity.services import BULK_UPDATE_MAX_ITEMS, assignments_bulk_update_hours
from ops import cache as ops_cache
from ops.errors import ApplicationError
from ops.etags import etag_for, parse_version_etag, version_etag

TAG = "capacity reports"
READ_ERRORS = {**ERROR_RESPONSES, 429: OpenApiResponse(ErrorSerializer, description="Throttled")}


def query_params(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.query_params)
    reject_unknown_query_params(request, serializer.fields)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _body(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def resolve_scope(request, department_id: int | None, include_children: bool) -> list[int]:
    """The department ids an aggregate reads: the requested subtree within the caller's departments."""
    readable = set(request_department_roles(request))
    if department_id is None:
        return sorted(readable)
    if department_id not in readable:
        raise Http404("Not found")
    return sorted(
        department_subtree_ids(department_ids=[department_id], include_children=include_children) & readable
    )


def respond_aggregate(request, name: str, params: dict, read, *, namespaces: tuple[str, ...] = ("capacity",)):
    """The aggregate's cached JSON text, handed on as it is, with a validator derived from (name, params,
    today, the versions of the cache namespaces it reads): a revalidation with a current ETag answers 304
    without computing or even reading the cached payload. `read(encoded=True)` must answer the JSON text."""
    try:
        versions = [ops_cache.namespace_version(namespace) for namespace in namespaces]
        etag = aggregate_etag(name, params, versions)
    except Exception:  # noqa: BLE001 - the cache is down: tag the payload itself
        text = read(encoded=True)
        return conditional_read(
            request,
            None,
            etag=etag_for(text),
            max_age=READ_MAX_AGE_S,
            response_factory=lambda _: json_response(text),
        )
    return conditional_read(
        request,
        None,
        etag=etag,
        max_age=READ_MAX_AGE_S,
        response_factory=lambda _: json_response(read(encoded=True)),
    )


def _value_error(exc: ValueError) -> ApplicationError:
    return ApplicationError(str(exc), extra={})


class AggregateApi(APIView):
    permission_classes = [RolePermission]
    throttle_scope = "aggregate"


class RoleCapacityApi(CachedAggregateRead, AggregateApi):
    query_serializer = s.RoleCapacityQuerySerializer
    aggregate_name = "role_capacity"
    cache_params = staticmethod(role_capacity_cache_params)
    read = staticmethod(role_capacity)

    @staticmethod
    def aggregate_params(q: dict, department_ids: list[int]) -> dict:
        return {
            "department_ids": department_ids,
            "first_week": q.get("start"),
            "weeks": q["weeks"],
            "role_ids": q.get("roles"),
            "source": q.get("source"),
        }

    @extend_schema(
        operation_id="report_role_capacity",
        tags=[TAG],
        parameters=[s.RoleCapacityQuerySerializer],
        responses={200: s.RoleCapacitySerializer, **READ_ERRORS},
        description="Assigned hours and capacity per role and week (see capacity.aggregates.role_capacity).",
    )
    def get(self, request):
        q = query_params(request, self.query_serializer)
        params = self.aggregate_params(q, resolve_scope(request, q.get("department"), q["include_children"]))
        return respond_aggregate(request, self.aggregate_name, params, lambda **kw: self.read(**params, **kw))


class HeatmapApi(CachedAggregateRead, AggregateApi):
    query_serializer = s.HeatmapQuerySerializer
    aggregate_name = "heatmap"
    cache_params = staticmethod(heatmap_cache_params)
    read = staticmethod(heatmap)

    @staticmethod
    def aggregate_params(q: dict, department_ids: list[int]) -> dict:
        return {
            "department_ids": department_ids,
            "first_week": q.get("start"),
            "weeks": q["weeks"],
            "role_ids": q.get("roles"),
        }

    @extend_schema(
        operation_id="report_heatmap",
        tags=[TAG],
        parameters=[s.HeatmapQuerySerializer],
        responses={200: s.HeatmapSerializer, **READ_ERRORS},
        description="Per active person and week: assigned, capacity, approved leave, percent and available.",
    )
    def get(self, request):
        q = query_params(request, self.query_serializer)
        params = self.aggregate_params(q, resolve_scope(request, q.get("department"), q["include_children"]))
        return respond_aggregate(request, self.aggregate_name, params, lambda **kw: self.read(**params, **kw))


class ProjectAvailabilityApi(AggregateApi):
    @extend_schema(
        operation_id="report_project_availability",
        tags=[TAG],
        parameters=[s.ProjectAvailabilityQuerySerializer],
        responses={200: s.ProjectAvailabilitySerializer, **READ_ERRORS},
        description="Hours each candidate person has left in a week, most available first.",
    )
    def get(self, request):
        q = query_params(request, s.ProjectAvailabilityQuerySerializer)
        department = q.get("department")
        if q.get("project") is not None:
            readable = set(request_department_roles(request))
            project = Project.objects.filter(pk=q["project"], department_id__in=readable).first()
            if project is None:
                raise Http404("Not found")
            department = department if department is not None else project.department_id
        params = {
            "department_ids": resolve_scope(request, department, q["include_children"]),
            "week": q.get("week"),
            "role_ids": q.get("roles"),
        }
        return respond_aggregate(
            request, "project_availability", params, lambda **kw: project_availability(**params, **kw)
        )


class _AsyncStart(APIView):
    def started(self, job):
        body = {"jobId": job.pk, "status": job.status, "url": f"/api/jobs/{job.pk}"}
        response = Response(body, status=202)
        response["Location"] = body["url"]
        return response


class SkillMatchApi(AggregateApi, _AsyncStart):
    @extend_schema(
        operation_id="report_skill_match",
        tags=[TAG],
        parameters=[s.SkillMatchQuerySerializer],
        responses={200: s.SkillMatchSerializer, **READ_ERRORS},
        description="People holding the skills (case-insensitive, exact or part of a name; expired "
        "certifications never match), ranked by a 0-100 score that weighs availability when `week` is given.",
    )
    def get(self, request):
        q = query_params(request, s.SkillMatchQuerySerializer)
        params = self._params(request, q)
        try:
            return respond_aggregate(request, "skill_match", params, lambda **kw: skill_match(**params, **kw))
        except ValueError as exc:
            raise _value_error(exc) from exc

    @extend_schema(
        operation_id="report_skill_match_async",
        tags=[TAG],
        request=s.SkillMatchQuerySerializer,
        responses={202: s.AggregateJobStartedSerializer, **READ_ERRORS},
        description="The same read as a background job; poll GET /api/jobs/{id} for the result.",
    )
    def post(self, request):
        q = _body(request, s.SkillMatchQuerySerializer)
        params = self._params(request, q)
        try:
            if not parse_terms(params["skills"]):
                raise ValueError("skills must name at least one skill")
        except ValueError as exc:
            raise _value_error(exc) from exc
        params["week"] = params["week"].isoformat() if params["week"] else None
        job = aggregate_job_create(kind="capacity.skill_match", params=params, requested_by=request.user)
        return self.started(job)

    def get_permissions(self):
        return [RolePermission()] if self.request.method != "POST" else [_ReadRolePermission()]

    @staticmethod
    def _params(request, q) -> dict:
        return {
            "department_ids": resolve_scope(request, q.get("department"), q["include_children"]),
            "skills": q["skills"],
            "week": q.get("week"),
            "limit": q["limit"],
        }


class FindAvailableApi(AggregateApi):
    @extend_schema(
        operation_id="report_find_available",
        tags=[TAG],
        parameters=[s.FindAvailableQuerySerializer],
        responses={200: s.FindAvailableSerializer, **READ_ERRORS},
        description="People with at least minAvailableHours free in the week, ranked by "
        "score = 0.6 * availabilityScore + 0.4 * skillScore (components shown per item; see "
        "capacity.aggregates.find_available).",
    )
    def get(self, request):
        q = query_params(request, s.FindAvailableQuerySerializer)
        params = {
            "department_ids": resolve_scope(request, q.get("department"), q["include_children"]),
            "week": q.get("week"),
            "skills": q["skills"],
            "min_available_hours": q["minAvailableHours"],
            "limit": q["limit"],
        }
        try:
            return respond_aggregate(
                request, "find_available", params, lambda **kw: find_available(**params, **kw)
            )
        except ValueError as exc:
            raise _value_error(exc) from exc


class GridSnapshotApi(AggregateApi, _AsyncStart):
    @extend_schema(
        operation_id="report_grid_snapshot",
        tags=[TAG],
        parameters=[s.GridSnapshotQuerySerializer],
        responses={200: s.GridSnapshotSerializer, **READ_ERRORS},
        description="People of the scope and their booked hours per week (1-26 weeks), in two queries.",
    )
    def get(self, request):
        q = query_params(request, s.GridSnapshotQuerySerializer)
        params = {
            "department_ids": resolve_scope(request, q.get("department"), q["include_children"]),
            "first_week": q.get("start"),
            "weeks": q["weeks"],
        }
        return respond_aggregate(request, "grid_snapshot", params, lambda **kw: grid_snapshot(**params, **kw))

    @extend_schema(
        operation_id="report_grid_snapshot_async",
        tags=[TAG],
        request=s.GridSnapshotQuerySerializer,
        responses={202: s.AggregateJobStartedSerializer, **READ_ERRORS},
        description="The same read as a background job; poll GET /api/jobs/{id} for the result.",
    )
    def post(self, request):
        q = _body(request, s.GridSnapshotQuerySerializer)
        params = {
            "department_ids": resolve_scope(request, q.get("department"), q["include_children"]),
            "first_week": q["start"].isoformat() if q.get("start") else None,
            "weeks": q["weeks"],
        }
        job = aggregate_job_create(kind="capacity.grid_snapshot", params=params, requested_by=request.user)
        return self.started(job)

    def get_permissions(self):
        return [RolePermission()] if self.request.method != "POST" else [_ReadRolePermission()]


class _ReadRolePermission(RolePermission):
    """Starting an async read is a read: any role may, like the GET it stands for."""

    def has_permission(self, request, view) -> bool:
        from api.models import ApiKey

        user = request.user
        if not (user and user.is_authenticated):
            return False
        if isinstance(request.auth, ApiKey) and "read" not in request.auth.scopes:
            return False
        return user.is_superuser or bool(request_department_roles(request))


# --- bulk edit of hours ----------------------------------------------------------------------------------


def _expected_version(item: dict) -> int:
    parsed = parse_version_etag(item["etag"], "assignment")
    if parsed is None or parsed[0] != item["assignmentId"]:
        raise ApplicationError(
            "The ETag does not name this assignment; read it again and retry",
            extra={"assignment_id": item["assignmentId"], "etag": item["etag"]},
            status=412,
        )
    return parsed[1]


class AssignmentsBulkUpdateHoursApi(APIView):
    permission_classes = [RolePermission]
    throttle_scope = "bulk"

    @extend_schema(
        operation_id="assignments_bulk_update_hours",
        tags=[TAG],
        request=s.BulkHoursItemSerializer(many=True),
        responses={
            200: s.BulkHoursUpdatedSerializer,
            **ERROR_RESPONSES,
            409: OpenApiResponse(ErrorSerializer, description="One assignment appears twice in the payload"),
            412: OpenApiResponse(ErrorSerializer, description="An item's ETag is stale; nothing was written"),
            413: OpenApiResponse(ErrorSerializer, description=f"More than {BULK_UPDATE_MAX_ITEMS} items"),
            428: OpenApiResponse(ErrorSerializer, description="An item has no ETag"),
        },
        description=f"Merge week hours into up to {BULK_UPDATE_MAX_ITEMS} assignments, all or nothing in one "
        "transaction: 412 if any item's ETag is stale, 409 if an assignment appears twice. Each item's "
        "`weeklyHours` is merged into the stored hours (null clears a week). Answers each assignment's "
        "new version and ETag.",
    )
    def patch(self, request):
        if isinstance(request.data, list):
            require_at_most("items", len(request.data), BULK_UPDATE_MAX_ITEMS)
            missing = [
                i for i, item in enumerate(request.data) if isinstance(item, dict) and not item.get("etag")
            ]
            if missing:
                raise ApplicationError(
                    "Every item needs the `etag` of the assignment as you read it",
                    extra={"items": missing},
                    status=428,
                )
        serializer = s.BulkHoursInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data
        self._check_scope(request, [item["assignmentId"] for item in items])
        updated = assignments_bulk_update_hours(
            items=[
                {
                    "assignment_id": item["assignmentId"],
                    "weekly_hours": item["weeklyHours"],
                    "expected_version": _expected_version(item),
                }
                for item in items
            ],
            actor=request.user,
        )
        return Response(
            {
                "results": [
                    {
                        "assignmentId": a.pk,
                        "version": a.version,
                        "etag": version_etag("assignment", a.pk, a.version),
                        "weeklyHours": a.weekly_hours,
                    }
                    for a in updated
                ]
            }
        )

    @staticmethod
    def _check_scope(request, ids: list[int]) -> None:
        """404 for an assignment outside the caller's departments; 403 where they may read but not write."""
        roles = request_department_roles(request)
        if request.user.is_superuser:
            return
        readable = set(roles)
        rows = Assignment.objects.filter(pk__in=ids).filter(
            Q(project__department_id__in=readable) | Q(person__department_id__in=readable)
        )
        found = dict(rows.values_list("pk", "project__department_id"))
        unseen = [i for i in ids if i not in found]
        if unseen:
            raise ApplicationError("Assignments not found", extra={"assignment_ids": unseen}, status=404)
        from rest_framework.exceptions import PermissionDenied

        if any(roles.get(dept) not in WRITE_ROLES for dept in found.values()):
            raise PermissionDenied("Your role on these assignments' departments does not allow this")
