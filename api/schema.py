"""OpenAPI declarations shared by the scoped CRUD endpoints: one call documents a resource's five
operations (operation ids, request and response bodies, filters, paging, validators, error responses)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view

from api.errors_schema import (  # noqa: F401 - the one error table, re-exported for the CRUD views
    ERRORS_BULK,
    ERRORS_LIST,
    ERRORS_READ,
    ERRORS_WRITE,
    ERRORS_WRITE_IF_MATCH,
)

PAGE_PARAMS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows per page, at most 500 (413 above)"),
]


def _if_match(required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        required=required,
        description="The ETag you read; a stale one answers 412"
        + ("; missing answers 428" if required else ""),
    )


CONDITIONAL_READ_PARAMS = [
    OpenApiParameter(
        "If-None-Match", OpenApiTypes.STR, location=OpenApiParameter.HEADER, description="304 when it matches"
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        description="304 when not modified since",
    ),
]


def crud_schema(
    *,
    name: str,
    tag: str,
    output,
    input,
    filters: dict[str, type] | None = None,
    if_match_required: bool = False,
):
    """(list decorator, detail decorator) documenting a scoped resource's list, create, read, update,
    delete operations as `<name>_list`, `<name>_create`, `<name>_detail`, `<name>_update`, `<name>_delete`."""
    filter_params = [
        OpenApiParameter(param, kind, description=f"Only rows with this {param}")
        for param, kind in (filters or {}).items()
    ]
    write_errors = ERRORS_WRITE_IF_MATCH if if_match_required else ERRORS_WRITE
    list_view = extend_schema_view(
        get=extend_schema(
            operation_id=f"{name}_list",
            tags=[tag],
            parameters=[*filter_params, *PAGE_PARAMS],
            responses={200: output(many=True), **ERRORS_LIST},
        ),
        post=extend_schema(
            operation_id=f"{name}_create", tags=[tag], request=input, responses={201: output, **ERRORS_WRITE}
        ),
    )
    detail_view = extend_schema_view(
        get=extend_schema(
            operation_id=f"{name}_detail",
            tags=[tag],
            parameters=CONDITIONAL_READ_PARAMS,
            responses={200: output, 304: OpenApiResponse(description="Not modified"), **ERRORS_READ},
        ),
        patch=extend_schema(
            operation_id=f"{name}_update",
            tags=[tag],
            request=input,
            parameters=[_if_match(if_match_required)],
            responses={200: output, **write_errors},
        ),
        delete=extend_schema(
            operation_id=f"{name}_delete",
            tags=[tag],
            parameters=[_if_match(if_match_required)],
            responses={204: OpenApiResponse(description="Deleted"), **write_errors},
        ),
    )
    return list_view, detail_view
