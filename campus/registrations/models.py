"""Sign-ups to sessions, their append-only history, and attendance per session part."""

from __future__ import annotations

import secrets
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campus.people.models import Agent
from campus.scheduling.models import SessionPart, TrainingSession


class RegistrationState(models.TextChoices):
    """Where a registration stands. The sets and the transitions below are the one
    definition every service, page, data generator and benchmark uses."""

    REQUESTED = "requested", _("En attente de l'accord du responsable")
    CONFIRMED = "confirmed", _("Confirmée")
    WAITLISTED = "waitlisted", _("Liste d'attente")
    OFFERED = "offered", _("Place proposée")
    DECLINED = "declined", _("Refusée")
    CANCELLED = "cancelled", _("Annulée")
    SESSION_CANCELLED = "session_cancelled", _("Session annulée")


_S = RegistrationState
# Still in play: at most one per agent and session (a database constraint).
LIVE_STATES = (_S.REQUESTED, _S.CONFIRMED, _S.WAITLISTED, _S.OFFERED)
# Holding a seat: these, and only these, count against the session's capacity.
SEAT_STATES = (_S.CONFIRMED, _S.OFFERED)
# Waiting for a seat, in the order of `capacity.waitlist_queryset`.
QUEUE_STATES = (_S.WAITLISTED,)
# Over: kept for the history, never moves again.
ENDED_STATES = (_S.DECLINED, _S.CANCELLED, _S.SESSION_CANCELLED)
# The states a registration may be created in (`capacity.record_new`).
INITIAL_STATES = frozenset({_S.REQUESTED, _S.CONFIRMED, _S.WAITLISTED})
# Every move `capacity.transition` accepts; any other is a programming error.
TRANSITIONS: dict[str, frozenset[str]] = {
    _S.REQUESTED: frozenset(
        {_S.CONFIRMED, _S.WAITLISTED, _S.DECLINED, _S.CANCELLED, _S.SESSION_CANCELLED}
    ),
    _S.CONFIRMED: frozenset({_S.CANCELLED, _S.SESSION_CANCELLED}),
    _S.WAITLISTED: frozenset({_S.CONFIRMED, _S.OFFERED, _S.CANCELLED, _S.SESSION_CANCELLED}),
    _S.OFFERED: frozenset({_S.CONFIRMED, _S.CANCELLED, _S.SESSION_CANCELLED}),
    _S.DECLINED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.SESSION_CANCELLED: frozenset(),
}


class RegistrationSource(models.TextChoices):
    """How a registration came to be: counted apart in the school's figures."""

    SIGNUP = "signup", _("Inscription sur le site")
    LIST = "list", _("Inscription d'une liste")
    ON_THE_SPOT = "on_the_spot", _("Sur place")
    POLL = "poll", _("Sondage de dates")
    CURRICULUM = "curriculum", _("Cursus")
    FOLLOW_UP = "follow_up", _("Suivi d'une évaluation")


class Registration(models.Model):
    """One agent's registration to one session, moving through `TRANSITIONS`."""

    State = RegistrationState
    Source = RegistrationSource
    LIVE_STATES = LIVE_STATES
    SEAT_STATES = SEAT_STATES
    QUEUE_STATES = QUEUE_STATES
    ENDED_STATES = ENDED_STATES

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    agent = models.ForeignKey(
        Agent, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="registrations"
    )
    state = models.CharField(_("état"), max_length=20, choices=State.choices, db_index=True)
    is_mandatory = models.BooleanField(_("inscription obligatoire"), default=False)
    source = models.CharField(
        _("origine"),
        max_length=20,
        choices=RegistrationSource.choices,
        default=RegistrationSource.SIGNUP,
        db_index=True,
    )
    # Arrival order on the waitlist; set when the registration first needs a seat.
    queued_at = models.DateTimeField(_("arrivée"), db_index=True)
    offer_expires_at = models.DateTimeField(_("place proposée jusqu'au"), null=True, blank=True)
    overlap_acknowledged = models.BooleanField(_("chevauchement accepté"), default=False)
    note = models.TextField(_("commentaire"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inscrit par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "agent"],
                condition=models.Q(state__in=[state.value for state in LIVE_STATES]),
                name="registration_one_live_per_agent_and_session",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=_S.OFFERED.value)
                | models.Q(offer_expires_at__isnull=False),
                name="registration_offer_has_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "state", "queued_at"]),
            models.Index(fields=["agent", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.session}"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class RegistrationEventQuerySet(models.QuerySet["RegistrationEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Registration history is append-only.")

    def delete(self) -> NoReturn:
        raise RuntimeError("Registration history is append-only.")


class RegistrationEvent(models.Model):
    """One change of state: who, when, from, to, why. Never edited."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(
        _("de"), max_length=20, choices=Registration.State.choices, blank=True
    )
    to_state = models.CharField(_("vers"), max_length=20, choices=Registration.State.choices)
    reason = models.TextField(_("motif"), blank=True)

    objects = RegistrationEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("historique d'inscription")
        verbose_name_plural = _("historiques d'inscription")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Registration history is append-only.")
        super().save(*args, **kwargs)


class Attendance(models.Model):
    """Presence of a registered agent at one part of a session (signed per half-day)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        EXCUSED = "excused", _("Absent excusé")
        UNEXCUSED = "unexcused", _("Absent non excusé")

    class Method(models.TextChoices):
        MANUAL = "manual", _("Saisie par l'animateur ou le coordinateur")
        CHECK_IN = "check_in", _("Code QR scanné par l'agent")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances"
    )
    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("présence"), max_length=12, choices=Status.choices)
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.MANUAL)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "part"], name="attendance_one_per_registration_and_part"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration.agent} – {self.part}: {self.get_status_display()}"


def new_check_in_token() -> str:
    return secrets.token_urlsafe(24)


class SessionRegistrationSettings(models.Model):
    """Per-session sign-up options that belong to registrations, not to programming."""

    class Mode(models.TextChoices):
        AUTOMATIC = "automatic", _("Promotion automatique de la liste d'attente")
        OFFER = "offer", _("Place proposée au suivant pour une durée limitée")

    session = models.OneToOneField(
        TrainingSession, on_delete=models.CASCADE, related_name="registration_settings"
    )
    waitlist_mode = models.CharField(
        _("liste d'attente"), max_length=12, choices=Mode.choices, default=Mode.AUTOMATIC
    )
    offer_hours = models.PositiveIntegerField(_("durée de l'offre (heures)"), default=24)
    check_in_token = models.CharField(max_length=64, default=new_check_in_token, unique=True)
    attendance_closed_at = models.DateTimeField(_("émargement clos le"), null=True, blank=True)
    attendance_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("réglages d'inscription de la session")
        verbose_name_plural = _("réglages d'inscription des sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer_hours__gt=0), name="registration_offer_hours_positive"
            )
        ]

    def __str__(self) -> str:
        return str(self.session)
