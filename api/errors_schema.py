"""The error body in the OpenAPI contract, shared by every endpoint's documented error responses."""

from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    extra = serializers.DictField()


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not in your departments"),
    429: OpenApiResponse(ErrorSerializer, description="Throttled; see Retry-After"),
}
ERROR_RESPONSES_LIST = {
    **ERROR_RESPONSES,
    413: OpenApiResponse(ErrorSerializer, description="page_size above the limit"),
}
