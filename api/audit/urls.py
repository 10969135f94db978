from django.urls import path

from api.audit import views

urlpatterns = [path("audit", views.AuditEntryListApi.as_view(), name="audit-entry-list")]
