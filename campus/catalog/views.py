"""The coordinators' catalogue pages: courses, programmes and themes.

The agents' catalogue and a course's page show sessions and seats: they are
campus.portal's, a layer above.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.refusals import refuse_form, refuse_message

from . import policies, selectors, services
from .forms import CourseForm, ProgrammeForm, ThemeForm
from .models import Course, Programme


def _require_manager(request: HttpRequest) -> None:
    if not policies.can_manage_catalog(request.user):
        raise NotAllowed(_("La gestion du catalogue est réservée à l'école."))


# --- Management: courses --------------------------------------------------------


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
            refuse_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "La formation « %(title)s » est créée en brouillon : publiez-la quand elle est prête."
                )
                % {"title": course.title},
            )
            return redirect("portal:course_detail", slug=course.slug)
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
            refuse_form(form, exc)
        else:
            messages.success(
                request, _("La formation « %(title)s » est enregistrée.") % {"title": course.title}
            )
            return redirect("portal:course_detail", slug=course.slug)
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
        else:
            copy = services.course_duplicate(actor=request.user, course=course)
            messages.success(
                request,
                _("La copie « %(title)s » est créée en brouillon.") % {"title": copy.title},
            )
            return redirect("catalog:course_edit", pk=copy.pk)
    except DomainError as exc:
        refuse_message(request, exc)
    return redirect("portal:course_detail", slug=course.slug)


@login_required
@require_POST
def course_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "publish")


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
            refuse_form(form, exc)
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
            refuse_form(form, exc)
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
            refuse_form(form, exc)
        else:
            messages.success(request, _("Le thème « %(name)s » est créé.") % {"name": theme.name})
            return redirect("catalog:theme_list")
    return render(
        request, "catalog/theme_list.html", {"form": form, "themes": selectors.theme_list()}
    )
