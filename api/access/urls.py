from django.urls import path

from api.access import views

urlpatterns = [
    path("capabilities", views.CapabilitiesApi.as_view(), name="capabilities"),
    path("api-keys", views.ApiKeyListApi.as_view(), name="api-key-list"),
    path("api-keys/<int:pk>/revoke", views.ApiKeyRevokeApi.as_view(), name="api-key-revoke"),
    path("access-grants", views.AccessGrantListApi.as_view(), name="access-grant-list"),
    path("access-grants/<int:pk>", views.AccessGrantDetailApi.as_view(), name="access-grant-detail"),
]
