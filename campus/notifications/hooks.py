"""What the services call: each hook queues its notices for after the commit.

Only after the commit, so that an action rolled back never mails anyone, and
robustly, so that a notification problem never turns a done action into an
error page (the outbox rows are what is kept; the log says what went wrong).

Registration changes, the busiest event (every sign-up), only enqueue one task
carrying the registration ids: the worker reads the committed state, renders and
fills the outbox, so the sign-up request does not pay for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def _ids(objects: Iterable[Any]) -> list[int]:
    return sorted({obj.pk for obj in objects if obj.pk is not None})


def registrations_changed(registrations: Iterable[Any]) -> None:
    """Registrations whose state changed in the current transaction."""
    ids = _ids(registrations)
    if ids:
        transaction.on_commit(partial(_enqueue_registrations_changed, ids), robust=True)


def _enqueue_registrations_changed(ids: Sequence[int]) -> None:
    from . import events
    from .tasks import notify_registrations_changed

    try:
        notify_registrations_changed.enqueue(registration_ids=list(ids))
    except Exception:
        # No task queue at hand: tell the agents now rather than never.
        logger.exception("Could not enqueue the notices of registrations %s", list(ids))
        events.registrations_changed(ids)


def session_changed(session: Any) -> None:
    """A session's time or room changed (called after it was saved)."""
    from . import events

    change_key = session.updated_at.isoformat() if session.updated_at else "changed"
    transaction.on_commit(partial(events.session_changed, session.pk, change_key), robust=True)


def session_cancelled(session: Any, registrations: Iterable[Any]) -> None:
    from . import events

    transaction.on_commit(
        partial(events.session_cancelled, session.pk, _ids(registrations)), robust=True
    )


def absences_recorded(registrations: Iterable[Any]) -> None:
    """Registrations with unexcused absences just recorded (the attendance close)."""
    from . import events

    ids = _ids(registrations)
    if ids:
        transaction.on_commit(partial(events.absences_recorded, ids), robust=True)


def absences_recorded_for_session(session: Any) -> None:
    """Attendance of `session` was closed: report its unexcused absences after the commit."""
    from . import events

    transaction.on_commit(partial(events.absences_recorded_for_session, session.pk), robust=True)
