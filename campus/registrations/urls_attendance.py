from django.urls import path

from . import views_attendance as views

app_name = "attendance"

urlpatterns = [
    path("sessions/<int:pk>/", views.session_view, name="session"),
    path("sessions/<int:pk>/code-qr.svg", views.qr_view, name="qr"),
    path("sessions/<int:pk>/cloturer/", views.close_view, name="close"),
    path("sessions/<int:pk>/rouvrir/", views.reopen_view, name="reopen"),
    path("sessions/<int:session_pk>/parties/<int:part_pk>/", views.sheet_view, name="sheet"),
    path("presence/<str:token>/", views.check_in_view, name="check_in"),
]
