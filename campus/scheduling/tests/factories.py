"""Factories for programming tests. Courses are built here with the ORM (the catalogue is
another app's concern); sessions go through the services so their bounds stay consistent."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from campus.catalog.models import Course
from campus.core.models import AuditEntry
from campus.scheduling import services
from campus.scheduling.models import ConflictOverride, Room, SessionPart, TrainingSession, Venue
from campus.scheduling.recurrence import WEEKLY

PARIS = ZoneInfo("Europe/Paris")
# Services take `now` so that tests read as a calendar, whatever day they run.
NOW = datetime.datetime(2026, 8, 20, 8, 0, tzinfo=PARIS)
TUE = datetime.date(2026, 9, 1)  # a Tuesday


def t(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def counts() -> tuple[int, int, int, int]:
    """Sessions, parts, audit entries and kept conflicts: what a refused write must not change."""
    return (
        TrainingSession.objects.count(),
        SessionPart.objects.count(),
        AuditEntry.objects.count(),
        ConflictOverride.objects.count(),
    )


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Atelier numérique {n}")
    slug = factory.Sequence(lambda n: f"atelier-numerique-{n}")
    status = Course.Status.PUBLISHED


class VenueFactory(factory.django.DjangoModelFactory[Venue]):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Bâtiment de programmation {n}")


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    capacity = 20


def future_day(days: int = 30) -> datetime.date:
    """A weekday `days` or a little more from today, far enough for any validation."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def part(
    day: datetime.date,
    start: str = "09:00",
    end: str = "12:00",
    room: Room | None = None,
    **kwargs: Any,
) -> services.PartInput:
    return services.PartInput(
        date=day,
        start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end),
        room=room,
        **kwargs,
    )


def make_session(
    actor: Any,
    *,
    course: Course | None = None,
    day: datetime.date | None = None,
    start: str = "09:00",
    end: str = "12:00",
    room: Room | None = None,
    capacity: int = 12,
    **kwargs: Any,
) -> TrainingSession:
    result = services.session_create(
        actor=actor,
        course=course or CourseFactory(),
        parts=[part(day or future_day(), start, end, room)],
        capacity=capacity,
        **kwargs,
    )
    return result.session


def create(actor: Any, **kwargs: Any) -> services.ScheduleResult:
    """A draft session on Tuesday 1 September 2026, seen from `NOW`."""
    kwargs.setdefault("course", CourseFactory())
    kwargs.setdefault("parts", [part(TUE, "12:15", "13:00")])
    kwargs.setdefault("capacity", 12)
    kwargs.setdefault("now", NOW)
    return services.session_create(actor=actor, **kwargs)


def series(actor: Any, **kwargs: Any) -> services.SeriesResult:
    """A weekly Tuesday lunchtime series, September and October 2026, seen from `NOW`."""
    defaults: dict[str, Any] = {
        "course": CourseFactory(title="Atelier Trello"),
        "frequency": WEEKLY,
        "weekday": 1,
        "start_date": datetime.date(2026, 9, 1),
        "end_date": datetime.date(2026, 10, 31),
        "start_time": t("12:15"),
        "end_time": t("13:00"),
        "capacity": 12,
        "now": NOW,
    }
    defaults.update(kwargs)
    return services.session_series_create(actor=actor, **defaults)


def set_status(session: TrainingSession, status: str, *, reason: str = "") -> TrainingSession:
    """Put a session in a state as the registrations' lifecycle would, for the programming's
    own tests (publishing and cancelling move seats, a layer above this app)."""
    TrainingSession.objects.filter(pk=session.pk).update(status=status, cancellation_reason=reason)
    session.refresh_from_db()
    return session


def stored_session(
    course: Course,
    *,
    days_ahead: int = 7,
    parts: int = 1,
    capacity: int = 12,
    status: str = TrainingSession.Status.OPEN,
    room: Room | None = None,
    trainers: list[Any] | None = None,
    title_suffix: str = "",
) -> TrainingSession:
    """A session of `parts` consecutive mornings (9:00–12:00, Europe/Paris) from `days_ahead`,
    stored as the services store it (bounds from the parts), in any state, past ones included."""
    first_day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    bounds = []
    for index in range(parts):
        day = first_day + datetime.timedelta(days=index)
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
        end = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
        bounds.append((day, start, end))
    session = TrainingSession.objects.create(
        course=course,
        capacity=capacity,
        status=status,
        title_suffix=title_suffix,
        cancellation_reason="Annulée pour le test" if status == "cancelled" else "",
        starts_at=bounds[0][1],
        ends_at=bounds[-1][2],
    )
    for day, start, end in bounds:
        SessionPart.objects.create(
            session=session,
            date=day,
            start_time=datetime.time(9, 0),
            end_time=datetime.time(12, 0),
            room=room,
            starts_at=start,
            ends_at=end,
        )
    if trainers:
        session.trainers.set(trainers)
    return session
