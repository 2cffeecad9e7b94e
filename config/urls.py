"""Top-level URLs. Each app owns its own urls module."""

from django.contrib import admin
from django.urls import include, path

from campus.core.views_floor import floor_view

urlpatterns = [
    path("_plancher/", floor_view, name="floor"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("catalogue/", include("campus.catalog.urls")),
    path("programmation/", include("campus.scheduling.urls")),
    path("inscriptions/", include("campus.registrations.urls")),
    path("emargement/", include("campus.registrations.urls_attendance")),
    path("notifications/", include("campus.notifications.urls")),
    path("calendrier/", include("campus.documents.urls")),
    path("", include("campus.people.urls")),
    path("", include("campus.core.urls")),
]
