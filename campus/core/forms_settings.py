"""The director's form for the school's settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .forms import AccessibleFormMixin
from .models import SchoolSettings

# A week: longer offers keep a seat empty while the waitlist waits.
OFFER_HOURS_MAX = 168


class SchoolSettingsForm(AccessibleFormMixin, forms.Form):
    waitlist_policy = forms.ChoiceField(
        label=gettext_lazy("Ordre de la liste d'attente"),
        choices=SchoolSettings.WaitlistPolicy.choices,
        widget=forms.RadioSelect,
    )
    default_offer_hours = forms.IntegerField(
        label=gettext_lazy("Durée d'une place proposée (heures)"),
        min_value=1,
        max_value=OFFER_HOURS_MAX,
        help_text=gettext_lazy(
            "Valeur proposée pour les sessions en mode « place proposée » ; "
            "chaque session peut la changer."
        ),
    )
