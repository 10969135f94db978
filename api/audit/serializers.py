from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.fields import PlanningDateTimeField
from ops.models import AuditEntry


@extend_schema_serializer(component_name="AuditEntry")
class AuditEntryOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    changes = serializers.DictField(
        child=serializers.DictField(), help_text='field -> {"before": value, "after": value}'
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_key",
            "action",
            "object_type",
            "object_id",
            "department_id",
            "changes",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="AuditQuery")
class AuditQuerySerializer(serializers.Serializer):
    object = serializers.RegexField(
        r"^[a-z_]+\.[a-z_]+(:[\w-]+)?$",
        required=False,
        help_text='An object type ("capacity.person"), or one object ("capacity.person:12")',
        error_messages={"invalid": 'Give "app.model" or "app.model:id", e.g. capacity.person:12'},
    )
    actor = serializers.CharField(
        required=False, max_length=150, help_text="A username, or an API key's prefix"
    )
    since = PlanningDateTimeField(required=False, help_text="Entries at or after this time (ISO 8601)")
