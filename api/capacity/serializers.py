"""Request and response bodies of the capacity catalogue endpoints (explicit OpenAPI component names)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.serializers_base import PortableModelSerializer
from capacity.models import Assignment, Department, Leave, Person, PersonSkill, Project, Role, SkillTag


@extend_schema_serializer(component_name="Department")
class DepartmentOutputSerializer(PortableModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "kind", "parent", "time_zone", "country", "subdivision", "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="DepartmentInput")
class DepartmentInputSerializer(PortableModelSerializer):
    class Meta:
        model = Department
        fields = ["name", "kind", "parent", "time_zone", "country", "subdivision"]
        validators = []  # uniqueness is checked by the service (case-insensitive, per parent)


@extend_schema_serializer(component_name="Role")
class RoleOutputSerializer(PortableModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "name"]
        read_only_fields = fields


@extend_schema_serializer(component_name="RoleInput")
class RoleInputSerializer(PortableModelSerializer):
    class Meta:
        model = Role
        fields = ["name"]


@extend_schema_serializer(component_name="Skill")
class SkillOutputSerializer(PortableModelSerializer):
    class Meta:
        model = SkillTag
        fields = ["id", "name"]
        read_only_fields = fields


@extend_schema_serializer(component_name="SkillInput")
class SkillInputSerializer(PortableModelSerializer):
    class Meta:
        model = SkillTag
        fields = ["name"]


@extend_schema_serializer(component_name="Person")
class PersonOutputSerializer(PortableModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "department",
            "role",
            "name",
            "email",
            "weekly_capacity_hours",
            "hire_date",
            "active",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="PersonInput")
class PersonInputSerializer(PortableModelSerializer):
    class Meta:
        model = Person
        fields = [
            "department",
            "role",
            "name",
            "email",
            "weekly_capacity_hours",
            "hire_date",
            "active",
        ]
        validators = []
        extra_kwargs = {"email": {"validators": []}}  # the service checks uniqueness (one error shape)


@extend_schema_serializer(component_name="PersonSkill")
class PersonSkillOutputSerializer(PortableModelSerializer):
    class Meta:
        model = PersonSkill
        fields = ["id", "person", "skill", "level", "certified_until"]
        read_only_fields = fields


@extend_schema_serializer(component_name="PersonSkillInput")
class PersonSkillInputSerializer(PortableModelSerializer):
    class Meta:
        model = PersonSkill
        fields = ["person", "skill", "level", "certified_until"]
        validators = []  # setting a held skill again updates it


@extend_schema_serializer(component_name="Leave")
class LeaveOutputSerializer(PortableModelSerializer):
    class Meta:
        model = Leave
        fields = ["id", "person", "start_date", "end_date", "kind", "status"]
        read_only_fields = fields


@extend_schema_serializer(component_name="LeaveInput")
class LeaveInputSerializer(PortableModelSerializer):
    class Meta:
        model = Leave
        fields = ["person", "start_date", "end_date", "kind", "status"]


@extend_schema_serializer(component_name="Project")
class ProjectOutputSerializer(PortableModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "client", "status", "department"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ProjectInput")
class ProjectInputSerializer(PortableModelSerializer):
    class Meta:
        model = Project
        fields = ["name", "client", "status", "department"]
        validators = []


@extend_schema_serializer(component_name="Assignment")
class AssignmentOutputSerializer(PortableModelSerializer):
    weekly_hours = serializers.DictField(
        child=serializers.FloatField(), help_text="Monday (ISO date) to hours"
    )

    class Meta:
        model = Assignment
        fields = ["id", "person", "project", "role", "weekly_hours", "version", "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="AssignmentInput")
class AssignmentInputSerializer(PortableModelSerializer):
    weekly_hours = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=168, allow_null=True),
        required=False,
        help_text="Week key (the Monday, or a date within 3 days of it) to hours",
    )

    class Meta:
        model = Assignment
        fields = ["person", "project", "role", "weekly_hours"]


@extend_schema_serializer(component_name="PeopleBulkInput")
class PeopleBulkInputSerializer(serializers.Serializer):
    rows = PersonInputSerializer(many=True)


@extend_schema_serializer(component_name="PeopleBulkResult")
class PeopleBulkOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())
