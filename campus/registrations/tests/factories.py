"""Helpers to build open sessions and registrations in tests."""

from __future__ import annotations

import datetime
from typing import Any

from campus.catalog.models import Course
from campus.registrations import lifecycle
from campus.scheduling import services as scheduling_services
from campus.scheduling.models import TrainingSession
from campus.scheduling.tests.factories import CourseFactory, future_day, part


def open_session(
    coordinator: Any,
    *,
    capacity: int = 3,
    course: Course | None = None,
    day: datetime.date | None = None,
    start: str = "09:00",
    end: str = "12:00",
    **kwargs: Any,
) -> TrainingSession:
    """An open session (published course, one part) ready for sign-ups."""
    course = course or CourseFactory(status=Course.Status.PUBLISHED)
    result = scheduling_services.session_create(
        actor=coordinator,
        course=course,
        parts=[part(day or future_day(), start, end)],
        capacity=capacity,
        **kwargs,
    )
    return lifecycle.session_open(actor=coordinator, session=result.session)
