"""Catalogue pages through the test client: who sees what, forms, actions, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.catalog.models import Course, Programme, Theme
from campus.catalog.tests.factories import CourseFactory, ProgrammeFactory, ThemeFactory
from campus.core.models import AuditEntry
from campus.core.testing import refusal_codes
from campus.people.models import Agent, Organisation, User
from campus.people.tests.factories import AgentFactory, OrganisationFactory, UserFactory
from campus.scheduling.tests.factories import RoomFactory, stored_session

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _manage_urls(course: Course, programme: Programme) -> list[tuple[str, str]]:
    return [
        ("get", reverse("portal:catalogue_manage")),
        ("get", reverse("catalog:course_create")),
        ("post", reverse("catalog:course_create")),
        ("get", reverse("catalog:course_edit", args=[course.pk])),
        ("post", reverse("catalog:course_edit", args=[course.pk])),
        ("post", reverse("catalog:course_publish", args=[course.pk])),
        ("post", reverse("scheduling:course_archive", args=[course.pk])),
        ("post", reverse("catalog:course_duplicate", args=[course.pk])),
        ("get", reverse("catalog:programme_list")),
        ("get", reverse("catalog:programme_create")),
        ("post", reverse("catalog:programme_create")),
        ("get", reverse("catalog:programme_edit", args=[programme.pk])),
        ("post", reverse("catalog:programme_edit", args=[programme.pk])),
        ("get", reverse("catalog:theme_list")),
        ("post", reverse("catalog:theme_list")),
    ]


# --- Who may see what -------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_everywhere() -> None:
    course = CourseFactory()
    urls = [
        ("get", reverse("portal:catalogue")),
        ("get", reverse("portal:course_detail", args=[course.slug])),
        *_manage_urls(course, ProgrammeFactory()),
    ]
    client = Client()
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("people:login")), url


@pytest.mark.parametrize("role", ["agent_user", "hr_viewer", "manager"])
def test_management_pages_are_forbidden_to_non_coordinators(
    role: str, request: pytest.FixtureRequest
) -> None:
    if role == "manager":
        user = request.getfixturevalue("manager_with_team")[0]
    else:
        user = request.getfixturevalue(role)
    course = CourseFactory(status=Course.Status.DRAFT)
    programme: Programme = ProgrammeFactory()
    client = _client(user)
    for method, url in _manage_urls(course, programme):
        data = {"title": "Piratage", "name": "Piratage"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    assert Course.objects.count() == 1
    assert not Theme.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "director"])
def test_management_pages_open_to_the_school(role: str, request: pytest.FixtureRequest) -> None:
    client = _client(request.getfixturevalue(role))
    course = CourseFactory()
    programme: Programme = ProgrammeFactory()
    for method, url in _manage_urls(course, programme):
        if method == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["agent_user", "hr_viewer", "coordinator"])
def test_everyone_signed_in_browses_the_catalogue(
    role: str, request: pytest.FixtureRequest
) -> None:
    CourseFactory(title="Klaxoon pour animer")
    client = _client(request.getfixturevalue(role))
    response = client.get(reverse("portal:catalogue"))
    assert response.status_code == 200
    assert "Klaxoon pour animer" in response.content.decode()


def test_drafts_and_archives_are_hidden_from_agents(agent_user: User, coordinator: User) -> None:
    CourseFactory(title="Visible")
    draft = CourseFactory(title="Brouillon secret", status=Course.Status.DRAFT)
    archived = CourseFactory(title="Ancienne formation", status=Course.Status.ARCHIVED)
    agent = _client(agent_user)
    page = agent.get(reverse("portal:catalogue")).content.decode()
    assert "Visible" in page
    assert "Brouillon secret" not in page
    assert "Ancienne formation" not in page
    for course in (draft, archived):
        url = reverse("portal:course_detail", args=[course.slug])
        assert agent.get(url).status_code == 404
        assert _client(coordinator).get(url).status_code == 200
    assert agent.get(reverse("portal:course_detail", args=["inconnue"])).status_code == 404


# --- Catalogue page -------------------------------------------------------------


def test_catalogue_cards_show_next_date_seats_and_badges(agent_user: User) -> None:
    programme: Programme = ProgrammeFactory(name="École du management")
    course = CourseFactory(
        title="Conduire un entretien",
        programme=programme,
        themes=[ThemeFactory(name="Management")],
        audience=Course.Audience.RESTRICTED,
        audience_managers_only=True,
    )
    stored_session(course, capacity=14)
    page = _client(agent_user).get(reverse("portal:catalogue")).content.decode()
    assert "École du management" in page
    assert "Management" in page
    assert "Prochaine session" in page
    assert "14 places disponibles" in page
    assert "Réservé aux encadrants" in page


def test_catalogue_search_form_filters_without_javascript(agent_user: User) -> None:
    CourseFactory(title="Préparer le concours d'attaché", format=Course.Format.EXAM_PREP)
    CourseFactory(title="Trello en équipe")
    client = _client(agent_user)
    page = client.get(reverse("portal:catalogue"), {"q": "ATTACHE"}).content.decode()
    assert "Préparer le concours d&#x27;attaché" in page
    assert "Trello en équipe" not in page
    page = client.get(reverse("portal:catalogue"), {"format": "concours"}).content.decode()
    assert "Trello en équipe" not in page


def test_catalogue_empty_state_gives_advice(agent_user: User) -> None:
    CourseFactory(title="Trello")
    page = _client(agent_user).get(reverse("portal:catalogue"), {"q": "zzzz"}).content.decode()
    assert "Aucune formation ne correspond à ces critères." in page
    assert "Vérifiez l'orthographe" in page


def test_catalogue_bad_filters_explain_and_list_nothing(agent_user: User) -> None:
    CourseFactory(title="Trello")
    response = _client(agent_user).get(
        reverse("portal:catalogue"),
        {"date_from": "2030-05-10", "date_to": "2030-05-01", "theme": "999999"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "La date de fin ne peut pas précéder la date de début." in page
    assert 'aria-invalid="true"' in page
    assert "Trello" not in page
    # No misleading "the catalogue is empty" under invalid criteria.
    assert "Le catalogue ne contient encore aucune formation publiée." not in page


def test_catalogue_paginates_by_twenty(agent_user: User) -> None:
    CourseFactory.create_batch(23)
    client = _client(agent_user)
    first = client.get(reverse("portal:catalogue")).content.decode()
    assert first.count('<article class="card">') == 20
    assert "Page 1 sur 2" in first
    second = client.get(reverse("portal:catalogue"), {"page": 2}).content.decode()
    assert second.count('<article class="card">') == 3


def test_catalogue_page_links_keep_the_criteria_only(agent_user: User) -> None:
    CourseFactory.create_batch(21, title="Tableur")
    html = (
        _client(agent_user)
        .get(reverse("portal:catalogue"), {"q": "tableur", "utm_source": "mail", "format": ""})
        .content.decode()
    )
    assert 'href="?q=tableur&amp;page=2"' in html
    assert "utm_source=mail&amp;page=" not in html


# --- Course page ----------------------------------------------------------------


def test_course_page_shows_sessions_in_paris_time_with_rooms_and_trainers(agent_user: User) -> None:
    course = CourseFactory(title="Bizagi", external_speaker="Cabinet Conseil")
    room = RoomFactory(name="Salle Hopper")
    trainer: Agent = AgentFactory(first_name="Grace", last_name="Martin")
    stored_session(course, parts=2, room=room, trainers=[trainer], capacity=11)
    page = _client(agent_user).get(reverse("portal:course_detail", args=[course.slug]))
    html = page.content.decode()
    assert "de 09:00 à 12:00" in html
    assert "Salle Hopper" in html
    assert "Grace MARTIN" in html
    assert "11 places disponibles" in html
    assert "intervenant extérieur" in html
    assert "Cette formation vous est ouverte." in html


def test_course_page_tells_an_outsider_why_they_cannot_sign_up(agent_user: User) -> None:
    city: Organisation = OrganisationFactory(name="Ville de Quimper")
    course = CourseFactory(audience=Course.Audience.RESTRICTED)
    course.audience_organisations.set([city])
    html = (
        _client(agent_user)
        .get(reverse("portal:course_detail", args=[course.slug]))
        .content.decode()
    )
    assert (
        "Vous ne pouvez pas vous inscrire : cette formation est réservée aux agents de : Ville de Quimper."
        in html
    )
    assert "Cette formation vous est ouverte." not in html


def test_course_page_refusal_for_non_manager(agent_user: User) -> None:
    course = CourseFactory(audience=Course.Audience.RESTRICTED, audience_managers_only=True)
    html = (
        _client(agent_user)
        .get(reverse("portal:course_detail", args=[course.slug]))
        .content.decode()
    )
    assert "réservée aux agents occupant un poste d&#x27;encadrement" in html


# --- Management forms -----------------------------------------------------------


def _course_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Préparer sa retraite",
        "summary": "Les démarches",
        "objectives": "",
        "content": "",
        "programme": "",
        "format": Course.Format.CONFERENCE,
        "usual_duration_minutes": "90",
        "trainers": "",
        "external_speaker": "",
        "audience": Course.Audience.EVERYONE,
        "training_type": Course.TrainingType.PERSONAL,
    }
    data.update(overrides)
    return data


def test_create_course_through_the_form(coordinator: User) -> None:
    org: Organisation = OrganisationFactory(code="ville")
    trainer: Agent = AgentFactory(organisation=org, matricule="01234")
    theme: Theme = ThemeFactory()
    response = _client(coordinator).post(
        reverse("catalog:course_create"),
        _course_post(
            trainers="VILLE/01234 (Jeanne)\n\n",
            themes=[theme.pk],
            audience=Course.Audience.RESTRICTED,
            audience_categories=["A", "B"],
        ),
    )
    course = Course.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:course_detail", args=[course.slug])
    assert course.status == Course.Status.DRAFT
    assert course.audience_categories == "AB"
    assert list(course.default_trainers.all()) == [trainer]
    assert list(course.themes.all()) == [theme]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Ce champ est obligatoire."),
        ({"usual_duration_minutes": "0"}, "supérieure ou égale à 1"),
        ({"trainers": "VILLE/99999"}, "Agent introuvable : ville/99999."),
        ({"trainers": "Jeanne Dupont"}, "Ligne illisible"),
    ],
)
def test_bad_course_form_rerenders_with_french_errors_and_writes_nothing(
    coordinator: User, overrides: dict[str, Any], message: str
) -> None:
    response = _client(coordinator).post(
        reverse("catalog:course_create"), _course_post(**overrides)
    )
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html
    assert "rien n'a été enregistré" in html
    assert not Course.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_course_refused_by_the_service_rerenders_the_form_and_writes_nothing(
    coordinator: User,
) -> None:
    response = _client(coordinator).post(
        reverse("catalog:course_create"), _course_post(audience=Course.Audience.RESTRICTED)
    )
    assert response.status_code == 200
    assert refusal_codes(response) == ["course.restriction_missing"]
    assert "rien n'a été enregistré" in response.content.decode().replace("&#x27;", "'")
    assert not Course.objects.exists()
    assert not AuditEntry.objects.exists()


def test_edit_form_shows_trainers_as_lines_and_saves(coordinator: User) -> None:
    org: Organisation = OrganisationFactory(code="agglo")
    trainer: Agent = AgentFactory(
        organisation=org, matricule="A7", first_name="Luc", last_name="Le Goff"
    )
    course = CourseFactory(title="Ancien titre")
    course.default_trainers.set([trainer])
    client = _client(coordinator)
    url = reverse("catalog:course_edit", args=[course.pk])
    html = client.get(url).content.decode()
    assert "agglo/A7 (Luc LE GOFF)" in html
    response = client.post(
        url, _course_post(title="Nouveau titre", trainers="agglo/A7 (Luc LE GOFF)")
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Nouveau titre"
    assert list(course.default_trainers.all()) == [trainer]


def test_publish_archive_duplicate_actions(coordinator: User) -> None:
    course = CourseFactory(status=Course.Status.DRAFT)
    client = _client(coordinator)
    assert client.get(reverse("catalog:course_publish", args=[course.pk])).status_code == 405
    response = client.post(reverse("catalog:course_publish", args=[course.pk]), follow=True)
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    assert "est publiée dans le catalogue" in response.content.decode()

    stored_session(course)
    response = client.post(reverse("scheduling:course_archive", args=[course.pk]), follow=True)
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    assert refusal_codes(response) == ["course.has_open_sessions"]

    response = client.post(reverse("catalog:course_duplicate", args=[course.pk]))
    copy = Course.objects.exclude(pk=course.pk).get()
    assert response["Location"] == reverse("catalog:course_edit", args=[copy.pk])
    assert copy.status == Course.Status.DRAFT


def test_programme_pages(coordinator: User) -> None:
    client = _client(coordinator)
    response = client.post(
        reverse("catalog:programme_create"),
        {
            "name": "Ateliers du mardi",
            "rhythm": "Chaque mardi",
            "colour": "#123456",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert "Ateliers du mardi" in client.get(reverse("catalog:programme_list")).content.decode()
    bad = client.post(
        reverse("catalog:programme_edit", args=[programme.pk]),
        {"name": "Ateliers du mardi", "colour": "rouge"},
    )
    assert bad.status_code == 200
    assert refusal_codes(bad) == ["programme.invalid_colour"]
    programme.refresh_from_db()
    assert programme.is_active
    ok = client.post(
        reverse("catalog:programme_edit", args=[programme.pk]),
        {"name": "Ateliers du jeudi", "colour": "#123456"},
    )
    assert ok.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Ateliers du jeudi"
    assert not programme.is_active


def test_theme_inline_create(coordinator: User) -> None:
    client = _client(coordinator)
    assert client.post(reverse("catalog:theme_list"), {"name": "Numérique"}).status_code == 302
    again = client.post(reverse("catalog:theme_list"), {"name": "NUMERIQUE"})
    assert again.status_code == 200
    assert refusal_codes(again) == ["theme.name_taken"]
    assert Theme.objects.count() == 1


# --- Fixed query counts ----------------------------------------------------------


def _populate(courses: int, sessions_per_course: int) -> None:
    theme_a, theme_b = ThemeFactory(), ThemeFactory()
    programme: Programme = ProgrammeFactory()
    room = RoomFactory()
    trainer: Agent = AgentFactory()
    for _ in range(courses):
        course = CourseFactory(programme=programme, themes=[theme_a, theme_b])
        for day in range(sessions_per_course):
            stored_session(course, days_ahead=day + 2, parts=2, room=room, trainers=[trainer])


def _catalogue_queries(
    user: User, django_assert_num_queries: Any, expected: int, params: dict[str, str]
) -> None:
    client = _client(user)
    with django_assert_num_queries(expected):
        response = client.get(reverse("portal:catalogue"), params)
    assert response.status_code == 200


# Session, user (with agent), the navigation's manager check, the three filter
# <select>s, the data versions, the seats left of the listed courses, read live (their
# sessions to come, then one count of the seats held per session).
CATALOGUE_CACHED_QUERIES = 9
# Plus, when the catalogue or the programming changed since the last reading: the
# count, the page of course ids in order, those courses with their figures, their themes.
CATALOGUE_QUERIES = CATALOGUE_CACHED_QUERIES + 4
# "Seats left only" is never cached: its list moves with every sign-up.
CATALOGUE_SEATS_FILTER_QUERIES = CATALOGUE_QUERIES - 1


@pytest.mark.parametrize("size", [3, 30])
def test_catalogue_page_costs_fixed_queries(
    size: int, agent_user: User, django_assert_num_queries: Any
) -> None:
    _populate(size, 2)
    for params in ({}, {"q": "formation", "theme": ""}):
        _catalogue_queries(agent_user, django_assert_num_queries, CATALOGUE_QUERIES, params)
        _catalogue_queries(agent_user, django_assert_num_queries, CATALOGUE_CACHED_QUERIES, params)
    params = {"q": "formation", "seats_left_only": "on"}
    for _ in range(2):
        _catalogue_queries(
            agent_user, django_assert_num_queries, CATALOGUE_SEATS_FILTER_QUERIES, params
        )


# Session, user (with agent), the course with its programme, its organisations
# (a restricted audience), themes, default trainers, the data versions, the seats
# left of the listed sessions (read live), the agent's own registrations to them
# (their sign-up column), the navigation's manager check.
COURSE_PAGE_CACHED_QUERIES = 10
# Plus, when the programming or the agents changed since the last reading: the count
# of sessions, the page of sessions, their parts and their trainers.
COURSE_PAGE_QUERIES = COURSE_PAGE_CACHED_QUERIES + 4


@pytest.mark.parametrize("sessions", [2, 20])
def test_course_page_costs_fixed_queries(
    sessions: int, agent_user: User, django_assert_num_queries: Any
) -> None:
    _populate(1, sessions)
    course = Course.objects.get()
    course.default_trainers.set(AgentFactory.create_batch(2))
    course.audience_organisations.set([agent_user.agent.organisation])
    course.audience = Course.Audience.RESTRICTED
    course.save()
    client = _client(agent_user)
    url = reverse("portal:course_detail", args=[course.slug])
    with django_assert_num_queries(COURSE_PAGE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("M'inscrire<span") == sessions
    with django_assert_num_queries(COURSE_PAGE_CACHED_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("M'inscrire<span") == sessions


def test_course_page_lists_sessions_by_twenty(agent_user: User) -> None:
    _populate(1, 23)
    course = Course.objects.get()
    client = _client(agent_user)
    url = reverse("portal:course_detail", args=[course.slug])
    first = client.get(url).content.decode()
    assert "23 sessions à venir" in first
    assert first.count('<th scope="row">') == 20
    assert "Page 1 sur 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('<th scope="row">') == 3


# Session, user (with agent), manager check, the count, the page of courses, their themes.
MANAGE_QUERIES = 6


@pytest.mark.parametrize("size", [3, 30])
def test_manage_page_costs_fixed_queries(
    size: int, coordinator: User, django_assert_num_queries: Any
) -> None:
    _populate(size, 1)
    CourseFactory.create_batch(size, status=Course.Status.DRAFT)
    client = _client(coordinator)
    with django_assert_num_queries(MANAGE_QUERIES):
        assert client.get(reverse("portal:catalogue_manage")).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_programme_and_theme_lists_cost_fixed_queries(
    size: int, coordinator: User, django_assert_num_queries: Any
) -> None:
    ProgrammeFactory.create_batch(size)
    ThemeFactory.create_batch(size)
    client = _client(coordinator)
    # Session, user (with agent), manager check, then the one annotated list.
    with django_assert_num_queries(4):
        assert client.get(reverse("catalog:programme_list")).status_code == 200
    with django_assert_num_queries(4):
        assert client.get(reverse("catalog:theme_list")).status_code == 200


def test_course_form_costs_fixed_queries_whatever_the_number_of_agents(
    coordinator: User, django_assert_num_queries: Any
) -> None:
    UserFactory.create_batch(5)
    client = _client(coordinator)
    url = reverse("catalog:course_create")
    # Session, user (with agent), manager check, programmes, themes, organisations,
    # known trainers.
    with django_assert_num_queries(7):
        client.get(url)
    AgentFactory.create_batch(60)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert '<select name="trainers"' not in response.content.decode()
