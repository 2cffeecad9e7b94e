"""Reads for the catalogue. Each page costs a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils.translation import gettext as _

from campus.people.models import Agent, Organisation

from .models import Course, Programme, Theme
from .search_text import fold_words


def matching_courses(
    *,
    text: str = "",
    programme: Programme | None = None,
    theme: Theme | None = None,
    format: str = "",
    organisation: Organisation | None = None,
    include_unpublished: bool = False,
    status: str = "",
) -> models.QuerySet[Course]:
    """The courses a search keeps, before any session figure is computed.

    Every word of `text` must appear, ignoring case and accents. `organisation`
    keeps the courses its agents may attend. Published courses only unless
    `include_unpublished` (the coordinators' list, which may narrow by `status`).
    """
    courses = Course.objects.all()
    if not include_unpublished:
        courses = courses.filter(status=Course.Status.PUBLISHED)
    elif status:
        courses = courses.filter(status=status)
    # Both sides are already folded to lower case: a plain `contains` spares
    # PostgreSQL an UPPER() of every course's text.
    for word in fold_words(text):
        courses = courses.filter(search_text__contains=word)
    if programme is not None:
        courses = courses.filter(programme=programme)
    if theme is not None:
        courses = courses.filter(
            Exists(Course.themes.through.objects.filter(course_id=OuterRef("pk"), theme=theme))
        )
    if format:
        courses = courses.filter(format=format)
    if organisation is not None:
        allowed = Course.audience_organisations.through.objects.filter(course_id=OuterRef("pk"))
        courses = courses.filter(
            Q(audience=Course.Audience.EVERYONE)
            | ~Exists(allowed)
            | Exists(allowed.filter(organisation=organisation))
        )
    return courses


@dataclass(frozen=True)
class Badge:
    label: str
    css: str = ""


def course_badges(course: Course) -> list[Badge]:
    """Status and audience badges of a course, in words (never colour alone)."""
    badges = []
    if course.status == Course.Status.DRAFT:
        badges.append(Badge(_("Brouillon")))
    elif course.status == Course.Status.ARCHIVED:
        badges.append(Badge(_("Archivée"), "badge-off"))
    if course.is_restricted:
        if course.audience_managers_only:
            badges.append(Badge(_("Réservé aux encadrants")))
        if course.audience_categories:
            letters = ", ".join(course.audience_categories)
            badges.append(Badge(_("Catégories %(letters)s") % {"letters": letters}))
        if not course.audience_managers_only and not course.audience_categories:
            badges.append(Badge(_("Public restreint")))
    if course.requires_manager_approval:
        badges.append(Badge(_("Accord du responsable")))
    return badges


def course_detail(slug: str, *, include_unpublished: bool = False) -> Course:
    """One course with its programme and, if restricted, its organisations; raises DoesNotExist.

    Enough for the page's header and the reader's sign-up verdict
    (`audience_refusal` reads the organisations of a restricted course). `with_course_facts` and
    `course_sessions_page` read the rest when the page is rendered afresh.
    """
    courses = Course.objects.select_related("programme")
    if not include_unpublished:
        courses = courses.filter(status=Course.Status.PUBLISHED)
    course = courses.get(slug=slug)
    # Only a restricted audience reads its organisations: one query, or none.
    if course.is_restricted:
        prefetch_related_objects([course], "audience_organisations")
    return course


def with_course_facts(course: Course) -> Course:
    """Load the themes and usual trainers (with their organisation) of `course`: two queries."""
    prefetch_related_objects(
        [course],
        "themes",
        Prefetch("default_trainers", queryset=Agent.objects.select_related("organisation")),
    )
    return course


def course_for_edit(pk: int) -> Course:
    """A course with the relations its edit form shows; raises Course.DoesNotExist."""
    return (
        Course.objects.select_related("programme")
        .prefetch_related(
            "themes",
            "audience_organisations",
            Prefetch("default_trainers", queryset=Agent.objects.select_related("organisation")),
        )
        .get(pk=pk)
    )


def known_trainers() -> models.QuerySet[Agent]:
    """Active agents who are already a course's usual trainer.

    A few dozen people, listed on the course form as a reminder of their
    "ORG/matricule", instead of a select of every agent of the school. The
    catalogue knows usual trainers only: who ran a session is the programming's
    business, a layer above.
    """
    return (
        Agent.objects.filter(is_active=True)
        .filter(Exists(Course.default_trainers.through.objects.filter(agent_id=OuterRef("pk"))))
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")
    )


def programme_list() -> models.QuerySet[Programme]:
    return Programme.objects.annotate(course_count=Count("courses")).order_by("name")


def theme_list() -> models.QuerySet[Theme]:
    return Theme.objects.annotate(course_count=Count("courses")).order_by("name")


def programmes_for_choice() -> models.QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).order_by("name")


def organisations_for_choice() -> models.QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).order_by("name")
