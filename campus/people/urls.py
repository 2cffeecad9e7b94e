from django.urls import path

from . import views_agents, views_auth, views_import

app_name = "people"

urlpatterns = [
    # Sign-in and accounts (views_auth)
    path("connexion/", views_auth.login_view, name="login"),
    path("deconnexion/", views_auth.logout_view, name="logout"),
    path("premiere-connexion/", views_auth.first_signin_view, name="first_signin"),
    path("mot-de-passe/oublie/", views_auth.password_reset_view, name="password_reset"),
    path("mot-de-passe/envoye/", views_auth.password_reset_done_view, name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views_auth.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/change/",
        views_auth.password_reset_complete_view,
        name="password_reset_complete",
    ),
    path("compte/", views_auth.account_view, name="account"),
    path(
        "agents/<int:pk>/courrier/", views_auth.first_signin_letter_view, name="first_signin_letter"
    ),
    path("agents/courriers/", views_auth.first_signin_letters_view, name="first_signin_letters"),
    # Agents and teams (views_agents)
    path("agents/", views_agents.agent_list_view, name="agent_list"),
    path("agents/nouveau/", views_agents.agent_create_view, name="agent_create"),
    path("agents/<int:pk>/", views_agents.agent_detail_view, name="agent_detail"),
    path("agents/<int:pk>/modifier/", views_agents.agent_edit_view, name="agent_edit"),
    path("agents/<int:pk>/role/", views_agents.agent_role_view, name="agent_role"),
    path(
        "agents/<int:pk>/desactiver/",
        views_agents.agent_deactivate_view,
        name="agent_deactivate",
    ),
    path("equipe/", views_agents.my_team_view, name="my_team"),
    path("agents/<int:pk>/equipe/", views_agents.team_view, name="team"),
    # HR import (views_import)
    path("agents/import/", views_import.import_view, name="import"),
]
