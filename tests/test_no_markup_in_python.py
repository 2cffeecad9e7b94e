"""Markup lives in templates: none built in Python, none in a translation (docs: DESIGN.md).

Product code is everything under campus/ and config/ except test folders. The
scans read the source (Python's own tokenizer and parser) and what Django's
makemessages would extract from the templates, so that a string added
tomorrow, in any app, is checked without a list to keep up to date.
"""

from __future__ import annotations

import ast
import re
import tokenize
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = (ROOT / "templates", ROOT / "jinja2")
JINJA_DIR = ROOT / "jinja2"

# HTML's elements (and SVG's usual ones): "<int:pk>" in a URL pattern or "<org code>" in
# prose is not a tag, "<span class=…>", "<br>" and "</a>" are.
ELEMENTS = (
    "a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|button|canvas|"
    "caption|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|dialog|div|dl|dt|em|embed|"
    "fieldset|figcaption|figure|footer|form|h[1-6]|head|header|hgroup|hr|html|i|iframe|img|"
    "input|ins|kbd|label|legend|li|link|main|map|mark|menu|meta|meter|nav|noscript|object|ol|"
    "optgroup|option|output|p|picture|pre|progress|q|rp|rt|ruby|s|samp|script|search|section|"
    "select|slot|small|source|span|strong|style|sub|summary|sup|table|tbody|td|template|"
    "textarea|tfoot|th|thead|time|title|tr|track|u|ul|var|video|wbr|"
    "svg|g|path|rect|circle|line|polyline|polygon|text|use"
)
HTML_TAG = re.compile(rf"</?(?:{ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
# In a translation, any "<" followed by a letter or "/" is markup (or looks like it to a translator).
MARKUP_IN_TRANSLATION = re.compile(r"<\s*/?\s*[a-zA-Z!]")

# What marks a string as safe HTML, or writes HTML from Python.
SAFE_MARKERS = {
    "mark_safe",
    "SafeString",
    "SafeText",
    "SafeData",
    "format_html",
    "format_html_join",
    "conditional_escape",
    "Markup",
}
ESCAPING_MODULES = {"html", "django.utils.html", "django.utils.safestring", "markupsafe"}
GETTEXT = {
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def _product_python() -> Iterator[Path]:
    for folder in (ROOT / "campus", ROOT / "config"):
        for path in sorted(folder.rglob("*.py")):
            if "tests" not in path.relative_to(ROOT).parts:
                yield path


def _templates(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt"):
                yield path


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- Python ---------------------------------------------------------------------------


def test_product_python_marks_nothing_safe_and_escapes_nothing_into_markup() -> None:
    found = []
    for path in _product_python():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Name):
                names = [node.id]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
                # html.escape(…), markupsafe.escape(…): escaping by hand is writing markup.
                if (
                    node.attr == "escape"
                    and isinstance(node.value, ast.Name)
                    and node.value.id in ("html", "markupsafe")
                ):
                    names.append("escape")
            elif isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
                if node.module in ESCAPING_MODULES and "escape" in names:
                    found.append(f"{_relative(path)}:{node.lineno} imports escape")
            hits = (set(names) & SAFE_MARKERS) | ({"escape"} & set(names[1:]))
            found += [f"{_relative(path)}:{node.lineno} {name}" for name in sorted(hits)]
    assert found == []


def test_product_python_holds_no_html_tag() -> None:
    """No tag in a string, an f-string, a docstring or a comment: prose says "a drop-down"."""
    found = []
    for path in _product_python():
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                if token.type in (tokenize.STRING, tokenize.COMMENT) and HTML_TAG.search(
                    token.string
                ):
                    found.append(f"{_relative(path)}:{token.start[0]} {token.string[:80]}")
    assert found == []


def _gettext_names(tree: ast.Module) -> set[str]:
    """The names gettext's functions go by in a module ("_" and any alias)."""
    names = set(GETTEXT) | {"_"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {alias.asname for alias in node.names if alias.asname}
    return names


def test_no_python_translation_holds_markup() -> None:
    found = []
    for path in _product_python():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        gettext_names = _gettext_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name not in gettext_names:
                continue
            for argument in node.args:
                if (
                    isinstance(argument, ast.Constant)
                    and isinstance(argument.value, str)
                    and MARKUP_IN_TRANSLATION.search(argument.value)
                ):
                    found.append(f"{_relative(path)}:{node.lineno} {argument.value!r}")
    assert found == []


# --- Templates --------------------------------------------------------------------------


def _extracted(source: str) -> list[str]:
    """The strings makemessages takes from a template (Django's or Jinja2's `{{ _("…") }}`).

    `templatize` turns a template into the Python-like text that xgettext reads: the
    rest is blanked out, every string literal in it is a message (or a message's context).
    """
    literals = re.findall(r"""u?('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""", templatize(source))
    return [ast.literal_eval(literal) for literal in literals]


@pytest.mark.parametrize("path", list(_templates(*TEMPLATE_DIRS)), ids=_relative)
def test_no_template_translation_holds_markup(path: Path) -> None:
    messages = _extracted(path.read_text(encoding="utf-8"))
    assert [m for m in messages if MARKUP_IN_TRANSLATION.search(m)] == []


def test_the_scan_of_templates_sees_markup_in_a_translation() -> None:
    """The control: the scan above finds what it looks for."""
    messages = _extracted(
        '{% load i18n %}{% translate "Lire" %}'
        '{% blocktranslate with name=n %}Modifier<span class="visually-hidden"> {{ name }}</span>'
        "{% endblocktranslate %}"
        "{{ _(\"Voir la <a href='/'>liste</a>\") }}"
    )
    assert [bool(MARKUP_IN_TRANSLATION.search(m)) for m in messages] == [False, True, True]


@pytest.mark.parametrize("path", list(_templates(*TEMPLATE_DIRS)), ids=_relative)
def test_pages_mark_nothing_safe(path: Path) -> None:
    """Autoescaping stays on in pages (plain-text mail templates turn it off, as they should)."""
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\|\s*safe(seq)?\b|\bMarkup\(|\bmark_safe\b", source)
    if path.suffix == ".html":
        assert not re.search(r"{%-?\s*autoescape\s+(off|false)", source)


@pytest.mark.parametrize("path", list(_templates(JINJA_DIR)), ids=_relative)
def test_jinja2_translations_are_the_kind_makemessages_extracts(path: Path) -> None:
    """Jinja2 templates translate with `{{ _("…") }}` only: Django's makemessages reads them
    as its own templates, and would miss `{% trans %}` blocks or a `gettext(…)` call."""
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"{%-?\s*(trans|pluralize)\b|\b(n|p|np)?gettext\(", source)
    written = re.findall(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""", source)
    assert Counter(_extracted(source)) == Counter(ast.literal_eval(s) for s in written)
