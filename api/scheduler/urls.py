from django.urls import path

from api.scheduler import views

urlpatterns = [
    path("shift-types", views.ShiftTypeListApi.as_view(), name="shift-type-list"),
    path("shift-types/<int:pk>", views.ShiftTypeDetailApi.as_view(), name="shift-type-detail"),
    path("work-rules", views.WorkRulesListApi.as_view(), name="work-rules-list"),
    path("work-rules/<int:pk>", views.WorkRulesDetailApi.as_view(), name="work-rules-detail"),
    path("cover-requirements", views.CoverRequirementListApi.as_view(), name="cover-requirement-list"),
    path("cover-requirements/bulk", views.CoverRequirementsBulkApi.as_view(), name="cover-requirement-bulk"),
    path(
        "cover-requirements/<int:pk>",
        views.CoverRequirementDetailApi.as_view(),
        name="cover-requirement-detail",
    ),
    path("shift-requests", views.ShiftRequestListApi.as_view(), name="shift-request-list"),
    path("units/<int:unit_id>/rule-weights", views.UnitRuleWeightsApi.as_view(), name="unit-rule-weights"),
    path("shift-requests/<int:pk>", views.ShiftRequestDetailApi.as_view(), name="shift-request-detail"),
]
