"""Every date that enters through the API or a page form passes the one planning-window validator: no
serializer or form in the project has a writable date field of another kind."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms
from rest_framework import serializers

import api
import web
from api.fields import PlanningDateField, PlanningDateTimeField
from ops.planning_window import validate_planning_date


def _classes(package, base):
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".tests" in module.name or module.name.endswith(".urls"):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, base) and value.__module__ == module.name:
                yield value


def _date_fields(field):
    if isinstance(field, (serializers.ListField, serializers.DictField)):
        yield from _date_fields(field.child)
    elif isinstance(field, serializers.BaseSerializer):
        return  # nested serializers are checked as classes of their own
    elif isinstance(field, (serializers.DateField, serializers.DateTimeField)):
        yield field


def test_every_writable_api_date_field_is_a_planning_window_field():
    plain, checked = [], 0
    for cls in _classes(api, serializers.Serializer):
        try:
            fields = cls().fields
        except Exception:  # noqa: BLE001 - a serializer that needs context is instantiated by its view only
            continue
        for name, field in fields.items():
            for date_field in _date_fields(field):
                checked += 1
                if not date_field.read_only and not isinstance(
                    date_field, (PlanningDateField, PlanningDateTimeField)
                ):
                    plain.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked > 20 and plain == []


def test_every_form_date_field_uses_the_planning_window_validator():
    plain, checked = [], 0
    for cls in _classes(web, forms.Form):
        for name, field in cls.base_fields.items():
            checked += isinstance(field, forms.DateField)
            if isinstance(field, forms.DateField) and validate_planning_date not in field.validators:
                plain.append(f"{cls.__name__}.{name}")
    assert checked >= 2 and plain == []
