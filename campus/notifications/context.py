"""The facts every message about a session carries, as JSON stored with the message."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from campus.core.ical import CalendarEvent
from campus.scheduling.models import SessionPart, TrainingSession

from .models import SessionNotificationSettings


def absolute(path: str) -> str:
    return f"{settings.CAMPUS_BASE_URL}{path}"


def sessions_with_facts() -> QuerySet[TrainingSession]:
    """Sessions with what `session_facts` reads, in a fixed number of queries."""
    return TrainingSession.objects.select_related(
        "course", "notification_settings"
    ).prefetch_related(
        Prefetch(
            "parts",
            queryset=SessionPart.objects.select_related("room__venue").order_by("starts_at", "id"),
        ),
        "trainers",
    )


def calendar_sequence(session: TrainingSession) -> int:
    try:
        return session.notification_settings.calendar_sequence
    except SessionNotificationSettings.DoesNotExist:
        return 0


def part_place(part: SessionPart) -> str:
    if part.room is not None:
        venue = part.room.venue
        place = f"{part.room.name}, {venue.name}"
        address = " ".join(venue.address.split())
        return f"{place} ({address})" if address else place
    return part.location_note


def session_title(session: TrainingSession) -> str:
    title = session.course.title
    return f"{title} – {session.title_suffix}" if session.title_suffix else title


def session_url(session: TrainingSession) -> str:
    """The session's page for agents: details, their registration, accept or cancel."""
    return absolute(reverse("registrations:session", args=[session.pk]))


def session_facts(session: TrainingSession) -> dict[str, Any]:
    """Title, parts (date, times, place), trainers and link, all JSON-ready, in Paris time."""
    parts = list(session.parts.all())
    places: list[str] = []
    for part in parts:
        place = part_place(part)
        if place and place not in places:
            places.append(place)
    trainers = [t.full_name for t in session.trainers.all()]
    if session.external_speaker:
        trainers.append(session.external_speaker)
    return {
        "session_id": session.pk,
        "title": session_title(session),
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "ends_at": session.ends_at.isoformat() if session.ends_at else None,
        "parts": [
            {
                "date": part.date.isoformat(),
                "start": part.start_time.strftime("%H:%M"),
                "end": part.end_time.strftime("%H:%M"),
                "place": part_place(part),
            }
            for part in parts
        ],
        "place": " ; ".join(places),
        "trainers": ", ".join(trainers),
        "url": session_url(session),
        "notes": session.notes,
        "cancellation_reason": session.cancellation_reason,
    }


def calendar_event(
    facts: dict[str, Any],
    *,
    uid: str,
    sequence: int,
    description: str,
    attendees: tuple[str, ...] = (),
    cancelled: bool = False,
) -> CalendarEvent:
    return CalendarEvent(
        uid=uid,
        sequence=sequence,
        summary=facts["title"],
        starts_at=datetime.datetime.fromisoformat(facts["starts_at"]),
        ends_at=datetime.datetime.fromisoformat(facts["ends_at"]),
        location=facts["place"],
        description=description,
        url=facts["url"],
        cancelled=cancelled,
        stamp=timezone.now(),
        attendees=attendees,
    )
