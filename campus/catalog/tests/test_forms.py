"""The catalogue's filter form: its quick <select>s and the parameters it keys its results on."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.http import QueryDict

from campus.catalog.forms import CatalogueFilterForm, QuickSelect
from campus.catalog.tests.factories import ThemeFactory


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["", "b", ["b"], None])
def test_quick_select_writes_what_django_writes(value: object) -> None:
    choices = [("", "Tous"), ("a", "L'été <chaud>"), ("b", "Brève")]
    attrs = {"id": "id_x", "aria-describedby": "id_x-help", "aria-invalid": "true"}
    quick = QuickSelect(attrs=attrs, choices=choices).render("x", value)
    django = forms.Select(attrs=attrs, choices=choices).render("x", value)
    assert _squeeze(quick) == _squeeze(django)
    assert "&lt;chaud&gt;" in quick


def test_quick_select_writes_option_groups_like_django() -> None:
    choices = [("Groupe", [("a", "A"), ("b", "B")]), ("c", "C")]
    quick = QuickSelect(choices=choices).render("x", "b")
    django = forms.Select(choices=choices).render("x", "b")
    assert _squeeze(quick) == _squeeze(django)


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
