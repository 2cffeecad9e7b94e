"""Forms of the registration pages. Each field has a French label; services do the rest."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.core.forms import AccessibleFormMixin
from campus.people.models import Agent
from campus.scheduling.models import TrainingSession

from . import selectors
from .models import SessionRegistrationSettings

REASON_MAX_LENGTH = 1000
# A week: beyond that, the seat is better given back to the waitlist by hand.
OFFER_HOURS_MAX = 168


class CancelForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif (facultatif)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput,
    )


class DeclineForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif du refus"),
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy("L'agent recevra ce motif."),
        error_messages={
            "required": gettext_lazy("Indiquez le motif du refus : l'agent le recevra.")
        },
    )


class AgentSearchForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Rechercher un agent"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Nom, prénom ou matricule."),
    )


class ManageAddForm(AccessibleFormMixin, forms.Form):
    """The coordinator registers anyone, typed as STRUCTURE/matricule."""

    reference = forms.CharField(
        label=gettext_lazy("Agent (STRUCTURE/matricule)"),
        max_length=120,
        help_text=gettext_lazy(
            "Par exemple : VILLE/01234. Le matricule figure sur la fiche de paie."
        ),
        error_messages={
            "required": gettext_lazy("Indiquez l'agent sous la forme STRUCTURE/matricule.")
        },
    )
    mandatory = forms.BooleanField(
        label=gettext_lazy("Inscription obligatoire (l'agent ne pourra pas l'annuler seul)"),
        required=False,
    )

    def clean_reference(self) -> Agent:
        reference = self.cleaned_data["reference"]
        if "/" not in reference:
            raise forms.ValidationError(
                _("Format attendu : STRUCTURE/matricule (par exemple VILLE/01234).")
            )
        agent = selectors.agent_by_reference(reference)
        if agent is None:
            raise forms.ValidationError(
                _("Aucun agent actif ne correspond à « %(reference)s ».") % {"reference": reference}
            )
        return agent


class WaitlistModeForm(AccessibleFormMixin, forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Quand une place se libère"),
        choices=SessionRegistrationSettings.Mode.choices,
        widget=forms.RadioSelect,
    )
    offer_hours = forms.IntegerField(
        label=gettext_lazy("Durée de l'offre (heures)"),
        min_value=1,
        max_value=OFFER_HOURS_MAX,
        help_text=gettext_lazy(
            "En mode « place proposée » : le temps laissé à l'agent pour répondre."
        ),
    )


class TeamSignupForm(AccessibleFormMixin, forms.Form):
    """A manager signs up one member of their team to an open session."""

    agent = forms.TypedChoiceField(label=gettext_lazy("Membre de l'équipe"), coerce=int)
    session = forms.TypedChoiceField(label=gettext_lazy("Session"), coerce=int)

    def __init__(
        self,
        *args: Any,
        members: list[Agent],
        sessions: list[TrainingSession] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        cast(forms.ChoiceField, self.fields["agent"]).choices = [("", _("— Choisir —"))] + [
            (m.pk, f"{m.full_name} ({m.organisation.code.upper()}/{m.matricule})") for m in members
        ]
        if sessions is None:
            del self.fields["session"]
        else:
            self.sessions = {s.pk: s for s in sessions}
            cast(forms.ChoiceField, self.fields["session"]).choices = [("", _("— Choisir —"))] + [
                (s.pk, session_label(s)) for s in sessions
            ]

    def clean_agent(self) -> Agent:
        return self.members[self.cleaned_data["agent"]]

    def clean_session(self) -> TrainingSession:
        return self.sessions[self.cleaned_data["session"]]


def session_label(session: TrainingSession) -> str:
    when = (
        timezone.localtime(session.starts_at).strftime("%d/%m/%Y %H:%M")
        if session.starts_at
        else "—"
    )
    label = f"{when} – {session.course.title}"
    if session.title_suffix:
        label = f"{label} – {session.title_suffix}"
    return label
