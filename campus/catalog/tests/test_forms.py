"""The catalogue's filter form: its selects and the parameters it keys its results on."""

from __future__ import annotations

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from campus.catalog.forms import CatalogueFilterForm
from campus.catalog.tests.factories import ThemeFactory


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"format": "atelier", "q": "x"}, {"theme": "999999"}])
def test_the_filter_form_writes_what_djangos_template_engine_writes(
    data: dict[str, str] | None,
) -> None:
    """Django's own widget templates, rendered by Jinja2: the same markup, ids and aria included."""
    ThemeFactory(name="Numérique")
    fast, django = CatalogueFilterForm(data), CatalogueFilterForm(data, renderer=DjangoTemplates())
    fast.is_valid()
    django.is_valid()
    for name in fast.fields:
        assert _squeeze(str(fast[name])) == _squeeze(str(django[name])), name


@pytest.mark.django_db
def test_the_filter_form_escapes_option_labels() -> None:
    ThemeFactory(name="L'été <chaud>")
    html = str(CatalogueFilterForm()["theme"])
    assert "<chaud>" not in html
    assert "L&#39;été &lt;chaud&gt;</option>" in html
    assert html.startswith('<select name="theme" id="id_theme">')


@pytest.mark.django_db
def test_the_filter_form_renders_and_flags_a_bad_choice() -> None:
    theme = ThemeFactory(name="Numérique")
    html = str(CatalogueFilterForm({"theme": str(theme.pk)})["theme"])
    assert f'<option value="{theme.pk}" selected>Numérique</option>' in html
    form = CatalogueFilterForm({"theme": "999999"})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["theme"])


def test_submitted_keeps_the_forms_own_non_empty_parameters_in_order() -> None:
    data = QueryDict("utm=x&page=3&theme=&seats_left_only=on&q=trello&q=klaxoon")
    assert CatalogueFilterForm.submitted(data) == [
        ("q", "trello"),
        ("q", "klaxoon"),
        ("seats_left_only", "on"),
    ]
    assert CatalogueFilterForm.submitted({"format": "atelier", "q": ""}) == [("format", "atelier")]
    assert CatalogueFilterForm.submitted(QueryDict("")) == []
