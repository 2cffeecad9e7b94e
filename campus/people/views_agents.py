"""Agent and team pages: list, profile, team, create/edit, deactivation, role."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.refusals import refuse_form

from . import policies, selectors, services
from .forms_agents import AgentDeactivateForm, AgentFilterForm, AgentForm, AgentRoleForm
from .models import Agent, User


def _missing_agent(request: HttpRequest) -> Exception:
    # Only people who may list agents learn that a number matches nobody.
    if policies.can_list_agents(request.user):
        return Http404(_("Aucun agent ne correspond à cette adresse."))
    return NotAllowed(_("Vous ne pouvez pas consulter la fiche de cet agent."))


def _profile_or_404(request: HttpRequest, pk: int) -> Agent:
    try:
        return selectors.agent_profile(pk)
    except Agent.DoesNotExist as exc:
        raise _missing_agent(request) from exc


def _agent_or_404(request: HttpRequest, pk: int) -> Agent:
    agent = Agent.objects.select_related("organisation", "manager").filter(pk=pk).first()
    if agent is None:
        raise _missing_agent(request)
    return agent


@login_required
def agent_list_view(request: HttpRequest) -> HttpResponse:
    if not policies.can_list_agents(request.user):
        raise NotAllowed(_("La liste des agents est réservée à l'école et aux RH."))
    form = AgentFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        agents = Agent.objects.none()
    else:
        agents = selectors.agent_list(**form.filters())
    page = Paginator(agents, selectors.AGENT_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/agent_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": policies.can_edit_agent(request.user),
        },
    )


@login_required
def agent_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _profile_or_404(request, pk)
    if not policies.can_view_agent(request.user, agent):
        raise NotAllowed(_("Vous ne pouvez pas consulter la fiche de cet agent."))
    user = request.user
    return render(
        request,
        "people/agent_detail.html",
        {
            "agent": agent,
            "reports": agent.active_reports,  # type: ignore[attr-defined]
            "account": selectors.account_state(agent),
            "is_self": getattr(user, "agent_id", None) == agent.pk,
            "can_edit": policies.can_edit_agent(user, agent),
            "can_issue_letter": policies.can_issue_first_signin_code(user, agent),
            "can_set_role": policies.can_set_role(user),
            "can_view_manager": agent.manager is not None
            and policies.can_view_agent(user, agent.manager),
        },
    )


def _render_team(request: HttpRequest, manager: Agent, *, own: bool) -> HttpResponse:
    return render(
        request,
        "people/team.html",
        {"team": selectors.team(manager), "own": own},
    )


@login_required
def my_team_view(request: HttpRequest) -> HttpResponse:
    agent_id = getattr(request.user, "agent_id", None)
    if agent_id is None or not policies.is_manager(request.user):
        messages.info(request, _("Aucun agent n'est rattaché à vous : vous n'avez pas d'équipe."))
        return redirect("portal:home")
    manager = get_object_or_404(Agent.objects.select_related("organisation"), pk=agent_id)
    return _render_team(request, manager, own=True)


@login_required
def team_view(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _agent_or_404(request, pk)
    if not policies.can_view_team(request.user, manager):
        raise NotAllowed(_("Vous ne pouvez pas consulter cette équipe."))
    return _render_team(request, manager, own=getattr(request.user, "agent_id", None) == pk)


@login_required
@require_http_methods(["GET", "POST"])
def agent_create_view(request: HttpRequest) -> HttpResponse:
    if not policies.can_edit_agent(request.user):
        raise NotAllowed(_("Seule l'école crée les fiches des agents."))
    form = AgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            agent = services.agent_create(actor=request.user, **kwargs)
        except DomainError as exc:
            refuse_form(form, exc)
        except ValidationError as exc:  # the model's own checks (full_clean)
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("La fiche de %(name)s est créée.") % {"name": agent})
            return redirect("people:agent_detail", pk=agent.pk)
    return render(request, "people/agent_form.html", {"form": form, "agent": None})


@login_required
@require_http_methods(["GET", "POST"])
def agent_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_edit_agent(request.user):
        raise NotAllowed(_("Seule l'école modifie les fiches des agents."))
    agent = get_object_or_404(Agent.objects.select_related("organisation", "manager"), pk=pk)
    if not policies.can_edit_agent(request.user, agent):
        raise NotAllowed(_("Seule l'école modifie les fiches des agents."))
    form = AgentForm(request.POST or None, agent=agent)
    if request.method == "POST" and form.is_valid():
        try:
            services.agent_update(actor=request.user, agent=agent, **form.service_kwargs())
        except DomainError as exc:
            refuse_form(form, exc)
        except ValidationError as exc:  # the model's own checks (full_clean)
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("La fiche de %(name)s est enregistrée.") % {"name": agent})
            return redirect("people:agent_detail", pk=agent.pk)
    return render(request, "people/agent_form.html", {"form": form, "agent": agent})


@login_required
@require_http_methods(["GET", "POST"])
def agent_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_edit_agent(request.user):
        raise NotAllowed(_("Seule l'école enregistre le départ d'un agent."))
    agent = get_object_or_404(Agent.objects.select_related("organisation"), pk=pk)
    if not policies.can_edit_agent(request.user, agent):
        raise NotAllowed(_("Seule l'école enregistre le départ d'un agent."))
    if not agent.is_active:
        messages.info(request, _("%(name)s est déjà inactif.") % {"name": agent})
        return redirect("people:agent_detail", pk=agent.pk)
    form = AgentDeactivateForm(request.POST or None, agent=agent)
    if request.method == "POST" and form.is_valid():
        try:
            services.agent_deactivate(
                actor=request.user,
                agent=agent,
                departure_date=form.cleaned_data["departure_date"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s est désormais inactif ; son compte ne permet plus de se connecter.")
                % {"name": agent},
            )
            return redirect("people:agent_detail", pk=agent.pk)
    return render(request, "people/agent_deactivate.html", {"form": form, "agent": agent})


@login_required
@require_http_methods(["GET", "POST"])
def agent_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_set_role(request.user):
        raise NotAllowed(_("Seule la direction de l'école attribue les rôles."))
    agent = _profile_or_404(request, pk)
    account = selectors.account_state(agent)
    initial_role = account.user.role if account.user is not None else User.Role.AGENT
    form = AgentRoleForm(request.POST or None, initial={"role": initial_role})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.agent_set_role(
                actor=request.user, agent=agent, role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s a désormais le rôle « %(role)s ».")
                % {"name": agent, "role": user.get_role_display()},
            )
            return redirect("people:agent_detail", pk=agent.pk)
    return render(
        request,
        "people/agent_role.html",
        {"form": form, "agent": agent, "account": account},
    )
