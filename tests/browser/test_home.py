"""The first journey: a person signs in and the home page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from campus.people.models import User
from campus.people.tests.factories import DEFAULT_PASSWORD, AgentFactory, UserFactory

from .conftest import axe_serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_with_email(page: Any, user: User) -> None:
    page.goto(page.base_url + "/connexion/")
    form = page.locator("form:has(input[name=method][value=email])")
    form.get_by_label("Adresse e-mail").fill(user.email)
    form.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    form.get_by_role("button").click()
    page.wait_for_load_state()


def sign_in_with_matricule(page: Any, user: User) -> None:
    page.goto(page.base_url + "/connexion/")
    form = page.locator("form:has(input[name=method][value=matricule])")
    form.get_by_label("Structure").select_option(value=user.agent.organisation.code)
    form.get_by_label("Matricule").fill(user.agent.matricule)
    form.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    form.get_by_role("button").click()
    page.wait_for_load_state()


def test_coordinator_signs_in_and_home_is_accessible(page: Any) -> None:
    coordinator = UserFactory(role=User.Role.COORDINATOR)
    sign_in_with_email(page, coordinator)
    assert page.url.rstrip("/") == page.base_url.rstrip("/")
    assert page.locator("h1").count() == 1
    assert coordinator.agent.first_name in page.content()
    assert axe_serious_violations(page) == []


def test_agent_without_email_signs_in_with_matricule(page: Any) -> None:
    agent = AgentFactory(email="")
    user = UserFactory(agent=agent, login=f"{agent.organisation.code}/{agent.matricule}".lower())
    sign_in_with_matricule(page, user)
    assert page.url.rstrip("/") == page.base_url.rstrip("/")
    assert agent.first_name in page.content()
    assert axe_serious_violations(page) == []


def test_manager_home_shows_team_and_is_accessible(page: Any) -> None:
    manager = UserFactory()
    UserFactory(agent=AgentFactory(organisation=manager.agent.organisation, manager=manager.agent))
    sign_in_with_email(page, manager)
    assert axe_serious_violations(page) == []
    page.get_by_role("link", name="Mon équipe").first.click()
    page.wait_for_load_state()
    assert axe_serious_violations(page) == []


def test_login_page_is_accessible_and_skip_link_works(page: Any) -> None:
    page.goto(page.base_url + "/connexion/")
    assert axe_serious_violations(page) == []
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.evaluate("el => el === document.activeElement")
