"""The catalogue and a course's page keep what they read until the services change it.

Each change goes through the service a coordinator or an agent would use, and
the counters move when its transaction commits (`django_capture_on_commit_callbacks`
runs the commit callbacks that the test's own transaction would otherwise hold).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from campus.catalog import services as catalog_services
from campus.catalog.models import Course
from campus.catalog.tests.factories import CourseFactory
from campus.core import data_versions
from campus.core.models import DataVersion
from campus.people import services as people_services
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import lifecycle, services
from campus.registrations.tests.factories import open_session

pytestmark = pytest.mark.django_db


def _page(user: User, url: str, **params: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _catalogue(user: User, **params: str) -> str:
    return _page(user, reverse("portal:catalogue"), **params)


def test_a_published_or_renamed_course_shows_at_once(
    coordinator: User, agent_user: User, django_capture_on_commit_callbacks
) -> None:
    assert "Écrire sans fautes" not in _catalogue(agent_user)
    with django_capture_on_commit_callbacks(execute=True):
        course = catalog_services.course_create(actor=coordinator, title="Écrire sans fautes")
        catalog_services.course_publish(actor=coordinator, course=course)
    assert "Écrire sans fautes" in _catalogue(agent_user)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.course_update(actor=coordinator, course=course, title="Écrire juste")
    page = _catalogue(agent_user)
    assert "Écrire juste" in page
    assert "Écrire sans fautes" not in page


def test_an_opened_or_cancelled_session_shows_at_once(
    coordinator: User, agent_user: User, django_capture_on_commit_callbacks
) -> None:
    course = CourseFactory(title="Tableur pour débuter")
    assert "Aucune session programmée" in _catalogue(agent_user, q="tableur")
    with django_capture_on_commit_callbacks(execute=True):
        session = open_session(coordinator, course=course, capacity=4)
    assert "Prochaine session" in _catalogue(agent_user, q="tableur")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.session_cancel(actor=coordinator, session=session, reason="Salle indisponible")
    assert "Aucune session programmée" in _catalogue(agent_user, q="tableur")


def test_seats_are_read_live_on_every_request(coordinator: User, agent_user: User) -> None:
    course = CourseFactory(title="Klaxoon en réunion")
    session = open_session(coordinator, course=course, capacity=1)
    assert "1 place disponible" in _catalogue(agent_user, q="klaxoon")
    course_url = reverse("portal:course_detail", args=[course.slug])
    assert "1 place disponible" in _page(agent_user, course_url)
    # No commit callback runs here: the seats do not wait for any counter.
    services.registration_create(actor=agent_user, session=session, agent=agent_user.agent)
    assert "Complet" in _catalogue(agent_user, q="klaxoon")
    assert "Complet" in _page(agent_user, course_url)
    assert "Klaxoon en réunion" not in _catalogue(agent_user, q="klaxoon", seats_left_only="on")


def test_a_renamed_trainer_shows_at_once_on_the_course_page(
    coordinator: User, agent_user: User, django_capture_on_commit_callbacks
) -> None:
    trainer = AgentFactory(first_name="Inès", last_name="Morel")
    course = CourseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        open_session(coordinator, course=course, trainers=[trainer])
    url = reverse("portal:course_detail", args=[course.slug])
    assert "Inès MOREL" in _page(agent_user, url)
    with django_capture_on_commit_callbacks(execute=True):
        people_services.agent_update(actor=coordinator, agent=trainer, last_name="Morel-Dupin")
    assert "Inès MOREL-DUPIN" in _page(agent_user, url)


def _create_then_fail(coordinator: User) -> None:
    with transaction.atomic():
        catalog_services.course_create(actor=coordinator, title="Jamais publiée")
        raise RuntimeError("rolled back")


def test_a_change_rolled_back_moves_no_counter(
    coordinator: User, django_capture_on_commit_callbacks
) -> None:
    before = data_versions.current(data_versions.KINDS)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            _create_then_fail(coordinator)
        catalog_services.course_create(actor=coordinator, title="Publiée")
    # Only the committed creation's counter move is left to run.
    assert len(callbacks) == 1
    assert data_versions.current(data_versions.KINDS) == (before[0] + 1, *before[1:])
    assert not Course.objects.filter(title="Jamais publiée").exists()


def test_counters_move_once_per_commit_and_refuse_unknown_kinds(
    django_capture_on_commit_callbacks,
) -> None:
    assert data_versions.current([data_versions.CATALOG]) == (0,)
    with django_capture_on_commit_callbacks(execute=True):
        data_versions.changed(data_versions.CATALOG)
    with django_capture_on_commit_callbacks(execute=True):
        data_versions.changed(data_versions.CATALOG, data_versions.PEOPLE)
    assert data_versions.current([data_versions.CATALOG, data_versions.PEOPLE]) == (2, 1)
    assert DataVersion.objects.count() == 2
    with pytest.raises(ValueError, match="Unknown kind"):
        data_versions.changed("sessions")


def test_each_language_keeps_its_own_copy(agent_user: User) -> None:
    CourseFactory(title="Prise de parole")
    english = UserFactory(language="en")
    client = Client()
    client.force_login(english)
    client.cookies["django_language"] = "en"
    english_page = client.get(reverse("portal:catalogue"), HTTP_ACCEPT_LANGUAGE="en").content
    french_page = _catalogue(agent_user)
    assert "Catalogue des formations" in french_page
    assert b"Training catalogue" in english_page
    assert "Aucune session programmée" in french_page
