"""Builders shared by the notification tests: sessions with a room and a trainer, sign-ups."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
from django.core import mail

from campus.catalog.models import Course
from campus.people.models import Agent, User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import lifecycle
from campus.registrations import services as registration_services
from campus.registrations.models import Registration
from campus.scheduling import services as scheduling_services
from campus.scheduling.models import Room, TrainingSession
from campus.scheduling.tests.factories import CourseFactory, RoomFactory, future_day, part


def programmed_session(
    coordinator: User,
    *,
    capacity: int = 2,
    day: datetime.date | None = None,
    start: str = "09:00",
    end: str = "12:00",
    room: Room | None = None,
    trainer: Agent | None = None,
    course: Course | None = None,
    **kwargs: Any,
) -> TrainingSession:
    """An open session in a room, with a trainer: everything a message has to show."""
    room = room or RoomFactory(name="Salle Jaurès")
    trainer_agent: Agent = trainer or AgentFactory(first_name="Claire", last_name="Martin")
    result = scheduling_services.session_create(
        actor=coordinator,
        course=course or CourseFactory(title="Prendre en main Trello"),
        parts=[part(day or future_day(), start, end, room)],
        capacity=capacity,
        trainers=[trainer_agent],
        **kwargs,
    )
    return lifecycle.session_open(actor=coordinator, session=result.session)


def signup(user: User, session: TrainingSession) -> Registration:
    return registration_services.registration_create(
        actor=user, session=session, agent=user.agent
    ).registration


def agent_without_email(manager: Agent | None = None) -> User:
    agent = AgentFactory(email="", manager=manager)
    return UserFactory(agent=agent, email=None)


def mails_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.to]


def ics_of(message: Any) -> icalendar.Calendar:
    """The calendar attached to a sent mail, parsed back."""
    calendars = [a for a in message.attachments if "text/calendar" in a[2]]
    assert len(calendars) == 1, message.attachments
    _name, content, _mimetype = calendars[0]
    return icalendar.Calendar.from_ical(content)


def html_of(message: Any) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")
