"""Attendance pages: the tablet sheet of a part, the session overview with its QR code,
closing and reopening, and the agent's check-in page reached by scanning the code."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.refusals import refuse_form
from campus.scheduling import policies as scheduling_policies
from campus.scheduling.models import SessionPart, TrainingSession

from . import attendance, attendance_selectors, policies
from .capacity import session_settings
from .forms_attendance import AttendanceSheetForm, ReopenForm
from .models import Attendance


def _session_or_404(pk: int) -> TrainingSession:
    try:
        return attendance_selectors.session_for_attendance(pk)
    except TrainingSession.DoesNotExist as exc:
        raise Http404(_("Aucune session ne correspond à cette adresse.")) from exc


def _require_marker(request: HttpRequest, session: TrainingSession) -> None:
    if not policies.can_mark_attendance(request.user, session):
        raise NotAllowed(
            _("L'émargement d'une session est réservé à ses animateurs et aux coordinateurs.")
        )


def _check_in_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("attendance:check_in", args=[token]))


def _qr(url: str) -> segno.QRCode:
    # Level M survives a smudged printout; the URL is short enough to stay a small code.
    return segno.make(url, error="m")


def _can_edit(session: TrainingSession, closed: bool, part: SessionPart) -> bool:
    return (
        not closed
        and session.status in (TrainingSession.Status.OPEN, TrainingSession.Status.DONE)
        and timezone.localdate() >= part.date
    )


# --- The sheet of one part (tablet) ------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sheet_view(request: HttpRequest, session_pk: int, part_pk: int) -> HttpResponse:
    try:
        part = attendance_selectors.session_part(session_pk, part_pk)
    except SessionPart.DoesNotExist as exc:
        raise Http404(_("Aucune partie de session ne correspond à cette adresse.")) from exc
    session = part.session
    _require_marker(request, session)
    sheet = attendance_selectors.attendance_sheet(part)
    status = 200
    if request.method == "POST":
        form = AttendanceSheetForm(request.POST, rows=sheet.rows)
        if form.is_valid():
            try:
                written = attendance.attendance_mark_many(
                    actor=request.user, part=part, statuses=form.statuses()
                )
            except DomainError as exc:
                refuse_form(form, exc)
                status = 400
            else:
                if written:
                    messages.success(
                        request,
                        _("Présences enregistrées (%(count)d modification(s)).")
                        % {"count": len(written)},
                    )
                else:
                    messages.info(request, _("Aucune modification à enregistrer."))
                return redirect(request.path)
        else:
            form.add_error(
                None, _("Une des réponses n'est pas reconnue : rien n'a été enregistré.")
            )
            status = 400
    else:
        form = AttendanceSheetForm(rows=sheet.rows)
    closed = sheet.closed_at is not None
    return render(
        request,
        "registrations/attendance_sheet.html",
        {
            "session": session,
            "part": part,
            "sheet": sheet,
            "form": form,
            "counts": sheet.counts,
            "closed": closed,
            "editable": _can_edit(session, closed, part),
            "too_early": timezone.localdate() < part.date,
        },
        status=status,
    )


# --- The session overview, its QR code, closing and reopening --------------------------


@login_required
@require_safe
def session_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    _require_marker(request, session)
    options = session_settings(session)
    url = _check_in_url(request, options.check_in_token)
    parts = list(session.parts.all())
    ended = bool(parts) and max(p.ends_at for p in parts) <= timezone.now()
    closed = options.attendance_closed_at is not None
    return render(
        request,
        "registrations/attendance_session.html",
        {
            "session": session,
            "summaries": attendance_selectors.part_summaries(session),
            "options": options,
            "closed": closed,
            "check_in_url": url,
            "qr_data_uri": _qr(url).svg_data_uri(scale=6, border=2),
            "window_before": int(attendance.CHECK_IN_OPENS_BEFORE_START.total_seconds() // 60),
            "can_close": not closed
            and ended
            and session.status in (TrainingSession.Status.OPEN, TrainingSession.Status.DONE)
            and policies.can_close_attendance(request.user, session),
            "can_reopen": closed and policies.can_reopen_attendance(request.user, session),
            "is_coordinator": scheduling_policies.can_manage_sessions(request.user),
        },
    )


@login_required
@require_safe
def qr_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code alone, as an SVG file, to print large or project at the door."""
    session = _session_or_404(pk)
    _require_marker(request, session)
    options = session_settings(session)
    buffer = io.BytesIO()
    _qr(_check_in_url(request, options.check_in_token)).save(
        buffer, kind="svg", scale=10, border=2, xmldecl=True
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="presence-session-{session.pk}.svg"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def close_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    if not policies.can_close_attendance(request.user, session):
        raise NotAllowed(
            _("Seuls les animateurs de la session et les coordinateurs clôturent l'émargement.")
        )
    error: DomainError | None = None
    if request.method == "POST":
        try:
            filled = attendance.session_attendance_close(actor=request.user, session=session)
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _(
                    "Émargement clos : la session est terminée. %(count)d absence(s) non "
                    "excusée(s) ajoutée(s) pour les participants sans mention."
                )
                % {"count": filled},
            )
            return redirect("attendance:session", pk=session.pk)
    return render(
        request,
        "registrations/attendance_close.html",
        {
            "session": session,
            "unmarked": attendance.unmarked_count(session),
            "unexcused_label": Attendance.Status.UNEXCUSED.label,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    if not policies.can_reopen_attendance(request.user, session):
        raise NotAllowed(_("Seul un coordinateur de l'école peut rouvrir l'émargement."))
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendance.session_attendance_reopen(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(
                request, _("Émargement rouvert : les présences peuvent être corrigées.")
            )
            return redirect("attendance:session", pk=session.pk)
    return render(
        request,
        "registrations/attendance_reopen.html",
        {"session": session, "form": form},
        status=400 if form.errors else 200,
    )


# --- The agent's check-in ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check_in_view(request: HttpRequest, token: str) -> HttpResponse:
    context: dict[str, Any] = {"token": token}
    if request.method == "POST":
        try:
            mark = attendance.attendance_check_in(user=request.user, token=token)
        except DomainError as exc:
            context["refusal"] = exc
        else:
            context.update(mark=mark, part=mark.part, session=mark.part.session)
        return render(request, "registrations/checkin_result.html", context)
    try:
        plan = attendance.check_in_plan(user=request.user, token=token, now=timezone.now())
    except DomainError as exc:
        context["refusal"] = exc
    else:
        context.update(session=plan.session, part=plan.part)
    return render(request, "registrations/checkin_confirm.html", context)
