"""The form that creates a calendar link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.core import roles
from campus.core.actors import Actor
from campus.core.forms import AccessibleFormMixin

from . import policies, selectors
from .models import FeedToken

Kind = FeedToken.Kind


class FeedTokenForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Calendrier"), widget=forms.RadioSelect, choices=Kind.choices
    )
    room = forms.ModelChoiceField(
        label=gettext_lazy("Salle (pour le calendrier d'une salle)"),
        queryset=selectors.rooms_for_feeds(),
        required=False,
        empty_label=gettext_lazy("— Choisir une salle —"),
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = getattr(user, "agent", None)
        allowed = [
            (value, label)
            for value, label in Kind.choices
            if (value == Kind.ROOM and roles.is_coordinator(user))
            or (value != Kind.ROOM and policies.can_subscribe_feed(user, value, agent=own))
        ]
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = allowed
        if not any(value == Kind.ROOM for value, _label in allowed):
            del self.fields["room"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.ROOM and not data.get("room"):
            self.add_error("room", _("Choisissez la salle dont vous voulez le calendrier."))
        return data
