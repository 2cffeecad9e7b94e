"""Catalogue search and the course page's read: words, filters, sessions, seats left."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from campus.catalog import selectors, services
from campus.catalog.models import Course, Programme, Theme
from campus.catalog.tests.factories import CourseFactory, ProgrammeFactory, ThemeFactory
from campus.people.models import Agent, User
from campus.people.tests.factories import AgentFactory, OrganisationFactory
from campus.portal import catalogue
from campus.registrations.models import Registration
from campus.scheduling.tests.factories import RoomFactory, stored_session

pytestmark = pytest.mark.django_db


def _titles(qs: models.QuerySet[Course]) -> list[str]:
    return sorted(course.title for course in qs)


def _take_seats(session: Any, count: int) -> None:
    """`count` confirmed registrations of fresh agents: seats as the sign-ups hold them."""
    for _ in range(count):
        Registration.objects.create(
            session=session,
            agent=AgentFactory(),
            state=Registration.State.CONFIRMED,
            queued_at=timezone.now(),
        )


# --- Words ----------------------------------------------------------------------


@pytest.fixture
def written(coordinator: User) -> Course:
    programme = services.programme_create(actor=coordinator, name="École des managers")
    theme = services.theme_create(actor=coordinator, name="Communication écrite")
    course = services.course_create(
        actor=coordinator,
        title="Écrire un courriel efficace",
        summary="Clarté et concision",
        objectives="Savoir structurer un message",
        content="Exercices pratiques sur l'Œuvre épistolaire",
        programme=programme,
        themes=[theme],
    )
    services.course_publish(actor=coordinator, course=course)
    other = services.course_create(actor=coordinator, title="Tableur Excel")
    services.course_publish(actor=coordinator, course=other)
    return course


@pytest.mark.parametrize(
    "text",
    [
        "écrire",
        "ecrire",
        "ÉCRIRE",
        "Ecrire",
        "COURRIEL écrire",
        "clarte",
        "STRUCTURER",
        "oeuvre",
        "ecole des managers",
        "communication ECRITE",
    ],
)
def test_words_match_any_text_ignoring_case_and_accents(written: Course, text: str) -> None:
    assert _titles(catalogue.catalogue_search(text=text)) == [written.title]


def test_every_word_must_match(written: Course) -> None:
    assert _titles(catalogue.catalogue_search(text="écrire tableur")) == []
    assert _titles(catalogue.catalogue_search(text="excel")) == ["Tableur Excel"]
    assert len(catalogue.catalogue_search(text="   ")) == 2


def test_drafts_and_archives_are_hidden_unless_asked() -> None:
    CourseFactory(title="Publiée")
    CourseFactory(title="Brouillon", status=Course.Status.DRAFT)
    CourseFactory(title="Archivée", status=Course.Status.ARCHIVED)
    assert _titles(catalogue.catalogue_search()) == ["Publiée"]
    assert _titles(catalogue.catalogue_search(include_unpublished=True)) == [
        "Archivée",
        "Brouillon",
        "Publiée",
    ]
    assert _titles(catalogue.catalogue_search(include_unpublished=True, status="draft")) == [
        "Brouillon"
    ]


# --- Filters --------------------------------------------------------------------


def test_programme_theme_and_format_filters() -> None:
    programme: Programme = ProgrammeFactory()
    theme: Theme = ThemeFactory()
    CourseFactory(title="Dans le programme", programme=programme)
    CourseFactory(title="Avec le thème", themes=[theme, ThemeFactory()])
    CourseFactory(title="Conférence", format=Course.Format.CONFERENCE)
    assert _titles(catalogue.catalogue_search(programme=programme)) == ["Dans le programme"]
    assert _titles(catalogue.catalogue_search(theme=theme)) == ["Avec le thème"]
    assert _titles(catalogue.catalogue_search(format="conference")) == ["Conférence"]


def test_organisation_filter_keeps_courses_open_to_its_agents() -> None:
    city, ccas = OrganisationFactory(), OrganisationFactory()
    CourseFactory(title="Pour tous")
    managers = CourseFactory(title="Encadrants", audience="restricted", audience_managers_only=True)
    for_city = CourseFactory(title="Ville seulement", audience="restricted")
    for_city.audience_organisations.set([city])
    for_ccas = CourseFactory(title="CCAS seulement", audience="restricted")
    for_ccas.audience_organisations.set([ccas])
    assert managers.pk
    assert _titles(catalogue.catalogue_search(organisation=city)) == [
        "Encadrants",
        "Pour tous",
        "Ville seulement",
    ]


def test_next_session_and_seats_count_only_upcoming_open_sessions() -> None:
    course = CourseFactory()
    stored_session(course, days_ahead=-3, capacity=50)  # past
    stored_session(course, days_ahead=2, capacity=40, status="draft")
    stored_session(course, days_ahead=4, capacity=30, status="cancelled")
    soon = stored_session(course, days_ahead=6, capacity=12)
    stored_session(course, days_ahead=20, capacity=8)
    CourseFactory(title="Sans session")
    found = {c.title: c for c in catalogue.catalogue_search()}
    assert found[course.title].next_session_at == soon.starts_at
    assert found[course.title].upcoming_count == 2
    assert found[course.title].seats_left_total == 20
    assert found["Sans session"].next_session_at is None
    assert found["Sans session"].seats_left_total is None
    # Courses with a session to come are listed first.
    assert next(iter(catalogue.catalogue_search())).pk == course.pk


def test_seats_left_filter() -> None:
    full = CourseFactory(title="Complète")
    session = stored_session(full, capacity=10)
    _take_seats(session, 10)
    open_course = CourseFactory(title="Places libres")
    partly = stored_session(open_course, capacity=10)
    _take_seats(partly, 4)
    CourseFactory(title="Sans session")
    found = {c.title: c for c in catalogue.catalogue_search()}
    assert found["Complète"].seats_left_total == 0
    assert found["Places libres"].seats_left_total == 6
    assert _titles(catalogue.catalogue_search(seats_left_only=True)) == ["Places libres"]


def test_date_window_filters_and_narrows_the_session_figures() -> None:
    today = timezone.localdate()
    weekly = CourseFactory(title="Hebdomadaire")
    near = stored_session(weekly, days_ahead=3, capacity=10)
    far = stored_session(weekly, days_ahead=30, capacity=7)
    later = CourseFactory(title="Plus tard")
    stored_session(later, days_ahead=60)
    CourseFactory(title="Sans session")

    window = catalogue.catalogue_search(
        date_from=today + datetime.timedelta(days=20), date_to=today + datetime.timedelta(days=40)
    )
    assert _titles(window) == ["Hebdomadaire"]
    (course,) = window
    assert course.next_session_at == far.starts_at
    assert course.seats_left_total == 7

    # Both bounds are inclusive days.
    exact = catalogue.catalogue_search(
        date_from=today + datetime.timedelta(days=3), date_to=today + datetime.timedelta(days=3)
    )
    assert [c.next_session_at for c in exact] == [near.starts_at]
    assert _titles(catalogue.catalogue_search(date_from=today + datetime.timedelta(days=31))) == [
        "Plus tard"
    ]
    assert _titles(catalogue.catalogue_search(date_to=today + datetime.timedelta(days=10))) == [
        "Hebdomadaire"
    ]


# --- The agents' catalogue page --------------------------------------------------


def _card_titles(page: Any) -> list[str]:
    return [card.title for card in page.object_list]


def test_catalogue_page_has_the_search_order_and_figures() -> None:
    theme: Theme = ThemeFactory(name="Numérique")
    programme: Programme = ProgrammeFactory(name="Les mardis")
    later = CourseFactory(title="B plus tard", themes=[theme], programme=programme)
    stored_session(later, days_ahead=20, capacity=8)
    soon = CourseFactory(title="C bientôt", usual_duration_minutes=90)
    session = stored_session(soon, days_ahead=3, capacity=10)
    _take_seats(session, 4)
    stored_session(soon, days_ahead=10, capacity=5)
    CourseFactory(title="A sans session")
    CourseFactory(title="Brouillon", status=Course.Status.DRAFT)

    page = catalogue.catalogue_page(1)
    assert _card_titles(page) == [c.title for c in catalogue.catalogue_search()]
    assert _card_titles(page) == ["C bientôt", "B plus tard", "A sans session"]
    first, second, third = page.object_list
    assert first.next_session.startswith("Prochaine session : ")
    assert first.next_session.endswith(" à 09:00")
    assert first.upcoming == "2 sessions à venir"
    assert first.seats == selectors.Badge("11 places disponibles", "badge-ok")
    assert first.facts == "Atelier · 1 h 30"
    assert first.url == f"/catalogue/formations/{soon.slug}/"
    assert second.upcoming == ""
    assert second.themes == ["Numérique"]
    assert second.facts.startswith("Les mardis · ")
    assert third.next_session == ""
    assert third.seats is None


def test_catalogue_page_filters_like_the_search() -> None:
    today = timezone.localdate()
    full = CourseFactory(title="Complète Excel")
    session = stored_session(full, days_ahead=30, capacity=3)
    _take_seats(session, 3)
    free = CourseFactory(title="Places Excel")
    stored_session(free, days_ahead=5, capacity=3)
    stored_session(free, days_ahead=40, capacity=2)
    CourseFactory(title="Sans session Excel")
    CourseFactory(title="Trello")

    assert _card_titles(catalogue.catalogue_page(1, text="EXCEL", seats_left_only=True)) == [
        "Places Excel"
    ]
    window = catalogue.catalogue_page(
        1,
        date_from=today + datetime.timedelta(days=20),
        date_to=today + datetime.timedelta(days=45),
    )
    assert _card_titles(window) == ["Complète Excel", "Places Excel"]
    # The figures cover the window only.
    assert window.object_list[0].seats == selectors.Badge("Complet", "badge-off")
    assert window.object_list[1].seats == selectors.Badge("2 places disponibles", "badge-ok")
    assert window.object_list[1].upcoming == ""
    empty = catalogue.catalogue_page(1, text="zzz")
    assert empty.paginator.count == 0
    assert list(empty.object_list) == []


def test_catalogue_page_by_twenty() -> None:
    CourseFactory.create_batch(23)
    assert len(catalogue.catalogue_page(1).object_list) == 20
    last = catalogue.catalogue_page("abc")
    assert last.number == 1
    last = catalogue.catalogue_page(7)
    assert last.number == 2
    assert len(last.object_list) == 3


def test_course_badges_in_words() -> None:
    course = CourseFactory(
        status=Course.Status.ARCHIVED,
        audience=Course.Audience.RESTRICTED,
        audience_categories="AB",
        requires_manager_approval=True,
    )
    assert selectors.course_badges(course) == [
        selectors.Badge("Archivée", "badge-off"),
        selectors.Badge("Catégories A, B"),
        selectors.Badge("Accord du responsable"),
    ]
    restricted = CourseFactory(audience=Course.Audience.RESTRICTED)
    assert selectors.course_badges(restricted) == [selectors.Badge("Public restreint")]


# --- Course page ----------------------------------------------------------------


def test_course_sessions_page_lists_upcoming_open_sessions_with_parts_rooms_trainers() -> None:
    course = CourseFactory()
    room = RoomFactory(name="Salle Turing", venue__name="Hôtel de ville", step_free_access=False)
    trainer: Agent = AgentFactory(first_name="Ada", last_name="Lovelace")
    other: Agent = AgentFactory(first_name="Alan", last_name="Babbage")
    stored_session(course, days_ahead=-5)
    stored_session(course, days_ahead=5, status="cancelled")
    second = stored_session(
        course, days_ahead=15, parts=2, room=room, capacity=9, title_suffix="bis"
    )
    first = stored_session(course, days_ahead=8, trainers=[trainer, other])
    first.external_speaker = "Cabinet Conseil"
    first.save()
    stored_session(CourseFactory(), days_ahead=3)  # another course's

    page = catalogue.course_sessions_page(course, 1)
    rows = list(page.object_list)
    assert [row.pk for row in rows] == [first.pk, second.pk]
    assert page.paginator.count == 2
    # Trainers by name, as people look for them.
    assert rows[0].trainers == "Alan BABBAGE, Ada LOVELACE"
    assert rows[0].external_speaker == "Cabinet Conseil"
    assert rows[0].places == [catalogue.Place("")]
    assert rows[0].slots[0].endswith(", de 09:00 à 12:00")
    assert rows[1].heading.endswith(" – bis")
    assert len(rows[1].slots) == 2
    assert rows[1].places == [catalogue.Place("Salle Turing – Hôtel de ville", with_steps=True)] * 2
    assert rows[1].seats == selectors.Badge("9 places disponibles", "badge-ok")
    assert rows[1].capacity == "sur 9"
    assert rows[1].has_seats
    assert rows[1].signup_url == f"/inscriptions/sessions/{second.pk}/inscription/"


def test_course_sessions_page_by_twenty() -> None:
    course = CourseFactory()
    for day in range(23):
        stored_session(course, days_ahead=day + 2)
    first = catalogue.course_sessions_page(course, 1)
    assert len(first.object_list) == catalogue.COURSE_SESSIONS_PAGE_SIZE == 20
    assert first.paginator.count == 23
    last = catalogue.course_sessions_page(course, "99")
    assert last.number == 2
    assert len(last.object_list) == 3
    assert list(catalogue.course_sessions_page(CourseFactory(), 1).object_list) == []


def test_course_detail_hides_unpublished_unless_asked() -> None:
    draft = CourseFactory(status=Course.Status.DRAFT)
    with pytest.raises(Course.DoesNotExist):
        selectors.course_detail(draft.slug)
    assert selectors.course_detail(draft.slug, include_unpublished=True).pk == draft.pk


def test_known_trainers_are_active_usual_trainers_of_a_course() -> None:
    default_trainer: Agent = AgentFactory()
    AgentFactory()  # never taught
    gone: Agent = AgentFactory(is_active=False)
    course = CourseFactory()
    course.default_trainers.set([default_trainer, gone])
    assert list(selectors.known_trainers()) == [default_trainer]
