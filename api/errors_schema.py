"""The error body in the OpenAPI contract and the one table of documented error responses, shared by
every endpoint."""

from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    extra = serializers.DictField()


# The one table of documented error responses: every view, CRUD or not, takes its set from here.
ERRORS_READ = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input or unknown query parameter"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="Your role or API key scope does not allow this"),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not in your departments"),
    429: OpenApiResponse(ErrorSerializer, description="Throttled; see Retry-After"),
}
ERRORS_LIST = {
    **ERRORS_READ,
    413: OpenApiResponse(ErrorSerializer, description="page_size above the limit"),
}
ERRORS_WRITE = {
    **ERRORS_READ,
    409: OpenApiResponse(ErrorSerializer, description="Conflicts with an existing record, or still in use"),
    412: OpenApiResponse(ErrorSerializer, description="If-Match does not name the current version"),
}
ERRORS_WRITE_IF_MATCH = {
    **ERRORS_WRITE,
    428: OpenApiResponse(ErrorSerializer, description="If-Match is required and missing"),
}
ERRORS_BULK = {
    **ERRORS_WRITE,
    413: OpenApiResponse(ErrorSerializer, description="More rows than the documented limit"),
}
ERROR_RESPONSES = ERRORS_READ
ERROR_RESPONSES_LIST = ERRORS_LIST
