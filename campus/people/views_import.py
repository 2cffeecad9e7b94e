"""Placeholder: HR import page (being written)."""

from django.http import HttpRequest, HttpResponse


def import_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")
