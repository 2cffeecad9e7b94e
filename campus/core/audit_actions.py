"""The audit actions core writes (see `campus.core.audit.declare_actions`)."""

from django.utils.translation import gettext_lazy as _

from .audit import declare_actions

declare_actions({"school_settings.update": _("Modification des réglages de l'école")})
