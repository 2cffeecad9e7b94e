"""Top-level URLs. Each app owns its own urls module."""

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("catalogue/", include("campus.catalog.urls")),
    path("programmation/", include("campus.scheduling.urls")),
    path("programmation/", include("campus.registrations.urls_sessions")),
    path("inscriptions/", include("campus.registrations.urls")),
    path("emargement/", include("campus.registrations.urls_attendance")),
    path("notifications/", include("campus.notifications.urls")),
    path("calendrier/", include("campus.documents.urls")),
    path("", include("campus.people.urls")),
    path("", include("campus.core.urls")),
    path("", include("campus.portal.urls")),
]

# The bench's floor page exists where the development tools are installed (test and
# bench settings, `make run`), never in production.
if apps.is_installed("campus.devtools"):
    urlpatterns.append(path("_dev/", include("campus.devtools.urls")))
