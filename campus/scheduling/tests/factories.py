"""Factories for programming tests. Courses are built here with the ORM (the catalogue is
another app's concern); sessions go through the services so their bounds stay consistent."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from campus.catalog.models import Course
from campus.scheduling import services
from campus.scheduling.models import Room, TrainingSession, Venue


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
    from django.utils import timezone

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
