"""Archiving a course is refused while open sessions of it are still to come."""

from __future__ import annotations

import pytest

from campus.catalog.models import Course
from campus.catalog.tests.factories import CourseFactory
from campus.core.exceptions import DomainError, NotAllowed
from campus.core.models import AuditEntry
from campus.people.models import User
from campus.scheduling import services

from .factories import stored_session

pytestmark = pytest.mark.django_db


def test_archive_refused_while_open_sessions_are_ahead(coordinator: User) -> None:
    course = CourseFactory()
    stored_session(course, days_ahead=3)
    with pytest.raises(DomainError) as excinfo:
        services.course_archive(actor=coordinator, course=course)
    assert excinfo.value.code == "course.has_open_sessions"
    assert "1 session" in excinfo.value.message
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    assert not AuditEntry.objects.exists()


def test_archive_allowed_when_only_past_or_cancelled_sessions(coordinator: User) -> None:
    course = CourseFactory()
    stored_session(course, days_ahead=-10)
    stored_session(course, days_ahead=5, status="cancelled")
    assert services.course_archive(actor=coordinator, course=course).status == "archived"
    assert AuditEntry.objects.get(object_id=str(course.pk)).action == "course.archive"


def test_only_the_school_archives(agent_user: User) -> None:
    course = CourseFactory()
    with pytest.raises(NotAllowed):
        services.course_archive(actor=agent_user, course=course)
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
