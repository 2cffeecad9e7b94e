from django.urls import path

from . import views

app_name = "registrations"

urlpatterns = [
    path("mes-formations/", views.mine_view, name="mine"),
    path("equipe/", views.team_view, name="team"),
    path("equipe/inscription/", views.team_signup_view, name="team_signup"),
    path("sessions/<int:pk>/", views.session_view, name="session"),
    path("sessions/<int:session_pk>/inscription/", views.signup_view, name="signup"),
    path("sessions/<int:pk>/gestion/", views.manage_view, name="manage"),
    path("sessions/<int:pk>/gestion/inscrire/", views.manage_add_view, name="manage_add"),
    path(
        "sessions/<int:pk>/gestion/liste-attente/",
        views.waitlist_mode_view,
        name="waitlist_mode",
    ),
    path("sessions/<int:pk>/export.csv", views.export_csv_view, name="export_csv"),
    path("<int:pk>/annuler/", views.cancel_view, name="cancel"),
    path("<int:pk>/accepter-place/", views.offer_accept_view, name="offer_accept"),
    path("<int:pk>/refuser-place/", views.offer_decline_view, name="offer_decline"),
    path("<int:pk>/approuver/", views.approve_view, name="approve"),
    path("<int:pk>/refuser/", views.decline_view, name="decline"),
]
