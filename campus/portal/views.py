"""The home page, the agents' catalogue and a course's page, the coordinators' course list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from campus.catalog import policies as catalog_policies
from campus.catalog import selectors as catalog_selectors
from campus.catalog.audience import audience_refusal
from campus.catalog.forms import CatalogueFilterForm, ManageFilterForm
from campus.catalog.models import Course
from campus.core import policies as core_policies
from campus.core import roles
from campus.core.exceptions import NotAllowed
from campus.people import policies as people_policies
from campus.people import selectors as people_selectors
from campus.people.models import Agent
from campus.registrations.rules import needs_manager_approval
from campus.registrations.selectors import live_registrations_by_session

from . import catalogue, selectors

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
        "can_view_audit_log": core_policies.can_view_audit_log(user),
        "can_list_agents": people_policies.can_list_agents(user),
        "can_import_agents": people_policies.can_import_agents(user),
        "can_issue_letters": people_policies.can_issue_first_signin_code(user),
        "can_use_admin": core_policies.can_use_admin(user),
        "can_change_school_settings": core_policies.can_change_school_settings(user),
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
    if roles.is_coordinator(user):
        context["school"] = selectors.school_overview()
    return render(request, "portal/home.html", context)


# --- The catalogue ------------------------------------------------------------------


@login_required
@require_safe
def catalogue_view(request: HttpRequest) -> HttpResponse:
    can_manage = catalog_policies.can_manage_catalog(request.user)
    form = CatalogueFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.filters() if valid else {}
    return render(
        request,
        "portal/catalogue.html",
        {
            "form": form,
            "page": catalogue.catalogue_page(request.GET.get("page", ""), **filters)
            if valid
            else None,
            "query": urlencode(CatalogueFilterForm.submitted(request.GET)),
            "filtered": any(filters.values()),
            "can_manage": can_manage,
        },
    )


@login_required
@require_safe
def course_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    can_manage = catalog_policies.can_manage_catalog(request.user)
    try:
        course = catalog_selectors.course_detail(slug, include_unpublished=can_manage)
    except Course.DoesNotExist as exc:
        raise Http404(_("Aucune formation publiée ne correspond à cette adresse.")) from exc
    agent = getattr(request.user, "agent", None)
    refusal = audience_refusal(course=course, agent=agent)
    sessions = catalogue.course_sessions_page(course, request.GET.get("page", ""))
    mine = live_registrations_by_session(agent, [row.pk for row in sessions.object_list])
    return render(
        request,
        "portal/course_detail.html",
        {
            "course": catalog_selectors.with_course_facts(course),
            "badges": catalog_selectors.course_badges(course),
            "sessions": sessions,
            # The reader's own column: their registration to each session listed, if any.
            "rows": [(row, mine.get(row.pk)) for row in sessions.object_list],
            "may_sign_up": not refusal and agent is not None,
            # The same rule as the sign-up service: a request to the manager, or not.
            "needs_approval": agent is not None
            and needs_manager_approval(course=course, agent=agent, actor=request.user),
            "refusal": refusal,
            # The reason follows a colon in the page, where French wants a lower-case letter.
            "refusal_inline": refusal.message[:1].lower() + refusal.message[1:] if refusal else "",
            "can_manage": can_manage,
        },
    )


@login_required
@require_safe
def catalogue_manage_view(request: HttpRequest) -> HttpResponse:
    """The coordinators' list of every course, drafts and archives included, with its sessions."""
    if not catalog_policies.can_manage_catalog(request.user):
        raise NotAllowed(_("La gestion du catalogue est réservée à l'école."))
    form = ManageFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    courses = (
        catalogue.catalogue_search(include_unpublished=True, **form.filters())
        if valid
        else Course.objects.none()
    )
    page = Paginator(courses, catalogue.MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/catalogue_manage.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
