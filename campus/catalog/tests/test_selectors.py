"""Catalogue search and the course page's read: words, filters, sessions, seats left."""

from __future__ import annotations

import datetime

import pytest
from django.db import models
from django.utils import timezone

from campus.catalog import selectors, services
from campus.catalog.models import Course, Programme, Theme
from campus.catalog.tests.factories import (
    CourseFactory,
    ProgrammeFactory,
    RoomFactory,
    ThemeFactory,
    make_session,
)
from campus.people.models import Agent, User
from campus.people.tests.factories import AgentFactory, OrganisationFactory
from campus.scheduling import selectors as scheduling_selectors

pytestmark = pytest.mark.django_db


def _titles(qs: models.QuerySet[Course]) -> list[str]:
    return sorted(course.title for course in qs)


@pytest.fixture
def seats_taken_from_min_participants(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations do not exist yet, so no seat is ever taken. To see the catalogue
    follow the shared seats definition, pretend `min_participants` seats are taken."""
    monkeypatch.setattr(
        scheduling_selectors, "seats_taken_expression", lambda: models.F("min_participants")
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
    assert _titles(selectors.catalogue_search(text=text)) == [written.title]


def test_every_word_must_match(written: Course) -> None:
    assert _titles(selectors.catalogue_search(text="écrire tableur")) == []
    assert _titles(selectors.catalogue_search(text="excel")) == ["Tableur Excel"]
    assert len(selectors.catalogue_search(text="   ")) == 2


def test_drafts_and_archives_are_hidden_unless_asked() -> None:
    CourseFactory(title="Publiée")
    CourseFactory(title="Brouillon", status=Course.Status.DRAFT)
    CourseFactory(title="Archivée", status=Course.Status.ARCHIVED)
    assert _titles(selectors.catalogue_search()) == ["Publiée"]
    assert _titles(selectors.catalogue_search(include_unpublished=True)) == [
        "Archivée",
        "Brouillon",
        "Publiée",
    ]
    assert _titles(selectors.catalogue_search(include_unpublished=True, status="draft")) == [
        "Brouillon"
    ]


# --- Filters --------------------------------------------------------------------


def test_programme_theme_and_format_filters() -> None:
    programme: Programme = ProgrammeFactory()
    theme: Theme = ThemeFactory()
    CourseFactory(title="Dans le programme", programme=programme)
    CourseFactory(title="Avec le thème", themes=[theme, ThemeFactory()])
    CourseFactory(title="Conférence", format=Course.Format.CONFERENCE)
    assert _titles(selectors.catalogue_search(programme=programme)) == ["Dans le programme"]
    assert _titles(selectors.catalogue_search(theme=theme)) == ["Avec le thème"]
    assert _titles(selectors.catalogue_search(format="conference")) == ["Conférence"]


def test_organisation_filter_keeps_courses_open_to_its_agents() -> None:
    city, ccas = OrganisationFactory(), OrganisationFactory()
    CourseFactory(title="Pour tous")
    managers = CourseFactory(title="Encadrants", audience="restricted", audience_managers_only=True)
    for_city = CourseFactory(title="Ville seulement", audience="restricted")
    for_city.audience_organisations.set([city])
    for_ccas = CourseFactory(title="CCAS seulement", audience="restricted")
    for_ccas.audience_organisations.set([ccas])
    assert managers.pk
    assert _titles(selectors.catalogue_search(organisation=city)) == [
        "Encadrants",
        "Pour tous",
        "Ville seulement",
    ]


def test_next_session_and_seats_count_only_upcoming_open_sessions() -> None:
    course = CourseFactory()
    make_session(course, days_ahead=-3, capacity=50)  # past
    make_session(course, days_ahead=2, capacity=40, status="draft")
    make_session(course, days_ahead=4, capacity=30, status="cancelled")
    soon = make_session(course, days_ahead=6, capacity=12)
    make_session(course, days_ahead=20, capacity=8)
    CourseFactory(title="Sans session")
    found = {c.title: c for c in selectors.catalogue_search()}
    assert found[course.title].next_session_at == soon.starts_at
    assert found[course.title].upcoming_count == 2
    assert found[course.title].seats_left_total == 20
    assert found["Sans session"].next_session_at is None
    assert found["Sans session"].seats_left_total is None
    # Courses with a session to come are listed first.
    assert next(iter(selectors.catalogue_search())).pk == course.pk


def test_seats_left_filter(seats_taken_from_min_participants: None) -> None:
    full = CourseFactory(title="Complète")
    session = make_session(full, capacity=10)
    session.min_participants = 10  # ten seats "taken" by the fixture
    session.save()
    open_course = CourseFactory(title="Places libres")
    partly = make_session(open_course, capacity=10)
    partly.min_participants = 4
    partly.save()
    CourseFactory(title="Sans session")
    found = {c.title: c for c in selectors.catalogue_search()}
    assert found["Complète"].seats_left_total == 0
    assert found["Places libres"].seats_left_total == 6
    assert _titles(selectors.catalogue_search(seats_left_only=True)) == ["Places libres"]


def test_date_window_filters_and_narrows_the_session_figures() -> None:
    today = timezone.localdate()
    weekly = CourseFactory(title="Hebdomadaire")
    near = make_session(weekly, days_ahead=3, capacity=10)
    far = make_session(weekly, days_ahead=30, capacity=7)
    later = CourseFactory(title="Plus tard")
    make_session(later, days_ahead=60)
    CourseFactory(title="Sans session")

    window = selectors.catalogue_search(
        date_from=today + datetime.timedelta(days=20), date_to=today + datetime.timedelta(days=40)
    )
    assert _titles(window) == ["Hebdomadaire"]
    (course,) = window
    assert course.next_session_at == far.starts_at
    assert course.seats_left_total == 7

    # Both bounds are inclusive days.
    exact = selectors.catalogue_search(
        date_from=today + datetime.timedelta(days=3), date_to=today + datetime.timedelta(days=3)
    )
    assert [c.next_session_at for c in exact] == [near.starts_at]
    assert _titles(selectors.catalogue_search(date_from=today + datetime.timedelta(days=31))) == [
        "Plus tard"
    ]
    assert _titles(selectors.catalogue_search(date_to=today + datetime.timedelta(days=10))) == [
        "Hebdomadaire"
    ]


# --- Course page ----------------------------------------------------------------


def test_course_detail_lists_upcoming_open_sessions_with_parts_rooms_trainers() -> None:
    course = CourseFactory()
    room = RoomFactory(name="Salle Turing")
    trainer: Agent = AgentFactory(first_name="Ada", last_name="Lovelace")
    make_session(course, days_ahead=-5)
    make_session(course, days_ahead=5, status="cancelled")
    second = make_session(course, days_ahead=15, parts=2, room=room, capacity=9)
    first = make_session(course, days_ahead=8, trainers=[trainer])

    detail = selectors.course_detail(course.slug)
    sessions = detail.upcoming_sessions
    assert [s.pk for s in sessions] == [first.pk, second.pk]
    assert sessions[1].seats_left == 9
    assert [p.room for p in sessions[1].parts.all()] == [room, room]
    assert list(sessions[0].trainers.all()) == [trainer]


def test_course_detail_hides_unpublished_unless_asked() -> None:
    draft = CourseFactory(status=Course.Status.DRAFT)
    with pytest.raises(Course.DoesNotExist):
        selectors.course_detail(draft.slug)
    assert selectors.course_detail(draft.slug, include_unpublished=True).pk == draft.pk


def test_known_trainers_are_active_agents_already_teaching() -> None:
    default_trainer: Agent = AgentFactory()
    session_trainer: Agent = AgentFactory()
    AgentFactory()  # never taught
    gone: Agent = AgentFactory(is_active=False)
    course = CourseFactory()
    course.default_trainers.set([default_trainer, gone])
    make_session(course, trainers=[session_trainer, default_trainer])
    assert set(selectors.known_trainers()) == {default_trainer, session_trainer}
