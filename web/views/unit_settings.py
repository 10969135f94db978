"""Per-unit planning settings: the weights of the optional soft rules, and the demand events (a ward closed,
a flu season) its forecasts take as regressors. Reading needs any role in the unit, saving a planning one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from forecasting.events import demand_event_create, demand_event_delete
from forecasting.models import DemandEvent
from ops.errors import ApplicationError
from scheduler.models import RULE_WEIGHT_MAX, RuleWeights
from scheduler.rule_weights import RULE_WEIGHT_FIELDS, rule_weights_of, rule_weights_set
from web.access import unit_for
from web.forms import PlanningDateField
from web.views.common import page


class RuleWeightsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RULE_WEIGHT_FIELDS:
            field = RuleWeights._meta.get_field(name)
            self.fields[name] = forms.IntegerField(
                label=name.replace("_", " ").capitalize(),
                min_value=0,
                max_value=RULE_WEIGHT_MAX,
                required=False,  # left empty: the weight keeps its value
                help_text=field.help_text,
            )


class DemandEventForm(forms.Form):
    name = forms.CharField(max_length=80)
    start_date = PlanningDateField(label="First day")
    end_date = PlanningDateField(label="Last day")


def _error(request, exc: ApplicationError) -> None:
    fields = exc.extra.get("fields") if isinstance(exc.extra, dict) else None
    messages.error(request, f"{exc.message}: {fields}" if fields else exc.message)


@login_required
def rule_weights(request, unit_id: int):
    unit = unit_for(request.user, unit_id, write=request.method == "POST")
    current = rule_weights_of(unit=unit)
    form = RuleWeightsForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(current, name) for name in RULE_WEIGHT_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rule_weights_set(
                unit=unit, **{name: value for name, value in form.cleaned_data.items() if value is not None}
            )
        except ApplicationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Rule weights saved; the next solve uses them.")
            return redirect("rule-weights", unit_id=unit.id)
    return page(request, "web/units/rule_weights.html", {"form": form}, unit=unit, section="requirements")


@login_required
def demand_events(request, unit_id: int):
    unit = unit_for(request.user, unit_id, write=request.method == "POST")
    form = DemandEventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            demand_event_create(unit=unit, **form.cleaned_data)
        except ApplicationError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"Event “{form.cleaned_data['name']}” added; the next retrain uses it.")
            return redirect("demand-events", unit_id=unit.id)
    events = DemandEvent.objects.filter(department=unit).order_by("start_date", "id")
    return page(
        request,
        "web/units/demand_events.html",
        {"form": form, "events": events},
        unit=unit,
        section="forecasts",
    )


@login_required
@require_POST
def demand_event_remove(request, unit_id: int, event_id: int):
    unit = unit_for(request.user, unit_id, write=True)
    event = get_object_or_404(DemandEvent, department=unit, pk=event_id)
    demand_event_delete(event=event)
    messages.success(request, f"Event “{event.name}” removed.")
    return redirect("demand-events", unit_id=unit.id)
