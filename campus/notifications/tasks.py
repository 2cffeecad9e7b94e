"""Background work of the notifications app (run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_outbox_message(*, message_id: int) -> str:
    """Send one outbox message; returns what happened ("sent", "retry", "failed", "skipped")."""
    from . import outbox

    return outbox.send(message_id=message_id)
