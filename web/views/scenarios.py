"""What-if scenarios of a roster: the comparison page (base and scenarios side by side), trying a scenario
from a short form, adopting one. Every write is one service call."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from capacity.models import Person
from ops.errors import ApplicationError
from ops.models import Job
from scheduler.models import RULE_WEIGHT_MAX, RosterScenario
from scheduler.rule_text import rule_name
from scheduler.scenario_changes import MAX_COVER_SCALE, MAX_NEW_PEOPLE
from scheduler.services.scenarios import scenario_adopt, scenario_comparison, scenario_create
from web.forms import _TimeLimitField
from web.throttles import throttled
from web.views.common import page
from web.views.rosters import _roster_for

MAX_DIFFERENCES_SHOWN = 300


class ScenarioForm(forms.Form):
    """The common what-ifs; the API takes every change (cover of one shift, contract rules, any weight)."""

    remove_people = forms.MultipleChoiceField(
        label="Leave out", required=False, widget=forms.CheckboxSelectMultiple
    )
    hire_like = forms.ChoiceField(label="Hire people like", required=False)
    hire_count = forms.IntegerField(label="How many", min_value=0, max_value=MAX_NEW_PEOPLE, initial=0)
    cover_scale = forms.DecimalField(
        label="Cover levels times",
        required=False,
        min_value=0.01,
        max_value=MAX_COVER_SCALE,
        decimal_places=2,
    )
    budget_hours = forms.DecimalField(label="Budget hours a week", required=False, min_value=0, max_digits=9)
    budget_cost = forms.DecimalField(label="Budget cost a week", required=False, min_value=0, max_digits=12)
    budget_weight = forms.IntegerField(
        label="Weight of going over budget", required=False, min_value=0, max_value=RULE_WEIGHT_MAX
    )
    time_limit = _TimeLimitField()

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(p.pk), p.name) for p in people]
        self.fields["remove_people"].choices = choices
        self.fields["hire_like"].choices = [("", "nobody"), *choices]

    def changes(self) -> dict:
        data = self.cleaned_data
        changes: dict = {}
        if data["remove_people"]:
            changes["remove_people"] = [int(pk) for pk in data["remove_people"]]
        if data["hire_like"] and data["hire_count"]:
            changes["add_people"] = [{"like": int(data["hire_like"]), "count": data["hire_count"]}]
        if data["cover_scale"] is not None:
            changes["cover_scale"] = float(data["cover_scale"])
        budget = {k: float(data[f"budget_{k}"]) for k in ("hours", "cost") if data[f"budget_{k}"] is not None}
        if budget:
            changes["budget"] = budget
        if data["budget_weight"] is not None:
            changes["rule_weights"] = {"labour_budget_over": data["budget_weight"]}
        return changes


def _people(roster):
    return list(Person.objects.filter(department=roster.department, active=True).order_by("name", "id"))


def _rows(comparison: dict) -> list[dict]:
    """The comparison table: one row per figure, the base then each scenario (or where its job is)."""
    columns = [comparison["base"], *[s["figures"] for s in comparison["scenarios"]]]
    pending = [None, *[_pending(s) for s in comparison["scenarios"]]]

    def row(label: str, get, key: str) -> dict:
        values = [get(f) if f else {"pending": p} for f, p in zip(columns, pending, strict=True)]
        return {"label": label, "key": key, "values": values}

    rules = sorted({rule for f in columns if f for rule in f["penalties_by_rule"]})
    rows = [
        row(
            "Cover minimum met",
            lambda f: f"{f['cover']['minimum_met']} of {f['cover']['requirements']}",
            "cover",
        ),
        row("People short of minimum", lambda f: f["cover"]["people_short_of_minimum"], "short"),
        row(
            "Preferred cover met",
            lambda f: f"{f['cover']['preferred_met']} of {f['cover']['requirements']}",
            "preferred",
        ),
        row("Hard rules broken", lambda f: f["hard_violations"], "hard"),
        row("Penalty points in all", lambda f: f["objective"], "objective"),
        *[
            row(rule_name(rule), lambda f, r=rule: f["penalties_by_rule"].get(r, 0), f"rule:{rule}")
            for rule in rules
        ],
        row("Cost (base rates)", lambda f: f["cost"], "cost"),
        row("Budgeted cost", lambda f: f["budget_cost"] if f["budget_cost"] is not None else "–", "budget"),
        row(
            "Hours against budget",
            lambda f: ", ".join(
                f"{w['hours']:g} / {w['budget_hours']:g}"
                if w["budget_hours"] is not None
                else f"{w['hours']:g} / –"
                for w in f["weeks"]
            ),
            "weeks",
        ),
        row("Spread of nights", lambda f: f["fairness"]["nights_spread"], "nights"),
        row("Spread of weekends", lambda f: f["fairness"]["weekends_spread"], "weekends"),
        row("Spread of hours", lambda f: f["fairness"]["hours_spread"], "hours_spread"),
        row("People", lambda f: f["hours"]["people"], "people"),
        row(
            "Hours against contract",
            lambda f: f"{f['hours']['hours']:g} / {f['hours']['contract_hours']:g}",
            "contract",
        ),
        row("Hours over contract", lambda f: f["hours"]["hours_over_contract"], "over"),
    ]
    return rows


def _pending(scenario: dict) -> str:
    status = scenario["job_status"]
    if status in (Job.Status.QUEUED, Job.Status.RUNNING):
        return "solving…"
    return f"not solved (job {status})"


def _describe(changes: dict, names: dict[int, str]) -> list[str]:
    """A scenario's changes in a few words."""
    said = []
    for person in changes.get("remove_people", []):
        said.append(f"without {names.get(person, person)}")
    for item in changes.get("add_people", []):
        if isinstance(item, dict):
            said.append(f"hires {item.get('count', 1)} like {names.get(item['like'], item['like'])}")
        else:
            said.append(f"borrows {names.get(item, item)}")
    if "cover_scale" in changes:
        said.append(f"cover × {changes['cover_scale']:g}")
    if changes.get("cover"):
        said.append(f"cover of {len(changes['cover'])} shift(s) set")
    if changes.get("work_rules"):
        said.append("contract rules: " + "; ".join(f"{k} {v}" for k, v in changes["work_rules"].items()))
    for rule, weight in changes.get("rule_weights", {}).items():
        said.append(f"{rule_name(rule).lower()} weight {weight}")
    budget = changes.get("budget") or {}
    if "hours" in budget:
        said.append(f"budget {budget['hours']:g} h a week")
    if "cost" in budget:
        said.append(f"budget cost {budget['cost']:g} a week")
    return said


def _names(scenarios: list[dict]) -> dict[int, str]:
    ids = set()
    for scenario in scenarios:
        changes = scenario["changes"]
        ids |= set(changes.get("remove_people", []))
        ids |= {i["like"] if isinstance(i, dict) else i for i in changes.get("add_people", [])}
    return dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))


@login_required
@throttled("solve")  # a POST tries a scenario: the API's rate, counted together
def roster_scenarios(request, roster_id: int):
    roster = _roster_for(request, roster_id, write=request.method == "POST")
    people = _people(roster)
    form = ScenarioForm(request.POST if request.method == "POST" else None, people=people)
    if request.method == "POST":
        return _try(request, roster, form)
    comparison = scenario_comparison(roster=roster)
    running = Job.objects.filter(
        id__in=[s["job"] for s in comparison["scenarios"] if not s["solved"] and s["job"]],
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    ).first()
    names = _names(comparison["scenarios"])
    for scenario in comparison["scenarios"]:
        scenario["described"] = _describe(scenario["changes"], names)
        scenario["shown_differences"] = scenario["differences"][:MAX_DIFFERENCES_SHOWN]
        scenario["adoptable"] = (
            scenario["solved"]
            and scenario["adopted_as"] is None
            and scenario["base_revision"] == roster.revision
        )
    return page(
        request,
        "web/rosters/scenarios.html",
        {
            "roster": roster,
            "comparison": comparison,
            "rows": _rows(comparison),
            "form": form,
            "running_job": running,
            "can_plan": roster.department.can_plan,
        },
        unit=roster.department,
        section="rosters",
    )


def _try(request, roster, form):
    if not form.is_valid():
        messages.error(request, f"Check the scenario: {', '.join(form.errors)}")
        return redirect("roster-scenarios", roster_id=roster.id)
    try:
        scenario_create(
            roster=roster,
            changes=form.changes(),
            time_limit=form.cleaned_data["time_limit"],
            user=request.user,
        )
    except ApplicationError as exc:
        fields = exc.extra.get("fields") if isinstance(exc.extra, dict) else None
        messages.error(request, f"{exc.message}: {fields}" if fields else exc.message)
    else:
        messages.success(request, "Scenario queued; the roster itself is not changed.")
    return redirect("roster-scenarios", roster_id=roster.id)


@login_required
@require_POST
def roster_scenario_adopt(request, roster_id: int, scenario_id: int):
    roster = _roster_for(request, roster_id, write=True)
    scenario = get_object_or_404(RosterScenario, pk=scenario_id, base=roster)
    try:
        adopted = scenario_adopt(scenario=scenario, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("roster-scenarios", roster_id=roster.id)
    messages.success(
        request, f"Scenario {scenario.pk} adopted as version {adopted.version}, revision {adopted.revision}."
    )
    return redirect("roster-detail", roster_id=adopted.id)
