"""Sending mail from services and views without making the person wait for SMTP."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from .tasks import send_email_task


def queue_email(
    *, to: str | list[str], subject: str, body: str, html_body: str | None = None
) -> None:
    """Queue one message, sent by a background worker once the current transaction commits.

    On commit, so that a rolled-back action never sends mail about something
    that did not happen. Subject lines lose their line breaks: a header
    containing a newline would be refused by the mail library.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    subject = " ".join(subject.splitlines()).strip()
    transaction.on_commit(
        partial(
            send_email_task.enqueue, to=recipients, subject=subject, body=body, html_body=html_body
        )
    )
