"""Serializer fields for dates and date-times that accept only the planning window (ops.planning_window).

Every API serializer uses these: PortableModelSerializer maps model date fields to them, and a test
(api/tests/test_planning_window.py) fails if a writable plain DateField or DateTimeField appears anywhere.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ops.planning_window import validate_planning_date


class PlanningDateField(serializers.DateField):
    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_planning_date]
        super().__init__(**kwargs)


class PlanningDateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        # Checked on the parsed wall-clock value, before converting it: 9999-12-31T23:00-05:00 would
        # overflow the calendar on its way to UTC.
        try:
            validate_planning_date(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return super().enforce_timezone(value)
