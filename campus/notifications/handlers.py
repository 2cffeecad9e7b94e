"""The notifications' side of the domain events: each handler queues the notices.

Subscribed in `NotificationsConfig.ready()`. They run after the emitting
transaction has committed (campus.core.events), so an action rolled back never
mails anyone, and a notification problem never turns a done action into an
error page: the outbox rows are what is kept, the log says what went wrong.

Registration changes, the busiest event (every sign-up), only enqueue one task
carrying the registration ids: the worker reads the committed state, renders
and fills the outbox, so the sign-up request does not pay for it.
"""

from __future__ import annotations

import logging

from campus.core import events
from campus.registrations.events import AttendanceClosed, RegistrationsChanged, SessionCancelled
from campus.scheduling.events import SessionRescheduled

from . import notices
from .tasks import notify_registrations_changed

logger = logging.getLogger(__name__)


def on_registrations_changed(event: RegistrationsChanged) -> None:
    ids = list(event.registration_ids)
    try:
        notify_registrations_changed.enqueue(registration_ids=ids)
    except Exception:
        # No task queue at hand: tell the agents now rather than never.
        logger.exception("Could not enqueue the notices of registrations %s", ids)
        notices.registrations_changed(ids)


def on_session_rescheduled(event: SessionRescheduled) -> None:
    notices.session_changed(event.session_id, event.change_key or "changed")


def on_session_cancelled(event: SessionCancelled) -> None:
    notices.session_cancelled(event.session_id, list(event.registration_ids))


def on_attendance_closed(event: AttendanceClosed) -> None:
    notices.absences_recorded_for_session(event.session_id)


def subscribe_all() -> None:
    events.subscribe(RegistrationsChanged, on_registrations_changed)
    events.subscribe(SessionRescheduled, on_session_rescheduled)
    events.subscribe(SessionCancelled, on_session_cancelled)
    events.subscribe(AttendanceClosed, on_attendance_closed)
