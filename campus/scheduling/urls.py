from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("semaine/", views.calendar_week_view, name="calendar_week"),
    path("sessions/nouvelle/", views.session_create_view, name="session_create"),
    path("sessions/<int:pk>/dupliquer/", views.session_duplicate_view, name="session_duplicate"),
    path("series/nouvelle/", views.series_create_view, name="series_create"),
    path("salles/", views.room_list_view, name="room_list"),
    path("salles/nouvelle/", views.room_form_view, name="room_create"),
    path("salles/<int:pk>/modifier/", views.room_form_view, name="room_edit"),
    path("lieux/nouveau/", views.venue_form_view, name="venue_create"),
    path("lieux/<int:pk>/modifier/", views.venue_form_view, name="venue_edit"),
    path("programme/", views.month_programme_view, name="month_programme"),
    path("formations/<int:pk>/archiver/", views.course_archive_view, name="course_archive"),
]
