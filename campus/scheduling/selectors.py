"""Reads for sessions. Each returns a queryset whose cost does not grow with the data."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models.functions import Coalesce, Greatest

from campus.catalog.models import Course
from campus.people.models import Agent

from .models import ConflictOverride, Room, SessionPart, TrainingSession, Venue


def seats_taken_expression() -> models.Expression:
    """Seats in use by a session: the one definition every page and service shares.

    Confirmed registrations use a seat, and so does a seat offered to the next
    agent on the waitlist while the offer runs. Requests awaiting a manager and
    the waitlist do not.
    """
    from campus.registrations.models import Registration

    taken = (
        Registration.objects.filter(
            session=models.OuterRef("pk"), state__in=Registration.SEAT_STATES
        )
        .order_by()
        .values("session")
        .annotate(n=models.Count("id"))
        .values("n")
    )
    return Coalesce(models.Subquery(taken, output_field=models.IntegerField()), models.Value(0))


def with_seats_left(queryset: models.QuerySet[TrainingSession]) -> models.QuerySet[TrainingSession]:
    """Annotate `seats_taken` and `seats_left` (never below zero)."""
    return queryset.annotate(seats_taken=seats_taken_expression()).annotate(
        seats_left=Greatest(models.F("capacity") - models.F("seats_taken"), models.Value(0))
    )


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


def calendar_parts(
    *,
    start: datetime.date,
    end: datetime.date,
    room_id: int | None = None,
    trainer_id: int | None = None,
) -> list[SessionPart]:
    """Parts dated in [start, end) with session, course, room and trainers: two queries.

    Cancelled sessions stay in the calendar (shown as such): a coordinator must
    see that a slot was freed, and why.
    """
    parts = (
        SessionPart.objects.filter(date__gte=start, date__lt=end)
        .select_related("session__course__programme", "room__venue")
        .prefetch_related(
            models.Prefetch("session__trainers", queryset=Agent.objects.order_by("last_name"))
        )
        .order_by("starts_at", "room__name", "id")
    )
    if room_id is not None:
        parts = parts.filter(room_id=room_id)
    if trainer_id is not None:
        parts = parts.filter(session__trainers=trainer_id)
    return list(parts)


def calendar_filter_choices() -> tuple[list[Room], list[Agent]]:
    """Rooms, and agents who teach or taught at least once (a short list, not 600 names)."""
    rooms = list(Room.objects.select_related("venue").order_by("venue__name", "name"))
    trainers = list(
        Agent.objects.filter(
            pk__in=TrainingSession.trainers.through.objects.values("agent_id")
        ).order_by("last_name", "first_name")
    )
    return rooms, trainers


def session_detail(pk: int) -> TrainingSession:
    """One session with everything its coordinator page shows (raises DoesNotExist)."""
    return (
        with_seats_left(TrainingSession.objects.all())
        .select_related("course__programme", "created_by")
        .prefetch_related(
            models.Prefetch("parts", queryset=SessionPart.objects.select_related("room__venue")),
            "trainers__organisation",
            models.Prefetch(
                "conflict_overrides",
                queryset=ConflictOverride.objects.select_related(
                    "other_session__course", "decided_by"
                ).order_by("decided_at"),
            ),
        )
        .get(pk=pk)
    )


def series_sessions(series_key: str) -> models.QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(series_key=series_key).order_by("starts_at", "id")


def trainer_sessions(
    agent: Agent, *, now: datetime.datetime
) -> tuple[list[TrainingSession], list[TrainingSession]]:
    """The agent's sessions as trainer: (upcoming soonest first, past latest first)."""
    sessions = list(
        with_seats_left(TrainingSession.objects.filter(trainers=agent))
        .select_related("course")
        .prefetch_related(
            models.Prefetch("parts", queryset=SessionPart.objects.select_related("room__venue"))
        )
        .order_by("starts_at", "id")
    )
    upcoming = [s for s in sessions if s.ends_at is not None and s.ends_at >= now]
    past = [s for s in sessions if s.ends_at is None or s.ends_at < now]
    past.reverse()
    return upcoming, past


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
