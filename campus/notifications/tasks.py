"""Background work of the notifications app (run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_outbox_message(*, message_id: int) -> str:
    """Send one outbox message; returns what happened ("sent", "retry", "failed", "skipped")."""
    from . import outbox

    return outbox.send(message_id=message_id)


@task()
def notify_registrations_changed(*, registration_ids: list[int]) -> int:
    """Read, render and queue what the registrations' latest changes tell; returns rows written.

    Run in the worker so that the request that made the change pays for one
    enqueue, not for the session's facts, the rendering and the outbox rows.
    """
    from . import notices

    return notices.registrations_changed(registration_ids)
