"""What a page offers is what the sign-up service then does: one rule, read by both."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from campus.catalog.models import Course
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import services
from campus.registrations.models import Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

APPROVAL_NOTE = "L'inscription sera soumise à l'accord de votre responsable hiérarchique."


def _page(user: User, session, agent) -> str:
    client = Client()
    client.force_login(user)
    params = {} if agent.pk == user.agent_id else {"agent": agent.pk}
    response = client.get(reverse("registrations:session", args=[session.pk]), params)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize("who", ["agent", "agent_without_manager", "manager", "coordinator"])
@pytest.mark.parametrize("requires_approval", [True, False])
def test_the_page_announces_a_request_exactly_when_the_service_makes_one(
    coordinator: User, who: str, requires_approval: bool
) -> None:
    course = CourseFactory(
        status=Course.Status.PUBLISHED, requires_manager_approval=requires_approval
    )
    session = open_session(coordinator, course=course, capacity=3)
    manager = UserFactory()
    agent_user = UserFactory(agent=AgentFactory(manager=manager.agent))
    if who == "agent_without_manager":
        agent_user = UserFactory()
    # A coordinator who signs up as an agent, with a manager of their own.
    school = UserFactory(role=User.Role.COORDINATOR, agent=AgentFactory(manager=manager.agent))
    actor = {"manager": manager, "coordinator": school}.get(who, agent_user)
    agent = school.agent if who == "coordinator" else agent_user.agent

    announced = APPROVAL_NOTE in _page(actor, session, agent)
    outcome = services.registration_create(actor=actor, session=session, agent=agent)
    requested = outcome.registration.state == Registration.State.REQUESTED

    assert announced == requested
    assert requested == (requires_approval and who == "agent")


def test_a_full_session_offers_the_waitlist_and_the_service_waitlists(
    coordinator: User,
) -> None:
    session = open_session(coordinator, capacity=1)
    first, second = UserFactory(), UserFactory()
    services.registration_create(actor=first, session=session, agent=first.agent)
    page = _page(second, session, second.agent)
    assert "S'inscrire sur la liste d'attente" in page
    outcome = services.registration_create(actor=second, session=session, agent=second.agent)
    assert outcome.registration.state == Registration.State.WAITLISTED
