"""The catalogue and course pages reuse rendered fragments (campus.core.freshness):
every change made through the services shows at once, and no reader sees another's parts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from campus.catalog import services
from campus.catalog.models import Course
from campus.people.models import User
from campus.people.tests.factories import UserFactory
from campus.registrations import services as registration_services
from campus.registrations.models import Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling import services as scheduling_services
from campus.scheduling.tests.factories import future_day, part

# The fragments' minute stands still: only the services' writes may renew them here.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_minute")]

CATALOGUE = reverse("catalog:catalogue")


def _client(user: User, **kwargs: bool) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _page(client: Client, url: str, params: dict[str, str] | None = None) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def _published(coordinator: User, title: str, **fields: object) -> Course:
    course = services.course_create(actor=coordinator, title=title, **fields)
    return services.course_publish(actor=coordinator, course=course)


def _course_url(course: Course) -> str:
    return reverse("catalog:course_detail", args=[course.slug])


# --- Changes show at once -----------------------------------------------------------


def test_published_and_edited_courses_show_at_once(coordinator: User, agent_user: User) -> None:
    reader = _client(agent_user)
    _published(coordinator, "Trello en équipe")
    draft = services.course_create(actor=coordinator, title="Klaxoon pour animer")
    assert "Klaxoon pour animer" not in _page(reader, CATALOGUE)
    assert "Klaxoon" not in _page(reader, CATALOGUE, {"q": "klaxoon"})

    course = services.course_publish(actor=coordinator, course=draft)
    assert "Klaxoon pour animer" in _page(reader, CATALOGUE)
    assert "Klaxoon pour animer" in _page(reader, CATALOGUE, {"q": "klaxoon"})
    assert "Klaxoon pour animer" in _page(reader, _course_url(course))

    services.course_update(
        actor=coordinator, course=course, title="Klaxoon avancé", summary="Les quiz en direct"
    )
    for html in (_page(reader, CATALOGUE), _page(reader, _course_url(course))):
        assert "Klaxoon avancé" in html
        assert "Les quiz en direct" in html
        assert "Klaxoon pour animer" not in html

    services.course_archive(actor=coordinator, course=course)
    assert "Klaxoon" not in _page(reader, CATALOGUE)
    assert reader.get(_course_url(course)).status_code == 404


def test_a_sign_up_changes_the_seats_left_at_once(coordinator: User) -> None:
    course = _published(coordinator, "Bizagi")
    session = open_session(coordinator, course=course, capacity=2)
    first, second = UserFactory(), UserFactory()
    first_client, second_client = _client(first), _client(second)
    assert "2 places disponibles" in _page(first_client, CATALOGUE)
    assert "2 places disponibles" in _page(first_client, _course_url(course))

    registration_services.registration_create(actor=first, session=session, agent=first.agent)
    assert "1 place disponible" in _page(second_client, CATALOGUE)
    course_page = _page(second_client, _course_url(course))
    assert "1 place disponible" in course_page
    assert "M'inscrire<span" in course_page

    registration_services.registration_create(actor=second, session=session, agent=second.agent)
    assert "Complet" in _page(first_client, CATALOGUE)
    course_page = _page(first_client, _course_url(course))
    assert "Complet" in course_page
    assert '<span class="badge">Confirmée</span>' in course_page
    # The third reader is offered the waiting list.
    third_page = _page(_client(UserFactory()), _course_url(course))
    assert "Liste d'attente<span" in third_page
    assert "Confirmée" not in third_page


def test_an_opened_session_shows_at_once(coordinator: User, agent_user: User) -> None:
    reader = _client(agent_user)
    course = _published(coordinator, "Préparer le concours d'attaché")
    assert "Aucune session programmée pour l'instant." in _page(reader, CATALOGUE)
    assert "Aucune session ouverte n'est programmée" in _page(reader, _course_url(course))

    draft = scheduling_services.session_create(
        actor=coordinator, course=course, parts=[part(future_day(), "14:00", "17:00")], capacity=7
    ).session
    assert "Aucune session programmée pour l'instant." in _page(reader, CATALOGUE)
    assert "Aucune session ouverte n'est programmée" in _page(reader, _course_url(course))

    scheduling_services.session_open(actor=coordinator, session=draft)
    catalogue = _page(reader, CATALOGUE)
    assert "Prochaine session : " in catalogue
    assert "à 14:00" in catalogue
    assert "7 places disponibles" in catalogue
    course_page = _page(reader, _course_url(course))
    assert "de 14:00 à 17:00" in course_page
    assert f'action="/inscriptions/sessions/{draft.pk}/inscription/"' in course_page


def test_the_same_criteria_reuse_the_results_until_a_change(
    coordinator: User, agent_user: User, django_assert_num_queries: Any
) -> None:
    reader = _client(agent_user)
    course = _published(coordinator, "Trello")
    first = _page(reader, CATALOGUE, {"q": "trello", "format": "atelier"})
    assert "Trello" in first
    # The criteria in another order, an empty one, an unrelated parameter: the same
    # results, read from the cache (session, user, data stamp, navigation).
    with django_assert_num_queries(4):
        again = _page(
            reader,
            CATALOGUE,
            {"utm_source": "lettre", "format": "atelier", "q": "trello", "theme": ""},
        )
    assert _main(again) == _main(first)
    services.course_update(actor=coordinator, course=course, title="Trello avancé")
    assert "Trello avancé" in _page(reader, CATALOGUE, {"q": "trello", "format": "atelier"})


# --- Nothing leaks from one reader to another -------------------------------------------


def test_the_manage_link_follows_the_reader_not_the_cache(
    coordinator: User, agent_user: User
) -> None:
    _published(coordinator, "Trello")
    manage = reverse("catalog:manage")
    assert manage in _page(_client(coordinator), CATALOGUE)
    assert manage not in _page(_client(agent_user), CATALOGUE)
    assert manage in _page(_client(coordinator), CATALOGUE)


def test_the_course_page_keeps_each_readers_own_parts(coordinator: User) -> None:
    course = _published(
        coordinator,
        "Conduire un entretien",
        audience=Course.Audience.RESTRICTED,
        audience_managers_only=True,
    )
    session = open_session(coordinator, course=course, capacity=5)
    manager = UserFactory(agent__is_manager_position=True)
    colleague = UserFactory(agent__is_manager_position=True)
    outsider = UserFactory(agent__is_manager_position=False)
    registration_services.registration_create(actor=manager, session=session, agent=manager.agent)
    url = _course_url(course)
    edit = reverse("catalog:course_edit", args=[course.pk])

    # Whoever renders the page first, the others see their own verdict and column.
    coordinator_page = _page(_client(coordinator), url)
    assert edit in coordinator_page
    manager_page = _page(_client(manager), url)
    assert '<span class="badge">Confirmée</span>' in manager_page
    assert "M'inscrire<span" not in manager_page
    assert edit not in manager_page
    colleague_page = _page(_client(colleague), url)
    assert "Cette formation vous est ouverte." in colleague_page
    assert "Confirmée" not in colleague_page
    assert "M'inscrire<span" in colleague_page
    outsider_page = _page(_client(outsider), url)
    assert "Vous ne pouvez pas vous inscrire" in outsider_page
    assert '<form method="post" action="/inscriptions/' not in outsider_page
    assert "Confirmée" not in outsider_page
    assert f'href="/inscriptions/sessions/{session.pk}/"' in outsider_page
    assert "<!--" not in _main(outsider_page)


def test_a_draft_course_page_cached_for_the_school_stays_hidden(
    coordinator: User, agent_user: User
) -> None:
    draft = services.course_create(actor=coordinator, title="Brouillon secret")
    assert "Brouillon secret" in _page(_client(coordinator), _course_url(draft))
    assert _client(agent_user).get(_course_url(draft)).status_code == 404


def test_the_sign_up_form_carries_the_readers_own_csrf_token(coordinator: User) -> None:
    course = _published(coordinator, "Tableur")
    session = open_session(coordinator, course=course, capacity=5)
    _page(_client(UserFactory()), _course_url(course))  # renders and caches the body
    reader = UserFactory()
    client = _client(reader, enforce_csrf_checks=True)
    html = _page(client, _course_url(course))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    response = client.post(
        reverse("registrations:signup", args=[session.pk]),
        {"csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert Registration.objects.filter(session=session, agent=reader.agent).exists()


def test_each_language_has_its_own_results(coordinator: User, agent_user: User) -> None:
    course = _published(coordinator, "Trello")
    open_session(coordinator, course=course)
    assert "Prochaine session" in _page(_client(agent_user), CATALOGUE)
    english = _client(agent_user)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The request leaves its language active in this thread: restore it for the next tests.
    with translation.override(settings.LANGUAGE_CODE):
        html = _page(english, CATALOGUE)
    assert "Next session" in html
    assert "Prochaine session" not in html
