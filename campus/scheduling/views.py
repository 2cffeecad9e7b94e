"""Programming pages: calendar, sessions, series, rooms, month programme, trainer's sessions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from campus.catalog.models import Course
from campus.core.exceptions import DomainError, NotAllowed
from campus.core.refusals import refuse_form, refuse_message

from . import calendar_grid, policies, selectors, services
from .forms import (
    CalendarFilterForm,
    DuplicateForm,
    RoomForm,
    SeriesForm,
    SessionForm,
    VenueForm,
    part_formset,
    parts_from,
    trainer_lines,
)
from .models import Room, TrainingSession, Venue
from .selectors import TrainerChoice


def _require_manager(request: HttpRequest) -> None:
    policies.require_manage_sessions(request.user)


def _session_or_404(pk: int) -> TrainingSession:
    try:
        return TrainingSession.objects.select_related("course").get(pk=pk)
    except TrainingSession.DoesNotExist as exc:
        raise Http404(_("Aucune session ne correspond à cette adresse.")) from exc


def _show_warnings(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


def _initial_for_course(course_id: str) -> dict[str, Any]:
    """?formation=<id> (a link from the catalogue) preselects the course and its usual trainers."""
    if not course_id.isdigit():
        return {}
    course = selectors.course_with_default_trainers(int(course_id))
    if course is None:
        return {}
    return {
        "course": course.pk,
        "trainers": trainer_lines(list(course.default_trainers.all())),
    }


# --- Calendar -----------------------------------------------------------------


def _filter_query(room_id: int | None, trainer: TrainerChoice | None) -> str:
    """Filters as links carry them: a trainer by STRUCTURE/matricule, never by a name."""
    params: dict[str, str | int] = {}
    if room_id is not None:
        params["salle"] = room_id
    if trainer is not None:
        params["animateur"] = trainer.reference
    return urlencode(params)


@dataclass
class _CalendarFilters:
    """The filters in force, and what the filter box shows."""

    form: CalendarFilterForm
    room_id: int | None = None
    trainer: TrainerChoice | None = None
    # Trainers answering an ambiguous search, each with the filters its link carries.
    candidates: list[tuple[TrainerChoice, str]] = field(default_factory=list)

    def context(self, period_name: str, period_value: str) -> dict[str, Any]:
        period = urlencode({period_name: period_value})
        return {
            "form": self.form,
            "trainer": self.trainer,
            "trainer_candidates": [(c, f"{period}&{query}") for c, query in self.candidates],
            "filter_query": _filter_query(self.room_id, self.trainer),
            "period_name": period_name,
            "period_value": period_value,
        }


def _calendar_filters(request: HttpRequest) -> _CalendarFilters:
    rooms = selectors.calendar_room_choices()
    data = {k: request.GET[k] for k in ("salle", "animateur") if k in request.GET}
    form = CalendarFilterForm(data or None, rooms=rooms)
    if not form.is_bound:
        return _CalendarFilters(form)
    if form.is_valid():
        room_id, trainer = form.cleaned_data["salle"], form.cleaned_data["animateur"]
        # Shown again as links carry it: a name typed becomes STRUCTURE/matricule.
        shown = CalendarFilterForm(
            initial={"salle": room_id, "animateur": trainer.reference if trainer else ""},
            rooms=rooms,
        )
        return _CalendarFilters(shown, room_id, trainer)
    if form.trainer_candidates:
        messages.warning(
            request,
            _(
                "Plusieurs animateurs correspondent : choisissez-en un sous le filtre. "
                "Le calendrier est affiché sans filtre."
            ),
        )
        room_id = form.cleaned_data.get("salle")
        return _CalendarFilters(
            form, candidates=[(c, _filter_query(room_id, c)) for c in form.trainer_candidates]
        )
    messages.error(request, _("Filtre inconnu : le calendrier est affiché sans filtre."))
    return _CalendarFilters(form)


@login_required
@require_safe
def calendar_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    today = timezone.localdate()
    parsed = calendar_grid.parse_month(request.GET.get("mois"), today)
    if parsed is None:
        messages.error(
            request, _("Mois illisible (attendu AAAA-MM) : le mois en cours est affiché.")
        )
        parsed = (today.year, today.month)
    year, month = parsed
    filters = _calendar_filters(request)
    start, end = selectors.month_bounds(year, month)
    parts = selectors.calendar_parts(
        start=start,
        end=end,
        room_id=filters.room_id,
        trainer_id=filters.trainer.agent_id if filters.trainer else None,
    )
    previous, following = calendar_grid.neighbour_months(year, month)
    return render(
        request,
        "scheduling/calendar_month.html",
        {
            **filters.context("mois", calendar_grid.month_key(year, month)),
            "month_start": start,
            "weeks": calendar_grid.calendar_month_weeks(year, month, parts, today),
            "parts_count": len(parts),
            "previous": previous,
            "following": following,
            # The week link lands on this week when it is in the month shown, else on its first week.
            "week_of_month": calendar_grid.week_key(
                today if today.replace(day=1) == start else start
            ),
        },
    )


@login_required
@require_safe
def calendar_week_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    today = timezone.localdate()
    parsed = calendar_grid.parse_week(request.GET.get("semaine"), today)
    if parsed is None:
        messages.error(
            request, _("Semaine illisible (attendu AAAA-Wnn) : la semaine en cours est affichée.")
        )
        iso = today.isocalendar()
        parsed = (iso.year, iso.week)
    monday, next_monday = selectors.week_bounds(*parsed)
    filters = _calendar_filters(request)
    parts = selectors.calendar_parts(
        start=monday,
        end=next_monday,
        room_id=filters.room_id,
        trainer_id=filters.trainer.agent_id if filters.trainer else None,
    )
    return render(
        request,
        "scheduling/calendar_week.html",
        {
            **filters.context("semaine", calendar_grid.week_key(monday)),
            "monday": monday,
            "sunday": next_monday - datetime.timedelta(days=1),
            "week_number": parsed[1],
            "days": calendar_grid.calendar_week_days(monday, parts, today),
            "parts_count": len(parts),
            "previous": calendar_grid.week_key(monday - datetime.timedelta(days=7)),
            "following": calendar_grid.week_key(next_monday),
            "month": calendar_grid.month_key(monday.year, monday.month),
        },
    )


# --- Sessions -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_create_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    conflict = False
    if request.method == "POST":
        form = SessionForm(request.POST)
        formset = part_formset(data=request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                result = services.session_create(
                    actor=request.user,
                    course=form.cleaned_data["course"],
                    parts=parts_from(formset),
                    **form.service_kwargs(),
                )
            except DomainError as exc:
                conflict = refuse_form(form, exc)
            else:
                _show_warnings(request, result.warnings)
                messages.success(request, _("Session programmée (brouillon)."))
                return redirect("sessions:detail", pk=result.session.pk)
    else:
        form = SessionForm(initial=_initial_for_course(request.GET.get("formation", "")))
        formset = part_formset(extra_rows=3)
    return render(
        request,
        "scheduling/session_form.html",
        {"form": form, "formset": formset, "conflict": conflict, "session": None},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_duplicate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    session = _session_or_404(pk)
    conflict = False
    form = DuplicateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.session_duplicate(
                actor=request.user,
                session=session,
                new_date=form.cleaned_data["new_date"],
                override_conflicts=form.cleaned_data["override_conflicts"],
            )
        except DomainError as exc:
            conflict = refuse_form(form, exc)
        else:
            _show_warnings(request, result.warnings)
            messages.success(request, _("Session dupliquée (brouillon)."))
            return redirect("sessions:detail", pk=result.session.pk)
    return render(
        request,
        "scheduling/session_duplicate.html",
        {"form": form, "session": session, "conflict": conflict},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def series_create_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    conflict = False
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.session_series_create(
                actor=request.user,
                course=data["course"],
                frequency=data["frequency"],
                interval=data["interval"],
                weekday=data["weekday"],
                monthly_rule=form.monthly_rule(),
                start_date=data["start_date"],
                end_date=data["end_date"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                skip_dates=data["skip_dates"],
                room=data.get("room"),
                location_note=data.get("location_note") or "",
                trainers=data["trainers"],
                capacity=data["capacity"],
                min_participants=data.get("min_participants") or 0,
                registration_opens_days_before=data.get("registration_opens_days_before"),
                registration_closes_hours_before=data.get("registration_closes_hours_before"),
                cancellation_hours_before=data.get("cancellation_hours_before"),
                title_suffix=data.get("title_suffix") or "",
                publish=data["publish"],
                override_conflicts=data["override_conflicts"],
            )
        except DomainError as exc:
            conflict = refuse_form(form, exc)
        else:
            _show_warnings(request, result.warnings)
            count = len(result.sessions)
            messages.success(
                request,
                _("Série programmée : %(count)s sessions.") % {"count": count},
            )
            first = result.sessions[0].starts_at
            assert first is not None
            local = timezone.localtime(first)
            url = reverse("scheduling:calendar")
            return redirect(f"{url}?mois={calendar_grid.month_key(local.year, local.month)}")
    return render(request, "scheduling/series_form.html", {"form": form, "conflict": conflict})


# --- Venues and rooms ---------------------------------------------------------


@login_required
@require_safe
def room_list_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(request, "scheduling/room_list.html", {"venues": selectors.venues_with_rooms()})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def venue_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    venue = get_object_or_404(Venue, pk=pk) if pk is not None else None
    initial = (
        {"name": venue.name, "address": venue.address, "access_notes": venue.access_notes}
        if venue
        else None
    )
    form = VenueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if venue is None:
                services.venue_create(actor=request.user, **form.cleaned_data)
            else:
                services.venue_update(actor=request.user, venue=venue, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Lieu enregistré."))
            return redirect("scheduling:room_list")
    return render(request, "scheduling/venue_form.html", {"form": form, "venue": venue})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def room_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    room = get_object_or_404(Room.objects.select_related("venue"), pk=pk) if pk else None
    initial: dict[str, Any] | None = None
    if room is not None:
        initial = {
            "venue": room.venue_id,
            "name": room.name,
            "capacity": room.capacity,
            "step_free_access": room.step_free_access,
            "equipment": room.equipment,
            "is_active": room.is_active,
        }
    elif request.GET.get("lieu", "").isdigit():
        initial = {"venue": int(request.GET["lieu"])}
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if room is None:
                services.room_create(actor=request.user, **form.cleaned_data)
            else:
                services.room_update(actor=request.user, room=room, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Salle enregistrée."))
            return redirect("scheduling:room_list")
    return render(request, "scheduling/room_form.html", {"form": form, "room": room})


# --- Pages beyond the coordinators ----------------------------------------------


@login_required
@require_safe
def month_programme_view(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_month_programme(request.user):
        raise NotAllowed(_("Connectez-vous pour consulter le programme."))
    today = timezone.localdate()
    parsed = calendar_grid.parse_month(request.GET.get("mois"), today)
    if parsed is None:
        messages.error(
            request, _("Mois illisible (attendu AAAA-MM) : le mois en cours est affiché.")
        )
        parsed = (today.year, today.month)
    year, month = parsed
    parts = selectors.month_programme(year, month)
    days = [d for week in calendar_grid.month_weeks(year, month, parts, today) for d in week]
    previous, following = calendar_grid.neighbour_months(year, month)
    return render(
        request,
        "scheduling/month_programme.html",
        {
            "month_start": selectors.month_bounds(year, month)[0],
            "days": [d for d in days if d.in_range and d.parts],
            "previous": previous,
            "following": following,
        },
    )


# --- Courses ------------------------------------------------------------------


@login_required
@require_POST
def course_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    try:
        course = services.course_archive(actor=request.user, course=course)
    except DomainError as exc:
        refuse_message(request, exc)
    else:
        messages.success(
            request,
            _("« %(title)s » est archivée : elle n'apparaît plus dans le catalogue.")
            % {"title": course.title},
        )
    return redirect("portal:course_detail", slug=course.slug)
