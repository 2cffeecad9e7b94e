"""Forms of the catalogue: search filters, course, programme and theme."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.renderers import Jinja2
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.core.forms import AccessibleFormMixin, DateInput
from campus.people.models import Agent, Organisation
from campus.people.selectors import agents_by_references

from . import selectors
from .models import Course, Programme, Theme

# A paste of a whole service is fine; a paste of the whole school is a mistake.
MAX_TRAINER_LINES = 50


class CatalogueFilterForm(AccessibleFormMixin, forms.Form):
    """The catalogue's GET form: works without JavaScript, every field optional."""

    # Django's own widget templates, rendered by Jinja2: the four selects' fifty options
    # cost a template include each with Django's engine (about 4 ms a page, measured).
    default_renderer = Jinja2()

    q = forms.CharField(
        label=gettext_lazy("Rechercher"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=gettext_lazy("Des mots de l'intitulé, du contenu, du programme ou du thème."),
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    theme = forms.ModelChoiceField(
        label=gettext_lazy("Thème"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *Course.Format.choices],
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Ouvert aux agents de"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Toutes les structures"),
    )
    date_from = forms.DateField(
        label=gettext_lazy("Sessions à partir du"), required=False, widget=DateInput()
    )
    date_to = forms.DateField(label=gettext_lazy("Jusqu'au"), required=False, widget=DateInput())
    seats_left_only = forms.BooleanField(
        label=gettext_lazy("Seulement avec des places disponibles"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = selectors.programmes_for_choice()  # type: ignore[attr-defined]
        self.fields["theme"].queryset = Theme.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = selectors.organisations_for_choice()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from: datetime.date | None = data.get("date_from")
        date_to: datetime.date | None = data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("La date de fin ne peut pas précéder la date de début."))
        return data

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `selectors.catalogue_search`; no filter when unbound."""
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {
            "text": (data.get("q") or "").strip(),
            "programme": data.get("programme"),
            "theme": data.get("theme"),
            "format": data.get("format") or "",
            "organisation": data.get("organisation"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "seats_left_only": bool(data.get("seats_left_only")),
        }

    @classmethod
    def submitted(cls, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The form's own parameters in `data`, empty ones left out, in the fields' order.

        The catalogue keys its cached results on them and repeats them in its
        page links; other parameters of the address change nothing on the page.
        A class method: a cached page is served without building the form.
        """
        getlist = getattr(data, "getlist", None)
        pairs = []
        for name in cls.base_fields:
            values = getlist(name) if getlist else [data.get(name)]
            pairs += [(name, str(value)) for value in values if value not in (None, "")]
        return pairs


class ManageFilterForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Rechercher"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("État"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *Course.Status.choices],
    )

    def filters(self) -> dict[str, Any]:
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {"text": (data.get("q") or "").strip(), "status": data.get("status") or ""}


def trainer_line(agent: Agent) -> str:
    """How an agent is written in the trainers box: "ORG/matricule (First LAST)"."""
    return f"{agent.organisation.code}/{agent.matricule} ({agent.full_name})"


def parse_trainer_lines(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(organisation code, matricule) pairs from the trainers box, and the malformed lines.

    Each line starts with "ORG/matricule"; whatever follows (a name to help the
    reader) is ignored.
    """
    pairs: list[tuple[str, str]] = []
    malformed: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        token = line.split()[0]
        code, slash, matricule = token.partition("/")
        if not slash or not code or not matricule:
            malformed.append(line)
            continue
        pair = (code.lower(), matricule.lower())
        if pair not in pairs:
            pairs.append(pair)
    return pairs, malformed


class CourseForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Intitulé"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Résumé"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Une ou deux phrases, affichées sur la carte du catalogue."),
    )
    objectives = forms.CharField(
        label=gettext_lazy("Objectifs"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    content = forms.CharField(
        label=gettext_lazy("Contenu"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=gettext_lazy("Aucun"),
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=Course.Format.choices)
    themes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thèmes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    usual_duration_minutes = forms.IntegerField(
        label=gettext_lazy("Durée habituelle (minutes)"), min_value=1, max_value=60 * 24 * 30
    )
    trainers = forms.CharField(
        label=gettext_lazy("Animateurs habituels (agents)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Un agent par ligne, sous la forme STRUCTURE/matricule (par exemple "
            "ville/01234). Le nom qui suit est ignoré."
        ),
    )
    external_speaker = forms.CharField(
        label=gettext_lazy("Intervenant extérieur"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Nom et organisme, si l'animateur n'est pas un agent."),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Public"),
        choices=Course.Audience.choices,
        widget=forms.RadioSelect,
    )
    audience_managers_only = forms.BooleanField(
        label=gettext_lazy("Réservé aux agents occupant un poste d'encadrement"), required=False
    )
    audience_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Catégories admises"),
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Aucune case cochée : toutes les catégories."),
    )
    audience_organisations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Structures admises"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Aucune case cochée : toutes les structures."),
    )
    requires_manager_approval = forms.BooleanField(
        label=gettext_lazy("Inscription soumise à l'accord du responsable hiérarchique"),
        required=False,
    )
    training_type = forms.ChoiceField(
        label=gettext_lazy("Type de formation (rapport social unique)"),
        choices=Course.TrainingType.choices,
    )

    fieldsets = [
        (
            gettext_lazy("Description"),
            ["title", "summary", "objectives", "content", "programme", "format", "themes"],
        ),
        (
            gettext_lazy("Animation"),
            ["usual_duration_minutes", "trainers", "external_speaker"],
        ),
        (
            gettext_lazy("Public et conditions d'inscription"),
            [
                "audience",
                "audience_managers_only",
                "audience_categories",
                "audience_organisations",
                "requires_manager_approval",
            ],
        ),
        (gettext_lazy("Bilan social"), ["training_type"]),
    ]

    def __init__(self, *args: Any, course: Course | None = None, **kwargs: Any) -> None:
        if course is not None:
            kwargs.setdefault("initial", self.initial_for(course))
        else:
            kwargs.setdefault(
                "initial",
                {
                    "format": Course.Format.WORKSHOP,
                    "usual_duration_minutes": 60,
                    "audience": Course.Audience.EVERYONE,
                    "training_type": Course.TrainingType.IMPROVEMENT,
                },
            )
        super().__init__(*args, **kwargs)
        programmes = Programme.objects.filter(is_active=True)
        if course is not None and course.programme_id is not None:
            # An inactive programme stays selectable on the courses already in it.
            programmes = Programme.objects.filter(Q(is_active=True) | Q(pk=course.programme_id))
        self.fields["programme"].queryset = programmes.order_by("name")  # type: ignore[attr-defined]
        self.fields["themes"].queryset = Theme.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["audience_organisations"].queryset = selectors.organisations_for_choice()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "summary": course.summary,
            "objectives": course.objectives,
            "content": course.content,
            "programme": course.programme_id,
            "format": course.format,
            "themes": [theme.pk for theme in course.themes.all()],
            "usual_duration_minutes": course.usual_duration_minutes,
            "trainers": "\n".join(trainer_line(a) for a in course.default_trainers.all()),
            "external_speaker": course.external_speaker,
            "audience": course.audience,
            "audience_managers_only": course.audience_managers_only,
            "audience_categories": list(course.audience_categories),
            "audience_organisations": [org.pk for org in course.audience_organisations.all()],
            "requires_manager_approval": course.requires_manager_approval,
            "training_type": course.training_type,
        }

    def clean_trainers(self) -> list[Agent]:
        pairs, malformed = parse_trainer_lines(self.cleaned_data.get("trainers") or "")
        if malformed:
            raise forms.ValidationError(
                _("Ligne illisible : « %(line)s ». Écrivez STRUCTURE/matricule, un par ligne.")
                % {"line": malformed[0]}
            )
        if len(pairs) > MAX_TRAINER_LINES:
            raise forms.ValidationError(
                _("Au plus %(max)d animateurs habituels.") % {"max": MAX_TRAINER_LINES}
            )
        if not pairs:
            return []
        # Inactive agents are found too: the service refuses them with its own reason.
        found = agents_by_references(pairs, active_only=False)
        missing = [
            f"{code}/{matricule}" for code, matricule in pairs if (code, matricule) not in found
        ]
        if missing:
            raise forms.ValidationError(
                _("Agent introuvable : %(list)s. Vérifiez le code de la structure et le matricule.")
                % {"list": ", ".join(missing)}
            )
        return [found[pair] for pair in pairs]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "objectives": data["objectives"],
            "content": data["content"],
            "programme": data["programme"],
            "format": data["format"],
            "themes": list(data["themes"]),
            "usual_duration_minutes": data["usual_duration_minutes"],
            "default_trainers": data["trainers"],
            "external_speaker": data["external_speaker"],
            "audience": data["audience"],
            "audience_managers_only": data["audience_managers_only"],
            "audience_categories": "".join(data["audience_categories"]),
            "audience_organisations": list(data["audience_organisations"]),
            "requires_manager_approval": data["requires_manager_approval"],
            "training_type": data["training_type"],
        }


class ProgrammeForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    rhythm = forms.CharField(
        label=gettext_lazy("Rythme"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Par exemple : chaque mardi midi."),
    )
    colour = forms.CharField(
        label=gettext_lazy("Couleur"),
        max_length=7,
        required=False,
        help_text=gettext_lazy("Sous la forme #RRVVBB, par exemple #1f3f8f."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Actif (proposé pour les nouvelles formations)"), required=False
    )

    def __init__(self, *args: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        if programme is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": programme.name,
                    "description": programme.description,
                    "rhythm": programme.rhythm,
                    "colour": programme.colour,
                    "is_active": programme.is_active,
                },
            )
        else:
            kwargs.setdefault("initial", {"is_active": True, "colour": "#1f3f8f"})
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "rhythm": data["rhythm"],
            "colour": data["colour"],
            "is_active": data["is_active"],
        }


class ThemeForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom du nouveau thème"), max_length=120)
