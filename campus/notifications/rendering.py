"""Turning a message's template key and JSON context into its subject, text and HTML."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

TEMPLATE_DIR = "notifications"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _hydrate(value: Any, key: str = "") -> Any:
    """ISO strings back into dates and Paris times, so templates format them per language."""
    if isinstance(value, dict):
        return {k: _hydrate(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_hydrate(v) for v in value]
    if isinstance(value, str) and value:
        if key.endswith("_at"):
            return timezone.localtime(datetime.datetime.fromisoformat(value))
        if key == "date" or key.endswith("_date"):
            return datetime.date.fromisoformat(value)
    return value


def render_message(template: str, context: dict[str, Any], language: str) -> Rendered:
    """Render in the recipient's language; the French text is the source, English its translation."""
    with translation.override(language or "fr"):
        data = _hydrate(context)
        data.update(
            school_name=settings.SCHOOL_NAME,
            base_url=settings.CAMPUS_BASE_URL,
            language=language,
        )
        subject = render_to_string(f"{TEMPLATE_DIR}/{template}/subject.txt", data)
        text = render_to_string(f"{TEMPLATE_DIR}/{template}/body.txt", data)
        html = render_to_string(f"{TEMPLATE_DIR}/{template}/body.html", data)
    # A header with a line break is refused by the mail library.
    subject_line = " ".join(str(subject).split())[:255]
    # Optional paragraphs leave blank lines behind in the plain text.
    plain = re.sub(r"\n{3,}", "\n\n", str(text).strip())
    return Rendered(subject=subject_line, text=plain + "\n", html=str(html))
