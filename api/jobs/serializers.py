from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.serializers_base import PortableModelSerializer
from ops.jobs import job_queue_position
from ops.models import Job


@extend_schema_serializer(component_name="Job")
class JobOutputSerializer(PortableModelSerializer):
    queue_position = serializers.SerializerMethodField(
        help_text="While queued: 1 when the job is the next of its kind to start; null once it has started"
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=1))
    def get_queue_position(self, job) -> int | None:
        return job_queue_position(job=job)

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
            "parent",
            "queue_position",
            "created_at",
            "started_at",
            "progress_at",
            "finished_at",
        ]
        read_only_fields = fields
