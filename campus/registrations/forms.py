"""Forms of the registration pages. Each field has a French label; services do the rest."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


class TeamSessionSearchForm(AccessibleFormMixin, forms.Form):
    """The manager looks for a session to sign a member up to, by its course (as the catalogue)."""

    q = forms.CharField(
        label=gettext_lazy("Rechercher une formation"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "Comme dans le catalogue : des mots de l'intitulé, du descriptif, du programme ou "
            "d'un thème. Sans recherche, la liste propose les prochaines sessions."
        ),
    )


class TeamSignupForm(AccessibleFormMixin, forms.Form):
    """A manager signs up one member of their team to an open session."""

    agent = forms.TypedChoiceField(label=gettext_lazy("Membre de l'équipe"), coerce=int)
    # A number checked against the database, not a choice among the options shown:
    # the list holds the next sessions or a search's results, never all of them.
    session = forms.IntegerField(
        label=gettext_lazy("Session"),
        widget=forms.Select,
        error_messages={"required": gettext_lazy("Choisissez une session.")},
    )

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
            self.offer_sessions(sessions)

    def offer_sessions(self, sessions: list[TrainingSession], *, search: str = "") -> None:
        """The sessions the list shows (the form accepts any session open to sign-up).

        `search` is the text they were found with ("": the next sessions); the field's
        help says which, so that the list is described where it is read.
        """
        field = self.fields["session"]
        cast(forms.Select, field.widget).choices = [("", _("— Choisir —"))] + [
            (s.pk, session_label(s)) for s in sessions
        ]
        count = len(sessions)
        if search:
            help_text = ngettext(
                "%(count)s session ouverte pour « %(text)s », la plus proche d'abord.",
                "%(count)s sessions ouvertes pour « %(text)s », les plus proches d'abord.",
                count,
            ) % {"count": count, "text": search}
        else:
            help_text = ngettext(
                "La prochaine session ouverte aux inscriptions.",
                "Les %(count)s prochaines sessions ouvertes aux inscriptions.",
                count,
            ) % {"count": count}
        # The bound field copied the help text when the mixin first described the fields.
        field.help_text = self["session"].help_text = help_text
        self._describe_fields()

    def clean_agent(self) -> Agent:
        return self.members[self.cleaned_data["agent"]]

    def clean_session(self) -> TrainingSession:
        session = selectors.open_session_for_signup(
            self.cleaned_data["session"], now=timezone.now()
        )
        if session is None:
            raise forms.ValidationError(
                _("Cette session n'est plus ouverte aux inscriptions : choisissez-en une autre.")
            )
        return session


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
