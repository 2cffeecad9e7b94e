from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("semaine/", views.calendar_week_view, name="calendar_week"),
    path("sessions/nouvelle/", views.session_create_view, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail_view, name="session_detail"),
    path("sessions/<int:pk>/modifier/", views.session_edit_view, name="session_edit"),
    path("sessions/<int:pk>/dupliquer/", views.session_duplicate_view, name="session_duplicate"),
    path("sessions/<int:pk>/annuler/", views.session_cancel_view, name="session_cancel"),
    path("sessions/<int:pk>/publier/", views.session_open_view, name="session_open"),
    path("series/nouvelle/", views.series_create_view, name="series_create"),
    path("salles/", views.room_list_view, name="room_list"),
    path("salles/nouvelle/", views.room_form_view, name="room_create"),
    path("salles/<int:pk>/modifier/", views.room_form_view, name="room_edit"),
    path("lieux/nouveau/", views.venue_form_view, name="venue_create"),
    path("lieux/<int:pk>/modifier/", views.venue_form_view, name="venue_edit"),
    path("programme/", views.month_programme_view, name="month_programme"),
    path("mes-animations/", views.trainer_sessions_view, name="trainer_sessions"),
]
