from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.preferences_view, name="preferences"),
    path("a-informer/", views.offline_notices_view, name="offline_notices"),
    path("a-informer/<int:pk>/transmis/", views.notice_informed_view, name="notice_informed"),
    path("sessions/<int:pk>/rappel/", views.session_notifications_view, name="session_settings"),
]
