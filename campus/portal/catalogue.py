"""The catalogue as agents browse it: courses with their sessions to come and seats left.

These pages compose the catalogue (courses), the programming (sessions and
their parts) and the registrations (seats): they live above all three. Each
page costs a fixed number of queries whatever the data size.

The lists are built here as small dataclasses holding display-ready text, so
that templates print values instead of running filters and translations per
row; the markup stays in the templates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campus.catalog.models import Course, Programme, Theme
from campus.catalog.selectors import Badge, course_badges, matching_courses
from campus.core import data_versions
from campus.people.models import Organisation
from campus.registrations.capacity import seats_left_by_session, with_seats_left
from campus.scheduling.models import SessionPart, TrainingSession

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


def _sessions_of_course(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> models.QuerySet[TrainingSession]:
    """The outer course's open sessions to come, for the correlated subqueries below.

    Correlated subqueries rather than joins: a course with fifty weekly sessions
    is still one row, and the page's query count does not move. Each is a lookup
    of the (course, status, starts_at) index.
    """
    return upcoming_open_sessions(date_from=date_from, date_to=date_to).filter(
        course=OuterRef("pk")
    )


def _next_session_at(sessions: models.QuerySet[TrainingSession]) -> Subquery:
    return Subquery(sessions.order_by("starts_at").values("starts_at")[:1])


def _seats_left_total(sessions: models.QuerySet[TrainingSession]) -> Subquery:
    # Aggregating per course inside the subquery; order_by() drops the model's
    # default ordering, which PostgreSQL would otherwise require in the GROUP BY.
    return Subquery(
        with_seats_left(sessions)
        .order_by()
        .values("course")
        .annotate(total=Sum("seats_left"))
        .values("total"),
        output_field=models.IntegerField(),
    )


def _session_summary(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[str, Subquery]:
    """`next_session_at`, `upcoming_count` and `seats_left_total` of each course, as annotations."""
    sessions = _sessions_of_course(date_from=date_from, date_to=date_to)
    return {
        "next_session_at": _next_session_at(sessions),
        "upcoming_count": Subquery(
            sessions.order_by().values("course").annotate(n=Count("pk")).values("n"),
            output_field=models.IntegerField(),
        ),
        "seats_left_total": _seats_left_total(sessions),
    }


def _with_session_summary(
    courses: models.QuerySet[Course],
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> models.QuerySet[Course]:
    """Annotate each course with `next_session_at`, `upcoming_count` and `seats_left_total`."""
    return courses.annotate(**_session_summary(date_from=date_from, date_to=date_to))


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
    courses = matching_courses(
        text=text,
        programme=programme,
        theme=theme,
        format=format,
        organisation=organisation,
        include_unpublished=include_unpublished,
        status=status,
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


# --- The agents' catalogue ------------------------------------------------------


def seats_badge(seats_left: int | None) -> Badge:
    """The same words as catalog/_seats.html."""
    if seats_left:
        label = ngettext(
            "%(counter)s place disponible", "%(counter)s places disponibles", seats_left
        ) % {"counter": seats_left}
        return Badge(label, "badge-ok")
    return Badge(_("Complet"), "badge-off")


def _day(value: datetime.date | datetime.datetime | None, fmt: str) -> str:
    """`value` formatted as the `date` template filter does, in the school's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)


@dataclass(frozen=True)
class CatalogueCard:
    pk: int
    title: str
    url: str
    facts: str
    badges: list[Badge]
    summary: str
    themes: list[str]
    next_session: str
    upcoming: str
    seats: Badge | None


# Only what a card shows: the long texts (objectives, content, search text) stay in the database.
_CARD_FIELDS = (
    "title",
    "slug",
    "summary",
    "format",
    "usual_duration_minutes",
    "audience",
    "audience_managers_only",
    "audience_categories",
    "requires_manager_approval",
    "status",
    "programme__name",
)


def _format_label(value: str) -> str:
    """`get_format_display()` without its per-call dictionary of every choice."""
    try:
        return str(Course.Format(value).label)
    except ValueError:
        return value


def _card(course: Course, themes: list[str]) -> CatalogueCard:
    facts = [course.programme.name] if course.programme else []
    facts += [_format_label(course.format), course.duration_label]
    next_at: datetime.datetime | None = course.next_session_at  # type: ignore[attr-defined]
    next_session = upcoming = ""
    count: int = course.upcoming_count or 0  # type: ignore[attr-defined]
    if next_at is not None:
        next_session = _("Prochaine session : %(date)s à %(time)s") % {
            "date": _day(next_at, "l j F Y"),
            "time": timezone.localtime(next_at).strftime("%H:%M"),
        }
        if count > 1:
            upcoming = ngettext(
                "%(counter)s session à venir", "%(counter)s sessions à venir", count
            ) % {"counter": count}
    return CatalogueCard(
        pk=course.pk,
        title=course.title,
        url=reverse("portal:course_detail", args=[course.slug]),
        facts=" · ".join(facts),
        badges=course_badges(course),
        summary=course.summary,
        themes=themes,
        next_session=next_session,
        upcoming=upcoming,
        # Filled in by `catalogue_page` on every request: seats move with every sign-up.
        seats=None,
    )


@dataclass(frozen=True)
class _CataloguePage:
    """What a page of the catalogue shows but the seats: what may be kept in the cache."""

    cards: list[CatalogueCard]
    number: int
    count: int


def _read_catalogue(
    page_number: str | int | None,
    *,
    text: str,
    programme: Programme | None,
    theme: Theme | None,
    format: str,
    organisation: Organisation | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    seats_left_only: bool,
) -> _CataloguePage:
    """The page's courses, read in two steps (four queries): every matching course needs
    its next session to be sorted, but only the twenty shown need their session count,
    programme and themes."""
    courses = matching_courses(
        text=text, programme=programme, theme=theme, format=format, organisation=organisation
    )
    sessions = _sessions_of_course(date_from=date_from, date_to=date_to)
    courses = courses.annotate(next_session_at=_next_session_at(sessions))
    if date_from is not None or date_to is not None or seats_left_only:
        courses = courses.filter(next_session_at__isnull=False)
    if seats_left_only:
        # After the cheap test above, so that the seats are counted only for the courses
        # with a session to come (SQLite tests the conditions in order, PostgreSQL by cost).
        courses = courses.annotate(seats_left_total=_seats_left_total(sessions)).filter(
            seats_left_total__gt=0
        )
    ordered = courses.order_by(F("next_session_at").asc(nulls_last=True), "title", "pk")
    # The count drops the unused annotations: only the filters' subqueries remain.
    paginator: Paginator[Any] = Paginator(ordered.values_list("pk", flat=True), CATALOGUE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    ids: list[int] = list(page.object_list)
    if not ids:
        return _CataloguePage([], page.number, paginator.count)
    rows = {
        course.pk: course
        for course in Course.objects.filter(pk__in=ids)
        .order_by()
        .annotate(
            next_session_at=_next_session_at(sessions),
            upcoming_count=Subquery(
                sessions.order_by().values("course").annotate(n=Count("pk")).values("n"),
                output_field=models.IntegerField(),
            ),
        )
        .select_related("programme")
        .only(*_CARD_FIELDS)
    }
    themes: dict[int, list[str]] = {pk: [] for pk in ids}
    for course_id, name in (
        Course.themes.through.objects.filter(course_id__in=ids)
        .order_by("theme__name")
        .values_list("course_id", "theme__name")
    ):
        themes[course_id].append(name)
    # A course deleted between the two reads is left out rather than failing the page.
    cards = [_card(rows[pk], themes[pk]) for pk in ids if pk in rows]
    return _CataloguePage(cards, page.number, paginator.count)


def _seats_left_by_course(
    ids: list[int], *, date_from: datetime.date | None, date_to: datetime.date | None
) -> dict[int, int]:
    """Seats left in the open sessions to come of these courses, read live (two queries)."""
    if not ids:
        return {}
    sessions = list(
        upcoming_open_sessions(date_from=date_from, date_to=date_to)
        .filter(course_id__in=ids)
        .order_by()
        .values_list("pk", "course_id", "capacity")
    )
    left = seats_left_by_session({pk: capacity for pk, _course, capacity in sessions})
    totals: dict[int, int] = dict.fromkeys(ids, 0)
    for pk, course_id, _capacity in sessions:
        totals[course_id] += left[pk]
    return totals


def catalogue_page(
    page_number: str | int | None,
    *,
    text: str = "",
    programme: Programme | None = None,
    theme: Theme | None = None,
    format: str = "",
    organisation: Organisation | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    seats_left_only: bool = False,
) -> Page[CatalogueCard]:
    """One page of the published catalogue, as `CatalogueCard`s.

    The courses, their next session and the page's figures come from the cache
    while the catalogue and the programming are unchanged (`data_versions`: two
    queries for the counters and the seats), else from four queries. The seats
    left are read live; a search for seats left only is never cached, since its
    list itself moves with every sign-up.
    """

    def read() -> _CataloguePage:
        return _read_catalogue(
            page_number,
            text=text,
            programme=programme,
            theme=theme,
            format=format,
            organisation=organisation,
            date_from=date_from,
            date_to=date_to,
            seats_left_only=seats_left_only,
        )

    if seats_left_only:
        data = read()
    else:
        criteria = (text, programme, theme, format, organisation, date_from, date_to)
        data = data_versions.cached(
            "catalogue",
            depends_on=(data_versions.CATALOG, data_versions.PROGRAMMING),
            parts=[page_number, *(getattr(value, "pk", value) for value in criteria)],
            compute=read,
        )
    seats = _seats_left_by_course(
        [card.pk for card in data.cards if card.next_session],
        date_from=date_from,
        date_to=date_to,
    )
    cards = [
        replace(card, seats=seats_badge(seats.get(card.pk, 0))) if card.next_session else card
        for card in data.cards
    ]
    paginator: Paginator[Any] = Paginator(range(data.count), CATALOGUE_PAGE_SIZE)
    page = paginator.get_page(data.number)
    return Page(cards, page.number, paginator)


# --- The course page ---------------------------------------------------------------

# A weekly workshop may have a year of sessions ahead: the page lists them by twenties.
COURSE_SESSIONS_PAGE_SIZE = 20


@dataclass(frozen=True)
class Place:
    """Where a part takes place; an empty label means "to be announced"."""

    label: str
    with_steps: bool = False


@dataclass(frozen=True)
class SessionRow:
    pk: int
    heading: str
    slots: list[str]
    places: list[Place]
    trainers: str
    external_speaker: str
    capacity: str
    capacity_value: int
    # Filled in by `course_sessions_page` on every request: seats move with every sign-up.
    seats: Badge | None
    has_seats: bool
    # "(session du 3 mars 2027)": tells screen readers which session a button is for.
    which: str
    url: str
    signup_url: str


def _session_row(
    session: TrainingSession, parts: list[SessionPart], trainers: list[str]
) -> SessionRow:
    day = _day(session.starts_at, "j F Y")
    heading = f"{day} – {session.title_suffix}" if session.title_suffix else day
    # "%H:%M" is the template's "H:i"; only day and month names need Django's formatter.
    slots = [
        _("%(date)s, de %(start)s à %(end)s")
        % {
            "date": _day(part.date, "l j F Y"),
            "start": part.start_time.strftime("%H:%M"),
            "end": part.end_time.strftime("%H:%M"),
        }
        for part in parts
    ] or [_day(session.starts_at, "l j F Y, H:i")]
    places = []
    for part in parts:
        if part.room is not None:
            label = f"{part.room.name} – {part.room.venue.name}"
            places.append(Place(label, with_steps=not part.room.step_free_access))
        else:
            places.append(Place(part.location_note))
    return SessionRow(
        pk=session.pk,
        heading=heading,
        slots=slots,
        places=places,
        trainers=", ".join(trainers),
        external_speaker=session.external_speaker,
        capacity=_("sur %(capacity)s") % {"capacity": session.capacity},
        capacity_value=session.capacity,
        seats=None,
        has_seats=False,
        which=_("(session du %(date)s)") % {"date": day},
        url=reverse("registrations:session", args=[session.pk]),
        signup_url=reverse("registrations:signup", args=[session.pk]),
    )


@dataclass(frozen=True)
class _SessionsPage:
    rows: list[SessionRow]
    number: int
    count: int


def _read_course_sessions(course_id: int, page_number: str | int | None) -> _SessionsPage:
    """The page's sessions but their seats (four queries): the count, the sessions,
    their parts (room and venue) and their trainers' names."""
    sessions = (
        upcoming_open_sessions()
        .filter(course_id=course_id)
        .only("pk", "starts_at", "title_suffix", "external_speaker", "capacity")
        .order_by("starts_at", "pk")
    )
    paginator: Paginator[Any] = Paginator(sessions, COURSE_SESSIONS_PAGE_SIZE)
    page = paginator.get_page(page_number)
    listed = list(page.object_list)
    ids = [session.pk for session in listed]
    parts: dict[int, list[SessionPart]] = {pk: [] for pk in ids}
    trainers: dict[int, list[str]] = {pk: [] for pk in ids}
    if ids:
        for part in SessionPart.objects.filter(session_id__in=ids).select_related("room__venue"):
            parts[part.session_id].append(part)
        for link in (
            TrainingSession.trainers.through.objects.filter(trainingsession_id__in=ids)
            .select_related("agent")
            .only("trainingsession_id", "agent__first_name", "agent__last_name")
            .order_by("agent__last_name", "agent__first_name", "agent__pk")
        ):
            trainers[link.trainingsession_id].append(link.agent.full_name)
    rows = [_session_row(s, parts[s.pk], trainers[s.pk]) for s in listed]
    return _SessionsPage(rows, page.number, paginator.count)


def course_sessions_page(course: Course, page_number: str | int | None) -> Page[SessionRow]:
    """One page of the open sessions to come of `course`, as `SessionRow`s.

    The sessions come from the cache while the programming and the agents' names
    are unchanged (`data_versions`), else from four queries; their seats left are
    read live (one query).
    """
    data = data_versions.cached(
        "course-sessions",
        depends_on=(data_versions.PROGRAMMING, data_versions.PEOPLE),
        parts=[course.pk, page_number],
        compute=lambda: _read_course_sessions(course.pk, page_number),
    )
    seats = seats_left_by_session({row.pk: row.capacity_value for row in data.rows})
    rows = [
        replace(row, seats=seats_badge(seats.get(row.pk, 0)), has_seats=bool(seats.get(row.pk)))
        for row in data.rows
    ]
    paginator: Paginator[Any] = Paginator(range(data.count), COURSE_SESSIONS_PAGE_SIZE)
    page = paginator.get_page(data.number)
    return Page(rows, page.number, paginator)
