"""The school's settings page, for its director."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import policies, services
from .exceptions import NotAllowed
from .forms_settings import SchoolSettingsForm
from .models import SchoolSettings


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def school_settings_view(request: HttpRequest) -> HttpResponse:
    if not policies.can_change_school_settings(request.user):
        raise NotAllowed(_("Les réglages de l'école sont réservés à la direction."))
    current = SchoolSettings.current()
    form = SchoolSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "waitlist_policy": current.waitlist_policy,
            "default_offer_hours": current.default_offer_hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        # The form admits only values the service accepts: a refusal here can only be
        # a forged request, for the middleware's page.
        services.school_settings_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Réglages de l'école enregistrés."))
        return redirect("core:school_settings")
    return render(request, "core/school_settings.html", {"form": form})
