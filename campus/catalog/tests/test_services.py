"""Catalogue services: permission, validation that writes nothing, audit rows, slugs."""

from __future__ import annotations

from typing import Any

import pytest

from campus.catalog import services
from campus.catalog.models import Course, Programme, Theme
from campus.catalog.tests.factories import CourseFactory, ProgrammeFactory, ThemeFactory
from campus.core.exceptions import DomainError, NotAllowed
from campus.core.models import AuditEntry
from campus.people.models import Agent, Organisation, User
from campus.people.tests.factories import AgentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Course.objects.count(),
        Programme.objects.count(),
        Theme.objects.count(),
        AuditEntry.objects.count(),
    )


# --- Permission ------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["agent_user", "hr_viewer"])
def test_only_coordinators_write(role_fixture: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(role_fixture)
    course = CourseFactory(status=Course.Status.DRAFT)
    before = _counts()
    with pytest.raises(NotAllowed):
        services.course_create(actor=user, title="Excel")
    with pytest.raises(NotAllowed):
        services.course_publish(actor=user, course=course)
    with pytest.raises(NotAllowed):
        services.programme_create(actor=user, name="Ateliers")
    with pytest.raises(NotAllowed):
        services.theme_create(actor=user, name="Numérique")
    assert _counts() == before


def test_manager_with_team_cannot_write(manager_with_team: tuple[User, list[User]]) -> None:
    manager, _reports = manager_with_team
    with pytest.raises(NotAllowed):
        services.course_create(actor=manager, title="Excel")
    assert not Course.objects.exists()


def test_director_may_write(director: User) -> None:
    assert services.theme_create(actor=director, name="Numérique").name == "Numérique"


# --- Courses ---------------------------------------------------------------------


def test_course_create_writes_a_draft_with_relations_search_text_and_audit(
    coordinator: User,
) -> None:
    programme: Programme = ProgrammeFactory(name="Mardis du numérique")
    theme: Theme = ThemeFactory(name="Bureautique")
    trainer: Agent = AgentFactory()
    org: Organisation = OrganisationFactory(name="Ville d'Été")
    course = services.course_create(
        actor=coordinator,
        title="  Écrire avec Word  ",
        summary="Mise en forme",
        programme=programme,
        themes=[theme],
        usual_duration_minutes=90,
        default_trainers=[trainer],
        audience=Course.Audience.RESTRICTED,
        audience_categories="ba",
        audience_organisations=[org],
        requires_manager_approval=True,
    )
    assert course.title == "Écrire avec Word"
    assert course.slug == "ecrire-avec-word"
    assert course.status == Course.Status.DRAFT
    assert course.audience_categories == "AB"
    assert list(course.themes.all()) == [theme]
    assert list(course.default_trainers.all()) == [trainer]
    assert list(course.audience_organisations.all()) == [org]
    assert "ecrire avec word" in course.search_text
    assert "mardis du numerique" in course.search_text
    assert "bureautique" in course.search_text
    entry = AuditEntry.objects.get(action="course.create")
    assert entry.actor == coordinator
    assert entry.object_id == str(course.pk)
    assert entry.changes["title"] == {"before": None, "after": "Écrire avec Word"}
    assert entry.changes["default_trainers"] == {"before": None, "after": [trainer.pk]}


def test_slugs_are_unique_with_a_numeric_suffix(coordinator: User) -> None:
    slugs = [services.course_create(actor=coordinator, title="Excel").slug for _ in range(3)]
    assert slugs == ["excel", "excel-2", "excel-3"]


def test_a_title_without_letters_still_gets_a_slug(coordinator: User) -> None:
    assert services.course_create(actor=coordinator, title="!!!").slug == "formation"


def test_external_speaker_without_trainer_is_fine(coordinator: User) -> None:
    course = services.course_create(
        actor=coordinator, title="Droit des élections", external_speaker="Me Martin, avocate"
    )
    assert course.external_speaker == "Me Martin, avocate"
    assert not course.default_trainers.exists()


def test_everyone_audience_clears_restrictions(coordinator: User) -> None:
    course = services.course_create(
        actor=coordinator,
        title="Accueil",
        audience=Course.Audience.EVERYONE,
        audience_managers_only=True,
        audience_categories="A",
        audience_organisations=list(OrganisationFactory.create_batch(1)),
    )
    assert not course.audience_managers_only
    assert course.audience_categories == ""
    assert not course.audience_organisations.exists()


# The input, the refusal's code, and what its sentence must name (the field, the limit…).
BAD_COURSE_INPUTS: list[tuple[dict[str, Any], str, str]] = [
    ({"title": "   "}, "catalog.field_required", "« intitulé »"),
    ({"title": "x" * 201}, "catalog.field_too_long", "200 caractères"),
    ({"usual_duration_minutes": 0}, "course.invalid_duration", ""),
    ({"usual_duration_minutes": -30}, "course.invalid_duration", ""),
    ({"format": "karaoke"}, "course.unknown_format", ""),
    ({"training_type": "loisir"}, "course.unknown_training_type", ""),
    ({"audience": Course.Audience.RESTRICTED}, "course.restriction_missing", ""),
    (
        {"audience": Course.Audience.RESTRICTED, "audience_categories": "AD"},
        "course.unknown_category",
        ": D.",
    ),
]


@pytest.mark.parametrize(("overrides", "code", "named"), BAD_COURSE_INPUTS)
def test_course_create_bad_input_writes_nothing(
    coordinator: User, overrides: dict[str, Any], code: str, named: str
) -> None:
    kwargs: dict[str, Any] = {"title": "Excel", **overrides}
    before = _counts()
    with pytest.raises(DomainError) as excinfo:
        services.course_create(actor=coordinator, **kwargs)
    assert excinfo.value.code == code
    assert named in excinfo.value.message
    assert _counts() == before


def test_inactive_trainer_refused(coordinator: User) -> None:
    gone: Agent = AgentFactory(first_name="Paul", last_name="Durand", is_active=False)
    with pytest.raises(DomainError) as excinfo:
        services.course_create(actor=coordinator, title="Excel", default_trainers=[gone])
    assert excinfo.value.code == "course.inactive_trainer"
    assert "Paul DURAND" in excinfo.value.message
    assert not Course.objects.exists()
    assert not AuditEntry.objects.exists()


def test_course_update_changes_fields_keeps_slug_and_audits(coordinator: User) -> None:
    course = services.course_create(actor=coordinator, title="Excel débutant")
    theme: Theme = ThemeFactory(name="Tableur")
    updated = services.course_update(
        actor=coordinator,
        course=course,
        title="Excel pour débuter",
        themes=[theme],
        usual_duration_minutes=120,
        audience=Course.Audience.RESTRICTED,
        audience_managers_only=True,
    )
    assert updated.slug == "excel-debutant"
    assert updated.usual_duration_minutes == 120
    assert updated.audience_managers_only
    assert "tableur" in updated.search_text
    assert "excel pour debuter" in updated.search_text
    entry = AuditEntry.objects.get(action="course.update")
    assert entry.changes["title"] == {"before": "Excel débutant", "after": "Excel pour débuter"}
    assert entry.changes["themes"] == {"before": [], "after": [theme.pk]}


def test_course_update_bad_input_changes_nothing(coordinator: User) -> None:
    course = services.course_create(actor=coordinator, title="Excel", usual_duration_minutes=60)
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as excinfo:
        services.course_update(
            actor=coordinator, course=course, title="Excel", usual_duration_minutes=0
        )
    assert excinfo.value.code == "course.invalid_duration"
    course.refresh_from_db()
    assert course.usual_duration_minutes == 60
    assert AuditEntry.objects.count() == audits


def test_course_update_without_change_writes_no_audit(coordinator: User) -> None:
    course = services.course_create(actor=coordinator, title="Excel")
    services.course_update(actor=coordinator, course=course, title="Excel")
    assert not AuditEntry.objects.filter(action="course.update").exists()


def test_publish_archive_and_republish(coordinator: User) -> None:
    course = services.course_create(actor=coordinator, title="Excel")
    course = services.course_publish(actor=coordinator, course=course)
    assert course.status == Course.Status.PUBLISHED
    with pytest.raises(DomainError) as excinfo:
        services.course_publish(actor=coordinator, course=course)
    assert excinfo.value.code == "course.already_published"
    course = services.course_archive(actor=coordinator, course=course)
    assert course.status == Course.Status.ARCHIVED
    with pytest.raises(DomainError) as excinfo:
        services.course_archive(actor=coordinator, course=course)
    assert excinfo.value.code == "course.already_archived"
    course = services.course_publish(actor=coordinator, course=course)
    assert course.status == Course.Status.PUBLISHED
    actions = list(
        AuditEntry.objects.filter(object_id=str(course.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["course.create", "course.publish", "course.archive", "course.publish"]


def test_duplicate_copies_description_and_relations_as_a_draft(coordinator: User) -> None:
    theme: Theme = ThemeFactory()
    trainer: Agent = AgentFactory()
    org: Organisation = OrganisationFactory()
    source = services.course_create(
        actor=coordinator,
        title="Prise de poste",
        themes=[theme],
        default_trainers=[trainer],
        audience=Course.Audience.RESTRICTED,
        audience_managers_only=True,
        audience_organisations=[org],
        usual_duration_minutes=210,
    )
    services.course_publish(actor=coordinator, course=source)
    copy = services.course_duplicate(actor=coordinator, course=source)
    assert copy.pk != source.pk
    assert copy.title == "Prise de poste (copie)"
    assert copy.slug == "prise-de-poste-copie"
    assert copy.status == Course.Status.DRAFT
    assert copy.usual_duration_minutes == 210
    assert copy.audience_managers_only
    assert list(copy.themes.all()) == [theme]
    assert list(copy.default_trainers.all()) == [trainer]
    assert list(copy.audience_organisations.all()) == [org]
    assert "prise de poste" in copy.search_text
    entry = AuditEntry.objects.get(action="course.duplicate")
    assert entry.object_id == str(copy.pk)
    assert str(source.pk) in entry.message


# --- Programmes and themes --------------------------------------------------------


def test_programme_create_and_update(coordinator: User) -> None:
    programme = services.programme_create(
        actor=coordinator, name="Mardis du numérique", rhythm="chaque mardi midi", colour="#336699"
    )
    assert programme.slug == "mardis-du-numerique"
    course = services.course_create(actor=coordinator, title="Trello", programme=programme)
    services.programme_update(
        actor=coordinator, programme=programme, name="Midis numériques", colour="#336699"
    )
    programme.refresh_from_db()
    assert programme.name == "Midis numériques"
    assert programme.slug == "mardis-du-numerique"
    course.refresh_from_db()
    # The course is found under the programme's new name.
    assert "midis numeriques" in course.search_text
    assert "mardis" not in course.search_text
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"programme.create", "programme.update"} <= actions


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"name": " "}, "catalog.field_required"),
        ({"name": "ateliers NUMÉRIQUES"}, "programme.name_taken"),
        ({"name": "Concours", "colour": "bleu"}, "programme.invalid_colour"),
    ],
)
def test_programme_bad_input_writes_nothing(
    coordinator: User, kwargs: dict[str, Any], code: str
) -> None:
    ProgrammeFactory(name="Ateliers numériques")
    before = _counts()
    with pytest.raises(DomainError) as excinfo:
        services.programme_create(actor=coordinator, **kwargs)
    assert excinfo.value.code == code
    assert _counts() == before


def test_programme_update_refuses_another_programmes_name(coordinator: User) -> None:
    ProgrammeFactory(name="Concours")
    programme: Programme = ProgrammeFactory(name="Management")
    with pytest.raises(DomainError) as excinfo:
        services.programme_update(actor=coordinator, programme=programme, name="concours")
    assert excinfo.value.code == "programme.name_taken"
    programme.refresh_from_db()
    assert programme.name == "Management"
    assert not AuditEntry.objects.exists()


def test_theme_create_and_duplicates(coordinator: User) -> None:
    theme = services.theme_create(actor=coordinator, name="Développement durable")
    assert theme.slug == "developpement-durable"
    assert AuditEntry.objects.filter(action="theme.create", object_id=str(theme.pk)).exists()
    with pytest.raises(DomainError) as excinfo:
        services.theme_create(actor=coordinator, name="développement DURABLE")
    assert excinfo.value.code == "theme.name_taken"
    with pytest.raises(DomainError) as excinfo:
        services.theme_create(actor=coordinator, name="")
    assert excinfo.value.code == "catalog.field_required"
    assert Theme.objects.count() == 1
    assert AuditEntry.objects.count() == 1
