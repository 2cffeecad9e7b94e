"""The one handler of the DomainErrors that no view caught, and of ServiceBusy."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import DomainError, ServiceBusy

logger = logging.getLogger(__name__)


def _back_url(request: HttpRequest) -> str | None:
    """Where the refused person came from, when it is a page of this site."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None


class DomainErrorMiddleware:
    """Turn an uncaught DomainError into the site's refusal page, never a 500.

    The page shows the sentence, carries the code (`data-error-code`, and
    `response.context["error"]` in tests) and links back. A refusal is a 409
    (the request conflicts with the state of the school); `ServiceBusy` is a 503
    with a Retry-After header, since trying again soon may work.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (DomainError, ServiceBusy)):
            return None
        # Not an error of the site: worth a line to see which refusals no view handles.
        logger.info("refused %s %s: %s", request.method, request.path, exception.code)
        back_url = _back_url(request)
        response = render(
            request,
            "core/refused.html",
            {
                "error": exception,
                "back_url": back_url or reverse("portal:home"),
                "back_is_home": back_url is None,
            },
            status=503 if isinstance(exception, ServiceBusy) else 409,
        )
        if isinstance(exception, ServiceBusy):
            response["Retry-After"] = str(exception.retry_after)
        return response
