from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import (
    budgets,
    capacity,
    compared_roster,
    dashboard,
    forecasts,
    open_shifts,
    requirements,
    roster_person,
    rosters,
    scenarios,
    shell,
    unit_settings,
)

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", shell.home, name="home"),
    path("units/switch", shell.unit_switch, name="unit-switch"),
    path("units/<int:unit_id>/rosters/", rosters.roster_list, name="roster-list"),
    path("units/<int:unit_id>/open-shifts/", open_shifts.unit_open_shifts, name="unit-open-shifts"),
    path(
        "units/<int:unit_id>/open-shifts/assign",
        open_shifts.unit_open_shift_assign,
        name="unit-open-shift-assign",
    ),
    path("units/<int:unit_id>/requirements/", requirements.requirements, name="requirements"),
    path("units/<int:unit_id>/requirements/fill", requirements.requirements_fill, name="requirements-fill"),
    path("units/<int:unit_id>/rule-weights/", unit_settings.rule_weights, name="rule-weights"),
    path("units/<int:unit_id>/budgets/", budgets.budgets, name="budgets"),
    path("units/<int:unit_id>/demand-events/", unit_settings.demand_events, name="demand-events"),
    path(
        "units/<int:unit_id>/demand-events/<int:event_id>/remove",
        unit_settings.demand_event_remove,
        name="demand-event-remove",
    ),
    path("rosters/new", rosters.roster_new, name="roster-new"),
    path("rosters/<int:roster_id>/", rosters.roster_detail, name="roster-detail"),
    path("rosters/<int:roster_id>/cell", rosters.roster_cell, name="roster-cell"),
    path("rosters/<int:roster_id>/resolve", rosters.roster_resolve_view, name="roster-resolve"),
    path("rosters/<int:roster_id>/publish", rosters.roster_publish_view, name="roster-publish"),
    path("rosters/<int:roster_id>/delete", rosters.roster_delete_view, name="roster-delete"),
    path("rosters/<int:roster_id>/new-version", rosters.roster_new_version_view, name="roster-new-version"),
    path("rosters/<int:roster_id>/compare", rosters.roster_compare_view, name="roster-compare"),
    path("rosters/<int:roster_id>/scenarios/", scenarios.roster_scenarios, name="roster-scenarios"),
    path(
        "rosters/<int:roster_id>/scenarios/<int:scenario_id>/adopt",
        scenarios.roster_scenario_adopt,
        name="roster-scenario-adopt",
    ),
    path(
        "rosters/<int:roster_id>/compare/<int:job_id>/",
        compared_roster.compared_roster,
        name="roster-compared",
    ),
    path(
        "rosters/<int:roster_id>/compare/<int:job_id>/adopt",
        compared_roster.compared_roster_adopt,
        name="roster-compared-adopt",
    ),
    path("rosters/<int:roster_id>.csv", rosters.roster_csv_view, name="roster-csv"),
    path(
        "rosters/<int:roster_id>/people/<int:person_id>/", roster_person.roster_person, name="roster-person"
    ),
    path("rosters/<int:roster_id>/people/<int:person_id>.ics", rosters.roster_ical_view, name="roster-ical"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("forecasts/", forecasts.forecast_list, name="forecast-list"),
    path("forecasts/<int:series_id>/", forecasts.forecast_detail, name="forecast-detail"),
    path("forecasts/retrain", forecasts.forecast_retrain, name="forecast-retrain"),
    path("capacity/", capacity.capacity_grid, name="capacity"),
]
