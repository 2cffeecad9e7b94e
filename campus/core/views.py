"""The home page and the audit-log browser."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from campus.people import selectors as people_selectors
from campus.people.models import Agent

from . import permissions, selectors
from .exceptions import NotAllowed
from .forms import AuditLogFilterForm
from .models import AuditEntry

# The home page lists a manager's first reports; the team page has them all.
HOME_TEAM_PREVIEW = 12


@login_required
@require_safe
def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "agent": None,
        "team": [],
        "school": None,
        "can_view_audit_log": permissions.can_view_audit_log(user),
        "can_list_agents": permissions.can_list_agents(user),
        "can_import_agents": permissions.can_import_agents(user),
        "can_issue_letters": permissions.can_issue_first_signin_code(user),
        "can_use_admin": permissions.can_use_admin(user),
        "can_change_school_settings": permissions.can_change_school_settings(user),
        "role_label": user.get_role_display(),  # type: ignore[union-attr]
    }
    agent_id = getattr(user, "agent_id", None)
    if agent_id is not None:
        try:
            agent = people_selectors.agent_summary(agent_id)
        except Agent.DoesNotExist:
            agent = None
        if agent is not None:
            team = people_selectors.direct_reports(agent)
            context.update(
                agent=agent,
                team=team,
                team_preview=team[:HOME_TEAM_PREVIEW],
                trainings=selectors.home_trainings(agent, now=timezone.now()),
            )
    if permissions.is_coordinator(user):
        context["school"] = selectors.school_overview()
    return render(request, "core/home.html", context)


@login_required
@require_safe
def audit_log_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_audit_log(request.user):
        raise NotAllowed(_("Le journal est réservé à la direction de l'école."))
    actions, object_types = selectors.audit_filter_choices()
    form = AuditLogFilterForm(request.GET or None, actions=actions, object_types=object_types)
    valid = not form.is_bound or form.is_valid()
    entries = selectors.audit_entries(**form.filters()) if valid else AuditEntry.objects.none()
    page = Paginator(entries, selectors.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.audit_rows(page.object_list),
            "query": query.urlencode(),
            "filtered": any(form.filters().values()) if valid else False,
        },
    )
