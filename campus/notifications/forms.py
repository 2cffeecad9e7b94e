"""Forms of the notifications pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from campus.core.forms import AccessibleFormMixin

from .models import SessionNotificationSettings


def _languages() -> list[tuple[str, str]]:
    names = {"fr": "Français", "en": "English"}
    return [(code, names.get(code, str(name))) for code, name in settings.LANGUAGES]


class PreferencesForm(AccessibleFormMixin, forms.Form):
    reminders_enabled = forms.BooleanField(
        label=gettext_lazy("Recevoir un rappel avant chaque session"),
        required=False,
        help_text=gettext_lazy(
            "Les confirmations, changements et annulations vous sont toujours envoyés."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Langue des messages et du site"),
        choices=_languages,
        widget=forms.RadioSelect,
    )


class SessionReminderForm(AccessibleFormMixin, forms.Form):
    reminder_days_before = forms.IntegerField(
        label=gettext_lazy("Rappel envoyé combien de jours avant la session ?"),
        required=False,
        min_value=0,
        max_value=SessionNotificationSettings.MAX_REMINDER_DAYS,
        help_text=gettext_lazy(
            "Laissez vide pour le délai par défaut de l'école ; 0 : pas de rappel pour cette session."
        ),
        error_messages={
            "invalid": gettext_lazy("Indiquez un nombre entier de jours."),
            "min_value": gettext_lazy("Le nombre de jours ne peut pas être négatif."),
            "max_value": gettext_lazy("Le rappel part au plus 30 jours avant la session."),
        },
    )
