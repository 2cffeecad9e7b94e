"""Writes of the notifications app: a person's choices, per-session settings, notices passed on."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core import roles
from campus.core.actors import Actor
from campus.core.audit import audit_record
from campus.core.exceptions import DomainError, NotAllowed
from campus.people import services as people_services
from campus.people.actors import author, is_account
from campus.people.models import User
from campus.scheduling.models import TrainingSession

from . import policies
from .models import NotificationPreference, OutboxMessage, SessionNotificationSettings


def notification_preferences_update(
    *, actor: Actor, user: User, reminders_enabled: bool, language: str
) -> NotificationPreference:
    """Reminders on or off, and the language of mails (the interface's language too)."""
    is_self = is_account(actor, user)
    if not is_self and not roles.is_director(actor):
        raise NotAllowed(_("Vous ne pouvez pas modifier les notifications de ce compte."))
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.get_or_create(user=user)
        preference = NotificationPreference.objects.select_for_update().get(pk=preference.pk)
        before = preference.reminders_enabled
        if before != reminders_enabled:
            preference.reminders_enabled = reminders_enabled
            preference.save(update_fields=["reminders_enabled", "updated_at"])
            audit_record(
                actor=actor,
                action="notification_preference.update",
                obj=user,
                changes={"reminders_enabled": {"before": before, "after": reminders_enabled}},
            )
        if language != user.language:
            people_services.user_set_language(actor=actor, user=user, language=language)
    return preference


def session_notification_settings_update(
    *, actor: Actor, session: TrainingSession, reminder_days_before: int | None
) -> SessionNotificationSettings:
    """How many days before the session its reminder leaves (None: the school's default)."""
    if not policies.can_manage_session_notifications(actor):
        raise NotAllowed(_("Réservé aux coordinateurs de l'école."))
    limit = SessionNotificationSettings.MAX_REMINDER_DAYS
    if reminder_days_before is not None and not 0 <= reminder_days_before <= limit:
        raise DomainError(
            _("Le rappel part entre 0 (aucun rappel) et %(max)s jours avant la session.")
            % {"max": limit},
            code="reminder.invalid_days",
        )
    with transaction.atomic():
        row, _created = SessionNotificationSettings.objects.get_or_create(session=session)
        row = SessionNotificationSettings.objects.select_for_update().get(pk=row.pk)
        before = row.reminder_days_before
        if before != reminder_days_before:
            row.reminder_days_before = reminder_days_before
            row.save(update_fields=["reminder_days_before"])
            audit_record(
                actor=actor,
                action="session.reminder_days",
                obj=session,
                changes={"reminder_days_before": {"before": before, "after": reminder_days_before}},
            )
    return row


def notice_mark_informed(*, actor: Actor, message: OutboxMessage) -> OutboxMessage:
    """The coordinator says the agent without e-mail has been told (phone, in person, letter)."""
    if not policies.can_view_offline_notices(actor):
        raise NotAllowed(_("Réservé aux coordinateurs de l'école."))
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.channel == OutboxMessage.Channel.EMAIL:
            raise DomainError(
                _("Ce message part par courriel : rien à transmettre à la main."),
                code="notice.sent_by_email",
            )
        if message.informed_at is not None:
            return message
        now = timezone.now()
        message.informed_at = now
        message.informed_by = author(actor)
        fields = ["informed_at", "informed_by"]
        if (
            message.channel == OutboxMessage.Channel.MANUAL
            and message.state == OutboxMessage.State.PENDING
        ):
            message.state = OutboxMessage.State.SENT
            message.sent_at = now
            fields += ["state", "sent_at"]
        message.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="notice.informed",
            obj=message,
            object_label=f"{message.recipient_agent} – {message.subject}",
        )
    return message
