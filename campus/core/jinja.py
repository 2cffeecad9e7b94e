"""The Jinja2 template engine, beside Django's, for the hot fragments of a few pages.

Django's template language costs a few microseconds per node, which shows in
loops of hundreds of rows (a busy month of sessions, a session's roster).
Jinja2 compiles templates to Python and escapes with MarkupSafe: the same
markup, written in templates, at a fraction of the cost. Its templates live in
the `jinja2/` folder, autoescaped, and a Django template places one with
`{% jinja_include "name" %}` (campus/core/templatetags/jinja.py).

Translations in them are written `{{ _("…") }}`, followed by `% {"name": …}`
for a placeholder: the one form Django's makemessages extracts from them
(tests/test_no_markup_in_python.py checks it).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext, ngettext

from jinja2 import Environment


def url(viewname: str, *args: Any) -> str:
    """As `{% url viewname arg… %}`."""
    return reverse(viewname, args=args)


def environment(**options: Any) -> Environment:
    # Always on, whatever the settings say: these templates write what people typed.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals["url"] = url
    return env
