"""Shared form helpers and the audit-log filters."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class AccessibleFormMixin:
    """Ties each field to its help text and errors (aria-describedby, aria-invalid).

    Pair with templates/core/_field.html, which renders the ids used here.
    """

    fields: dict[str, forms.Field]
    _errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe_fields()

    def _describe_fields(self) -> None:
        for name, field in self.fields.items():
            auto_id = self[name].auto_id  # type: ignore[index]
            ids = []
            if field.help_text:
                ids.append(f"{auto_id}-help")
            if self._errors and name in self._errors:
                ids.append(f"{auto_id}-errors")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._describe_fields()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The HTML date input always sends ISO dates, whatever the language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AuditLogFilterForm(AccessibleFormMixin, forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("Type d'objet"), required=False)
    actor = forms.CharField(
        label=gettext_lazy("Auteur"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Une partie du nom ou de l'identifiant."),
    )
    obj = forms.CharField(
        label=gettext_lazy("Objet"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Une partie du libellé, ou l'identifiant exact."),
    )
    date_from = forms.DateField(label=gettext_lazy("Du"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("Au"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        actions: list[tuple[str, str]],
        object_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Toutes")), *actions]  # type: ignore[attr-defined]
        self.fields["object_type"].choices = [("", _("Tous")), *object_types]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from: datetime.date | None = data.get("date_from")
        date_to: datetime.date | None = data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("La date de fin ne peut pas précéder la date de début."))
        return data

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `selectors.audit_entries`; defaults when unbound."""
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return {
            "action": data.get("action") or "",
            "object_type": data.get("object_type") or "",
            "actor": (data.get("actor") or "").strip(),
            "obj": (data.get("obj") or "").strip(),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
