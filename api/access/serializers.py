from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.models import ApiKey
from api.serializers_base import PortableModelSerializer
from capacity.models import AccessGrant


@extend_schema_serializer(component_name="ApiKey")
class ApiKeyOutputSerializer(PortableModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ApiKeyCreated")
class ApiKeyCreatedOutputSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(help_text="The key itself: shown this once, never again")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ApiKeyInput")
class ApiKeyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiKey.Scope.choices), min_length=1, max_length=2
    )


@extend_schema_serializer(component_name="AccessGrant")
class AccessGrantOutputSerializer(PortableModelSerializer):
    class Meta:
        model = AccessGrant
        fields = ["id", "user", "department", "role", "include_children", "created_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="AccessGrantInput")
class AccessGrantInputSerializer(PortableModelSerializer):
    class Meta:
        model = AccessGrant
        fields = ["user", "department", "role", "include_children"]
        validators = []


@extend_schema_serializer(component_name="Capabilities")
class CapabilitiesOutputSerializer(serializers.Serializer):
    features = serializers.DictField(child=serializers.BooleanField())
    limits = serializers.DictField(child=serializers.IntegerField())
    throttle_rates = serializers.DictField(child=serializers.CharField())
    authentication = serializers.ListField(child=serializers.CharField())
    roles = serializers.ListField(child=serializers.CharField())
