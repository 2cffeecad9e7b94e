"""Pages that exist for the bench only (routed when campus.devtools is installed)."""

from django.urls import path

from . import views

app_name = "devtools"

urlpatterns = [
    path("plancher/", views.floor_view, name="floor"),
]
