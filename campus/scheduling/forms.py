"""Forms of the programming pages. They parse and check shapes; the services decide.

Trainers are typed as "ORG/matricule" lines: with 600+ agents a drop-down is
unusable and a search-as-you-type widget needs JavaScript. The matricule is on
every payslip and in the agents list, the coordinator usually knows the few
regular trainers by heart, and a link from a course (?formation=<id>) fills in
the course's usual trainers.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.catalog.models import Course
from campus.core.forms import AccessibleFormMixin, DateInput
from campus.people.models import Agent
from campus.people.selectors import agents_by_references

from . import recurrence
from .models import Room, Venue
from .selectors import TrainerChoice, calendar_trainers_matching
from .services import PartInput

OVERRIDE_LABEL = gettext_lazy("Je maintiens malgré le conflit")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def trainer_lines(trainers: list[Agent]) -> str:
    return "\n".join(f"{a.organisation.code.upper()}/{a.matricule}" for a in trainers)


class TrainersField(forms.CharField):
    """One "ORG/matricule" per line → the list of active agents, refusing unknown lines."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Animateurs"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Un animateur par ligne, sous la forme STRUCTURE/matricule (par exemple : "
                "VILLE/004512)."
            ),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Agent]:
        text = super().clean(value) or ""
        references: list[tuple[str, str]] = []
        malformed: list[str] = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            org, sep, matricule = line.partition("/")
            if not sep or not org.strip() or not matricule.strip():
                malformed.append(line)
                continue
            references.append((org.strip().lower(), matricule.strip().lower()))
        if malformed:
            raise forms.ValidationError(
                _("Lignes illisibles (attendu STRUCTURE/matricule) : %(lines)s.")
                % {"lines": ", ".join(malformed)}
            )
        found = agents_by_references(references)
        missing = [f"{o.upper()}/{m}" for o, m in references if (o, m) not in found]
        if missing:
            raise forms.ValidationError(
                _("Aucun agent actif ne correspond à : %(lines)s.") % {"lines": ", ".join(missing)}
            )
        ordered: list[Agent] = []
        for ref in references:
            if found[ref] not in ordered:
                ordered.append(found[ref])
        return ordered


def course_choices_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=gettext_lazy("Formation"),
        queryset=Course.objects.exclude(status=Course.Status.ARCHIVED).order_by("title"),
        empty_label=gettext_lazy("— Choisir une formation —"),
    )


class RoomChoiceField(forms.TypedChoiceField):
    """Rooms as plain choices computed once per page, so a formset of parts costs one query."""

    def __init__(self, *, rooms: dict[int, Room], **kwargs: Any) -> None:
        self.rooms = rooms
        choices = [("", _("— Aucune salle de l'école —"))] + [
            (str(pk), str(room)) for pk, room in rooms.items()
        ]
        super().__init__(choices=choices, coerce=int, empty_value=None, **kwargs)

    def clean(self, value: Any) -> Room | None:
        pk = super().clean(value)
        return None if pk is None else self.rooms[pk]


def active_rooms() -> dict[int, Room]:
    return {
        r.pk: r
        for r in Room.objects.filter(is_active=True)
        .select_related("venue")
        .order_by("venue__name", "name")
    }


class PartForm(AccessibleFormMixin, forms.Form):
    part_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("Début"), widget=TimeInput())
    end_time = forms.TimeField(label=gettext_lazy("Fin"), widget=TimeInput())
    location_note = forms.CharField(
        label=gettext_lazy("Autre lieu"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Si la partie n'a pas lieu dans une salle de l'école."),
    )

    def __init__(self, *args: Any, rooms: dict[int, Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"] = RoomChoiceField(
            rooms=rooms, label=gettext_lazy("Salle"), required=False
        )
        self.order_fields(["part_id", "date", "start_time", "end_time", "room", "location_note"])
        self._describe_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("L'heure de fin doit suivre l'heure de début."))
        return data


def kept_part_forms(formset: forms.BaseFormSet) -> list[forms.Form]:
    """The filled-in part rows not ticked for removal (blank extra rows are ignored)."""
    return [
        f
        for f in formset.forms
        if f.has_changed() and not (formset.can_delete and f.cleaned_data.get("DELETE"))
    ]


class BasePartFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not kept_part_forms(self):
            raise forms.ValidationError(_("Indiquez au moins une partie (date, début, fin)."))


def part_formset(
    *, data: Any = None, initial: list[dict[str, Any]] | None = None, extra_rows: int = 2
) -> forms.BaseFormSet:
    formset_class = forms.formset_factory(
        PartForm,
        formset=BasePartFormSet,
        extra=extra_rows,
        can_delete=True,
        max_num=20,
        validate_max=True,
    )
    return formset_class(
        data=data, initial=initial, prefix="parts", form_kwargs={"rooms": active_rooms()}
    )


class SessionForm(AccessibleFormMixin, forms.Form):
    title_suffix = forms.CharField(
        label=gettext_lazy("Précision"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Par exemple : groupe 2. Ajoutée au titre de la formation."),
    )
    trainers = TrainersField()
    external_speaker = forms.CharField(
        label=gettext_lazy("Intervenant extérieur"), required=False, max_length=200
    )
    capacity = forms.IntegerField(label=gettext_lazy("Nombre de places"), min_value=1)
    min_participants = forms.IntegerField(
        label=gettext_lazy("Nombre minimum de participants"), min_value=0, initial=0
    )
    registration_opens_at = forms.DateTimeField(
        label=gettext_lazy("Ouverture des inscriptions"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=gettext_lazy("Vide : dès la publication."),
    )
    registration_closes_at = forms.DateTimeField(
        label=gettext_lazy("Clôture des inscriptions"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=gettext_lazy("Vide : jusqu'au début de la session."),
    )
    cancellation_deadline = forms.DateTimeField(
        label=gettext_lazy("Date limite d'annulation par l'agent"),
        required=False,
        widget=DateTimeLocalInput(),
    )
    notes = forms.CharField(
        label=gettext_lazy("Informations pratiques"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_conflicts = forms.BooleanField(label=OVERRIDE_LABEL, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"course": course_choices_field(), **self.fields}
        self._describe_fields()

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned figures and people, as the session services take them."""
        data = self.cleaned_data
        return {
            "capacity": data["capacity"],
            "trainers": data["trainers"],
            "min_participants": data.get("min_participants") or 0,
            "registration_opens_at": data.get("registration_opens_at"),
            "registration_closes_at": data.get("registration_closes_at"),
            "cancellation_deadline": data.get("cancellation_deadline"),
            "title_suffix": data.get("title_suffix") or "",
            "external_speaker": data.get("external_speaker") or "",
            "notes": data.get("notes") or "",
            "override_conflicts": bool(data.get("override_conflicts")),
        }


def parts_from(formset: forms.BaseFormSet) -> list[PartInput]:
    """The kept rows of a valid part formset, as the session services take them."""
    parts = []
    for form in kept_part_forms(formset):
        data = form.cleaned_data
        parts.append(
            PartInput(
                date=data["date"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                room=data.get("room"),
                location_note=data.get("location_note") or "",
                part_id=data.get("part_id"),
            )
        )
    return parts


class DuplicateForm(AccessibleFormMixin, forms.Form):
    new_date = forms.DateField(
        label=gettext_lazy("Nouvelle date de la première partie"),
        widget=DateInput(),
        help_text=gettext_lazy("Toutes les parties sont décalées d'autant."),
    )
    override_conflicts = forms.BooleanField(label=OVERRIDE_LABEL, required=False)


class CancelForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de l'annulation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Il sera communiqué aux inscrits."),
        error_messages={"required": gettext_lazy("Indiquez le motif de l'annulation.")},
    )


class SeriesForm(AccessibleFormMixin, forms.Form):
    FREQUENCY_CHOICES = [
        (recurrence.WEEKLY, gettext_lazy("Chaque semaine")),
        (recurrence.MONTHLY, gettext_lazy("Chaque mois")),
    ]
    MONTHLY_MODES = [
        ("weekday", gettext_lazy("Un jour de la semaine (par exemple : le premier jeudi)")),
        ("day", gettext_lazy("Une date fixe (par exemple : le 15)")),
    ]
    WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate(recurrence.WEEKDAY_NAMES)]
    ORDINAL_CHOICES = [(str(k), v) for k, v in recurrence.ORDINAL_NAMES.items()]

    title_suffix = SessionForm.base_fields["title_suffix"]
    frequency = forms.ChoiceField(
        label=gettext_lazy("Fréquence"),
        choices=FREQUENCY_CHOICES,
        widget=forms.RadioSelect,
        initial=recurrence.WEEKLY,
    )
    interval = forms.IntegerField(
        label=gettext_lazy("Toutes les … semaines ou mois"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=gettext_lazy("1 : chaque semaine (ou chaque mois) ; 2 : une sur deux."),
    )
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Jour (série hebdomadaire)"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        initial="1",
    )
    monthly_mode = forms.ChoiceField(
        label=gettext_lazy("Règle mensuelle"),
        choices=MONTHLY_MODES,
        widget=forms.RadioSelect,
        initial="weekday",
        required=False,
    )
    monthly_ordinal = forms.TypedChoiceField(
        label=gettext_lazy("Quantième (série mensuelle)"),
        choices=ORDINAL_CHOICES,
        coerce=int,
        initial="1",
        required=False,
        empty_value=None,
    )
    monthly_weekday = forms.TypedChoiceField(
        label=gettext_lazy("Jour de la semaine (série mensuelle)"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        initial="3",
        required=False,
        empty_value=None,
    )
    monthly_day = forms.IntegerField(
        label=gettext_lazy("Date fixe du mois (série mensuelle)"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=gettext_lazy("Les mois sans ce jour (le 31 en avril) sont sautés."),
    )
    start_date = forms.DateField(label=gettext_lazy("Première date possible"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("Dernière date possible"), widget=DateInput())
    start_time = forms.TimeField(label=gettext_lazy("Heure de début"), widget=TimeInput())
    end_time = forms.TimeField(label=gettext_lazy("Heure de fin"), widget=TimeInput())
    skip_dates = forms.CharField(
        label=gettext_lazy("Dates à sauter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Vacances, jours fériés… au format jj/mm/aaaa, une par ligne ou séparées par des "
            "virgules."
        ),
    )
    location_note = forms.CharField(
        label=gettext_lazy("Autre lieu"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Si la série n'a pas lieu dans une salle de l'école."),
    )
    trainers = TrainersField()
    capacity = forms.IntegerField(label=gettext_lazy("Nombre de places"), min_value=1)
    min_participants = forms.IntegerField(
        label=gettext_lazy("Nombre minimum de participants"), min_value=0, initial=0
    )
    registration_opens_days_before = forms.IntegerField(
        label=gettext_lazy("Ouverture des inscriptions (jours avant)"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("Vide : dès la publication."),
    )
    registration_closes_hours_before = forms.IntegerField(
        label=gettext_lazy("Clôture des inscriptions (heures avant)"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("Vide : jusqu'au début de la session."),
    )
    cancellation_hours_before = forms.IntegerField(
        label=gettext_lazy("Limite d'annulation par l'agent (heures avant)"),
        min_value=0,
        required=False,
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publier les sessions dès leur création"),
        required=False,
        help_text=gettext_lazy("Sinon elles restent en brouillon, à publier une par une."),
    )
    override_conflicts = forms.BooleanField(label=OVERRIDE_LABEL, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rooms = active_rooms()
        self.fields = {
            "course": course_choices_field(),
            **self.fields,
        }
        self.fields["room"] = RoomChoiceField(
            rooms=rooms, label=gettext_lazy("Salle"), required=False
        )
        self.order_fields(
            [
                "course",
                "title_suffix",
                "frequency",
                "interval",
                "weekday",
                "monthly_mode",
                "monthly_ordinal",
                "monthly_weekday",
                "monthly_day",
                "start_date",
                "end_date",
                "start_time",
                "end_time",
                "skip_dates",
                "room",
                "location_note",
                "trainers",
                "capacity",
                "min_participants",
                "registration_opens_days_before",
                "registration_closes_hours_before",
                "cancellation_hours_before",
                "publish",
                "override_conflicts",
            ]
        )
        self._describe_fields()

    def clean_skip_dates(self) -> list[datetime.date]:
        dates, bad = recurrence.parse_date_list(self.cleaned_data.get("skip_dates") or "")
        if bad:
            raise forms.ValidationError(
                _("Dates illisibles (attendu jj/mm/aaaa) : %(dates)s.") % {"dates": ", ".join(bad)}
            )
        return dates

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("L'heure de fin doit suivre l'heure de début."))
        if data.get("frequency") == recurrence.MONTHLY:
            if data.get("monthly_mode") == "day":
                if not data.get("monthly_day"):
                    self.add_error("monthly_day", _("Indiquez le jour du mois."))
            elif data.get("monthly_mode") == "weekday":
                if data.get("monthly_ordinal") is None:
                    self.add_error("monthly_ordinal", _("Choisissez le quantième."))
                if data.get("monthly_weekday") is None:
                    self.add_error("monthly_weekday", _("Choisissez le jour de la semaine."))
            else:
                self.add_error("monthly_mode", _("Choisissez la règle mensuelle."))
        return data

    def monthly_rule(self) -> recurrence.MonthlyRule | None:
        data = self.cleaned_data
        if data["frequency"] != recurrence.MONTHLY:
            return None
        if data.get("monthly_mode") == "day":
            return recurrence.MonthlyRule.day_of_month(data["monthly_day"])
        return recurrence.MonthlyRule.nth_weekday(data["monthly_ordinal"], data["monthly_weekday"])


class VenueForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=200)
    address = forms.CharField(
        label=gettext_lazy("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    access_notes = forms.CharField(
        label=gettext_lazy("Accès"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Transports, stationnement, entrée à utiliser…"),
    )


class RoomForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=120)
    capacity = forms.IntegerField(label=gettext_lazy("Capacité (places)"), min_value=1)
    step_free_access = forms.BooleanField(
        label=gettext_lazy("Accessible de plain-pied"), required=False, initial=True
    )
    equipment = forms.CharField(
        label=gettext_lazy("Équipement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Vidéoprojecteur, tableau blanc, postes informatiques…"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Disponible"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "venue": forms.ModelChoiceField(
                label=gettext_lazy("Lieu"),
                queryset=Venue.objects.order_by("name"),
                empty_label=None,
            ),
            **self.fields,
        }
        self._describe_fields()


class CalendarFilterForm(AccessibleFormMixin, forms.Form):
    """Room and trainer filters of the calendar.

    The trainer is typed, not picked: over a thousand agents have taught at the
    scale of a metropolis, a select that long weighs more than the calendar and
    is unusable without typing anyway. A name or a matricule finds the trainer;
    "STRUCTURE/matricule" names one agent, and is what the page's links carry.
    """

    MAX_CANDIDATES = 10

    salle = forms.TypedChoiceField(
        label=gettext_lazy("Salle"), required=False, coerce=int, empty_value=None
    )
    animateur = forms.CharField(
        label=gettext_lazy("Animateur"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Nom, matricule ou STRUCTURE/matricule."),
    )

    def __init__(self, *args: Any, rooms: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["salle"].choices = [("", _("Toutes les salles"))] + [  # type: ignore[attr-defined]
            (str(pk), label) for pk, label in rooms
        ]
        # Set when several trainers answer the text typed: the page offers them as links.
        self.trainer_candidates: list[TrainerChoice] = []
        self.more_candidates = False
        self._describe_fields()

    def clean_animateur(self) -> TrainerChoice | None:
        text = self.cleaned_data["animateur"].strip()
        if not text:
            return None
        found = calendar_trainers_matching(text, limit=self.MAX_CANDIDATES + 1)
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(
                _("Aucun animateur ne correspond à « %(text)s ».") % {"text": text}
            )
        self.trainer_candidates = found[: self.MAX_CANDIDATES]
        self.more_candidates = len(found) > self.MAX_CANDIDATES
        raise forms.ValidationError(
            _("Plusieurs animateurs correspondent à « %(text)s ».") % {"text": text}
        )
