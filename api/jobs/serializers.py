from drf_spectacular.utils import extend_schema_serializer

from api.serializers_base import PortableModelSerializer
from ops.models import Job


@extend_schema_serializer(component_name="Job")
class JobOutputSerializer(PortableModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "message",
            "params",
            "result",
            "error",
            "attempts",
            "cancel_requested",
            "created_at",
            "started_at",
            "progress_at",
            "finished_at",
        ]
        read_only_fields = fields
