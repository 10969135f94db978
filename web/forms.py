from __future__ import annotations

from django import forms
from django.conf import settings

from ops.planning_window import validate_planning_date
from scheduler.services.rosters import ENGINES

ENGINE_CHOICES = [("auto", "Automatic (recommended)"), ("cpsat", "CP-SAT"), ("milp", "MILP (HiGHS/CBC)")]
assert {c for c, _ in ENGINE_CHOICES} == set(ENGINES)


class PlanningDateField(forms.DateField):
    """A date inside the planning window (ops.planning_window), as every API serializer accepts it."""

    default_validators = [validate_planning_date]


class NewRosterForm(forms.Form):
    unit = forms.TypedChoiceField(coerce=int, label="Unit")
    start = PlanningDateField(
        label="First day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    weeks = forms.IntegerField(label="Weeks", min_value=1, max_value=12, initial=4)
    engine = forms.ChoiceField(label="Engine", choices=ENGINE_CHOICES, initial="auto")
    time_limit = forms.IntegerField(label="Time limit (seconds)", min_value=1, initial=10)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.id, f"{u.name} · {u.parent.name}") for u in units if u.can_plan]
        self.fields["time_limit"].max_value = settings.SOLVE_TIME_LIMIT_MAX
        self.fields["time_limit"].widget.attrs["max"] = settings.SOLVE_TIME_LIMIT_MAX


class SolveForm(forms.Form):
    engine = forms.ChoiceField(label="Engine", choices=ENGINE_CHOICES, initial="auto")
    time_limit = forms.IntegerField(label="Time limit (seconds)", min_value=1, initial=10)


class CellForm(forms.Form):
    person = forms.IntegerField()
    date = PlanningDateField()
    shift = forms.CharField(required=False, max_length=8)
    pinned = forms.BooleanField(required=False)
    version = forms.IntegerField(required=False)
