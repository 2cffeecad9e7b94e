"""The mail outbox, each person's notification choices, and per-session notification settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campus.people.models import Agent
from campus.scheduling.models import TrainingSession


class OutboxMessage(models.Model):
    """One message to one person about one event, written before anything is sent.

    The row is the message: its text is rendered when it is queued (in the
    recipient's language), so a retry sends exactly what was first meant.
    `dedup_key` names the event and the recipient: a second trigger of the same
    event finds the row already there and sends nothing.

    Agents without an e-mail address get no mail of their own: their messages
    wait for their manager's daily digest (channel "digest"), or, when nobody
    can be reached by e-mail, for the coordinator to pass them on ("manual").
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Courriel")
        DIGEST = "digest", _("Récapitulatif quotidien du responsable")
        MANUAL = "manual", _("À transmettre par un autre moyen")

    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    template = models.CharField(_("modèle"), max_length=60)
    dedup_key = models.CharField(_("clé d'unicité"), max_length=200, unique=True)
    channel = models.CharField(
        _("canal"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte destinataire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient_agent = models.ForeignKey(
        Agent,
        verbose_name=_("agent destinataire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("adresse"), blank=True)
    # For agents without e-mail: the manager whose digest carries the message.
    digest_manager = models.ForeignKey(
        Agent,
        verbose_name=_("responsable destinataire du récapitulatif"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    digest = models.ForeignKey(
        "self",
        verbose_name=_("récapitulatif"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_items",
    )
    language = models.CharField(_("langue"), max_length=8, default="fr")
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    ics = models.TextField(_("invitation iCalendar"), blank=True)
    ics_method = models.CharField(max_length=10, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    informed_at = models.DateTimeField(_("agent informé le"), null=True, blank=True)
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "state", "next_attempt_at"]),
            models.Index(fields=["channel", "state", "digest_manager"]),
            models.Index(fields=["channel", "informed_at", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="email") | ~models.Q(email=""),
                name="outbox_email_has_address",
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="digest") | models.Q(digest_manager__isnull=False),
                name="outbox_digest_has_manager",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.email or self.recipient_agent_id} ({self.state})"


class NotificationPreference(models.Model):
    """What a person wants to receive besides the messages every registrant gets."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reminders_enabled = models.BooleanField(_("rappels avant les sessions"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self) -> str:
        return str(self.user)


class SessionNotificationSettings(models.Model):
    """Per-session notification settings, and the calendar sequence of its invitations."""

    MAX_REMINDER_DAYS = 30

    session = models.OneToOneField(
        TrainingSession, on_delete=models.CASCADE, related_name="notification_settings"
    )
    # None: the school's default (CAMPUS_REMINDER_DAYS_BEFORE); 0: no reminder.
    reminder_days_before = models.PositiveSmallIntegerField(
        _("rappel (jours avant la session)"), null=True, blank=True
    )
    # iCalendar SEQUENCE: raised on every change of time, place or status, so that
    # calendars replace the old event instead of keeping both.
    calendar_sequence = models.PositiveIntegerField(default=0)
    # The last change already announced, so that a second trigger raises nothing.
    last_change_key = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("réglages de notification de la session")
        verbose_name_plural = _("réglages de notification des sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reminder_days_before__isnull=True)
                | models.Q(reminder_days_before__lte=30),
                name="session_reminder_days_bounded",
            )
        ]

    def __str__(self) -> str:
        return str(self.session)
