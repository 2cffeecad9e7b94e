"""Each registration page costs the same number of queries at N and at 10×N registrations."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus.people.models import Agent, User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import selectors, services
from campus.registrations.models import Attendance, Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
State = Registration.State


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm-up: lazily created rows (school settings) are not the page's cost
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _assert_same_cost(
    client: Client, url: str, grow: Callable[[int], None], django_assert_num_queries: Any
) -> None:
    grow(1)
    small = _queries(client, url)
    grow(9)  # ten times the data in all
    client.get(url)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def _sign(actor: User, session: TrainingSession, agent: Agent, **kwargs: Any) -> Registration:
    return services.registration_create(
        actor=actor, session=session, agent=agent, acknowledge_overlap=True, **kwargs
    ).registration


def _to_the_past(session: TrainingSession) -> None:
    shift = datetime.timedelta(days=(session.starts_at - timezone.now()).days + 30)
    for part in session.parts.all():
        SessionPart.objects.filter(pk=part.pk).update(
            date=part.date - shift, starts_at=part.starts_at - shift, ends_at=part.ends_at - shift
        )
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
    )


def _attended(coordinator: User, agent: Agent) -> None:
    session = open_session(coordinator)
    registration = _sign(coordinator, session, agent)
    _to_the_past(session)
    Attendance.objects.create(
        registration=registration, part=session.parts.get(), status=Attendance.Status.PRESENT
    )


@pytest.mark.parametrize("page", ["", "?page=2"])
def test_mine_costs_the_same_at_n_and_ten_n(
    coordinator, django_assert_num_queries, monkeypatch, page
):
    # Two ended registrations per round: one page at N, several at 10×N.
    monkeypatch.setattr(selectors, "HISTORY_PAGE_SIZE", 3)
    user = UserFactory(agent=AgentFactory(manager=AgentFactory()))

    def grow(times: int) -> None:
        for _ in range(times):
            _sign(coordinator, open_session(coordinator), user.agent)
            full = open_session(coordinator, capacity=1)
            _sign(coordinator, full, AgentFactory())
            _sign(user, full, user.agent)
            approval = open_session(
                coordinator, course=CourseFactory(requires_manager_approval=True)
            )
            _sign(user, approval, user.agent)
            _attended(coordinator, user.agent)
            services.registration_cancel(
                actor=user,
                registration=_sign(user, open_session(coordinator), user.agent),
                reason="Empêchement",
            )

    url = reverse("registrations:mine") + page
    _assert_same_cost(_client(user), url, grow, django_assert_num_queries)


@pytest.mark.parametrize("query", ["", "?q=atelier&page=2"])
def test_team_costs_the_same_at_n_and_ten_n(
    coordinator, django_assert_num_queries, monkeypatch, query
):
    # The past trainings and the sessions to sign up to outgrow one page at 10×N.
    monkeypatch.setattr(selectors, "TEAM_PAST_PAGE_SIZE", 3)
    monkeypatch.setattr(selectors, "TEAM_SIGNUP_SESSIONS_LIMIT", 3)
    manager = UserFactory()
    lead = AgentFactory(organisation=manager.agent.organisation, manager=manager.agent)

    def grow(times: int) -> None:
        for _ in range(times):
            direct = AgentFactory(organisation=manager.agent.organisation, manager=manager.agent)
            indirect = AgentFactory(organisation=manager.agent.organisation, manager=lead)
            full = open_session(coordinator, capacity=1)
            _sign(coordinator, full, direct)
            _sign(coordinator, full, indirect)
            approval = open_session(
                coordinator, course=CourseFactory(requires_manager_approval=True)
            )
            requester = UserFactory(agent=direct)
            _sign(requester, approval, direct)
            _attended(coordinator, indirect)
            _attended(coordinator, direct)
            open_session(coordinator, course=CourseFactory(search_text="atelier de rentree"))

    url = reverse("registrations:team") + query
    _assert_same_cost(_client(manager), url, grow, django_assert_num_queries)


def test_manage_costs_the_same_at_n_and_ten_n(coordinator, django_assert_num_queries):
    session = open_session(coordinator, capacity=50)

    def grow(times: int) -> None:
        for _ in range(times):
            _sign(coordinator, session, AgentFactory())
            _sign(coordinator, session, AgentFactory(email=""), mandatory=True)
            quitter = AgentFactory()
            services.registration_cancel(
                actor=coordinator,
                registration=_sign(coordinator, session, quitter),
                reason="Absent",
            )
        # Fill the seats so that the waitlist grows too.
        while Registration.objects.filter(session=session, state=State.CONFIRMED).count() < 50:
            _sign(coordinator, session, AgentFactory())
        for _ in range(times):
            _sign(coordinator, session, AgentFactory())

    url = reverse("registrations:manage", args=[session.pk])
    _assert_same_cost(_client(coordinator), url, grow, django_assert_num_queries)


def test_manage_with_pending_requests_costs_the_same(coordinator, django_assert_num_queries):
    session = open_session(coordinator, course=CourseFactory(requires_manager_approval=True))

    def grow(times: int) -> None:
        for _ in range(times):
            requester = UserFactory(agent=AgentFactory(manager=AgentFactory()))
            _sign(requester, session, requester.agent)

    url = reverse("registrations:manage", args=[session.pk])
    _assert_same_cost(_client(coordinator), url, grow, django_assert_num_queries)


def test_manage_search_and_export_cost_the_same(coordinator, django_assert_num_queries):
    session = open_session(coordinator, capacity=2)

    def grow(times: int) -> None:
        for _ in range(times):
            _sign(coordinator, session, AgentFactory(last_name="Durand"))

    client = _client(coordinator)
    for url in (
        reverse("registrations:manage", args=[session.pk]) + "?q=durand",
        reverse("registrations:export_csv", args=[session.pk]),
    ):
        _assert_same_cost(client, url, grow, django_assert_num_queries)


def test_session_page_costs_the_same_at_n_and_ten_n(coordinator, django_assert_num_queries):
    manager = UserFactory()
    session = open_session(coordinator, capacity=3)
    for _ in range(3):
        _sign(coordinator, session, AgentFactory())
    _sign(manager, session, manager.agent)  # waitlisted: the page computes the position

    def grow(times: int) -> None:
        for _ in range(times):
            AgentFactory(organisation=manager.agent.organisation, manager=manager.agent)
            _sign(coordinator, session, AgentFactory())
            _sign(coordinator, open_session(coordinator), manager.agent)

    url = reverse("registrations:session", args=[session.pk])
    _assert_same_cost(_client(manager), url, grow, django_assert_num_queries)
