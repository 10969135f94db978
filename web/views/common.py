"""What every page shares: the navigation (only the user's units, only what their role allows) and the
unit in view, remembered in the session so it stays visible from page to page."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from web.access import visible_units

UNIT_SESSION_KEY = "web.unit_id"


def remember_unit(request, unit) -> None:
    if request.session.get(UNIT_SESSION_KEY) != unit.id:
        request.session[UNIT_SESSION_KEY] = unit.id


def page(request, template: str, context: dict, *, unit=None, section: str = ""):
    units = visible_units(request.user)
    if unit is not None:
        remember_unit(request, unit)
    else:
        remembered = request.session.get(UNIT_SESSION_KEY)
        unit = next((u for u in units if u.id == remembered), units[0] if units else None)
    return render(
        request,
        template,
        {
            "nav_units": units,
            "unit": unit,
            "can_plan_anywhere": any(u.can_plan for u in units),
            "section": section,
            **context,
        },
    )


def error_json(exc, status: int | None = None) -> JsonResponse:
    return JsonResponse({"message": exc.message, "extra": exc.extra}, status=status or exc.status)


def next_monday(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def this_monday(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday())
