"""Helpers for the tests of every app (core is the lowest layer, so any app may import it)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.messages import get_messages
from django.forms import BaseForm

from .exceptions import CODE_PATTERN

_ATTRIBUTE = re.compile(r'data-error-code="([^"]*)"')


def _form_codes(form: BaseForm) -> list[str]:
    return [error.code or "" for errors in form.errors.as_data().values() for error in errors]


def refusal_codes(response: Any) -> list[str]:
    """The DomainError codes a test-client response shows, in order, each once.

    Read from the page's `data-error-code` attributes (flash messages, form errors,
    refusal paragraphs), from the forms of the template context, and from the flash
    messages the request added (so that a redirect's refusal is seen without
    following it). Django's own validation codes ("required"…) are left out.
    """
    found: list[str] = []
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html") and not getattr(response, "streaming", False):
        found += _ATTRIBUTE.findall(response.content.decode())
    contexts = getattr(response, "context", None) or []
    # The test client gives a ContextList, or the Context itself when one template rendered.
    for context in contexts if isinstance(contexts, list) else [contexts]:
        for value in context.flatten().values():
            if isinstance(value, BaseForm):
                found += _form_codes(value)
    request = getattr(response, "wsgi_request", None)
    if request is not None and hasattr(request, "_messages"):
        found += [message.extra_tags for message in get_messages(request)]
    codes: list[str] = []
    for code in found:
        if CODE_PATTERN.fullmatch(code) and code not in codes:
            codes.append(code)
    return codes
