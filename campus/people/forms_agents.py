"""Forms of the agent pages: list filters, create/edit, deactivation, role."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.core.forms import AccessibleFormMixin, DateInput

from . import selectors
from .models import Agent, Department, Organisation, User


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments labelled with their organisation: names repeat across structures."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.organisation.name} · {obj.name}"


# --- Agent list filters -------------------------------------------------------


class AgentFilterForm(AccessibleFormMixin, forms.Form):
    ACTIVE_CHOICES = [
        ("active", gettext_lazy("Actifs")),
        ("inactive", gettext_lazy("Inactifs")),
        ("all", gettext_lazy("Tous")),
    ]
    YES_NO_CHOICES = [
        ("", gettext_lazy("Tous")),
        ("yes", gettext_lazy("Oui")),
        ("no", gettext_lazy("Non")),
    ]
    SORT_CHOICES = [
        ("name", gettext_lazy("Nom (A → Z)")),
        ("-name", gettext_lazy("Nom (Z → A)")),
    ]

    q = forms.CharField(
        label=gettext_lazy("Rechercher"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Nom, prénom, matricule ou adresse e-mail."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Structure"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Toutes"),
    )
    department = DepartmentChoiceField(
        label=gettext_lazy("Service"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Catégorie"),
        required=False,
        choices=[
            ("", gettext_lazy("Toutes")),
            *[(value, label) for value, label in Agent.Category.choices if value],
            (selectors.NO_CATEGORY, gettext_lazy("Sans catégorie")),
        ],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Statut"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *Agent.Status.choices],
    )
    active = forms.ChoiceField(
        label=gettext_lazy("Activité"), required=False, choices=ACTIVE_CHOICES
    )
    manager_position = forms.ChoiceField(
        label=gettext_lazy("Poste d'encadrement"), required=False, choices=YES_NO_CHOICES
    )
    without_email = forms.BooleanField(
        label=gettext_lazy("Seulement les agents sans adresse e-mail"), required=False
    )
    sort = forms.ChoiceField(label=gettext_lazy("Trier par"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = selectors.departments_for_choice()  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `selectors.agent_list`; defaults when the form is unbound."""
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "organisation": data.get("organisation"),
            "department": data.get("department"),
            "category": data.get("category") or "",
            "status": data.get("status") or "",
            "active": data.get("active") or "active",
            "manager_position": data.get("manager_position") or "",
            "without_email": bool(data.get("without_email")),
            "descending": data.get("sort") == "-name",
        }


# --- Create and edit ----------------------------------------------------------


class AgentForm(AccessibleFormMixin, forms.Form):
    """The agent's record. The manager is typed as a matricule: a drop-down of 600 names
    is unusable, and the matricule is what HR files carry."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Structure"),
        queryset=Organisation.objects.none(),
        empty_label=gettext_lazy("Choisir une structure"),
    )
    matricule = forms.CharField(label=gettext_lazy("Matricule"), max_length=40)
    last_name = forms.CharField(label=gettext_lazy("Nom"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        required=False,
        help_text=gettext_lazy("Laisser vide si l'agent n'a pas d'adresse professionnelle."),
    )
    phone = forms.CharField(label=gettext_lazy("Téléphone"), max_length=30, required=False)
    department = DepartmentChoiceField(
        label=gettext_lazy("Service"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("Aucun"),
    )
    job_title = forms.CharField(
        label=gettext_lazy("Emploi / fonction"), max_length=200, required=False
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Catégorie"), choices=Agent.Category.choices, required=False
    )
    status = forms.ChoiceField(label=gettext_lazy("Statut"), choices=Agent.Status.choices)
    gender = forms.ChoiceField(
        label=gettext_lazy("Sexe (selon le SIRH)"), choices=Agent.Gender.choices, required=False
    )
    manager_matricule = forms.CharField(
        label=gettext_lazy("Matricule du responsable hiérarchique"),
        max_length=40,
        required=False,
        help_text=gettext_lazy(
            "Un agent actif de la même structure. Laisser vide s'il n'y en a pas."
        ),
    )
    is_manager_position = forms.BooleanField(
        label=gettext_lazy("Occupe un poste d'encadrement"), required=False
    )
    manager_position_since = forms.DateField(
        label=gettext_lazy("Encadrant depuis"), required=False, widget=DateInput()
    )
    arrival_date = forms.DateField(
        label=gettext_lazy("Date d'arrivée"), required=False, widget=DateInput()
    )
    departure_date = forms.DateField(
        label=gettext_lazy("Date de départ"), required=False, widget=DateInput()
    )

    # Fields handed to the services as they are; the manager is resolved in clean().
    SERVICE_FIELDS = [
        "organisation",
        "matricule",
        "last_name",
        "first_name",
        "email",
        "phone",
        "department",
        "job_title",
        "category",
        "status",
        "gender",
        "is_manager_position",
        "manager_position_since",
        "arrival_date",
        "departure_date",
    ]

    FIELDSETS = [
        (
            gettext_lazy("Identité"),
            ["organisation", "matricule", "last_name", "first_name", "gender"],
        ),
        (gettext_lazy("Contact"), ["email", "phone"]),
        (
            gettext_lazy("Poste"),
            [
                "department",
                "job_title",
                "category",
                "status",
                "manager_matricule",
                "is_manager_position",
                "manager_position_since",
                "arrival_date",
                "departure_date",
            ],
        ),
    ]

    def __init__(self, *args: Any, agent: Agent | None = None, **kwargs: Any) -> None:
        self.agent = agent
        if agent is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(agent)
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(is_active=True)
        if agent is not None:
            # A structure closed since keeps its agents editable.
            organisations = Organisation.objects.filter(
                Q(is_active=True) | Q(pk=agent.organisation_id)
            )
        self.fields["organisation"].queryset = organisations.order_by("name")  # type: ignore[attr-defined]
        self.fields["department"].queryset = selectors.departments_for_choice()  # type: ignore[attr-defined]

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.FIELDSETS]

    @classmethod
    def initial_for(cls, agent: Agent) -> dict[str, Any]:
        initial = {name: getattr(agent, name) for name in cls.SERVICE_FIELDS}
        initial["organisation"] = agent.organisation_id
        initial["department"] = agent.department_id
        initial["manager_matricule"] = agent.manager.matricule if agent.manager else ""
        return initial

    def clean_matricule(self) -> str:
        return str(self.cleaned_data["matricule"]).strip()

    def clean_manager_matricule(self) -> str:
        return str(self.cleaned_data.get("manager_matricule") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation: Organisation | None = data.get("organisation")
        department: Department | None = data.get("department")
        if (
            organisation is not None
            and department is not None
            and department.organisation_id != organisation.pk
        ):
            self.add_error(
                "department",
                _("Ce service appartient à %(org)s, pas à %(agent_org)s.")
                % {"org": department.organisation.name, "agent_org": organisation.name},
            )
        matricule = data.get("matricule")
        if organisation is not None and matricule:
            duplicates = Agent.objects.filter(organisation=organisation, matricule=matricule)
            if self.agent is not None:
                duplicates = duplicates.exclude(pk=self.agent.pk)
            if duplicates.exists():
                self.add_error(
                    "matricule",
                    _("Le matricule %(matricule)s existe déjà dans %(org)s.")
                    % {"matricule": matricule, "org": organisation.name},
                )
        data["manager"] = None
        manager_matricule = data.get("manager_matricule")
        if organisation is not None and manager_matricule:
            data["manager"] = self._find_manager(organisation, manager_matricule)
        arrival = data.get("arrival_date")
        departure = data.get("departure_date")
        if arrival and departure and departure < arrival:
            self.add_error(
                "departure_date",
                _("La date de départ ne peut pas précéder la date d'arrivée (%(date)s).")
                % {"date": arrival.strftime("%d/%m/%Y")},
            )
        return data

    def _find_manager(self, organisation: Organisation, matricule: str) -> Agent | None:
        candidates = list(
            Agent.objects.filter(organisation=organisation, matricule__iexact=matricule)[:2]
        )
        exact = [agent for agent in candidates if agent.matricule == matricule]
        manager = exact[0] if exact else (candidates[0] if len(candidates) == 1 else None)
        if manager is None:
            self.add_error(
                "manager_matricule",
                _("Aucun agent de %(org)s n'a le matricule « %(matricule)s ».")
                % {"org": organisation.name, "matricule": matricule},
            )
        elif self.agent is not None and manager.pk == self.agent.pk:
            self.add_error(
                "manager_matricule", _("Un agent ne peut pas être son propre responsable.")
            )
            manager = None
        elif not manager.is_active:
            self.add_error(
                "manager_matricule",
                _("%(name)s n'est plus actif et ne peut pas être responsable.")
                % {"name": manager.full_name},
            )
            manager = None
        return manager

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for `agent_create` / `agent_update`; call after `is_valid()`."""
        kwargs = {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}
        kwargs["manager"] = self.cleaned_data.get("manager")
        for name in ("email", "phone", "job_title", "last_name", "first_name"):
            kwargs[name] = (kwargs[name] or "").strip()
        return kwargs


class AgentDeactivateForm(AccessibleFormMixin, forms.Form):
    departure_date = forms.DateField(
        label=gettext_lazy("Date de départ"), widget=DateInput(), required=True
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Mutation, retraite, fin de contrat… Il figure au journal."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, agent: Agent, **kwargs: Any) -> None:
        self.agent = agent
        kwargs.setdefault("initial", {"departure_date": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_departure_date(self) -> datetime.date:
        departure: datetime.date = self.cleaned_data["departure_date"]
        arrival = self.agent.arrival_date
        if arrival and departure < arrival:
            raise forms.ValidationError(
                _("La date de départ ne peut pas précéder la date d'arrivée (%(date)s).")
                % {"date": arrival.strftime("%d/%m/%Y")}
            )
        return departure


class AgentRoleForm(AccessibleFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"), choices=User.Role.choices, widget=forms.RadioSelect
    )
