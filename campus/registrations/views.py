"""Registration pages: sign-up, the agent's, the manager's and the coordinator's pages.

Views parse and render; the services check permissions (NotAllowed → 403) and
the rules (DomainError → its sentence and code, shown on the page the person was on).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from campus.core.actors import Actor
from campus.core.exceptions import DomainError, NotAllowed, Refusal
from campus.core.models import SchoolSettings
from campus.core.refusals import refuse_form, refuse_message
from campus.people import policies as people_policies
from campus.people import selectors as people_selectors
from campus.people.models import Agent
from campus.scheduling import policies as scheduling_policies
from campus.scheduling.models import TrainingSession

from . import capacity, exports, policies, rules, selectors, services
from .forms import (
    AgentSearchForm,
    CancelForm,
    DeclineForm,
    ManageAddForm,
    TeamSessionSearchForm,
    TeamSignupForm,
    WaitlistModeForm,
)
from .models import Registration

State = Registration.State


# --- Helpers ----------------------------------------------------------------------


def _session_or_404(request: HttpRequest, pk: int) -> TrainingSession:
    try:
        session = selectors.session_for_agents(pk)
    except TrainingSession.DoesNotExist as exc:
        raise Http404(_("Aucune session ne correspond à cette adresse.")) from exc
    # A draft is the coordinator's work in progress, not yet a session anyone may see.
    if (
        session.status == TrainingSession.Status.DRAFT
        and not scheduling_policies.can_manage_sessions(request.user)
    ):
        raise Http404(_("Aucune session ne correspond à cette adresse."))
    return session


def _registration_or_404(pk: int) -> Registration:
    return get_object_or_404(Registration.objects.select_related("agent", "session__course"), pk=pk)


def _own_agent(request: HttpRequest) -> Agent | None:
    # The sign-in backend reads the account with its agent (campus.people.auth_backends).
    if getattr(request.user, "agent_id", None) is None:
        return None
    return request.user.agent  # type: ignore[union-attr]


def _agent_param(value: str | None) -> Agent | None:
    if not value or not value.isdigit():
        return None
    return Agent.objects.select_related("organisation").filter(pk=int(value)).first()


def _team_members(request: HttpRequest) -> list[Agent]:
    """Direct and indirect reports of the signed-in manager (none for others)."""
    own = getattr(request.user, "agent", None)
    if own is None:
        return []
    # No `people_policies.is_manager` first: an agent without reports has an empty team,
    # found by the same one query.
    team = people_selectors.team(own, with_details=False)
    return [*team.direct, *(m for group in team.groups for m in group.members)]


def _session_url(session: TrainingSession, agent: Agent | None, user: Actor) -> str:
    url = reverse("registrations:session", args=[session.pk])
    if agent is not None and agent.pk != getattr(user, "agent_id", None):
        url = f"{url}?{urlencode({'agent': agent.pk})}"
    return url


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _signup_message(registration: Registration, user: Actor) -> str:
    is_self = registration.agent_id == getattr(user, "agent_id", None)
    name = registration.agent.full_name
    if registration.state == State.WAITLISTED:
        # The sign-up service knows the position when it could count it under the lock.
        position = getattr(registration, "position", None) or capacity.waitlist_position(
            registration
        )
        if is_self:
            return _(
                "La session est complète : vous êtes sur la liste d'attente, en position %(position)s."
            ) % {"position": position}
        return _(
            "La session est complète : %(name)s est sur la liste d'attente, en position %(position)s."
        ) % {"name": name, "position": position}
    if registration.state == State.REQUESTED:
        if is_self:
            return _("Votre demande a été transmise à votre responsable.")
        return _("La demande de %(name)s a été transmise à son responsable.") % {"name": name}
    if is_self:
        return _("Vous êtes inscrit(e).")
    return _("%(name)s est inscrit(e).") % {"name": name}


def _overlap_page(
    request: HttpRequest,
    *,
    session: TrainingSession,
    agent: Agent,
    exc: services.OverlapWarning,
    mandatory: bool,
    next_url: str,
    back_url: str,
) -> HttpResponse:
    return render(
        request,
        "registrations/overlap_confirm.html",
        {
            "session": session,
            "agent": agent,
            "is_self": agent.pk == getattr(request.user, "agent_id", None),
            "message": exc.message,
            "code": exc.code,
            "overlapping": exc.overlapping,
            "mandatory": mandatory,
            "next_url": next_url,
            "back_url": back_url,
        },
    )


# --- The session, as an agent sees it ----------------------------------------------


def _session_context(
    request: HttpRequest, session: TrainingSession, agent: Agent | None
) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    registration = selectors.current_registration(session, agent) if agent else None
    context: dict[str, Any] = {
        "session": session,
        "parts": list(session.parts.all()),
        "trainers": list(session.trainers.all()),
        "agent": agent,
        "is_self": agent is not None and agent.pk == getattr(user, "agent_id", None),
        "registration": registration,
        "position": None,
        "offer": None,
        "cancel_refusal": None,
        "reason": "",
        "cancel_form": CancelForm(),
        "can_manage": scheduling_policies.can_manage_sessions(user),
        "can_view_list": policies.can_view_session_registrations(user, session),
        "team_form": None,
    }
    if registration is not None:
        registration.session = session
        if registration.is_live:
            context["cancel_refusal"] = rules.cancel_refusal(
                registration=registration, actor=user, now=now
            )
            context["position"] = capacity.waitlist_position(registration)
        else:
            context["reason"] = selectors.last_reason(registration)
    if agent is not None and (registration is None or not registration.is_live):
        context["offer"] = rules.signup_offer(
            session=session,
            agent=agent,
            actor=user,
            now=now,
            seats_left=session.seats_left,  # type: ignore[attr-defined]
        )
    if session.status == TrainingSession.Status.OPEN:
        members = _team_members(request)
        if members:
            context["team_form"] = TeamSignupForm(members=members, auto_id="team_%s")
    return context


def _render_session(
    request: HttpRequest, session: TrainingSession, agent: Agent | None
) -> HttpResponse:
    return render(request, "registrations/session.html", _session_context(request, session, agent))


@login_required
@require_safe
def session_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    agent = _own_agent(request)
    if "agent" in request.GET:
        other = _agent_param(request.GET["agent"])
        if other is None:
            raise Http404(_("Aucun agent ne correspond à cette adresse."))
        if not policies.can_cancel_registration(request.user, other):
            raise NotAllowed(_("Vous ne pouvez pas consulter les inscriptions de cet agent."))
        agent = other
    return _render_session(request, session, agent)


@login_required
@require_POST
def signup_view(request: HttpRequest, session_pk: int) -> HttpResponse:
    """The sign-up contract: 302 to the session page on success, 200 with the reason if refused.

    The session is read once, locked, by the service; a missing session is a 404,
    and a draft is refused there, then shown as a 404 below to whoever may not see it.
    """
    session = TrainingSession(pk=session_pk)
    if request.POST.get("agent"):
        agent = _agent_param(request.POST["agent"])
        if agent is None:
            refuse_message(
                request,
                Refusal(
                    _("Agent introuvable : choisissez-le dans la liste."),
                    code="registration.unknown_agent",
                ),
            )
            return _render_session(
                request, _session_or_404(request, session_pk), _own_agent(request)
            )
    else:
        agent = _own_agent(request)
        if agent is None:
            refuse_message(
                request,
                Refusal(
                    _(
                        "Votre compte n'est rattaché à aucune fiche d'agent : vous ne pouvez pas vous inscrire."
                    ),
                    code="registration.no_agent",
                ),
            )
            return _render_session(request, _session_or_404(request, session_pk), None)
    mandatory = request.POST.get("mandatory") == "1"
    default_url = _session_url(session, agent, request.user)
    try:
        outcome = services.registration_create(
            actor=request.user,
            session=session,
            agent=agent,
            mandatory=mandatory,
            acknowledge_overlap=request.POST.get("acknowledge_overlap") == "1",
        )
    except TrainingSession.DoesNotExist as exc:
        raise Http404(_("Aucune session ne correspond à cette adresse.")) from exc
    except NotAllowed:
        _session_or_404(request, session_pk)  # a missing or hidden session stays a 404
        raise
    except services.OverlapWarning as exc:
        # Refusals render the session page: only they need the full selector.
        return _overlap_page(
            request,
            session=_session_or_404(request, session_pk),
            agent=agent,
            exc=exc,
            mandatory=mandatory,
            next_url=_safe_next(request, ""),
            back_url=_safe_next(request, default_url),
        )
    except DomainError as exc:
        refuse_message(request, exc)
        return _render_session(request, _session_or_404(request, session_pk), agent)
    messages.success(request, _signup_message(outcome.registration, request.user))
    return redirect(_safe_next(request, default_url))


def _after_action(request: HttpRequest, registration: Registration) -> HttpResponse:
    return redirect(
        _safe_next(request, _session_url(registration.session, registration.agent, request.user))
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: confirm with an optional reason. POST: cancel (the freed seat goes to the waitlist)."""
    registration = _registration_or_404(pk)
    if not policies.can_cancel_registration(request.user, registration.agent):
        raise NotAllowed(_("Vous ne pouvez pas annuler cette inscription."))
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_cancel(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            refuse_message(request, exc)
        else:
            messages.success(request, _("Inscription annulée."))
        return _after_action(request, registration)
    return render(
        request,
        "registrations/cancel.html",
        {
            "registration": registration,
            "form": form,
            "next_url": _safe_next(request, ""),
            "back_url": _safe_next(
                request, _session_url(registration.session, registration.agent, request.user)
            ),
        },
    )


@login_required
@require_POST
def offer_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration_or_404(pk)
    try:
        services.offer_accept(actor=request.user, registration=registration)
    except DomainError as exc:
        refuse_message(request, exc)
    else:
        messages.success(request, _("Place acceptée : l'inscription est confirmée."))
    return _after_action(request, registration)


@login_required
@require_POST
def offer_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration_or_404(pk)
    try:
        services.offer_decline(actor=request.user, registration=registration)
    except DomainError as exc:
        refuse_message(request, exc)
    else:
        messages.success(request, _("Place refusée : elle est proposée à l'agent suivant."))
    return _after_action(request, registration)


# --- Approval by the line manager ------------------------------------------------------


@login_required
@require_POST
def approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration_or_404(pk)
    try:
        outcome = services.registration_approve(actor=request.user, registration=registration)
    except DomainError as exc:
        refuse_message(request, exc)
    else:
        if outcome.registration.state == State.WAITLISTED:
            messages.success(
                request,
                _(
                    "Demande acceptée : la session est complète, %(name)s est sur la liste d'attente."
                )
                % {"name": registration.agent.full_name},
            )
        else:
            messages.success(
                request,
                _("Demande acceptée : %(name)s est inscrit(e).")
                % {"name": registration.agent.full_name},
            )
    return redirect(_safe_next(request, reverse("registrations:team")))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the reason form. POST: decline; an empty reason is refused with the form shown again."""
    registration = _registration_or_404(pk)
    if not policies.can_decide_approval(request.user, registration.agent):
        raise NotAllowed(
            _("Seul le responsable hiérarchique de l'agent peut répondre à cette demande.")
        )
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_decline(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(
                request,
                _("Demande de %(name)s refusée.") % {"name": registration.agent.full_name},
            )
            return redirect(_safe_next(request, reverse("registrations:team")))
    return render(
        request,
        "registrations/decline.html",
        {
            "registration": registration,
            "form": form,
            "next_url": _safe_next(request, ""),
            "back_url": _safe_next(request, reverse("registrations:team")),
        },
    )


# --- The agent's page ----------------------------------------------------------------


@login_required
@require_safe
def mine_view(request: HttpRequest) -> HttpResponse:
    agent = getattr(request.user, "agent", None)
    trainings = (
        selectors.my_trainings(agent, now=timezone.now(), history_page=request.GET.get("page"))
        if agent
        else None
    )
    return render(
        request,
        "registrations/mine.html",
        {"agent": agent, "trainings": trainings},
    )


# --- The manager's page ------------------------------------------------------------------


def _team_context(
    request: HttpRequest,
    form: TeamSignupForm | None = None,
    members: list[Agent] | None = None,
) -> dict[str, Any]:
    now = timezone.now()
    if members is None:
        members = _team_members(request)
    # The search text travels with the sign-up form, so that a refused sign-up shows the same list.
    source = request.POST if request.method == "POST" else request.GET
    search_form = TeamSessionSearchForm(source if "q" in source else None)
    text = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    sessions = selectors.sessions_for_team_signup(now=now, text=text)
    if form is None:
        form = TeamSignupForm(members=members, sessions=[])
    form.offer_sessions(sessions, search=text)
    return {
        "members": members,
        "trainings": selectors.team_trainings(
            [m.pk for m in members], now=now, past_page=request.GET.get("page")
        ),
        "form": form,
        "search_form": search_form,
        "session_query": text,
        "sessions": sessions,
        "page_query": urlencode({"q": text}) if text else "",
    }


def _require_team(request: HttpRequest) -> HttpResponse | None:
    if getattr(request.user, "agent_id", None) is None or not people_policies.is_manager(
        request.user
    ):
        messages.info(request, _("Aucun agent n'est rattaché à vous : vous n'avez pas d'équipe."))
        return redirect("portal:home")
    return None


@login_required
@require_safe
def team_view(request: HttpRequest) -> HttpResponse:
    refused = _require_team(request)
    if refused:
        return refused
    return render(request, "registrations/team.html", _team_context(request))


@login_required
@require_POST
def team_signup_view(request: HttpRequest) -> HttpResponse:
    refused = _require_team(request)
    if refused:
        return refused
    members = _team_members(request)
    form = TeamSignupForm(request.POST, members=members, sessions=[])
    if form.is_valid():
        agent, session = form.cleaned_data["agent"], form.cleaned_data["session"]
        team_url = reverse("registrations:team")
        try:
            outcome = services.registration_create(actor=request.user, session=session, agent=agent)
        except services.OverlapWarning as exc:
            return _overlap_page(
                request,
                session=session,
                agent=agent,
                exc=exc,
                mandatory=False,
                next_url=team_url,
                back_url=team_url,
            )
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _signup_message(outcome.registration, request.user))
            return redirect(team_url)
    return render(request, "registrations/team.html", _team_context(request, form, members))


# --- The coordinator's page ------------------------------------------------------------------


def _require_reader(request: HttpRequest, session: TrainingSession) -> None:
    if not policies.can_view_session_registrations(request.user, session):
        raise NotAllowed(
            _("La liste des inscrits est réservée à l'école et aux animateurs de la session.")
        )


def _require_writer(request: HttpRequest) -> None:
    if not scheduling_policies.can_manage_sessions(request.user):
        raise NotAllowed(_("Réservé aux coordinateurs de l'école."))


def _manage_context(
    request: HttpRequest, session: TrainingSession, add_form: ManageAddForm | None = None
) -> dict[str, Any]:
    roster = selectors.session_roster(session)
    manage_url = reverse("registrations:manage", args=[session.pk])
    # Each row's cancel and decline links come back here.
    next_query = urlencode({"next": manage_url}, safe="/")
    search_form = AgentSearchForm(request.GET or None)
    results: list[Agent] = []
    can_manage = scheduling_policies.can_manage_sessions(request.user)
    if can_manage and search_form.is_bound and search_form.is_valid():
        results = selectors.agent_search(search_form.cleaned_data["q"])
    if can_manage:
        # A hundred links that differ only by the id: one reverse() rather than one per row.
        head, tail = reverse("registrations:cancel", args=[0]).rsplit("/0/", 1)
        for registration in [*roster.participants, *roster.waitlist]:
            registration.cancel_url = f"{head}/{registration.pk}/{tail}?{next_query}"
    options = roster.options
    mode_form = WaitlistModeForm(
        initial={
            "mode": options.waitlist_mode if options else "automatic",
            "offer_hours": options.offer_hours
            if options
            else SchoolSettings.current().default_offer_hours,
        }
    )
    live_count = len(roster.participants) + len(roster.waitlist) + len(roster.pending)
    return {
        "session": session,
        "roster": roster,
        "can_manage": can_manage,
        "add_form": add_form or ManageAddForm(),
        "search_form": search_form,
        "results": results,
        "searched": search_form.is_bound,
        "mode_form": mode_form,
        "below_minimum": session.status == TrainingSession.Status.OPEN
        and roster.confirmed_count < session.min_participants,
        "live_count": live_count,
        "manage_url": manage_url,
        "next_query": next_query,
    }


@login_required
@require_safe
def manage_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Not `_session_or_404`: the roster shows neither the parts nor the trainers nor the seats.
    session = selectors.session_for_roster(
        pk, include_drafts=scheduling_policies.can_manage_sessions(request.user)
    )
    if session is None:
        raise Http404(_("Aucune session ne correspond à cette adresse."))
    _require_reader(request, session)
    return render(request, "registrations/manage.html", _manage_context(request, session))


@login_required
@require_POST
def manage_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_writer(request)
    session = _session_or_404(request, pk)
    form = ManageAddForm(request.POST)
    manage_url = reverse("registrations:manage", args=[session.pk])
    if form.is_valid():
        agent = form.cleaned_data["reference"]
        mandatory = form.cleaned_data["mandatory"]
        try:
            outcome = services.registration_create(
                actor=request.user, session=session, agent=agent, mandatory=mandatory
            )
        except services.OverlapWarning as exc:
            return _overlap_page(
                request,
                session=session,
                agent=agent,
                exc=exc,
                mandatory=mandatory,
                next_url=manage_url,
                back_url=manage_url,
            )
        except DomainError as exc:
            refuse_form(form, exc, field="reference")
        else:
            messages.success(request, _signup_message(outcome.registration, request.user))
            return redirect(manage_url)
    return render(request, "registrations/manage.html", _manage_context(request, session, form))


@login_required
@require_POST
def waitlist_mode_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_writer(request)
    session = get_object_or_404(TrainingSession, pk=pk)
    form = WaitlistModeForm(request.POST)
    if form.is_valid():
        # The form admits only a known mode and a positive duration, as the service does.
        services.session_waitlist_mode_set(
            actor=request.user,
            session=session,
            mode=form.cleaned_data["mode"],
            offer_hours=form.cleaned_data["offer_hours"],
        )
        messages.success(request, _("Mode de la liste d'attente enregistré."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label} : {errors[0]}" if label else str(errors[0]))
    return redirect("registrations:manage", pk=session.pk)


@login_required
@require_safe
def export_csv_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    _require_reader(request, session)
    content = exports.roster_csv(selectors.session_roster(session))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.roster_filename(session)}"'
    return response
