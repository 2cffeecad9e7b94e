"""Who may open what: every role against every object, by rule and over HTTP.

The organisation chart used throughout:

    manager ──> member ──> indirect          (the "manager of the target" and their tree)
    other_manager ──> other_member           (a manager of another team)
    third_manager ──> third_member           (a team nobody in the roles belongs to)
    stranger, agent, coordinator, director, hr_viewer: no manager, no reports
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from campus.core import policies
from campus.people import policies as people_policies
from campus.people.models import Agent, User
from campus.people.tests.factories import AgentFactory, OrganisationFactory, UserFactory

ROLES = ["anonymous", "agent", "manager", "other_manager", "coordinator", "director", "hr_viewer"]


@dataclass
class World:
    users: dict[str, User | None]
    member: Agent
    indirect: Agent
    stranger: Agent
    third_manager: Agent

    def user(self, role: str) -> Any:
        return self.users[role] or AnonymousUser()

    def own_agent(self, role: str) -> Agent:
        # Anonymous visitors try the plain agent's own page.
        user = self.users[role] or self.users["agent"]
        assert user is not None
        assert user.agent is not None
        return user.agent


@pytest.fixture
def world(db: None) -> World:
    org = OrganisationFactory()

    def account(role: str = User.Role.AGENT) -> User:
        return UserFactory(agent=AgentFactory(organisation=org), role=role)

    manager = account()
    member = AgentFactory(organisation=org, manager=manager.agent)
    indirect = AgentFactory(organisation=org, manager=member)
    other_manager = account()
    AgentFactory(organisation=org, manager=other_manager.agent)
    third_manager = AgentFactory(organisation=org)
    AgentFactory(organisation=org, manager=third_manager)
    return World(
        users={
            "anonymous": None,
            "agent": account(),
            "manager": manager,
            "other_manager": other_manager,
            "coordinator": account(User.Role.COORDINATOR),
            "director": account(User.Role.DIRECTOR),
            "hr_viewer": account(User.Role.HR_VIEWER),
        },
        member=member,
        indirect=indirect,
        stranger=AgentFactory(organisation=org),
        third_manager=third_manager,
    )


# --- The rules ----------------------------------------------------------------

Y, N = True, False

# (rule, expected for each of ROLES in order)
RULES: dict[str, tuple[Callable[[Any, World, str], bool], tuple[bool, ...]]] = {
    #                                                                  anon agent mgr oth coo dir hr
    "voir sa propre fiche": (
        lambda u, w, r: people_policies.can_view_agent(u, w.own_agent(r)),
        (N, Y, Y, Y, Y, Y, Y),
    ),
    "voir la fiche d'un autre agent": (
        lambda u, w, r: people_policies.can_view_agent(u, w.stranger),
        (N, N, N, N, Y, Y, Y),
    ),
    "voir la fiche d'un membre de l'équipe": (
        lambda u, w, r: people_policies.can_view_agent(u, w.member),
        (N, N, Y, N, Y, Y, Y),
    ),
    "voir la fiche d'un agent indirect": (
        lambda u, w, r: people_policies.can_view_agent(u, w.indirect),
        (N, N, Y, N, Y, Y, Y),
    ),
    "voir sa propre équipe": (
        lambda u, w, r: people_policies.can_view_team(u, w.own_agent(r)),
        (N, Y, Y, Y, Y, Y, Y),
    ),
    "voir une sous-équipe": (
        lambda u, w, r: people_policies.can_view_team(u, w.member),
        (N, N, Y, N, Y, Y, Y),
    ),
    "voir l'équipe d'un autre responsable": (
        lambda u, w, r: people_policies.can_view_team(u, w.third_manager),
        (N, N, N, N, Y, Y, Y),
    ),
    "lister les agents": (
        lambda u, w, r: people_policies.can_list_agents(u),
        (N, N, N, N, Y, Y, Y),
    ),
    "modifier un agent": (
        lambda u, w, r: people_policies.can_edit_agent(u, w.member),
        (N, N, N, N, Y, Y, N),
    ),
    "attribuer un rôle": (
        lambda u, w, r: people_policies.can_set_role(u),
        (N, N, N, N, N, Y, N),
    ),
    "consulter le journal": (
        lambda u, w, r: policies.can_view_audit_log(u),
        (N, N, N, N, N, Y, N),
    ),
    "importer le fichier RH": (
        lambda u, w, r: people_policies.can_import_agents(u),
        (N, N, N, N, Y, Y, N),
    ),
    "imprimer les courriers": (
        lambda u, w, r: people_policies.can_issue_first_signin_code(u, w.member),
        (N, N, N, N, Y, Y, N),
    ),
    "utiliser l'administration Django": (
        lambda u, w, r: policies.can_use_admin(u),
        (N, N, N, N, N, Y, N),
    ),
    "est encadrant": (
        lambda u, w, r: people_policies.is_manager(u),
        (N, N, Y, Y, N, N, N),
    ),
}

RULE_CASES = [
    pytest.param(rule, role, expected[i], id=f"{rule}|{role}")
    for rule, (_check, expected) in RULES.items()
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("rule", "role", "expected"), RULE_CASES)
def test_permission_rule(world: World, rule: str, role: str, expected: bool) -> None:
    check, _expected = RULES[rule]
    assert check(world.user(role), world, role) is expected


def test_deactivated_account_loses_every_right(world: World) -> None:
    director = world.users["director"]
    assert director is not None
    director.is_active = False
    assert not policies.can_view_audit_log(director)
    assert not people_policies.can_view_agent(director, world.member)


# --- The pages ----------------------------------------------------------------

OK = "200"
LOGIN = "redirect to sign-in"
ADMIN_LOGIN = "redirect to admin sign-in"
HOME = "redirect to home"
DENIED = "403"

PAGES: dict[str, tuple[Callable[[World, str], str], tuple[str, ...]]] = {
    #                                                  anon   agent   mgr     other   coord   dir     hr
    "propre fiche": (
        lambda w, r: reverse("people:agent_detail", args=[w.own_agent(r).pk]),
        (LOGIN, OK, OK, OK, OK, OK, OK),
    ),
    "fiche d'un autre agent": (
        lambda w, r: reverse("people:agent_detail", args=[w.stranger.pk]),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, OK),
    ),
    "fiche d'un membre de l'équipe": (
        lambda w, r: reverse("people:agent_detail", args=[w.member.pk]),
        (LOGIN, DENIED, OK, DENIED, OK, OK, OK),
    ),
    "fiche d'un agent indirect": (
        lambda w, r: reverse("people:agent_detail", args=[w.indirect.pk]),
        (LOGIN, DENIED, OK, DENIED, OK, OK, OK),
    ),
    "fiche inexistante": (
        lambda w, r: reverse("people:agent_detail", args=[999_999]),
        (LOGIN, DENIED, DENIED, DENIED, "404", "404", "404"),
    ),
    "mon équipe": (
        lambda w, r: reverse("people:my_team"),
        (LOGIN, HOME, OK, OK, HOME, HOME, HOME),
    ),
    "sous-équipe": (
        lambda w, r: reverse("people:team", args=[w.member.pk]),
        (LOGIN, DENIED, OK, DENIED, OK, OK, OK),
    ),
    "équipe d'un autre responsable": (
        lambda w, r: reverse("people:team", args=[w.third_manager.pk]),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, OK),
    ),
    "liste des agents": (
        lambda w, r: reverse("people:agent_list"),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, OK),
    ),
    "création d'agent": (
        lambda w, r: reverse("people:agent_create"),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, DENIED),
    ),
    "modification d'agent": (
        lambda w, r: reverse("people:agent_edit", args=[w.member.pk]),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, DENIED),
    ),
    "départ d'agent": (
        lambda w, r: reverse("people:agent_deactivate", args=[w.member.pk]),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, DENIED),
    ),
    "rôle": (
        lambda w, r: reverse("people:agent_role", args=[w.member.pk]),
        (LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED),
    ),
    "journal": (
        lambda w, r: reverse("core:audit_log"),
        (LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED),
    ),
    "import RH": (
        lambda w, r: reverse("people:import"),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, DENIED),
    ),
    "courriers de première connexion": (
        lambda w, r: reverse("people:first_signin_letters"),
        (LOGIN, DENIED, DENIED, DENIED, OK, OK, DENIED),
    ),
    "administration Django": (
        lambda w, r: reverse("admin:index"),
        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK, ADMIN_LOGIN),
    ),
    "accueil": (
        lambda w, r: reverse("portal:home"),
        (LOGIN, OK, OK, OK, OK, OK, OK),
    ),
}

PAGE_CASES = [
    pytest.param(page, role, expected[i], id=f"{page}|{role}")
    for page, (_url, expected) in PAGES.items()
    for i, role in enumerate(ROLES)
]


def _outcome(response: Any) -> str:
    if response.status_code != 302:
        return str(response.status_code)
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    if location.startswith(reverse("people:login")):
        return LOGIN
    if location == reverse("portal:home"):
        return HOME
    return f"redirect to {location}"


@pytest.mark.parametrize(("page", "role", "expected"), PAGE_CASES)
def test_page_access(world: World, client: Client, page: str, role: str, expected: str) -> None:
    url_for, _expected = PAGES[page]
    url = url_for(world, role)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    assert _outcome(client.get(url)) == expected


@pytest.mark.parametrize(
    "page", ["création d'agent", "modification d'agent", "départ d'agent", "rôle"]
)
@pytest.mark.parametrize("role", ["agent", "manager", "hr_viewer"])
def test_refused_posts_change_nothing(world: World, client: Client, page: str, role: str) -> None:
    from campus.core.models import AuditEntry

    user = world.users[role]
    assert user is not None
    client.force_login(user)
    url = PAGES[page][0](world, role)
    before = (Agent.objects.count(), AuditEntry.objects.count(), User.objects.count())
    response = client.post(
        url,
        {
            "organisation": world.member.organisation_id,
            "matricule": "PIRATE",
            "last_name": "Pirate",
            "first_name": "Paul",
            "status": Agent.Status.TITULAIRE,
            "departure_date": "2030-01-01",
            "role": User.Role.DIRECTOR,
        },
    )
    assert response.status_code == 403
    assert (Agent.objects.count(), AuditEntry.objects.count(), User.objects.count()) == before
    world.member.refresh_from_db()
    assert world.member.is_active
