from django.urls import path

from api.rosters import edit_views, open_shift_views, scenario_views, views

urlpatterns = [
    path("rosters", views.RosterListCreateApi.as_view(), name="api-roster-list"),
    path("rosters/batch", views.RosterBatchApi.as_view(), name="api-roster-batch"),
    path("rosters/<int:roster_id>", views.RosterDetailApi.as_view(), name="api-roster-detail"),
    path("rosters/<int:roster_id>/grid", views.RosterGridApi.as_view(), name="api-roster-grid"),
    path("rosters/<int:roster_id>/cover", views.RosterCoverApi.as_view(), name="api-roster-cover"),
    path("rosters/<int:roster_id>/hours", views.RosterHoursApi.as_view(), name="api-roster-hours"),
    path("rosters/<int:roster_id>/budget", views.RosterBudgetApi.as_view(), name="api-roster-budget"),
    path("rosters/<int:roster_id>/risk", views.RosterRiskApi.as_view(), name="api-roster-risk"),
    path("rosters/<int:roster_id>/fairness", views.RosterFairnessApi.as_view(), name="api-roster-fairness"),
    path(
        "rosters/<int:roster_id>/explanation",
        views.RosterExplanationApi.as_view(),
        name="api-roster-explanation",
    ),
    path("rosters/<int:roster_id>/export.csv", views.RosterCsvApi.as_view(), name="api-roster-csv"),
    path(
        "rosters/<int:roster_id>/people/<int:person_id>/calendar.ics",
        views.RosterCalendarApi.as_view(),
        name="api-roster-calendar",
    ),
    path("rosters/<int:roster_id>/assignments", views.RosterCellApi.as_view(), name="api-roster-cell"),
    path("rosters/<int:roster_id>/cells", edit_views.RosterCellsApi.as_view(), name="api-roster-cells"),
    path("rosters/<int:roster_id>/undo", edit_views.RosterUndoApi.as_view(), name="api-roster-undo"),
    path("rosters/<int:roster_id>/diff", edit_views.RosterDiffApi.as_view(), name="api-roster-diff"),
    path(
        "rosters/<int:roster_id>/cells/<int:person_id>/<str:day>/options",
        edit_views.RosterCellOptionsApi.as_view(),
        name="api-roster-cell-options",
    ),
    path("rosters/<int:roster_id>/resolve", views.RosterResolveApi.as_view(), name="api-roster-resolve"),
    path("rosters/<int:roster_id>/publish", views.RosterPublishApi.as_view(), name="api-roster-publish"),
    path(
        "rosters/<int:roster_id>/versions", views.RosterNewVersionApi.as_view(), name="api-roster-new-version"
    ),
    path("rosters/<int:roster_id>/compare", views.RosterCompareApi.as_view(), name="api-roster-compare"),
    path(
        "rosters/<int:roster_id>/scenarios",
        scenario_views.RosterScenarioListCreateApi.as_view(),
        name="api-roster-scenarios",
    ),
    path(
        "rosters/<int:roster_id>/scenarios/comparison",
        scenario_views.RosterScenarioComparisonApi.as_view(),
        name="api-roster-scenario-comparison",
    ),
    path(
        "rosters/<int:roster_id>/scenarios/<int:scenario_id>/adopt",
        scenario_views.RosterScenarioAdoptApi.as_view(),
        name="api-roster-scenario-adopt",
    ),
    path(
        "units/<int:unit_id>/open-shifts",
        open_shift_views.UnitOpenShiftsApi.as_view(),
        name="api-unit-open-shifts",
    ),
]
