from django.urls import path

from api.labour import views

urlpatterns = [
    path("pay-rates", views.PayRateListApi.as_view(), name="pay-rate-list"),
    path("pay-rates/<int:pk>", views.PayRateDetailApi.as_view(), name="pay-rate-detail"),
    path("units/<int:unit_id>/actuals", views.UnitActualsApi.as_view(), name="unit-actuals"),
    path("units/<int:unit_id>/budgets", views.UnitBudgetsApi.as_view(), name="unit-budgets"),
    path(
        "units/<int:unit_id>/budgets/<str:week>", views.UnitBudgetWeekApi.as_view(), name="unit-budget-week"
    ),
    path("reports/labour-variance", views.LabourVarianceApi.as_view(), name="report-labour-variance"),
    path(
        "reports/labour-variance.csv", views.LabourVarianceCsvApi.as_view(), name="report-labour-variance-csv"
    ),
]
