"""Reads of the notifications app."""

from __future__ import annotations

from django.db.models import QuerySet

from campus.people.models import User

from .models import NotificationPreference, OutboxMessage

OFFLINE_PAGE_SIZE = 50


def reminders_enabled(user: User) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return True if preference is None else preference.reminders_enabled


def offline_notices() -> QuerySet[OutboxMessage]:
    """Messages for agents without e-mail that nobody has marked as passed on yet."""
    return (
        OutboxMessage.objects.filter(
            channel__in=[OutboxMessage.Channel.DIGEST, OutboxMessage.Channel.MANUAL],
            informed_at__isnull=True,
        )
        .select_related(
            "recipient_agent__organisation",
            "recipient_agent__department",
            "digest_manager",
            "digest",
        )
        .order_by("recipient_agent__last_name", "recipient_agent__first_name", "created_at", "id")
    )
