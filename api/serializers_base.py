"""A ModelSerializer whose integer bounds do not depend on the database in use.

Django derives an integer field's bounds from the connection (SQLite allows 64 bits everywhere), which
would make the committed OpenAPI contract differ between the embedded default and PostgreSQL. The
portable ranges are the ones every backend enforces, PostgreSQL's."""

from __future__ import annotations

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from rest_framework import serializers

from api.fields import PlanningDateField, PlanningDateTimeField


class PortableModelSerializer(serializers.ModelSerializer):
    # Dates enter only inside the planning window (ops.planning_window).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: PlanningDateField,
        models.DateTimeField: PlanningDateTimeField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        internal_type = model_field.get_internal_type()
        portable = BaseDatabaseOperations.integer_field_ranges.get(internal_type)
        if portable is not None and internal_type not in ("AutoField", "BigAutoField", "SmallAutoField"):
            low, high = portable
            if internal_type.startswith("Positive"):
                low = 0
            if "min_value" in kwargs:
                kwargs["min_value"] = max(kwargs["min_value"], low)
            if "max_value" in kwargs:
                kwargs["max_value"] = min(kwargs["max_value"], high)
        return field_class, kwargs
