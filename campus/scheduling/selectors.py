"""Reads for sessions. Each returns a queryset whose cost does not grow with the data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from campus.catalog.models import Course
from campus.people.models import Agent

from .models import Room, SessionPart, TrainingSession, Venue

# --- Calendar, programme and trainer pages ------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """First day of the month and first day of the next one (half-open range)."""
    first = datetime.date(year, month, 1)
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first, following


def week_bounds(year: int, week: int) -> tuple[datetime.date, datetime.date]:
    """Monday of ISO week `week` and the Monday after it."""
    monday = datetime.date.fromisocalendar(year, week, 1)
    return monday, monday + datetime.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class CalendarPart:
    """A part as the calendar shows it: plain values, no model instances.

    A busy month holds hundreds of parts; building parts, sessions, courses,
    rooms, venues and trainers as models costs more than the page itself.
    """

    session_id: int
    date: datetime.date
    start_time: datetime.time
    end_time: datetime.time
    room_name: str | None
    location_note: str
    status: str
    course_title: str
    title_suffix: str
    external_speaker: str
    trainers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrainerChoice:
    """An agent the calendar can be filtered on, named as people type them."""

    agent_id: int
    name: str
    reference: str  # "STRUCTURE/matricule", unique, what the page's links carry


def _full_name(first_name: str, last_name: str) -> str:
    # Same spelling as Agent.full_name, without building an Agent per trainer.
    return f"{first_name} {last_name.upper()}".strip()


def calendar_parts(
    *,
    start: datetime.date,
    end: datetime.date,
    room_id: int | None = None,
    trainer_id: int | None = None,
) -> list[CalendarPart]:
    """Parts dated in [start, end), with what the calendar prints of them: two queries.

    Cancelled sessions stay in the calendar (shown as such): a coordinator must
    see that a slot was freed, and why.
    """
    # `date` has no index but `starts_at` has, and the services derive one from the
    # other in the school's time zone; the day of margin keeps the range exact
    # whatever the offset, and the date condition decides.
    margin = datetime.timedelta(days=1)
    parts = SessionPart.objects.filter(
        starts_at__gte=_aware_midnight(start - margin),
        starts_at__lt=_aware_midnight(end + margin),
        date__gte=start,
        date__lt=end,
    )
    if room_id is not None:
        parts = parts.filter(room_id=room_id)
    if trainer_id is not None:
        parts = parts.filter(
            session_id__in=TrainingSession.trainers.through.objects.filter(
                agent_id=trainer_id
            ).values("trainingsession_id")
        )
    rows = list(
        parts.order_by("starts_at", "room__name", "id").values_list(
            "session_id",
            "date",
            "start_time",
            "end_time",
            "room__name",
            "location_note",
            "session__status",
            "session__course__title",
            "session__title_suffix",
            "session__external_speaker",
        )
    )
    if not rows:
        return []
    trainers: dict[int, list[str]] = {}
    for session_id, first_name, last_name in (
        TrainingSession.trainers.through.objects.filter(
            trainingsession_id__in=parts.values("session_id")
        )
        .order_by("agent__last_name", "agent__first_name", "agent_id")
        .values_list("trainingsession_id", "agent__first_name", "agent__last_name")
    ):
        trainers.setdefault(session_id, []).append(_full_name(first_name, last_name))
    return [CalendarPart(*row, trainers=tuple(trainers.get(row[0], ()))) for row in rows]


def _aware_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def calendar_room_choices() -> list[tuple[int, str]]:
    """Every room as (id, "room (venue)"), for the calendar's room filter."""
    return [
        (pk, f"{name} ({venue})")
        for pk, name, venue in Room.objects.order_by("venue__name", "name").values_list(
            "pk", "name", "venue__name"
        )
    ]


def calendar_trainers_matching(text: str, *, limit: int) -> list[TrainerChoice]:
    """Agents matching what was typed in the calendar's trainer filter: one query.

    "STRUCTURE/matricule" names one agent, teaching or not (their calendar is
    then simply empty). Anything else is a few words, each of them part of a
    first or last name or a whole matricule, looked for among the agents who
    teach or taught: the ones a coordinator filters on.
    """
    rows: models.QuerySet[Any, tuple[Any, ...]]
    org, sep, matricule = text.partition("/")
    if sep:
        # Period links carry this form: it must ride the (organisation, matricule)
        # index, which a case-insensitive comparison of the matricule would not.
        matricule = matricule.strip()
        rows = Agent.objects.filter(
            organisation__code__iexact=org.strip(),
            matricule__in={matricule, matricule.upper(), matricule.lower()},
        ).values_list("pk", "first_name", "last_name", "organisation__code", "matricule")
    else:
        words = text.split()
        if not words:
            return []
        # Read from the trainers' side: the name test then runs on the thousand
        # agents who teach, not on every agent (a scan PostgreSQL would otherwise
        # choose, ten times slower).
        trainers = TrainingSession.trainers.through.objects.all()
        for word in words:
            trainers = trainers.filter(
                models.Q(agent__last_name__icontains=word)
                | models.Q(agent__first_name__icontains=word)
                | models.Q(agent__matricule__iexact=word)
            )
        rows = (
            trainers.order_by("agent__last_name", "agent__first_name", "agent_id")
            .values_list(
                "agent_id",
                "agent__first_name",
                "agent__last_name",
                "agent__organisation__code",
                "agent__matricule",
            )
            .distinct()
        )
    return [
        TrainerChoice(pk, _full_name(first, last), f"{code.upper()}/{mat}")
        for pk, first, last, code, mat in rows[:limit]
    ]


def series_sessions(series_key: str) -> models.QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(series_key=series_key).order_by("starts_at", "id")


def month_programme(year: int, month: int) -> list[SessionPart]:
    """Parts of the month's open sessions, for the printed programme (two queries)."""
    start, end = month_bounds(year, month)
    return list(
        SessionPart.objects.filter(
            date__gte=start, date__lt=end, session__status=TrainingSession.Status.OPEN
        )
        .select_related("session__course__programme", "room__venue")
        .prefetch_related(
            models.Prefetch("session__trainers", queryset=Agent.objects.order_by("last_name"))
        )
        .order_by("starts_at", "id")
    )


def venues_with_rooms() -> list[Venue]:
    return list(
        Venue.objects.prefetch_related(
            models.Prefetch("rooms", queryset=Room.objects.order_by("name"))
        ).order_by("name")
    )


def course_with_default_trainers(pk: int) -> Course | None:
    return (
        Course.objects.exclude(status=Course.Status.ARCHIVED)
        .prefetch_related(
            models.Prefetch(
                "default_trainers", queryset=Agent.objects.select_related("organisation")
            )
        )
        .filter(pk=pk)
        .first()
    )
