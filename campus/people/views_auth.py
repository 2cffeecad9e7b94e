"""Sign-in and sign-out, first sign-in with a printed code, password reset, account settings.

Failed sign-ins are counted by django-axes (username + address), which hooks into
`authenticate()`; the first-sign-in form is bounded by the code itself, which is
revoked after a few wrong tries whatever address they come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.refusals import refuse_form, refuse_message

from . import policies, selectors_auth, services
from .forms_auth import (
    CampusPasswordResetForm,
    EmailSignInForm,
    FirstSignInForm,
    LanguageForm,
    LetterFilterForm,
    LetterSelectionForm,
    MatriculeSignInForm,
)
from .models import Agent, FirstSignInCode, User

# One page of the batch list is also the most letters printed at once: each code is
# hashed with the password hasher (Argon2, about 0.2 s), and the request must end
# well before the web server's timeout.
LETTERS_PAGE_SIZE = 30
CODE_GROUP_SIZE = 5
# Names the backend of a session opened by the first-sign-in form, which checks
# the code itself rather than calling authenticate().
LOGIN_BACKEND = "campus.people.auth_backends.LoginBackend"


# --- Helpers ------------------------------------------------------------------


def _safe_next(request: HttpRequest, candidate: str) -> str | None:
    """The `next` address when it stays on this site, else None (no open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _with_language(response: HttpResponse, language: str) -> HttpResponse:
    """Make LocaleMiddleware use the account's language from the next request on."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


# --- Sign-in and sign-out -----------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request, next_url) or resolve_url(settings.LOGIN_REDIRECT_URL))
    email_form = EmailSignInForm(request)
    matricule_form = MatriculeSignInForm(request)
    if request.method == "POST":
        # Two independent forms on one page; the hidden `method` says which was sent.
        form: EmailSignInForm | MatriculeSignInForm
        if request.POST.get("method") == MatriculeSignInForm.method:
            form = matricule_form = MatriculeSignInForm(request, data=request.POST)
        else:
            form = email_form = EmailSignInForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            auth_login(request, user)
            target = _safe_next(request, next_url) or resolve_url(settings.LOGIN_REDIRECT_URL)
            return _with_language(HttpResponseRedirect(target), user.language)
    return render(
        request,
        "people/login.html",
        {
            "email_form": email_form,
            "matricule_form": matricule_form,
            "next": _safe_next(request, next_url) or "",
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    # POST only: a link or an image on another site must not sign anyone out.
    auth_logout(request)
    messages.info(request, _("Vous êtes déconnecté. À bientôt !"))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- First sign-in with a printed code ----------------------------------------


@sensitive_post_parameters("code", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def first_signin_view(request: HttpRequest) -> HttpResponse:
    form = FirstSignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.first_signin_code_redeem(
                organisation_code=data["organisation"].code,
                matricule=data["matricule"],
                code=data["code"],
                new_password=data["new_password1"],
            )
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            auth_login(request, user, backend=LOGIN_BACKEND)
            messages.success(
                request,
                _(
                    "Bienvenue sur Campus ! Votre mot de passe est enregistré. La prochaine "
                    "fois, connectez-vous « Avec mon matricule » : votre structure, votre "
                    "matricule et ce mot de passe."
                ),
            )
            return _with_language(redirect("portal:home"), user.language)
    return render(request, "people/first_signin.html", {"form": form})


# --- Password reset by e-mail (Django's views, French pages, mail in the background)


password_reset_view = auth_views.PasswordResetView.as_view(
    form_class=CampusPasswordResetForm,
    template_name="people/password_reset_form.html",
    email_template_name="people/password_reset_email.txt",
    subject_template_name="people/password_reset_subject.txt",
    success_url=reverse_lazy("people:password_reset_done"),
    extra_email_context={
        "school_name": settings.SCHOOL_NAME,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    },
)
password_reset_done_view = auth_views.PasswordResetDoneView.as_view(
    template_name="people/password_reset_done.html",
    extra_context={"valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
)
password_reset_confirm_view = auth_views.PasswordResetConfirmView.as_view(
    template_name="people/password_reset_confirm.html",
    success_url=reverse_lazy("people:password_reset_complete"),
)
password_reset_complete_view = auth_views.PasswordResetCompleteView.as_view(
    template_name="people/password_reset_complete.html",
)


# --- Account ------------------------------------------------------------------


def _password_change_form(user: User, data: Any = None) -> PasswordChangeForm:
    form = PasswordChangeForm(user, data)
    # Django focuses the old password; here it sits below the language form, so the
    # focus would skip the page's start for screen-reader and keyboard users.
    form.fields["old_password"].widget.attrs.pop("autofocus", None)
    return form


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    language_form = LanguageForm(initial={"language": user.language or translation.get_language()})
    password_form = _password_change_form(user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "language":
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                language = language_form.cleaned_data["language"]
                # The form offers only the site's languages, which the service accepts.
                services.user_set_language(actor=user, user=user, language=language)
                # Activated now so that the confirmation reads in the chosen language.
                translation.activate(language)
                messages.success(request, _("Langue de l'interface enregistrée."))
                return _with_language(redirect("people:account"), language)
        elif action == "password":
            password_form = _password_change_form(user, request.POST)
            if password_form.is_valid():
                password_form.save()
                # Changing the password ends every other session, not this one.
                update_session_auth_hash(request, password_form.user)
                messages.success(request, _("Votre mot de passe a été modifié."))
                return redirect("people:account")
    return render(
        request,
        "people/account.html",
        {"account": user, "language_form": language_form, "password_form": password_form},
    )


# --- Printed letters ----------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """What one printed letter shows. The clear code exists only in this response."""

    agent: Agent
    code_groups: list[str]
    expires_at: datetime


def _group(code: str) -> list[str]:
    return [code[i : i + CODE_GROUP_SIZE] for i in range(0, len(code), CODE_GROUP_SIZE)]


def _render_letters(
    request: HttpRequest, agents: list[Agent], issued: list[services.IssuedCode]
) -> HttpResponse:
    letters = [
        Letter(agent=agent, code_groups=_group(item.clear_text), expires_at=item.code.expires_at)
        for agent, item in zip(agents, issued, strict=True)
    ]
    # The codes are in clear: both views that call this are never_cache (no-store).
    return render(
        request,
        "people/first_signin_letter.html",
        {
            "letters": letters,
            "first_signin_url": request.build_absolute_uri(reverse("people:first_signin")),
            "login_url": request.build_absolute_uri(reverse("people:login")),
            "printed_by": request.user,
        },
    )


def _require_letter_permission(request: HttpRequest, agent: Agent | None = None) -> None:
    if not policies.can_issue_first_signin_code(request.user, agent):
        raise NotAllowed(_("Seule l'équipe de l'école édite les courriers de première connexion."))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def first_signin_letter_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Permission before lookup: a 404 would tell an agent which records exist.
    _require_letter_permission(request)
    agent = get_object_or_404(Agent.objects.select_related("organisation", "department"), pk=pk)
    _require_letter_permission(request, agent)
    if request.method == "POST":
        try:
            issued = services.first_signin_code_issue(actor=request.user, agent=agent)
        except DomainError as exc:
            refuse_message(request, exc)
            return redirect("people:first_signin_letter", pk=agent.pk)
        return _render_letters(request, [agent], [issued])
    live_code = (
        FirstSignInCode.objects.filter(
            user__agent=agent, used_at__isnull=True, revoked_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "people/first_signin_letter_confirm.html",
        {
            "agent": agent,
            "live_code": live_code,
            "account": User.objects.filter(agent=agent).first(),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def first_signin_letters_view(request: HttpRequest) -> HttpResponse:
    _require_letter_permission(request)
    filters = LetterFilterForm(request.GET or None)
    organisation = department = None
    if filters.is_valid():
        organisation = filters.cleaned_data["organisation"]
        department = filters.cleaned_data["department"]
    selection: LetterSelectionForm | None = None
    if request.method == "POST":
        data = request.POST.copy()
        if data.get("scope") == "page":
            data.setlist("agents", request.POST.getlist("page_agents"))
        # Checked against every agent still waiting, not only the current filter:
        # the ticked boxes may come from a page loaded before a filter change.
        selection = LetterSelectionForm(
            data, eligible=selectors_auth.agents_awaiting_first_signin()
        )
        if selection.is_valid():
            agents = list(selection.cleaned_data["agents"])
            if len(agents) > LETTERS_PAGE_SIZE:
                selection.add_error(
                    "agents",
                    _("Pas plus de %(max)d courriers à la fois : filtrez par structure ou service.")
                    % {"max": LETTERS_PAGE_SIZE},
                )
            else:
                try:
                    issued = services.first_signin_code_issue_many(
                        actor=request.user, agents=agents
                    )
                except DomainError as exc:
                    refuse_form(selection, exc)
                else:
                    return _render_letters(request, agents, issued)
    page = Paginator(
        selectors_auth.agents_awaiting_first_signin(
            organisation=organisation, department=department
        ),
        LETTERS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"filters": filters, "page": page, "selection": selection}
    return render(request, "people/first_signin_letters.html", context)
