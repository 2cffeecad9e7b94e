"""Forms of the attendance pages. They parse; the services in `attendance` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from campus.core.forms import AccessibleFormMixin

from .attendance_selectors import SheetRow
from .models import Attendance

FIELD_PREFIX = "presence-"


class AttendanceSheetForm(forms.Form):
    """One radio group per participant; a row left blank is simply not recorded."""

    def __init__(self, *args: Any, rows: list[SheetRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"{FIELD_PREFIX}{row.registration.pk}"] = forms.ChoiceField(
                label=row.agent.full_name,
                choices=Attendance.Status.choices,
                required=False,
                initial=row.status or None,
                widget=forms.RadioSelect,
            )

    def field_rows(self) -> list[tuple[SheetRow, forms.BoundField]]:
        return [(row, self[f"{FIELD_PREFIX}{row.registration.pk}"]) for row in self.rows]

    def statuses(self) -> dict[int, str]:
        """{registration id: status} for the rows that were given a value."""
        return {
            int(name.removeprefix(FIELD_PREFIX)): value
            for name, value in self.cleaned_data.items()
            if value
        }


class ReopenForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de la réouverture"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Par exemple : une présence oubliée à corriger. Il est journalisé."),
    )
