"""The audit trail, read: who changed what, when, before and after, scoped to the caller's departments."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from api.audit import serializers as s
from api.errors_schema import ERRORS_LIST
from api.limits import PAGINATION_PARAMS, reject_unknown_query_params
from api.pagination import CappedPageNumberPagination
from api.permissions import RolePermission
from api.schema import PAGE_PARAMS
from api.scoping import accessible_department_ids
from capacity.access import may_edit_shared_catalogues
from ops.audit import audit_entries

QUERY_PARAMS = frozenset({"object", "actor", "since"})


class AuditEntryListApi(APIView):
    permission_classes = [RolePermission]
    pagination_class = CappedPageNumberPagination  # read by the schema: list bodies are pages

    @extend_schema(
        operation_id="audit_entry_list",
        tags=["audit"],
        parameters=[
            OpenApiParameter("object", OpenApiTypes.STR, description='"app.model" or "app.model:id"'),
            OpenApiParameter("actor", OpenApiTypes.STR, description="A username, or an API key's prefix"),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="At or after this time"),
            *PAGE_PARAMS,
        ],
        responses={200: s.AuditEntryOutputSerializer(many=True), **ERRORS_LIST},
        description="Every write made through the services, newest first: the entries of the departments "
        "you can read, the shared catalogues' if you may edit them, and your own.",
    )
    def get(self, request):
        reject_unknown_query_params(request, QUERY_PARAMS | PAGINATION_PARAMS)
        query = s.AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        object_type, _, object_id = query.validated_data.get("object", "").partition(":")
        user = request.user
        entries = audit_entries(
            user=user,
            department_ids=None if user.is_superuser else accessible_department_ids(user),
            include_shared=may_edit_shared_catalogues(user),
            object_type=object_type,
            object_id=object_id,
            actor=query.validated_data.get("actor", ""),
            since=query.validated_data.get("since"),
        )
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(s.AuditEntryOutputSerializer(page, many=True).data)
