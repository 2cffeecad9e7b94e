"""The site's URLs plus views that raise what no real view lets escape (tests/test_refusal_page.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from campus.core.exceptions import DomainError, NotAllowed, ServiceBusy
from config.urls import urlpatterns as site_urlpatterns


def refused_view(request: HttpRequest) -> HttpResponse:
    raise DomainError("Cette session est déjà annulée.", code="session.already_cancelled")


def busy_view(request: HttpRequest) -> HttpResponse:
    raise ServiceBusy(retry_after=7)


def not_allowed_view(request: HttpRequest) -> HttpResponse:
    raise NotAllowed("Réservé aux coordinateurs.")


urlpatterns = [
    path("_test/refus/", refused_view),
    path("_test/occupe/", busy_view),
    path("_test/interdit/", not_allowed_view),
    *site_urlpatterns,
]
