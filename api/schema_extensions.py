"""drf-spectacular extensions: API-key authentication, database-independent integer bounds, and times of
day as the API really writes and reads them."""

from django.core.exceptions import FieldDoesNotExist
from django.db.backends.base.operations import BaseDatabaseOperations
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key cp_<prefix>_<secret>`; the key is shown once, when it is created.",
        }


class PortableIntegerBounds(OpenApiSerializerFieldExtension):
    """Integer bounds from the model field's portable range, not from the connection in use.

    Django takes an integer field's bounds from the database (SQLite allows 64 bits everywhere), so
    without this the committed contract would differ between the embedded default and PostgreSQL."""

    target_class = "rest_framework.fields.IntegerField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        internal_type = _model_internal_type(self.target)
        portable = BaseDatabaseOperations.integer_field_ranges.get(internal_type or "")
        if portable is None:
            return schema
        low, high = portable
        if internal_type.startswith("Positive"):
            low = 0
        if "maximum" in schema:
            schema["maximum"] = min(schema["maximum"], high)
        if "minimum" in schema:
            schema["minimum"] = max(schema["minimum"], low)
        if high <= 2**31 - 1:
            schema.pop("format", None)
        return schema


class LocalTimeOfDay(OpenApiSerializerFieldExtension):
    """A time of day without an offset ("07:00:00"), as DRF writes and accepts it.

    drf-spectacular declares `format: time`, which JSON Schema defines as RFC 3339's full-time, offset
    included, so a validator would reject every value this API sends."""

    target_class = "rest_framework.fields.TimeField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "example": "07:00:00",
        }


def _model_internal_type(field) -> str | None:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return None
    try:
        return model._meta.get_field(field.source).get_internal_type()
    except FieldDoesNotExist:
        return None
