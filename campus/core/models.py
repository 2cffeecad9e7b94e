"""Shared models: the append-only audit log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit entries cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """Who did what to which object, when, with the values before and after.

    Written by services in the same transaction as the change they record, so
    the log and the data can never disagree. Nothing in the product edits it.
    """

    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A label, not a FK: the log outlives the user row and reads well in exports.
    actor_label = models.CharField(_("auteur (libellé)"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=80, db_index=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, db_index=True)
    object_label = models.CharField(_("objet"), max_length=255, blank=True)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    message = models.TextField(_("commentaire"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("Audit entries cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")


class SchoolSettings(models.Model):
    """The school's own rules, edited by its director. One row (pk=1)."""

    class WaitlistPolicy(models.TextChoices):
        ARRIVAL = "arrival", _("Ordre d'arrivée")
        PRIORITY = (
            "priority",
            _(
                "Priorités : inscriptions obligatoires, puis agents n'ayant jamais suivi "
                "la formation, puis ordre d'arrivée"
            ),
        )

    waitlist_policy = models.CharField(
        _("ordre de la liste d'attente"),
        max_length=12,
        choices=WaitlistPolicy.choices,
        default=WaitlistPolicy.ARRIVAL,
    )
    default_offer_hours = models.PositiveIntegerField(
        _("durée d'une place proposée (heures)"), default=24
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de l'école")
        verbose_name_plural = _("réglages de l'école")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="school_settings_single_row"),
            models.CheckConstraint(
                condition=models.Q(default_offer_hours__gt=0), name="school_offer_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> SchoolSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class DataVersion(models.Model):
    """A counter per kind of data, moved by the services that change that data.

    Pages that keep what they read in Django's cache put the counters of the data
    they show in the cache key (`campus.core.data_versions`): a change made
    through a service moves its counter when its transaction commits, and every
    worker then reads afresh. Nothing is inferred from other tables.
    """

    name = models.CharField(max_length=40, primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("version des données")
        verbose_name_plural = _("versions des données")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
