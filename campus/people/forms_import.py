"""Forms of the HR import page: the upload, and the confirmation of a previewed file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.core.forms import AccessibleFormMixin

# About 60,000 agents in a typical export: far above any member organisation.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportUploadForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV des agents"),
        help_text=gettext_lazy(
            "Export du logiciel RH au format CSV (séparateur point-virgule, virgule ou "
            "tabulation ; encodage UTF-8 ou Windows-1252). Colonnes obligatoires : structure, "
            "matricule, nom, prénom."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )
    deactivate_missing = forms.BooleanField(
        label=gettext_lazy("Désactiver les agents absents du fichier"),
        required=False,
        help_text=gettext_lazy(
            "Seulement dans les structures présentes dans le fichier. Les agents ne sont "
            "jamais supprimés : leur fiche et leur historique de formation sont conservés."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Le fichier pèse %(size)s ; la limite est de %(max)s. Découpez-le par structure.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        return upload


class ImportConfirmForm(forms.Form):
    """Points at the previewed file kept on the server; see views_import for why."""

    token = forms.CharField(max_length=64, min_length=64, widget=forms.HiddenInput)
