"""Pages cost a fixed number of queries: measured at N rows, asserted again at 10 × N."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.people.models import Agent, Organisation, User
from campus.people.tests.factories import (
    AgentFactory,
    DepartmentFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

N = 6


def _queries(client: Client, url: str, params: dict[str, Any] | None = None) -> int:
    # A first request settles the session, so both measures see the same steady state.
    client.get(url, params)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context)


def _assert_constant(
    client: Client,
    url: str,
    grow: Callable[[int], None],
    assert_num_queries: Any,
    params: dict[str, Any] | None = None,
) -> Any:
    grow(N)
    small = _queries(client, url, params)
    grow(9 * N)
    with assert_num_queries(small):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def _add_agents(count: int) -> None:
    """Agents spread over several structures, services and managers, some with accounts."""
    for _i in range(count):
        org = OrganisationFactory()
        dept = DepartmentFactory(organisation=org)
        boss = AgentFactory(organisation=org, department=dept, is_manager_position=True)
        AgentFactory(organisation=org, department=dept, manager=boss, email="")
        UserFactory(agent=AgentFactory(organisation=org, manager=boss))


def test_agent_list(client: Client, coordinator: User, django_assert_num_queries: Any) -> None:
    client.force_login(coordinator)
    response = _assert_constant(
        client, reverse("people:agent_list"), _add_agents, django_assert_num_queries
    )
    assert len(response.context["page"].object_list) == 50
    assert Agent.objects.count() > 10 * N * 3


def test_agent_list_filtered(
    client: Client, hr_viewer: User, django_assert_num_queries: Any
) -> None:
    client.force_login(hr_viewer)
    _assert_constant(
        client,
        reverse("people:agent_list"),
        _add_agents,
        django_assert_num_queries,
        params={"q": "a", "without_email": "on", "active": "all", "sort": "-name"},
    )


def _team_of(manager: Agent) -> Callable[[int], None]:
    def grow(count: int) -> None:
        # Three levels below the manager, whatever the count: only the width grows.
        org = manager.organisation
        for _i in range(count):
            lead = AgentFactory(
                organisation=org, manager=manager, department=DepartmentFactory(organisation=org)
            )
            member = AgentFactory(organisation=org, manager=lead, email="")
            AgentFactory(organisation=org, manager=member)

    return grow


def test_team_page(client: Client, django_assert_num_queries: Any) -> None:
    manager = UserFactory()
    client.force_login(manager)
    response = _assert_constant(
        client, reverse("people:my_team"), _team_of(manager.agent), django_assert_num_queries
    )
    assert response.context["team"].size == 10 * N * 3


def test_team_page_seen_by_the_school(
    client: Client, coordinator: User, django_assert_num_queries: Any
) -> None:
    manager = AgentFactory()
    client.force_login(coordinator)
    _assert_constant(
        client,
        reverse("people:team", args=[manager.pk]),
        _team_of(manager),
        django_assert_num_queries,
    )


def test_agent_profile(client: Client, coordinator: User, django_assert_num_queries: Any) -> None:
    manager = UserFactory(agent=AgentFactory(department=DepartmentFactory()))
    client.force_login(coordinator)
    response = _assert_constant(
        client,
        reverse("people:agent_detail", args=[manager.agent.pk]),
        _team_of(manager.agent),
        django_assert_num_queries,
    )
    assert len(response.context["reports"]) == 10 * N


def _school_and_team(manager: Agent) -> Callable[[int], None]:
    grow_team = _team_of(manager)

    def grow(count: int) -> None:
        grow_team(count)
        _add_agents(count)

    return grow


@pytest.mark.parametrize("role", [User.Role.COORDINATOR, User.Role.DIRECTOR, User.Role.AGENT])
def test_home_page(client: Client, role: str, django_assert_num_queries: Any) -> None:
    # A coordinator (or director) who also manages a team sees every panel at once.
    user = UserFactory(role=role)
    client.force_login(user)
    response = _assert_constant(
        client, reverse("portal:home"), _school_and_team(user.agent), django_assert_num_queries
    )
    assert len(response.context["team"]) == 10 * N
    if role != User.Role.AGENT:
        assert len(response.context["school"].organisations) == Organisation.objects.count()


def test_home_page_without_agent(client: Client, django_assert_num_queries: Any) -> None:
    director = UserFactory(agent=None, login="direction@ecole.example.fr", role=User.Role.DIRECTOR)
    client.force_login(director)
    response = _assert_constant(
        client, reverse("portal:home"), _add_agents, django_assert_num_queries
    )
    page = response.content.decode()
    assert "aucune fiche d&#x27;agent" in page or "aucune fiche d'agent" in page
    assert reverse("core:audit_log") in page
