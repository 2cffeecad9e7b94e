"""Forms of the sign-in pages: the two ways to sign in, first sign-in, password reset, account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.core.mail import queue_email

from .auth_backends import matricule_login
from .models import Agent, Department, Organisation, User

# The same sentence whatever went wrong, so the form does not tell which logins exist.
LOGIN_ERROR = gettext_lazy(
    "Identifiant ou mot de passe incorrect. Vérifiez votre saisie (majuscules, "
    "structure choisie) et réessayez."
)


class OrganisationChoiceField(forms.ModelChoiceField):
    """Active organisations, submitted by their short code (the code is part of the login)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Structure (votre employeur)"))
        kwargs.setdefault("empty_label", gettext_lazy("— Choisissez votre structure —"))
        super().__init__(
            queryset=Organisation.objects.filter(is_active=True).order_by("name"),
            to_field_name="code",
            **kwargs,
        )


def _password_field(label: Any, autocomplete: str) -> forms.CharField:
    # Named "password" in both sign-in forms: django-axes masks only that name
    # when it stores the data of failed attempts.
    return forms.CharField(
        label=label,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class _SignInForm(forms.Form):
    """Authenticates through django-axes with the login string the subclass builds."""

    error_css_class = "field-error"
    method = ""

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: User | None = None
        super().__init__(*args, **kwargs)

    def login(self) -> str:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if self.errors or not password:
            return cleaned
        # Axes counts failures and locks on the `username` given here, so it must be
        # the normalised login: "Jean@X.fr" and "jean@x.fr" are the same person.
        user = authenticate(self.request, username=self.login(), password=password)
        if user is None:
            raise forms.ValidationError(LOGIN_ERROR, code="invalid_login")
        self.user_cache = user
        return cleaned

    def get_user(self) -> User:
        assert self.user_cache is not None
        return self.user_cache


class EmailSignInForm(_SignInForm):
    method = "email"

    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = _password_field(gettext_lazy("Mot de passe"), "current-password")

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_email_%s")
        super().__init__(request, *args, **kwargs)

    def login(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class MatriculeSignInForm(_SignInForm):
    method = "matricule"

    organisation = OrganisationChoiceField()
    matricule = forms.CharField(
        label=gettext_lazy("Matricule"),
        max_length=40,
        help_text=gettext_lazy("Il figure sur votre bulletin de paie."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = _password_field(gettext_lazy("Mot de passe"), "current-password")

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_matricule_%s")
        super().__init__(request, *args, **kwargs)

    def login(self) -> str:
        return matricule_login(
            self.cleaned_data["organisation"].code, self.cleaned_data["matricule"]
        )


class FirstSignInForm(forms.Form):
    error_css_class = "field-error"

    organisation = OrganisationChoiceField()
    matricule = forms.CharField(
        label=gettext_lazy("Matricule"),
        max_length=40,
        help_text=gettext_lazy("Tel qu'il est écrit sur votre courrier."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code de première connexion"),
        max_length=40,
        help_text=gettext_lazy(
            "Les 10 caractères imprimés en gros sur le courrier. Les espaces ne comptent pas."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("Nouveau mot de passe"),
        strip=False,
        max_length=4096,
        help_text=gettext_lazy(
            "Au moins 10 caractères, pas uniquement des chiffres, ni un mot de passe courant."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("Confirmez le nouveau mot de passe"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_new_password2(self) -> str:
        first = self.cleaned_data.get("new_password1")
        second: str = self.cleaned_data["new_password2"]
        if first and first != second:
            raise forms.ValidationError(
                _("Les deux mots de passe ne sont pas identiques."), code="password_mismatch"
            )
        # Checked here without the account (unknown until the code is checked), so
        # that a weak password is refused before the code is even looked at; the
        # service checks again against the account's own details.
        password_validation.validate_password(second)
        return second


class CampusPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the background mail queue."""

    def get_users(self, email: str) -> Any:
        # Agents imported from the HR file have no password yet: the reset link is
        # how those with an e-mail address choose their first one. Django's default
        # skips accounts without a usable password.
        return (
            User.objects.filter(email__iexact=email, is_active=True)
            .filter(Q(agent__isnull=True) | Q(agent__is_active=True))
            .iterator()
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        html_body = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        queue_email(to=to_email, subject=subject, body=body, html_body=html_body)


def _language_choices() -> list[tuple[str, str]]:
    # Each language in its own name, so a person who cannot read the current one finds theirs.
    return [
        (code, LANG_INFO.get(code, {}).get("name_local", code)) for code, _n in settings.LANGUAGES
    ]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Langue de l'interface"),
        choices=_language_choices,
        widget=forms.RadioSelect,
    )


class LetterFilterForm(forms.Form):
    """Filters of the batch letters page; a bad value is ignored rather than an error."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Structure"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Toutes"),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=Department.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        ),
        required=False,
        empty_label=gettext_lazy("Tous"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dept = self.fields["department"]
        assert isinstance(dept, forms.ModelChoiceField)
        dept.label_from_instance = lambda obj: f"{obj.organisation.name} · {obj.name}"  # type: ignore[method-assign]


class LetterSelectionForm(forms.Form):
    """The agents ticked on the batch page, checked against those who may get a letter."""

    agents = forms.ModelMultipleChoiceField(
        queryset=Agent.objects.none(),
        error_messages={"required": gettext_lazy("Cochez au moins un agent.")},
    )

    def __init__(self, *args: Any, eligible: QuerySet[Agent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agents"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = eligible
        field.error_messages["invalid_choice"] = _(
            "Un des agents cochés ne peut plus recevoir de courrier : rechargez la page."
        )
