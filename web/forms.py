from __future__ import annotations

from django import forms
from django.conf import settings

from ops.planning_window import validate_planning_date
from scheduler.solver.options import (
    AUTO,
    ENGINE_LABELS,
    INTERACTIVE_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
    ROSTER_ENGINES,
)

ENGINE_CHOICES = [(engine, ENGINE_LABELS[engine]) for engine in ROSTER_ENGINES]


class _TimeLimitField(forms.IntegerField):
    """Seconds a solve may use: the core's minimum, the deployment's maximum, the pages' default."""

    def __init__(self, **kwargs):
        super().__init__(
            label="Time limit (seconds)",
            min_value=MIN_TIME_LIMIT_S,
            max_value=settings.SOLVE_TIME_LIMIT_MAX,
            initial=INTERACTIVE_TIME_LIMIT_S,
            **kwargs,
        )


class PlanningDateField(forms.DateField):
    """A date inside the planning window (ops.planning_window), as every API serializer accepts it."""

    default_validators = [validate_planning_date]


class NewRosterForm(forms.Form):
    unit = forms.TypedChoiceField(coerce=int, label="Unit")
    start = PlanningDateField(
        label="First day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    weeks = forms.IntegerField(label="Weeks", min_value=1, max_value=12, initial=4)
    engine = forms.ChoiceField(label="Engine", choices=ENGINE_CHOICES, initial=AUTO)
    time_limit = _TimeLimitField()

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.id, f"{u.name} · {u.parent.name}") for u in units if u.can_plan]


class SolveForm(forms.Form):
    engine = forms.ChoiceField(label="Engine", choices=ENGINE_CHOICES, initial=AUTO)
    time_limit = _TimeLimitField()


class CellForm(forms.Form):
    person = forms.IntegerField()
    date = PlanningDateField()
    shift = forms.CharField(required=False, max_length=8)
    pinned = forms.BooleanField(required=False)
    revision = forms.IntegerField(required=False)
    override_reason = forms.CharField(required=False, max_length=500)
