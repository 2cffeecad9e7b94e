"""Catalogue pages: browsing for every signed-in person, management for coordinators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from campus.core import permissions
from campus.core.exceptions import DomainError, NotAllowed
from campus.registrations.selectors import live_registrations_by_session

from . import selectors, services
from .audience import audience_refusal
from .forms import CatalogueFilterForm, CourseForm, ManageFilterForm, ProgrammeForm, ThemeForm
from .models import Course, Programme


def _require_manager(request: HttpRequest) -> None:
    if not permissions.can_manage_catalog(request.user):
        raise NotAllowed(_("La gestion du catalogue est réservée à l'école."))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Browsing -----------------------------------------------------------------


@login_required
@require_safe
def catalogue_view(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    courses = selectors.catalogue_search(**form.filters()) if valid else Course.objects.none()
    page = Paginator(courses, selectors.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = form.filters() if valid else {}
    return render(
        request,
        "catalog/catalogue.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "filtered": any(filters.values()),
            "can_manage": permissions.can_manage_catalog(request.user),
        },
    )


@login_required
@require_safe
def course_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    can_manage = permissions.can_manage_catalog(request.user)
    try:
        course = selectors.course_detail(slug, include_unpublished=can_manage)
    except Course.DoesNotExist as exc:
        raise Http404(_("Aucune formation publiée ne correspond à cette adresse.")) from exc
    refusal = audience_refusal(course=course, agent=getattr(request.user, "agent", None))
    sessions = course.upcoming_sessions  # type: ignore[attr-defined]
    mine = live_registrations_by_session(
        getattr(request.user, "agent", None), [s.pk for s in sessions]
    )
    for session in sessions:
        session.my_registration = mine.get(session.pk)
    return render(
        request,
        "catalog/course_detail.html",
        {
            "course": course,
            "sessions": sessions,
            "refusal": refusal,
            # The reason follows a colon in the page, where French wants a lower-case letter.
            "refusal_inline": refusal[:1].lower() + refusal[1:] if refusal else "",
            "can_manage": can_manage,
        },
    )


# --- Management: courses --------------------------------------------------------


@login_required
@require_safe
def manage_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ManageFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    courses = (
        selectors.catalogue_search(include_unpublished=True, **form.filters())
        if valid
        else Course.objects.none()
    )
    page = Paginator(courses, selectors.MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/manage.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


def _add_domain_error(form: Any, exc: DomainError) -> None:
    form.add_error(None, exc.message)


def _render_course_form(
    request: HttpRequest, form: CourseForm, course: Course | None
) -> HttpResponse:
    return render(
        request,
        "catalog/course_form.html",
        {"form": form, "course": course, "known_trainers": selectors.known_trainers()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "La formation « %(title)s » est créée en brouillon : publiez-la quand elle est prête."
                )
                % {"title": course.title},
            )
            return redirect("catalog:course_detail", slug=course.slug)
    return _render_course_form(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    try:
        course = selectors.course_for_edit(pk)
    except Course.DoesNotExist as exc:
        raise Http404(_("Aucune formation ne correspond à cette adresse.")) from exc
    form = CourseForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_update(
                actor=request.user, course=course, **form.service_kwargs()
            )
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(
                request, _("La formation « %(title)s » est enregistrée.") % {"title": course.title}
            )
            return redirect("catalog:course_detail", slug=course.slug)
    return _render_course_form(request, form, course)


def _status_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_manager(request)
    course = get_object_or_404(Course, pk=pk)
    try:
        if action == "publish":
            course = services.course_publish(actor=request.user, course=course)
            messages.success(
                request, _("« %(title)s » est publiée dans le catalogue.") % {"title": course.title}
            )
        elif action == "archive":
            course = services.course_archive(actor=request.user, course=course)
            messages.success(
                request,
                _("« %(title)s » est archivée : elle n'apparaît plus dans le catalogue.")
                % {"title": course.title},
            )
        else:
            copy = services.course_duplicate(actor=request.user, course=course)
            messages.success(
                request,
                _("La copie « %(title)s » est créée en brouillon.") % {"title": copy.title},
            )
            return redirect("catalog:course_edit", pk=copy.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:course_detail", slug=course.slug)


@login_required
@require_POST
def course_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "publish")


@login_required
@require_POST
def course_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "archive")


@login_required
@require_POST
def course_duplicate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "duplicate")


# --- Management: programmes and themes ------------------------------------------


@login_required
@require_safe
def programme_list_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(
        request, "catalog/programme_list.html", {"programmes": selectors.programme_list()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_create_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Le programme « %(name)s » est créé.") % {"name": programme.name}
            )
            return redirect("catalog:programme_list")
    return render(request, "catalog/programme_form.html", {"form": form, "programme": None})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    programme = get_object_or_404(Programme, pk=pk)
    form = ProgrammeForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_update(
                actor=request.user, programme=programme, **form.service_kwargs()
            )
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Le programme « %(name)s » est enregistré.") % {"name": programme.name}
            )
            return redirect("catalog:programme_list")
    return render(request, "catalog/programme_form.html", {"form": form, "programme": programme})


@login_required
@require_http_methods(["GET", "POST"])
def theme_list_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_create(actor=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, _("Le thème « %(name)s » est créé.") % {"name": theme.name})
            return redirect("catalog:theme_list")
    return render(
        request, "catalog/theme_list.html", {"form": form, "themes": selectors.theme_list()}
    )
