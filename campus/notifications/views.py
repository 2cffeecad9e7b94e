"""Notification pages: a person's settings, a session's reminder, the agents to inform by hand."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.refusals import refuse_message
from campus.people.models import User
from campus.scheduling.models import TrainingSession

from . import policies, selectors, services
from .context import session_title
from .forms import PreferencesForm, SessionReminderForm
from .models import OutboxMessage, SessionNotificationSettings


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    initial = {
        "reminders_enabled": selectors.reminders_enabled(user),
        "language": user.language or translation.get_language() or "fr",
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        # The form offers only the site's languages, which the service accepts.
        services.notification_preferences_update(
            actor=user,
            user=user,
            reminders_enabled=form.cleaned_data["reminders_enabled"],
            language=language,
        )
        translation.activate(language)
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        response = redirect("notifications:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response
    return render(
        request, "notifications/preferences.html", {"form": form, "has_email": bool(user.email)}
    )


def _session_or_404(pk: int) -> TrainingSession:
    session = TrainingSession.objects.select_related("course").filter(pk=pk).first()
    if session is None:
        raise Http404(_("Aucune session ne correspond à cette adresse."))
    return session


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_notifications_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_manage_session_notifications(request.user):
        raise NotAllowed(_("Réservé aux coordinateurs de l'école."))
    session = _session_or_404(pk)
    current = SessionNotificationSettings.objects.filter(session=session).first()
    form = SessionReminderForm(
        request.POST or None,
        initial={"reminder_days_before": current.reminder_days_before if current else None},
    )
    if request.method == "POST" and form.is_valid():
        # The form bounds the number of days as the service does.
        services.session_notification_settings_update(
            actor=request.user,
            session=session,
            reminder_days_before=form.cleaned_data["reminder_days_before"],
        )
        messages.success(request, _("Le rappel de cette session est enregistré."))
        return redirect("sessions:detail", pk=session.pk)
    return render(
        request,
        "notifications/session_notifications.html",
        {
            "form": form,
            "session": session,
            "title": session_title(session),
            "default_days": settings.CAMPUS_REMINDER_DAYS_BEFORE,
        },
    )


@login_required
@require_safe
def offline_notices_view(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_offline_notices(request.user):
        raise NotAllowed(_("Cette liste est réservée aux coordinateurs de l'école."))
    page = Paginator(selectors.offline_notices(), selectors.OFFLINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/offline_notices.html", {"page": page})


@login_required
@require_POST
def notice_informed_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_view_offline_notices(request.user):
        raise NotAllowed(_("Cette liste est réservée aux coordinateurs de l'école."))
    message = OutboxMessage.objects.filter(pk=pk).first()
    if message is None:
        raise Http404(_("Ce message n'existe pas."))
    try:
        services.notice_mark_informed(actor=request.user, message=message)
    except DomainError as exc:
        refuse_message(request, exc)
    else:
        messages.success(request, _("Message noté comme transmis."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:offline_notices")
    return redirect(target)
