"""A programmed session's pages (mounted under /programmation/, beside the programming's)."""

from django.urls import path

from . import views_sessions as views

app_name = "sessions"

urlpatterns = [
    path("sessions/<int:pk>/", views.session_detail_view, name="detail"),
    path("sessions/<int:pk>/modifier/", views.session_edit_view, name="edit"),
    path("sessions/<int:pk>/annuler/", views.session_cancel_view, name="cancel"),
    path("sessions/<int:pk>/publier/", views.session_open_view, name="open"),
    path("mes-animations/", views.trainer_sessions_view, name="trainer"),
]
