"""factory_boy factories for the catalogue, and sessions built the way scheduling stores them."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from campus.catalog.models import Course, Programme, Theme
from campus.catalog.search_text import build_search_text
from campus.scheduling.models import Room, SessionPart, TrainingSession, Venue


class ThemeFactory(factory.django.DjangoModelFactory[Theme]):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    """A published course open to everyone; its search text is filled as the services do."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Formation {n}")
    slug = factory.Sequence(lambda n: f"formation-{n}")
    summary = "Une formation de test."
    status = Course.Status.PUBLISHED

    @factory.post_generation
    def themes(obj: Course, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.themes.set(extracted)

    @factory.post_generation
    def search(obj: Course, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        obj.search_text = build_search_text(
            [
                obj.title,
                obj.summary,
                obj.objectives,
                obj.content,
                obj.programme.name if obj.programme else "",
                *(theme.name for theme in obj.themes.all()),
            ]
        )
        Course.objects.filter(pk=obj.pk).update(search_text=obj.search_text)


class VenueFactory(factory.django.DjangoModelFactory[Venue]):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Bâtiment du catalogue {n}")


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    capacity = 20


def make_session(
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
    """A session of `parts` consecutive mornings (9:00–12:00, Europe/Paris) from `days_ahead`."""
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
