"""Catalogue pages: browsing for every signed-in person, management for coordinators."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from campus.core import permissions
from campus.core.exceptions import DomainError, NotAllowed
from campus.core.freshness import cached_fragment
from campus.registrations.selectors import live_registrations_by_session

from . import selectors, services
from .audience import audience_refusal
from .forms import CatalogueFilterForm, CourseForm, ManageFilterForm, ProgrammeForm, ThemeForm
from .models import Course, Programme

if TYPE_CHECKING:
    from campus.people.models import Agent


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
    can_manage = permissions.can_manage_catalog(request.user)
    submitted = CatalogueFilterForm.submitted(request.GET)
    page_number = request.GET.get("page", "")

    def render_results() -> str:
        form = CatalogueFilterForm(request.GET or None)
        valid = not form.is_bound or form.is_valid()
        filters = form.filters() if valid else {}
        return render_to_string(
            "catalog/_catalogue_results.html",
            {
                "form": form,
                "page": selectors.catalogue_page(page_number, **filters) if valid else None,
                "query": urlencode(submitted),
                "filtered": any(filters.values()),
                "can_manage": can_manage,
                "catalogue_url": reverse("catalog:catalogue"),
            },
        )

    # Every reader sees the same form and results for the same criteria; under
    # load most requests reuse them until the next change to the school's data.
    results = cached_fragment("catalogue", [submitted, page_number, can_manage], render_results)
    return render(
        request,
        "catalog/catalogue.html",
        {"results": mark_safe(results), "can_manage": can_manage},  # noqa: S308 - our template's output
    )


# The per-reader cell of each session row in the cached course body (see _course_body.html).
_SIGNUP_HOLE = re.compile(r"<!--signup (\d+)-->(.*?)<!--/signup-->", re.DOTALL)


def _fill_signup_holes(
    request: HttpRequest, body: str, *, agent: Agent | None, may_sign_up: bool
) -> str:
    """The reader's own column of the sessions table: their registration, a sign-up form, or nothing.

    Course texts are escaped in the body, so only the template writes these markers.
    """
    session_ids = [int(pk) for pk, _form in _SIGNUP_HOLE.findall(body)]
    mine = live_registrations_by_session(agent, session_ids)
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )

    def fill(hole: re.Match[str]) -> str:
        registration = mine.get(int(hole.group(1)))
        if registration is not None:
            return format_html('<span class="badge">{}</span>', registration.get_state_display())
        return hole.group(2).replace("<!--csrf-->", csrf_input) if may_sign_up else ""

    return _SIGNUP_HOLE.sub(fill, body)


@login_required
@require_safe
def course_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    can_manage = permissions.can_manage_catalog(request.user)
    try:
        course = selectors.course_detail(slug, include_unpublished=can_manage)
    except Course.DoesNotExist as exc:
        raise Http404(_("Aucune formation publiée ne correspond à cette adresse.")) from exc
    agent = getattr(request.user, "agent", None)
    refusal = audience_refusal(course=course, agent=agent)
    page_number = request.GET.get("page", "")

    def render_body() -> str:
        return render_to_string(
            "catalog/_course_body.html",
            {
                "course": selectors.with_course_facts(course),
                "sessions": selectors.course_sessions_page(course, page_number),
            },
        )

    # The facts and sessions are the same for every reader; the sign-up column is not,
    # and is filled in below on every request.
    body = cached_fragment("course", [course.pk, page_number, can_manage], render_body)
    body = _fill_signup_holes(
        request, body, agent=agent, may_sign_up=not refusal and agent is not None
    )
    return render(
        request,
        "catalog/course_detail.html",
        {
            "course": course,
            "badges": selectors.course_badges(course),
            "body": mark_safe(body),  # noqa: S308 - our templates' output, escaped when rendered
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
