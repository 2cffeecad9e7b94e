"""Where and when the school teaches: venues, rooms, training sessions and their parts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.catalog.models import Course
from campus.people.models import Agent


class Venue(models.Model):
    """A building, e.g. the school's own former primary school."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    address = models.TextField(_("adresse"), blank=True)
    access_notes = models.TextField(_("accès"), blank=True)

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    venue = models.ForeignKey(
        Venue, verbose_name=_("lieu"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("nom"), max_length=120)
    capacity = models.PositiveIntegerField(_("capacité"))
    step_free_access = models.BooleanField(_("accessible de plain-pied"), default=True)
    equipment = models.TextField(_("équipement"), blank=True)
    is_active = models.BooleanField(_("disponible"), default=True)

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["venue__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="room_unique_name_in_venue"),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="room_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue.name})"


class TrainingSession(models.Model):
    """One delivery of a course, in one or more parts (half-days, evenings…)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        OPEN = "open", _("Ouverte")
        CANCELLED = "cancelled", _("Annulée")
        DONE = "done", _("Terminée")

    course = models.ForeignKey(
        Course, verbose_name=_("formation"), on_delete=models.PROTECT, related_name="sessions"
    )
    title_suffix = models.CharField(
        _("précision"), max_length=200, blank=True, help_text=_("Par exemple : groupe 2.")
    )
    trainers = models.ManyToManyField(
        Agent, verbose_name=_("animateurs"), blank=True, related_name="trained_sessions"
    )
    external_speaker = models.CharField(_("intervenant extérieur"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("nombre de places"))
    min_participants = models.PositiveIntegerField(_("nombre minimum de participants"), default=0)
    registration_opens_at = models.DateTimeField(
        _("ouverture des inscriptions"), null=True, blank=True
    )
    registration_closes_at = models.DateTimeField(
        _("clôture des inscriptions"), null=True, blank=True
    )
    cancellation_deadline = models.DateTimeField(
        _("date limite d'annulation par l'agent"), null=True, blank=True
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    cancellation_reason = models.TextField(_("motif d'annulation"), blank=True)
    # Denormalised from the parts so that lists sort and filter by date without a join.
    starts_at = models.DateTimeField(_("début"), null=True, blank=True, db_index=True)
    # Indexed: "not ended yet" is how agents' and teams' current registrations are found.
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True, db_index=True)
    series_key = models.CharField(
        _("série"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("Identifiant commun aux sessions créées ensemble par une récurrence."),
    )
    notes = models.TextField(_("informations pratiques"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="session_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(min_participants__lte=models.F("capacity")),
                name="session_min_not_above_capacity",
            ),
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="session_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancellation_reason=""),
                name="session_cancel_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["course", "status", "starts_at"])]

    def __str__(self) -> str:
        label = self.course.title if self.course_id else ""
        if self.title_suffix:
            label = f"{label} – {self.title_suffix}"
        if self.starts_at:
            label = f"{label} ({timezone.localtime(self.starts_at):%d/%m/%Y})"
        return label


class SessionPart(models.Model):
    """A contiguous slot of a session; attendance is signed per part (per half-day)."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="parts"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("salle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
    )
    location_note = models.CharField(
        _("autre lieu"),
        max_length=200,
        blank=True,
        help_text=_("Si la partie n'a pas lieu dans une salle de l'école."),
    )
    # Timezone-aware bounds, computed from date + times in Europe/Paris by the services,
    # so that overlap checks are one indexed range query.
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("partie de session")
        verbose_name_plural = _("parties de session")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="part_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="part_bounds_ordered"
            ),
        ]
        indexes = [models.Index(fields=["room", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ConflictOverride(models.Model):
    """A coordinator's explicit decision to keep a double booking (recorded, not silent)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="conflict_overrides"
    )
    other_session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "room" or "trainer"
    detail = models.CharField(max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflit accepté")
        verbose_name_plural = _("conflits acceptés")

    def __str__(self) -> str:
        return self.detail or f"{self.kind} #{self.other_session_id}"
