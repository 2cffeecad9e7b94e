"""Background tasks shared by every app (run by `manage.py db_worker`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email_task(*, to: list[str], subject: str, body: str, html_body: str | None = None) -> int:
    """Send one message; returns the number of messages the mail backend accepted."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
