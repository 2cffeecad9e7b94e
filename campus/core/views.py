"""Placeholder: home page and audit log (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


def audit_log_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")
