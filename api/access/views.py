"""API keys (own keys: create, list, revoke), access grants (admins of a department), capabilities."""

from __future__ import annotations

import importlib.util

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.access import serializers as s
from api.crud import ScopedDetailApi, ScopedListApi, related_department_id
from api.models import ApiKey
from api.pagination import MAX_PAGE_SIZE, CappedPageNumberPagination
from api.permissions import ADMIN_ROLES, AuthenticatedWithKeyScope
from api.schema import ERRORS_LIST, ERRORS_READ, ERRORS_WRITE, PAGE_PARAMS, crud_schema
from api.services import api_key_create, api_key_revoke
from capacity.access import access_grant_delete, access_grant_set
from capacity.catalogue import PEOPLE_BULK_MAX_ROWS
from capacity.models import AccessGrant
from ops.errors import ApplicationError
from scheduler.catalogue import COVER_BULK_MAX_ROWS

TAG = "access"


class ApiKeyListApi(APIView):
    permission_classes = [AuthenticatedWithKeyScope]
    pagination_class = CappedPageNumberPagination  # read by the schema: list bodies are pages

    @extend_schema(
        operation_id="api_key_list",
        tags=[TAG],
        parameters=PAGE_PARAMS,
        responses={200: s.ApiKeyOutputSerializer(many=True), **ERRORS_LIST},
    )
    def get(self, request):
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(ApiKey.objects.filter(user=request.user), request, view=self)
        return paginator.get_paginated_response(s.ApiKeyOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="api_key_create",
        tags=[TAG],
        description="Creates a key for yourself. The response holds the key; it is never shown again.",
        request=s.ApiKeyInputSerializer,
        responses={201: s.ApiKeyCreatedOutputSerializer, **ERRORS_WRITE},
    )
    def post(self, request):
        if isinstance(request.auth, ApiKey):
            raise ApplicationError("An API key cannot create API keys; sign in instead", status=403)
        serializer = s.ApiKeyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, raw_key = api_key_create(user=request.user, **serializer.validated_data)
        body = {**s.ApiKeyOutputSerializer(key).data, "key": raw_key}
        return Response(s.ApiKeyCreatedOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(APIView):
    permission_classes = [AuthenticatedWithKeyScope]

    @extend_schema(
        operation_id="api_key_revoke",
        tags=[TAG],
        request=None,
        responses={200: s.ApiKeyOutputSerializer, **ERRORS_WRITE},
    )
    def post(self, request, pk: int):
        key = ApiKey.objects.filter(user=request.user, pk=pk).first()
        if key is None:
            raise ApplicationError("Not found", status=404)
        return Response(s.ApiKeyOutputSerializer(api_key_revoke(key=key)).data)


class _GrantResource:
    queryset = AccessGrant.objects.all()
    department_field = "department_id"
    output_serializer = s.AccessGrantOutputSerializer
    input_serializer = s.AccessGrantInputSerializer
    scoped_related = {"department": "id"}
    filters = {"user": "user_id", "department": "department_id", "role": "role"}
    write_roles = ADMIN_ROLES

    def write_department_id(self, src):
        return related_department_id(src)


_list, _detail = crud_schema(
    name="access_grant",
    tag=TAG,
    output=s.AccessGrantOutputSerializer,
    input=s.AccessGrantInputSerializer,
    filters={"user": int, "department": int, "role": str},
)


@_list
class AccessGrantListApi(_GrantResource, ScopedListApi):
    def create(self, request, data):
        return access_grant_set(**data)


@_detail
class AccessGrantDetailApi(_GrantResource, ScopedDetailApi):
    def update(self, request, obj, data):
        merged = {"user": obj.user, "department": obj.department, "role": obj.role, **data}
        merged.setdefault("include_children", obj.include_children)
        if merged["user"] != obj.user or merged["department"] != obj.department:
            raise ApplicationError("user and department cannot change; delete and grant again")
        return access_grant_set(**merged)

    def destroy(self, request, obj):
        access_grant_delete(grant=obj)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


class CapabilitiesApi(APIView):
    permission_classes = [AuthenticatedWithKeyScope]

    @extend_schema(
        operation_id="capabilities",
        tags=[TAG],
        responses={200: s.CapabilitiesOutputSerializer, **ERRORS_READ},
        description="The features enabled in this deployment, the request limits and throttle rates.",
    )
    def get(self, request):
        rf = settings.REST_FRAMEWORK
        body = {
            "features": {
                "redis_cache": bool(settings.REDIS_URL),
                "capacity_reports": _module_exists("api.capacity.aggregates.urls"),
                "rosters": _module_exists("api.rosters.urls") or _module_exists("api.scheduler.rosters"),
                "forecasts": _module_exists("api.forecasting.urls"),
                "api_keys": True,
                "conditional_requests": True,
                "gzip": "django.middleware.gzip.GZipMiddleware" in settings.MIDDLEWARE,
            },
            "limits": {
                "max_page_size": MAX_PAGE_SIZE,
                "people_bulk_max_rows": PEOPLE_BULK_MAX_ROWS,
                "cover_requirements_bulk_max_rows": COVER_BULK_MAX_ROWS,
                "solve_time_limit_max_s": settings.SOLVE_TIME_LIMIT_MAX,
            },
            "throttle_rates": dict(rf.get("DEFAULT_THROTTLE_RATES", {})),
            "authentication": ["session", "token", "api_key"],
            "roles": list(AccessGrant.Role.values),
        }
        return Response(s.CapabilitiesOutputSerializer(body).data)
