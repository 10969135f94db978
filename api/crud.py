"""Scoped CRUD views: the shape every catalogue endpoint shares, so each resource only declares its parts.

A resource declares its queryset, how a row reaches its department (`department_field`), its input and
output serializers, its services, and which related fields must be scoped too. The base classes then:
- list only rows of the caller's departments (capped pagination, unknown query parameters refused);
- answer 404 for a row outside them (never 403, so ids cannot be probed);
- check the caller's role on the department a write touches (and on the one it moves the row to);
- serve details with ETag / Last-Modified and answer 304; honour If-Match on writes (412 when stale), and
  require it where `if_match_required` (428 when missing);
- restrict every related-object field of the input to the caller's departments, so an id of another
  department reads as "does not exist".
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.conditional import conditional_read, etag_for, require_if_match
from api.limits import PAGINATION_PARAMS, reject_unknown_query_params
from api.pagination import CappedPageNumberPagination
from api.permissions import WRITE_ROLES, RolePermission
from api.scoping import (
    accessible_department_ids,
    request_department_roles,
    require_department_role,
)
from ops.errors import ApplicationError

DETAIL_MAX_AGE_S = 0  # details revalidate every time; the 304 keeps that cheap


def _department_q(fields: tuple[str, ...], ids: set[int]) -> Q:
    q = Q(pk__in=[])
    for field in fields:
        q |= Q(**{f"{field}__in": ids})
    return q


def referable_department_ids(user, ids: set[int] | None = None) -> set[int]:
    """The caller's departments and their ancestors (an organisation's shift types apply to its units)."""
    from capacity.models import Department

    ids = accessible_department_ids(user) if ids is None else ids
    parents = dict(Department.objects.values_list("id", "parent_id"))
    result = set(ids)
    for dept_id in ids:
        parent = parents.get(dept_id)
        while parent is not None and parent not in result:
            result.add(parent)
            parent = parents.get(parent)
    return result


def related(src, name: str):
    """A related object from either a row or validated input data."""
    return src.get(name) if isinstance(src, dict) else getattr(src, name, None)


def related_department_id(src, name: str = "department") -> int | None:
    obj = related(src, name)
    return None if obj is None else obj.pk


def person_department_id(src, name: str = "person") -> int | None:
    person = related(src, name)
    return None if person is None else person.department_id


class ScopedResource:
    """What a resource declares. `department_field` is a lookup path (or several, any of which grants
    visibility) from the row to a department id; None for global catalogues (roles, skills, work rules)."""

    queryset: QuerySet
    department_field: str | tuple[str, ...] | None = "department_id"
    output_serializer: type[serializers.Serializer]
    input_serializer: type[serializers.Serializer]
    # input field -> lookup path from the related model to a department id ("*" marks ancestors allowed)
    scoped_related: dict[str, str] = {}
    # query parameter -> queryset lookup
    filters: dict[str, str] = {}
    write_roles = WRITE_ROLES
    permission_classes = [RolePermission]

    # --- scoping ---------------------------------------------------------------------------------------

    def scoped_queryset(self, request) -> QuerySet:
        queryset = self.queryset.all()
        if self.department_field is None or request.user.is_superuser:
            return queryset
        fields = (self.department_field,) if isinstance(self.department_field, str) else self.department_field
        return queryset.filter(_department_q(fields, set(request_department_roles(request)))).distinct()

    def write_department_id(self, obj_or_data) -> int | None:
        """The department a write of this row (or validated input) touches; None for global catalogues."""
        return None

    def check_write(self, request, department_id: int | None) -> None:
        if department_id is None:
            return  # global catalogues: the permission class checks the role
        require_department_role(
            request.user, department_id, self.write_roles, held=request_department_roles(request)
        )

    def input(self, request, *, data, instance=None, partial=False) -> serializers.Serializer:
        serializer = self.input_serializer(instance=instance, data=data, partial=partial)
        if not request.user.is_superuser:
            self._scope_related_fields(request, serializer)
        return serializer

    def _scope_related_fields(self, request, serializer) -> None:
        fields = serializer.fields if not hasattr(serializer, "child") else serializer.child.fields
        for name, lookup in self.scoped_related.items():
            field = fields.get(name)
            if field is None:
                continue
            with_ancestors = lookup.startswith("*")
            lookup = lookup.lstrip("*")
            ids = (
                referable_department_ids(request.user, set(request_department_roles(request)))
                if with_ancestors
                else set(request_department_roles(request))
            )
            field.queryset = field.queryset.filter(**{f"{lookup}__in": ids})


MAX_ROW_ID = 2**63 - 1


def _is_row_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) <= MAX_ROW_ID


class ScopedListApi(ScopedResource, APIView):
    create_service: Callable[..., Model] | None = None
    pagination_class = CappedPageNumberPagination  # read by the schema: list bodies are pages

    def get(self, request):
        reject_unknown_query_params(request, {*self.filters, *PAGINATION_PARAMS})
        queryset = self.scoped_queryset(request)
        for param, lookup in self.filters.items():
            value = request.query_params.get(param)
            if value is not None:
                if lookup.endswith("_id") and not _is_row_id(value):
                    # checked here: an id past 64 bits fails only when the query runs (a 500)
                    raise ApplicationError(f"{param} must be an id", extra={"fields": {param: [str(value)]}})
                try:
                    queryset = queryset.filter(**{lookup: value})
                except (ValueError, DjangoValidationError) as exc:
                    raise ApplicationError(
                        f"Invalid value for {param}", extra={"fields": {param: [str(value)]}}
                    ) from exc
        if not queryset.ordered:
            queryset = queryset.order_by("pk")  # stable pages
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(self.output_serializer(page, many=True).data)

    def post(self, request):
        serializer = self.input(request, data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_write(request, self.write_department_id(serializer.validated_data))
        obj = self.create(request, serializer.validated_data)
        return Response(self.output_serializer(obj).data, status=status.HTTP_201_CREATED)

    def create(self, request, data: dict) -> Model:
        return type(self).create_service(**data)


class ScopedDetailApi(ScopedResource, APIView):
    update_service: Callable[..., Model] | None = None
    delete_service: Callable[..., None] | None = None
    service_arg: str = "instance"  # the keyword the update/delete services take the row by
    if_match_required = False

    def get_object(self, request, pk: int, *, lock: bool = False) -> Model:
        queryset = self.scoped_queryset(request)
        if lock:
            queryset = self.queryset.filter(pk__in=queryset.values("pk")).select_for_update(of=("self",))
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            raise Http404("Not found")
        return obj

    def etag(self, obj) -> str:
        return etag_for(self.output_serializer(obj).data)

    def get(self, request, pk: int):
        reject_unknown_query_params(request, ())
        obj = self.get_object(request, pk)
        return conditional_read(
            request,
            self.output_serializer(obj).data,
            etag=self.etag(obj),
            last_modified=getattr(obj, "updated_at", None),
            max_age=DETAIL_MAX_AGE_S,
            personal=True,  # a person, their skills, leave, assignments or grants
        )

    def patch(self, request, pk: int):
        with transaction.atomic():
            obj = self.get_object(request, pk, lock=True)
            self.check_write(request, self.write_department_id(obj))
            require_if_match(request, self.etag(obj), required=self.if_match_required)
            serializer = self.input(request, data=request.data, instance=obj, partial=True)
            serializer.is_valid(raise_exception=True)
            self.check_move(request, obj, serializer.validated_data)
            obj = self.update(request, obj, serializer.validated_data)
        response = Response(self.output_serializer(obj).data)
        response["ETag"] = self.etag(obj)
        return response

    def delete(self, request, pk: int):
        with transaction.atomic():
            obj = self.get_object(request, pk, lock=True)
            self.check_write(request, self.write_department_id(obj))
            require_if_match(request, self.etag(obj), required=self.if_match_required)
            self.destroy(request, obj)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def update(self, request, obj: Model, data: dict) -> Model:
        return type(self).update_service(**{self.service_arg: obj}, **data)

    def destroy(self, request, obj: Model) -> None:
        type(self).delete_service(**{self.service_arg: obj})

    def check_move(self, request, obj, data: dict) -> None:
        """A write that moves the row to another department needs the role there too."""
        current = self.write_department_id(obj)
        fields = self.input_serializer().fields
        moved = self.write_department_id({**{n: getattr(obj, n) for n in fields if hasattr(obj, n)}, **data})
        if moved != current:
            self.check_write(request, moved)
