"""Reads for the catalogue. Each page costs a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone

from campus.people.models import Agent, Organisation
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.selectors import with_seats_left

from .models import Course, Programme, Theme
from .search_text import fold_words

CATALOGUE_PAGE_SIZE = 20
MANAGE_PAGE_SIZE = 50


def _start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the school's time zone (Europe/Paris), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def upcoming_open_sessions(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> models.QuerySet[TrainingSession]:
    """Open sessions not yet started, optionally starting between two days (inclusive)."""
    qs = TrainingSession.objects.filter(
        status=TrainingSession.Status.OPEN, starts_at__gt=timezone.now()
    )
    if date_from is not None:
        qs = qs.filter(starts_at__gte=_start_of_day(date_from))
    if date_to is not None:
        qs = qs.filter(starts_at__lt=_start_of_day(date_to + datetime.timedelta(days=1)))
    return qs


def _with_session_summary(
    courses: models.QuerySet[Course],
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> models.QuerySet[Course]:
    """Annotate each course with `next_session_at`, `upcoming_count` and `seats_left_total`.

    Correlated subqueries rather than joins: a course with fifty weekly sessions
    is still one row, and the page's query count does not move.
    """
    sessions = upcoming_open_sessions(date_from=date_from, date_to=date_to).filter(
        course=OuterRef("pk")
    )
    # Aggregating per course inside the subquery; order_by() drops the model's
    # default ordering, which PostgreSQL would otherwise require in the GROUP BY.
    per_course = sessions.order_by().values("course")
    return courses.annotate(
        next_session_at=Subquery(sessions.order_by("starts_at").values("starts_at")[:1]),
        upcoming_count=Subquery(
            per_course.annotate(n=Count("pk")).values("n"),
            output_field=models.IntegerField(),
        ),
        seats_left_total=Subquery(
            with_seats_left(sessions)
            .order_by()
            .values("course")
            .annotate(total=Sum("seats_left"))
            .values("total"),
            output_field=models.IntegerField(),
        ),
    )


def catalogue_search(
    *,
    text: str = "",
    programme: Programme | None = None,
    theme: Theme | None = None,
    format: str = "",
    organisation: Organisation | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    seats_left_only: bool = False,
    include_unpublished: bool = False,
    status: str = "",
) -> models.QuerySet[Course]:
    """Courses matching the search, each with its next session and seats left.

    Published courses only unless `include_unpublished` (the coordinators' list,
    which may then narrow by `status`). Every word of `text` must appear,
    ignoring case and accents. With dates, only courses with an open session
    starting in the window are kept, and the session figures cover that window.
    `organisation` keeps the courses its agents may attend.
    """
    courses = Course.objects.all()
    if not include_unpublished:
        courses = courses.filter(status=Course.Status.PUBLISHED)
    elif status:
        courses = courses.filter(status=status)
    for word in fold_words(text):
        courses = courses.filter(search_text__icontains=word)
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
    courses = _with_session_summary(courses, date_from=date_from, date_to=date_to)
    if date_from is not None or date_to is not None:
        courses = courses.filter(Q(next_session_at__isnull=False))
    if seats_left_only:
        courses = courses.filter(Q(seats_left_total__gt=0))
    return (
        courses.select_related("programme")
        .prefetch_related("themes")
        .order_by(F("next_session_at").asc(nulls_last=True), "title", "pk")
    )


def course_detail(slug: str, *, include_unpublished: bool = False) -> Course:
    """One course with everything its page shows; raises Course.DoesNotExist.

    `course.upcoming_sessions` lists the open sessions to come, each annotated
    with `seats_left` and carrying its parts (with room and venue) and trainers.
    """
    sessions = (
        with_seats_left(upcoming_open_sessions())
        .prefetch_related(
            Prefetch("parts", queryset=SessionPart.objects.select_related("room__venue")),
            Prefetch("trainers", queryset=Agent.objects.select_related("organisation")),
        )
        .order_by("starts_at", "pk")
    )
    courses = Course.objects.select_related("programme").prefetch_related(
        "themes",
        "audience_organisations",
        Prefetch("default_trainers", queryset=Agent.objects.select_related("organisation")),
        Prefetch("sessions", queryset=sessions, to_attr="upcoming_sessions"),
    )
    if not include_unpublished:
        courses = courses.filter(status=Course.Status.PUBLISHED)
    return courses.get(slug=slug)


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
    """Active agents who already train (a course's usual trainer or a session's).

    A few dozen people, listed on the course form as a reminder of their
    "ORG/matricule", instead of a select of every agent of the school.
    """
    return (
        Agent.objects.filter(is_active=True)
        .filter(
            Exists(Course.default_trainers.through.objects.filter(agent_id=OuterRef("pk")))
            | Exists(TrainingSession.trainers.through.objects.filter(agent_id=OuterRef("pk")))
        )
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
