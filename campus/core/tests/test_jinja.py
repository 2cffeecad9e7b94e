"""`{% jinja_include %}`: a Jinja2 fragment inside a Django page, autoescaped, with the page's context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template import Context, RequestContext, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import translation


@pytest.fixture
def fragment_dir(settings: Any, tmp_path: Path) -> Path:
    django_engine, jinja_engine = settings.TEMPLATES
    settings.TEMPLATES = [django_engine, {**jinja_engine, "DIRS": [tmp_path]}]
    return tmp_path


def test_the_fragment_sees_the_page_context_and_escapes_it(fragment_dir: Path) -> None:
    (fragment_dir / "fragment.html").write_text(
        '<a href="{{ link }}">{{ _("Annuler") }}<span class="visually-hidden"> {{ name }}</span></a>'
    )
    page = Template(
        '{% load jinja %}<p>{% with name=agent %}{% jinja_include "fragment.html" %}{% endwith %}</p>'
    )
    with translation.override("en"):
        html = page.render(Context({"link": "/annuler/?next=/a&b", "agent": "<b>Zorro</b>"}))
    assert html == (
        '<p><a href="/annuler/?next=/a&amp;b">Cancel<span class="visually-hidden"> '
        "&lt;b&gt;Zorro&lt;/b&gt;</span></a></p>"
    )


def test_the_fragment_reverses_addresses_and_writes_the_csrf_field(fragment_dir: Path) -> None:
    (fragment_dir / "form.html").write_text(
        '<form method="post" action="{{ url("registrations:approve", 7) }}">{{ csrf_input }}</form>'
    )
    request = RequestFactory().get("/")
    html = Template('{% load jinja %}{% jinja_include "form.html" %}').render(
        RequestContext(request, {})
    )
    assert html.startswith('<form method="post" action="/inscriptions/7/approuver/">')
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="' in html


@pytest.mark.parametrize(
    "tag", ["{% jinja_include %}", "{% jinja_include name %}", '{% jinja_include "a" "b" %}']
)
def test_the_tag_takes_one_quoted_name(tag: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load jinja %}" + tag)
