"""An agent signs up to a full session, waits, is promoted when a seat frees, and sees it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from campus.people.models import User
from campus.people.tests.factories import UserFactory
from campus.registrations import services
from campus.registrations.models import Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling.tests.factories import CourseFactory

from .conftest import axe_serious_violations
from .test_home import sign_in_with_email

pytestmark = pytest.mark.django_db(transaction=True)


def test_waitlisted_agent_is_promoted_and_sees_it_on_their_page(page: Any, browser: Any) -> None:
    coordinator = UserFactory(role=User.Role.COORDINATOR)
    course = CourseFactory(title="Lire sa fiche de paie")
    session = open_session(coordinator, capacity=1, course=course)
    holder = UserFactory()
    seat = services.registration_create(
        actor=holder, session=session, agent=holder.agent
    ).registration
    agent = UserFactory()

    sign_in_with_email(page, agent)
    page.get_by_role("link", name="Catalogue").first.click()
    page.get_by_role("link", name="Lire sa fiche de paie").first.click()
    page.wait_for_load_state()
    assert axe_serious_violations(page) == []
    page.get_by_role("button", name=re.compile(r"^Liste d'attente")).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/inscriptions/sessions/{session.pk}/")
    body = page.locator("main").inner_text()
    assert "vous êtes sur la liste d'attente, en position 1" in body
    assert "Liste d'attente, position 1." in body

    services.registration_cancel(actor=holder, registration=seat, reason="Empêchement")

    page.get_by_role("link", name="Mes formations").first.click()
    page.wait_for_load_state()
    upcoming = page.locator("section[aria-labelledby=upcoming-title]")
    assert "Lire sa fiche de paie" in upcoming.inner_text()
    assert "Confirmée" in upcoming.inner_text()
    assert Registration.objects.get(agent=agent.agent).state == Registration.State.CONFIRMED
    assert axe_serious_violations(page) == []

    page.get_by_role("link", name="Lire sa fiche de paie").first.click()
    page.wait_for_load_state()
    assert "Vous êtes inscrit(e)." in page.locator("main").inner_text()
    assert axe_serious_violations(page) == []

    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        school = context.new_page()
        school.base_url = page.base_url
        sign_in_with_email(school, coordinator)
        school.goto(f"{school.base_url}/inscriptions/sessions/{session.pk}/gestion/")
        participants = school.locator("section[aria-labelledby=participants-title]")
        assert agent.agent.last_name.upper() in participants.inner_text()
        assert axe_serious_violations(school) == []
    finally:
        context.close()
