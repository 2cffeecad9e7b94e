"""The programmed session's own pages: its detail, edit, publication and cancellation,
and a trainer's sessions. They show and move seats, so they live with the registrations;
creating sessions, series and rooms is the programming's (campus.scheduling.views).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from campus.core.exceptions import DomainError, NotAllowed, Refusal
from campus.core.refusals import refuse_form, refuse_message
from campus.people.models import Agent
from campus.scheduling import calendar_grid
from campus.scheduling import policies as scheduling_policies
from campus.scheduling.forms import (
    CancelForm,
    SessionForm,
    part_formset,
    parts_from,
    trainer_lines,
)
from campus.scheduling.models import TrainingSession
from campus.scheduling.services import capacity_warnings

from . import lifecycle, session_selectors


def _require_manager(request: HttpRequest) -> None:
    scheduling_policies.require_manage_sessions(request.user)


def _session_or_404(pk: int) -> TrainingSession:
    try:
        return session_selectors.session_detail(pk)
    except TrainingSession.DoesNotExist as exc:
        raise Http404(_("Aucune session ne correspond à cette adresse.")) from exc


@login_required
@require_safe
def session_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    session = _session_or_404(pk)
    parts = list(session.parts.all())
    return render(
        request,
        "sessions/detail.html",
        {
            "session": session,
            "parts": parts,
            "trainers": list(session.trainers.all()),
            "overrides": list(session.conflict_overrides.all()),
            "warnings": capacity_warnings(session.capacity, [p.room for p in parts]),
            "is_draft": session.status == TrainingSession.Status.DRAFT,
            "can_edit": session.status != TrainingSession.Status.CANCELLED,
            "can_cancel": session.status
            in (TrainingSession.Status.DRAFT, TrainingSession.Status.OPEN),
            "month": calendar_grid.month_key(parts[0].date.year, parts[0].date.month)
            if parts
            else "",
        },
    )


def _edit_forms(session: TrainingSession) -> tuple[SessionForm, Any]:
    """The edit form and its parts, filled in from the session."""
    form = SessionForm(
        initial={
            "course": session.course_id,
            "title_suffix": session.title_suffix,
            "trainers": trainer_lines(list(session.trainers.all())),
            "external_speaker": session.external_speaker,
            "capacity": session.capacity,
            "min_participants": session.min_participants,
            "registration_opens_at": session.registration_opens_at,
            "registration_closes_at": session.registration_closes_at,
            "cancellation_deadline": session.cancellation_deadline,
            "notes": session.notes,
        }
    )
    formset = part_formset(
        initial=[
            {
                "part_id": p.pk,
                "date": p.date,
                "start_time": p.start_time,
                "end_time": p.end_time,
                "room": p.room_id,
                "location_note": p.location_note,
            }
            for p in session.parts.all()
        ],
        extra_rows=1,
    )
    return form, formset


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    session = _session_or_404(pk)
    if session.status == TrainingSession.Status.CANCELLED:
        refuse_message(
            request,
            Refusal(
                _("Une session annulée ne peut plus être modifiée."),
                code="session.cancelled_not_editable",
            ),
        )
        return redirect("sessions:detail", pk=session.pk)
    conflict = False
    if request.method != "POST":
        form, formset = _edit_forms(session)
    else:
        form = SessionForm(request.POST)
        formset = part_formset(data=request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                result = lifecycle.session_update(
                    actor=request.user,
                    session=session,
                    course=form.cleaned_data["course"],
                    parts=parts_from(formset),
                    **form.service_kwargs(),
                )
            except DomainError as exc:
                conflict = refuse_form(form, exc)
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(request, _("Session modifiée."))
                return redirect("sessions:detail", pk=session.pk)
    return render(
        request,
        "scheduling/session_form.html",
        {"form": form, "formset": formset, "conflict": conflict, "session": session},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    session = _session_or_404(pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.session_cancel(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Session annulée."))
            return redirect("sessions:detail", pk=session.pk)
    return render(request, "sessions/cancel.html", {"form": form, "session": session})


@login_required
@require_POST
def session_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    session = get_object_or_404(TrainingSession, pk=pk)
    try:
        lifecycle.session_open(actor=request.user, session=session)
    except DomainError as exc:
        refuse_message(request, exc)
    else:
        messages.success(request, _("Session publiée : elle figure au programme."))
    return redirect("sessions:detail", pk=session.pk)


@login_required
@require_safe
def trainer_sessions_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    agent_param = request.GET.get("agent")
    agent: Agent | None
    if agent_param:
        if not agent_param.isdigit():
            raise Http404(_("Aucun agent ne correspond à cette adresse."))
        agent = get_object_or_404(Agent, pk=int(agent_param))
    else:
        agent = getattr(user, "agent", None)
    if agent is None:
        return render(request, "sessions/trainer.html", {"agent": None})
    if not scheduling_policies.can_view_trainer_sessions(user, agent):
        raise NotAllowed(_("Vous ne pouvez consulter que vos propres animations."))
    upcoming, past = session_selectors.trainer_sessions(agent, now=timezone.now())
    return render(
        request,
        "sessions/trainer.html",
        {
            "agent": agent,
            "is_self": getattr(user, "agent_id", None) == agent.pk,
            "upcoming": upcoming,
            "past": past,
            "can_manage": scheduling_policies.can_manage_sessions(user),
        },
    )
