from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("journal/", views.audit_log_view, name="audit_log"),
]
