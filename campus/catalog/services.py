"""Writes for the catalogue: programmes, themes and courses.

Each service checks permission, validates, writes and records an audit row in
one transaction. Bad input raises DomainError before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from campus.core import data_versions
from campus.core.actors import Actor
from campus.core.audit import audit_record, diff, snapshot
from campus.core.exceptions import DomainError, NotAllowed
from campus.people.models import Agent, Organisation

from . import policies
from .models import Course, Programme, Theme
from .search_text import build_search_text, fold

PROGRAMME_FIELDS = ["name", "slug", "description", "rhythm", "colour", "is_active"]
COURSE_FIELDS = [
    "title",
    "slug",
    "programme",
    "summary",
    "objectives",
    "content",
    "format",
    "usual_duration_minutes",
    "external_speaker",
    "audience",
    "audience_managers_only",
    "audience_categories",
    "requires_manager_approval",
    "status",
    "training_type",
]
COURSE_M2M_FIELDS = ["themes", "default_trainers", "audience_organisations"]
KNOWN_CATEGORIES = "ABC"
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
# Leaves room for a "-12" suffix inside the 200-character slug column.
SLUG_BASE_LENGTH = 180


def _require_catalog_manager(actor: Actor) -> None:
    if not policies.can_manage_catalog(actor):
        raise NotAllowed(_("Seule l'école gère le catalogue des formations."))


def unique_slug(model: type[models.Model], text: str, *, fallback: str) -> str:
    """A slug for `text` not yet used by `model`: "excel", then "excel-2", "excel-3"…"""
    base = slugify(text)[:SLUG_BASE_LENGTH].strip("-") or fallback
    # One query for every taken candidate rather than one query per attempt.
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _clean_text(value: str, *, label: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(
            _("Le champ « %(label)s » est obligatoire.") % {"label": label},
            code="catalog.field_required",
        )
    if len(value) > max_length:
        raise DomainError(
            _("Le champ « %(label)s » ne peut pas dépasser %(max)d caractères.")
            % {"label": label, "max": max_length},
            code="catalog.field_too_long",
        )
    return value


def _name_taken(queryset: models.QuerySet[Any], name: str) -> bool:
    """True when a row of `queryset` has `name` up to case and accents.

    Compared in Python: SQLite folds only ASCII case, and programmes and themes
    are a few dozen rows.
    """
    folded = fold(name)
    return any(fold(other) == folded for other in queryset.values_list("name", flat=True))


# --- Programmes ---------------------------------------------------------------


def _clean_programme(
    *, name: str, description: str, rhythm: str, colour: str, exclude_pk: int | None
) -> dict[str, Any]:
    name = _clean_text(name, label=_("nom"), max_length=200, required=True)
    others = Programme.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if _name_taken(others, name):
        raise DomainError(
            _("Un programme s'appelle déjà « %(name)s ».") % {"name": name},
            code="programme.name_taken",
        )
    colour = (colour or "").strip()
    if colour and not COLOUR_PATTERN.match(colour):
        raise DomainError(
            _("La couleur doit s'écrire sous la forme #RRVVBB, par exemple #1f3f8f."),
            code="programme.invalid_colour",
        )
    return {
        "name": name,
        "description": (description or "").strip(),
        "rhythm": _clean_text(rhythm, label=_("rythme"), max_length=200),
        "colour": colour,
    }


def programme_create(
    *,
    actor: Actor,
    name: str,
    description: str = "",
    rhythm: str = "",
    colour: str = "",
    is_active: bool = True,
) -> Programme:
    _require_catalog_manager(actor)
    with transaction.atomic():
        data = _clean_programme(
            name=name, description=description, rhythm=rhythm, colour=colour, exclude_pk=None
        )
        programme = Programme.objects.create(
            slug=unique_slug(Programme, data["name"], fallback="programme"),
            is_active=is_active,
            **data,
        )
        data_versions.changed(data_versions.CATALOG)
        audit_record(
            actor=actor,
            action="programme.create",
            obj=programme,
            changes=diff({}, snapshot(programme, PROGRAMME_FIELDS)),
        )
    return programme


def programme_update(
    *,
    actor: Actor,
    programme: Programme,
    name: str,
    description: str = "",
    rhythm: str = "",
    colour: str = "",
    is_active: bool = True,
) -> Programme:
    """Change a programme. Its slug stays, so links already shared keep working."""
    _require_catalog_manager(actor)
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        data = _clean_programme(
            name=name,
            description=description,
            rhythm=rhythm,
            colour=colour,
            exclude_pk=programme.pk,
        )
        before = snapshot(programme, PROGRAMME_FIELDS)
        renamed = data["name"] != programme.name
        for field, value in data.items():
            setattr(programme, field, value)
        programme.is_active = is_active
        changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
        if changes:
            programme.save()
            data_versions.changed(data_versions.CATALOG)
            audit_record(actor=actor, action="programme.update", obj=programme, changes=changes)
        if renamed:
            # The programme's name is searchable on each of its courses.
            _refresh_search_text(Course.objects.filter(programme=programme))
    return programme


# --- Themes -------------------------------------------------------------------


def theme_create(*, actor: Actor, name: str) -> Theme:
    _require_catalog_manager(actor)
    with transaction.atomic():
        name = _clean_text(name, label=_("nom"), max_length=120, required=True)
        if _name_taken(Theme.objects.all(), name):
            raise DomainError(
                _("Le thème « %(name)s » existe déjà.") % {"name": name}, code="theme.name_taken"
            )
        theme = Theme.objects.create(name=name, slug=unique_slug(Theme, name, fallback="theme"))
        data_versions.changed(data_versions.CATALOG)
        audit_record(
            actor=actor,
            action="theme.create",
            obj=theme,
            changes=diff({}, snapshot(theme, ["name", "slug"])),
        )
    return theme


# --- Courses ------------------------------------------------------------------


def _course_state(course: Course) -> dict[str, Any]:
    """Fields and relations of a course as the audit log records them."""
    state = snapshot(course, COURSE_FIELDS)
    for name in COURSE_M2M_FIELDS:
        state[name] = sorted(getattr(course, name).values_list("pk", flat=True))
    return state


def _refresh_search_text(courses: models.QuerySet[Course]) -> None:
    """Recompute the folded search text of `courses` (a bounded set: one course, or a
    programme's courses)."""
    for course in courses.select_related("programme").prefetch_related("themes"):
        text = build_search_text(
            [
                course.title,
                course.summary,
                course.objectives,
                course.content,
                course.programme.name if course.programme else "",
                *(theme.name for theme in course.themes.all()),
            ]
        )
        if text != course.search_text:
            Course.objects.filter(pk=course.pk).update(search_text=text)


def _clean_categories(categories: str | Iterable[str]) -> str:
    letters = [
        letter.upper()
        for letter in (categories if isinstance(categories, str) else "".join(categories))
        if not letter.isspace() and letter not in ",;"
    ]
    unknown = sorted({letter for letter in letters if letter not in KNOWN_CATEGORIES})
    if unknown:
        raise DomainError(
            _("Catégorie inconnue : %(letters)s. Les catégories sont A, B et C.")
            % {"letters": ", ".join(unknown)},
            code="course.unknown_category",
        )
    return "".join(letter for letter in KNOWN_CATEGORIES if letter in letters)


def _clean_course(
    *,
    title: str,
    summary: str,
    objectives: str,
    content: str,
    programme: Programme | None,
    format: str,
    usual_duration_minutes: Any,
    external_speaker: str,
    audience: str,
    audience_managers_only: bool,
    audience_categories: str | Iterable[str],
    audience_organisations: Sequence[Organisation],
    default_trainers: Sequence[Agent],
    requires_manager_approval: bool,
    training_type: str,
) -> dict[str, Any]:
    """Validated values for a course, or DomainError with the first problem found."""
    title = _clean_text(title, label=_("intitulé"), max_length=200, required=True)
    if format not in Course.Format.values:
        raise DomainError(_("Choisissez un format dans la liste."), code="course.unknown_format")
    if training_type not in Course.TrainingType.values:
        raise DomainError(
            _("Choisissez un type de formation dans la liste."), code="course.unknown_training_type"
        )
    if audience not in Course.Audience.values:
        raise DomainError(
            _("Choisissez le public de la formation."), code="course.unknown_audience"
        )
    if (
        isinstance(usual_duration_minutes, bool)
        or not isinstance(usual_duration_minutes, int)
        or usual_duration_minutes <= 0
    ):
        raise DomainError(
            _("La durée habituelle doit être un nombre de minutes supérieur à 0."),
            code="course.invalid_duration",
        )
    categories = _clean_categories(audience_categories)
    organisations = list(audience_organisations)
    if audience == Course.Audience.RESTRICTED:
        if not (audience_managers_only or categories or organisations):
            raise DomainError(
                _(
                    "Pour un public restreint, choisissez au moins une restriction : "
                    "encadrants, catégories ou structures."
                ),
                code="course.restriction_missing",
            )
    else:
        # "Tous les agents" wins: stale restrictions must not linger unseen.
        audience_managers_only, categories, organisations = False, "", []
    trainers = list(default_trainers)
    inactive = [agent.full_name for agent in trainers if not agent.is_active]
    if inactive:
        raise DomainError(
            _("Un animateur habituel doit être un agent actif : %(names)s ne l'est plus.")
            % {"names": ", ".join(inactive)},
            code="course.inactive_trainer",
        )
    return {
        "fields": {
            "title": title,
            "summary": _clean_text(summary, label=_("résumé"), max_length=300),
            "objectives": (objectives or "").strip(),
            "content": (content or "").strip(),
            "programme": programme,
            "format": format,
            "usual_duration_minutes": usual_duration_minutes,
            "external_speaker": _clean_text(
                external_speaker, label=_("intervenant extérieur"), max_length=200
            ),
            "audience": audience,
            "audience_managers_only": bool(audience_managers_only),
            "audience_categories": categories,
            "requires_manager_approval": bool(requires_manager_approval),
            "training_type": training_type,
        },
        "default_trainers": trainers,
        "audience_organisations": organisations,
    }


def course_create(
    *,
    actor: Actor,
    title: str,
    summary: str = "",
    objectives: str = "",
    content: str = "",
    programme: Programme | None = None,
    format: str = Course.Format.WORKSHOP,
    themes: Sequence[Theme] = (),
    usual_duration_minutes: int = 60,
    default_trainers: Sequence[Agent] = (),
    external_speaker: str = "",
    audience: str = Course.Audience.EVERYONE,
    audience_managers_only: bool = False,
    audience_categories: str | Iterable[str] = "",
    audience_organisations: Sequence[Organisation] = (),
    requires_manager_approval: bool = False,
    training_type: str = Course.TrainingType.IMPROVEMENT,
) -> Course:
    """A new course, as a draft: the coordinator publishes it when it is ready."""
    _require_catalog_manager(actor)
    cleaned = _clean_course(
        title=title,
        summary=summary,
        objectives=objectives,
        content=content,
        programme=programme,
        format=format,
        usual_duration_minutes=usual_duration_minutes,
        external_speaker=external_speaker,
        audience=audience,
        audience_managers_only=audience_managers_only,
        audience_categories=audience_categories,
        audience_organisations=audience_organisations,
        default_trainers=default_trainers,
        requires_manager_approval=requires_manager_approval,
        training_type=training_type,
    )
    with transaction.atomic():
        course = Course.objects.create(
            slug=unique_slug(Course, cleaned["fields"]["title"], fallback="formation"),
            status=Course.Status.DRAFT,
            **cleaned["fields"],
        )
        course.themes.set(themes)
        course.default_trainers.set(cleaned["default_trainers"])
        course.audience_organisations.set(cleaned["audience_organisations"])
        _refresh_search_text(Course.objects.filter(pk=course.pk))
        data_versions.changed(data_versions.CATALOG)
        audit_record(
            actor=actor, action="course.create", obj=course, changes=diff({}, _course_state(course))
        )
    course.refresh_from_db()
    return course


def course_update(
    *,
    actor: Actor,
    course: Course,
    title: str,
    summary: str = "",
    objectives: str = "",
    content: str = "",
    programme: Programme | None = None,
    format: str = Course.Format.WORKSHOP,
    themes: Sequence[Theme] = (),
    usual_duration_minutes: int = 60,
    default_trainers: Sequence[Agent] = (),
    external_speaker: str = "",
    audience: str = Course.Audience.EVERYONE,
    audience_managers_only: bool = False,
    audience_categories: str | Iterable[str] = "",
    audience_organisations: Sequence[Organisation] = (),
    requires_manager_approval: bool = False,
    training_type: str = Course.TrainingType.IMPROVEMENT,
) -> Course:
    """Replace a course's description. The slug stays, so shared links keep working."""
    _require_catalog_manager(actor)
    cleaned = _clean_course(
        title=title,
        summary=summary,
        objectives=objectives,
        content=content,
        programme=programme,
        format=format,
        usual_duration_minutes=usual_duration_minutes,
        external_speaker=external_speaker,
        audience=audience,
        audience_managers_only=audience_managers_only,
        audience_categories=audience_categories,
        audience_organisations=audience_organisations,
        default_trainers=default_trainers,
        requires_manager_approval=requires_manager_approval,
        training_type=training_type,
    )
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        before = _course_state(course)
        for field, value in cleaned["fields"].items():
            setattr(course, field, value)
        course.save()
        course.themes.set(themes)
        course.default_trainers.set(cleaned["default_trainers"])
        course.audience_organisations.set(cleaned["audience_organisations"])
        _refresh_search_text(Course.objects.filter(pk=course.pk))
        changes = diff(before, _course_state(course))
        if changes:
            data_versions.changed(data_versions.CATALOG)
            audit_record(actor=actor, action="course.update", obj=course, changes=changes)
    course.refresh_from_db()
    return course


def _set_status(*, actor: Actor, course: Course, status: str, action: str) -> Course:
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status == status == Course.Status.PUBLISHED:
            raise DomainError(
                _("Cette formation est déjà publiée."), code="course.already_published"
            )
        if course.status == status == Course.Status.ARCHIVED:
            raise DomainError(
                _("Cette formation est déjà archivée."), code="course.already_archived"
            )
        before = snapshot(course, ["status"])
        course.status = status
        course.save(update_fields=["status", "updated_at"])
        data_versions.changed(data_versions.CATALOG)
        audit_record(
            actor=actor,
            action=action,
            obj=course,
            changes=diff(before, snapshot(course, ["status"])),
        )
    return course


def course_publish(*, actor: Actor, course: Course) -> Course:
    """Show the course in the agents' catalogue (from a draft, or back from the archive)."""
    _require_catalog_manager(actor)
    return _set_status(
        actor=actor, course=course, status=Course.Status.PUBLISHED, action="course.publish"
    )


def course_archive(*, actor: Actor, course: Course) -> Course:
    """Withdraw the course from the catalogue; its history and past sessions stay.

    Sessions are the programming's business, a layer above: the pages archive
    through `campus.scheduling.services.course_archive`, which first refuses a
    course that still has open sessions to come.
    """
    _require_catalog_manager(actor)
    return _set_status(
        actor=actor, course=course, status=Course.Status.ARCHIVED, action="course.archive"
    )


def course_duplicate(*, actor: Actor, course: Course) -> Course:
    """A draft copy of `course` (description, audience, themes, trainers), without sessions."""
    _require_catalog_manager(actor)
    with transaction.atomic():
        source = Course.objects.get(pk=course.pk)
        title = _("%(title)s (copie)") % {"title": source.title}
        if len(title) > 200:
            title = source.title
        copy = Course.objects.create(
            **{
                field: getattr(source, field)
                for field in COURSE_FIELDS
                if field not in {"title", "slug", "status"}
            },
            title=title,
            slug=unique_slug(Course, title, fallback="formation"),
            status=Course.Status.DRAFT,
        )
        for name in COURSE_M2M_FIELDS:
            getattr(copy, name).set(getattr(source, name).all())
        _refresh_search_text(Course.objects.filter(pk=copy.pk))
        data_versions.changed(data_versions.CATALOG)
        audit_record(
            actor=actor,
            action="course.duplicate",
            obj=copy,
            changes=diff({}, _course_state(copy)),
            message=_("Copie de « %(title)s » (n° %(pk)s).")
            % {"title": source.title, "pk": source.pk},
        )
    copy.refresh_from_db()
    return copy
