"""A URLconf holding only the admin, so the admin tests do not depend on the rest of the site."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
