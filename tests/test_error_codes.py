"""Every domain error of the product code has a code, and each code one meaning.

The product code (campus/**.py, tests and migrations aside) is read with `ast`:
every call to DomainError, to one of its subclasses or to Refusal must name its
code, unless it is a subclass whose constructor fixes it. The codes found are
listed with the sentence (the gettext msgid) they go with: one code, one
sentence, so that a test asserting a code asserts one meaning.
"""

from __future__ import annotations

import ast
import inspect
import pickle
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from campus.core.exceptions import CODE_PATTERN, DomainError, Refusal, ServiceBusy

ROOT = Path(__file__).resolve().parent.parent
CAMPUS = ROOT / "campus"
TRANSLATE = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}


@dataclass(frozen=True)
class Site:
    """One call that makes a refusal: where, what, with which code and sentence."""

    where: str
    name: str
    code: str | None  # None: no code= keyword; "" when the code is not a literal
    msgid: str | None  # the sentence's msgid when the call writes it, else None


def product_modules() -> list[Path]:
    return sorted(
        path
        for path in CAMPUS.rglob("*.py")
        if "tests" not in path.relative_to(CAMPUS).parts
        and "migrations" not in path.relative_to(CAMPUS).parts
    )


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _msgid(node: ast.expr) -> str | None:
    """The msgid of `_("…")` (or `_("…") % {…}`), the sentence written at the call."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        node = node.left
    if (
        isinstance(node, ast.Call)
        and _name(node.func) in TRANSLATE
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _error_classes(trees: dict[str, ast.Module]) -> dict[str, ast.ClassDef]:
    """DomainError's subclasses defined in the product code, by name (to a fixed point)."""
    classes: dict[str, ast.ClassDef] = {}
    known = {"DomainError"}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in known
                    and any(_name(base) in known for base in node.bases)
                ):
                    classes[node.name] = node
                    known.add(node.name)
                    grew = True
    return classes


def _super_init_calls(cls: ast.ClassDef) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(cls)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
        and isinstance(node.func.value, ast.Call)
        and _name(node.func.value.func) == "super"
    ]


def _code_of(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "code":
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
            return ""
    return None


def scan(sources: dict[str, str] | None = None) -> tuple[list[Site], dict[str, ast.ClassDef]]:
    """The refusal-making calls of `sources` (name: text), by default the product code."""
    if sources is None:
        sources = {str(path.relative_to(ROOT)): path.read_text() for path in product_modules()}
    trees = {name: ast.parse(text, name) for name, text in sources.items()}
    classes = _error_classes(trees)
    sites: list[Site] = []
    for where_file, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for call in _super_init_calls(node):
                    sites.append(
                        Site(
                            where=f"{where_file}:{call.lineno}",
                            name=f"{node.name} (super().__init__)",
                            code=_code_of(call),
                            msgid=_msgid(call.args[0]) if call.args else None,
                        )
                    )
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name not in {"DomainError", "Refusal", *classes}:
                continue
            if name in classes and _fixes_its_code(classes[name]):
                continue
            sites.append(
                Site(
                    where=f"{where_file}:{node.lineno}",
                    name=name,
                    code=_code_of(node),
                    msgid=_msgid(node.args[0]) if node.args else None,
                )
            )
    return sites, classes


def _fixes_its_code(cls: ast.ClassDef) -> bool:
    """The subclass's constructor passes a literal code to DomainError's."""
    calls = _super_init_calls(cls)
    return bool(calls) and all(_code_of(call) for call in calls)


def test_the_scan_sees_the_refusals_of_every_layer() -> None:
    sites, classes = scan()
    # A guard on the scan itself: it must find the known calls and subclasses.
    assert len(sites) > 100
    assert {"OverlapWarning", "ConflictError", "ImportRefused"} <= set(classes)
    assert any(site.where.startswith("campus/registrations/") for site in sites)


def test_every_domain_error_in_product_code_names_its_code() -> None:
    sites, _classes = scan()
    missing = [f"{site.where} {site.name}" for site in sites if site.code is None]
    assert missing == [], "DomainError without code=: " + ", ".join(missing)


def test_the_scan_catches_a_missing_code() -> None:
    # The control: the check above would pass on a scan that sees nothing.
    module = """
class Refused(DomainError):
    def __init__(self, message):
        super().__init__(message)

class Fixed(DomainError):
    def __init__(self):
        super().__init__(_("Fixé."), code="fixed.code")

def service():
    raise DomainError(_("Sans code."))

def other():
    raise Refused(_("Sous-classe sans code."))

def fine():
    Fixed()
    raise DomainError(_("Avec code."), code="thing.refused")
"""
    sites, classes = scan({"campus/example/services.py": module})
    assert set(classes) == {"Refused", "Fixed"}
    missing = sorted((site.name, site.msgid) for site in sites if site.code is None)
    assert missing == [
        ("DomainError", "Sans code."),
        ("Refused", "Sous-classe sans code."),
        ("Refused (super().__init__)", None),
    ]


def test_codes_read_entity_dot_reason() -> None:
    sites, _classes = scan()
    bad = [
        f"{site.where} {site.code!r}"
        for site in sites
        if site.code and not CODE_PATTERN.fullmatch(site.code)
    ]
    assert bad == []


def test_each_code_goes_with_one_sentence_and_each_sentence_with_one_code() -> None:
    sites, _classes = scan()
    sentences: dict[str, set[str]] = defaultdict(set)
    codes: dict[str, set[str]] = defaultdict(set)
    for site in sites:
        if site.code and site.msgid:
            sentences[site.code].add(site.msgid)
            codes[site.msgid].add(site.code)
    reused = {code: found for code, found in sentences.items() if len(found) > 1}
    assert reused == {}, "one code for several sentences"
    split = {msgid: found for msgid, found in codes.items() if len(found) > 1}
    assert split == {}, "one sentence under several codes"
    # Most calls write their sentence; the scan must see enough of them to mean something.
    assert len(sentences) > 80


def test_the_code_is_a_required_keyword_of_domain_error() -> None:
    parameters = inspect.signature(DomainError.__init__).parameters
    assert parameters["code"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["code"].default is inspect.Parameter.empty
    assert inspect.signature(Refusal).parameters["code"].kind is inspect.Parameter.KEYWORD_ONLY


def test_a_malformed_code_is_refused_at_once() -> None:
    for code in ("", "already_registered", "Registration.Full", "registration.", "a b.c"):
        try:
            DomainError("Refus.", code=code)
        except ValueError:
            continue
        raise AssertionError(f"{code!r} was accepted")
    assert DomainError("Refus.", code="registration.already_registered").code == (
        "registration.already_registered"
    )
    assert ServiceBusy().code == "service.busy"


def test_domain_errors_survive_pickling_with_their_code() -> None:
    # A worker or a parallel test run pickles exceptions; the constructor is not replayed.
    for error in (
        DomainError("Refus.", code="session.already_cancelled"),
        ServiceBusy(retry_after=9),
    ):
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(copy) is type(error)
        assert (copy.message, copy.code, str(copy)) == (error.message, error.code, str(error))
    busy = pickle.loads(pickle.dumps(ServiceBusy(retry_after=9)))  # noqa: S301 - our own bytes
    assert busy.retry_after == 9
