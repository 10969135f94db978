"""Scoped CRUD of the capacity catalogue: departments, roles, skills, people, person skills, leave,
projects and assignments. Writes go through capacity.catalogue (assignments: capacity.services)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.capacity import serializers as s
from api.conditional import etag_version, version_etag
from api.crud import (
    ScopedDetailApi,
    ScopedListApi,
    person_department_id,
    related,
    related_department_id,
)
from api.limits import require_at_most
from api.permissions import (
    ADMIN_ROLES,
    RolePermission,
    SharedCatalogueAdminPermission,
    writable_department_ids,
)
from api.schema import ERRORS_BULK, crud_schema
from capacity import catalogue, services
from capacity.models import Assignment, Department, Leave, Person, PersonSkill, Project, Role, SkillTag
from capacity.selectors import assignment_list
from ops.errors import ApplicationError

TAG = "capacity"

# --- departments -----------------------------------------------------------------------------------------


class _DepartmentResource:
    queryset = Department.objects.all()
    department_field = "id"
    output_serializer = s.DepartmentOutputSerializer
    input_serializer = s.DepartmentInputSerializer
    scoped_related = {"parent": "id"}
    filters = {"kind": "kind", "parent": "parent_id"}
    write_roles = ADMIN_ROLES
    service_arg = "department"

    def write_department_id(self, src):
        # a new or moved department is written under its parent; an edit in place, on itself
        if isinstance(src, dict):
            parent = src.get("parent")
            return -1 if parent is None else parent.pk  # -1: a root, which only a superuser may create
        return src.pk

    def check_write(self, request, department_id):
        if department_id == -1 and not request.user.is_superuser:
            raise ApplicationError("Only a superuser may create a root organisation", status=403)
        super().check_write(request, department_id)

    def check_move(self, request, obj, data):
        if "parent" in data and data["parent"] != obj.parent:
            self.check_write(request, data["parent"].pk if data["parent"] else -1)


_list, _detail = crud_schema(
    name="department",
    tag=TAG,
    output=s.DepartmentOutputSerializer,
    input=s.DepartmentInputSerializer,
    filters={"kind": str, "parent": int},
)


@_list
class DepartmentListApi(_DepartmentResource, ScopedListApi):
    create_service = catalogue.department_create


@_detail
class DepartmentDetailApi(_DepartmentResource, ScopedDetailApi):
    update_service = catalogue.department_update
    delete_service = catalogue.department_delete


# --- roles and skills (global catalogues: any role reads, admins write) ----------------------------------


class _RoleResource:
    queryset = Role.objects.all()
    department_field = None
    output_serializer = s.RoleOutputSerializer
    input_serializer = s.RoleInputSerializer
    permission_classes = [SharedCatalogueAdminPermission]
    service_arg = "role"


_list, _detail = crud_schema(name="role", tag=TAG, output=s.RoleOutputSerializer, input=s.RoleInputSerializer)


@_list
class RoleListApi(_RoleResource, ScopedListApi):
    create_service = catalogue.role_create


@_detail
class RoleDetailApi(_RoleResource, ScopedDetailApi):
    update_service = catalogue.role_update
    delete_service = catalogue.role_delete


class _SkillResource:
    queryset = SkillTag.objects.all()
    department_field = None
    output_serializer = s.SkillOutputSerializer
    input_serializer = s.SkillInputSerializer
    permission_classes = [SharedCatalogueAdminPermission]
    service_arg = "skill"


_list, _detail = crud_schema(
    name="skill", tag=TAG, output=s.SkillOutputSerializer, input=s.SkillInputSerializer
)


@_list
class SkillListApi(_SkillResource, ScopedListApi):
    create_service = catalogue.skill_create


@_detail
class SkillDetailApi(_SkillResource, ScopedDetailApi):
    update_service = catalogue.skill_update
    delete_service = catalogue.skill_delete


# --- people ----------------------------------------------------------------------------------------------


class _PersonResource:
    queryset = Person.objects.all()
    department_field = "department_id"
    output_serializer = s.PersonOutputSerializer
    input_serializer = s.PersonInputSerializer
    scoped_related = {"department": "id"}
    filters = {"department": "department_id", "role": "role_id", "active": "active"}
    service_arg = "person"

    def write_department_id(self, src):
        return related_department_id(src)


_list, _detail = crud_schema(
    name="person",
    tag=TAG,
    output=s.PersonOutputSerializer,
    input=s.PersonInputSerializer,
    filters={"department": int, "role": int, "active": bool},
)


@_list
class PersonListApi(_PersonResource, ScopedListApi):
    create_service = catalogue.person_create


@_detail
class PersonDetailApi(_PersonResource, ScopedDetailApi):
    update_service = catalogue.person_update
    delete_service = catalogue.person_delete


class PeopleBulkApi(APIView):
    """Create many people at once, all or nothing, at most PEOPLE_BULK_MAX_ROWS rows (413 above)."""

    permission_classes = [RolePermission]
    throttle_scope = "bulk"

    @extend_schema(
        operation_id="people_bulk_create",
        tags=[TAG],
        description=f"All or nothing; at most {catalogue.PEOPLE_BULK_MAX_ROWS} rows (413 above).",
        request=s.PeopleBulkInputSerializer,
        responses={201: s.PeopleBulkOutputSerializer, **ERRORS_BULK},
    )
    def post(self, request):
        rows = request.data.get("rows") if isinstance(request.data, dict) else None
        if isinstance(rows, list):
            require_at_most("rows", len(rows), catalogue.PEOPLE_BULK_MAX_ROWS)
        serializer = s.PeopleBulkInputSerializer(data=request.data)
        if not request.user.is_superuser:
            department_field = serializer.fields["rows"].child.fields["department"]
            department_field.queryset = Department.objects.filter(
                pk__in=writable_department_ids(request.user)
            )
        serializer.is_valid(raise_exception=True)
        people = catalogue.people_bulk_create(rows=serializer.validated_data["rows"])
        body = {"created": len(people), "ids": [p.pk for p in people]}
        return Response(s.PeopleBulkOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class _PersonSkillResource:
    queryset = PersonSkill.objects.all()
    department_field = "person__department_id"
    output_serializer = s.PersonSkillOutputSerializer
    input_serializer = s.PersonSkillInputSerializer
    scoped_related = {"person": "department_id"}
    filters = {"person": "person_id", "skill": "skill_id"}

    def write_department_id(self, src):
        return person_department_id(src)


_list, _detail = crud_schema(
    name="person_skill",
    tag=TAG,
    output=s.PersonSkillOutputSerializer,
    input=s.PersonSkillInputSerializer,
    filters={"person": int, "skill": int},
)


@_list
class PersonSkillListApi(_PersonSkillResource, ScopedListApi):
    create_service = catalogue.person_skill_set


@_detail
class PersonSkillDetailApi(_PersonSkillResource, ScopedDetailApi):
    delete_service = catalogue.person_skill_delete
    service_arg = "person_skill"

    def update(self, request, obj, data):
        if data.get("person", obj.person) != obj.person or data.get("skill", obj.skill) != obj.skill:
            raise ApplicationError("person and skill cannot change; delete and create instead")
        return catalogue.person_skill_set(
            person=obj.person,
            skill=obj.skill,
            level=data.get("level", obj.level),
            certified_until=data.get("certified_until", obj.certified_until),
        )


# --- leave and projects ---------------------------------------------------------------------------------


class _LeaveResource:
    queryset = Leave.objects.all()
    department_field = "person__department_id"
    output_serializer = s.LeaveOutputSerializer
    input_serializer = s.LeaveInputSerializer
    scoped_related = {"person": "department_id"}
    filters = {"person": "person_id", "status": "status", "kind": "kind"}
    service_arg = "leave"

    def write_department_id(self, src):
        return person_department_id(src)


_list, _detail = crud_schema(
    name="leave",
    tag=TAG,
    output=s.LeaveOutputSerializer,
    input=s.LeaveInputSerializer,
    filters={"person": int, "status": str, "kind": str},
)


@_list
class LeaveListApi(_LeaveResource, ScopedListApi):
    create_service = catalogue.leave_create


@_detail
class LeaveDetailApi(_LeaveResource, ScopedDetailApi):
    update_service = catalogue.leave_update
    delete_service = catalogue.leave_delete


class _ProjectResource:
    queryset = Project.objects.all()
    department_field = "department_id"
    output_serializer = s.ProjectOutputSerializer
    input_serializer = s.ProjectInputSerializer
    scoped_related = {"department": "id"}
    filters = {"department": "department_id", "status": "status"}
    service_arg = "project"

    def write_department_id(self, src):
        return related_department_id(src)


_list, _detail = crud_schema(
    name="project",
    tag=TAG,
    output=s.ProjectOutputSerializer,
    input=s.ProjectInputSerializer,
    filters={"department": int, "status": str},
)


@_list
class ProjectListApi(_ProjectResource, ScopedListApi):
    create_service = catalogue.project_create


@_detail
class ProjectDetailApi(_ProjectResource, ScopedDetailApi):
    update_service = catalogue.project_update
    delete_service = catalogue.project_delete


# --- assignments (versioned: writes need If-Match) ---------------------------------------------------


class _AssignmentResource:
    queryset = Assignment.objects.all()
    # visible when its project or its person is in the caller's departments
    department_field = ("project__department_id", "person__department_id")
    output_serializer = s.AssignmentOutputSerializer
    input_serializer = s.AssignmentInputSerializer
    scoped_related = {"person": "department_id", "project": "department_id"}
    filters = {"person": "person_id", "project": "project_id", "role": "role_id"}

    def write_department_id(self, src):
        project = related(src, "project")
        return None if project is None else project.department_id


_list, _detail = crud_schema(
    name="assignment",
    tag=TAG,
    output=s.AssignmentOutputSerializer,
    input=s.AssignmentInputSerializer,
    filters={"person": int, "project": int, "role": int},
    if_match_required=True,
)


@_list
class AssignmentListApi(_AssignmentResource, ScopedListApi):
    # client then project name in the database, ignoring case, blank clients last
    queryset = assignment_list()

    def create(self, request, data):
        return services.assignment_create(
            person=data.get("person"),
            project=data["project"],
            role=data["role"],
            weekly_hours=data.get("weekly_hours"),
            actor=request.user,
        )


@_detail
class AssignmentDetailApi(_AssignmentResource, ScopedDetailApi):
    if_match_required = True

    def etag(self, obj):
        return version_etag("assignment", obj.pk, obj.version)

    def update(self, request, obj, data):
        expected = etag_version(request, "assignment", obj.pk)
        return services.assignment_update(
            assignment=obj, expected_version=obj.version if expected is None else expected, **data
        )

    def destroy(self, request, obj):
        services.assignment_delete(assignment=obj)
