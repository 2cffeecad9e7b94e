"""Writes that belong to the school as a whole."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from . import policies
from .actors import Actor
from .audit import audit_record, diff, snapshot
from .exceptions import DomainError, NotAllowed
from .models import SchoolSettings

SETTINGS_FIELDS = ("waitlist_policy", "default_offer_hours")


def school_settings_update(
    *, actor: Actor, waitlist_policy: str, default_offer_hours: int
) -> SchoolSettings:
    """The director changes the school's rules; the change is written to the audit log."""
    if not policies.can_change_school_settings(actor):
        raise NotAllowed(_("Les réglages de l'école sont réservés à la direction."))
    if waitlist_policy not in SchoolSettings.WaitlistPolicy.values:
        raise DomainError(
            _("Ordre de liste d'attente inconnu."), code="school_settings.unknown_waitlist_policy"
        )
    if default_offer_hours <= 0:
        raise DomainError(
            _("La durée d'une place proposée doit être d'au moins une heure."),
            code="school_settings.offer_hours_too_short",
        )
    with transaction.atomic():
        SchoolSettings.current()
        settings = SchoolSettings.objects.select_for_update().get(pk=1)
        before = snapshot(settings, SETTINGS_FIELDS)
        settings.waitlist_policy = waitlist_policy
        settings.default_offer_hours = default_offer_hours
        settings.save(update_fields=[*SETTINGS_FIELDS, "updated_at"])
        changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
        if changes:
            audit_record(
                actor=actor, action="school_settings.update", obj=settings, changes=changes
            )
    return settings
