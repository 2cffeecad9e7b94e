"""The audit actions of notification settings and offline notices (see `campus.core.audit`)."""

from django.utils.translation import gettext_lazy as _

from campus.core.audit import declare_actions

declare_actions(
    {"notification_preference.update": _("Modification des préférences de notification")},
    change_labels={"reminders_enabled": _("rappels avant les sessions")},
)
declare_actions(
    {"session.reminder_days": _("Modification du rappel d'une session")},
    change_labels={"reminder_days_before": _("rappel (jours avant la session)")},
)
declare_actions({"notice.informed": _("Agent informé par un autre moyen")})
