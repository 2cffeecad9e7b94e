from django.urls import path

from . import views, views_settings

app_name = "core"

urlpatterns = [
    path("journal/", views.audit_log_view, name="audit_log"),
    path("reglages/", views_settings.school_settings_view, name="school_settings"),
]
