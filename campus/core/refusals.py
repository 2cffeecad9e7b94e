"""How a view shows a DomainError it caught, so that every page does it the same way.

A view catches a DomainError only when it can do better than the middleware's
refusal page: show the form again with the reason (`refuse_form`), or go back to
the page of a one-click action with a flash message (`refuse_message`). Both keep
the error's code beside its sentence, and the templates write it out as
`data-error-code`, which tests read (`campus.core.testing.refusal_codes`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .exceptions import DomainError, Refusal


def refuse_form(form: Any, exc: DomainError | Refusal, *, field: str | None = None) -> bool:
    """Put the refusal on `form` (its non-field errors, or `field`'s).

    Returns True when the person may confirm and retry (`may_override`, a
    programming conflict): the form then shows its override box.
    """
    form.add_error(field, ValidationError(exc.message, code=exc.code))
    return isinstance(exc, DomainError) and exc.may_override


def refuse_message(request: HttpRequest, exc: DomainError | Refusal) -> None:
    """A flash error message with the refusal's sentence; its `extra_tags` is the code
    (and nothing else: base.html writes it out as `data-error-code`)."""
    messages.error(request, exc.message, extra_tags=exc.code)
