"""Every audit action written by the product is declared, by the app that writes it, with a label.

The registry is campus.core.audit; each app declares its codes in its own
audit_actions.py, imported by its AppConfig.ready().
"""

from __future__ import annotations

import ast
import datetime
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from campus.core.audit import ACTION_CODE, UndeclaredAuditAction, registry
from campus.core.models import AuditEntry
from campus.people.importing import agents_import
from campus.people.models import Agent, User
from campus.people.tests.factories import OrganisationFactory, UserFactory
from campus.registrations import services as registration_services
from campus.registrations.models import Registration
from campus.registrations.tests.factories import open_session

CAMPUS = Path(__file__).resolve().parent.parent / "campus"


def _product_modules() -> list[Path]:
    return sorted(
        path
        for path in CAMPUS.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


def _app(path: Path) -> str:
    return path.relative_to(CAMPUS).parts[0]


def _imports_the_audit_module(tree: ast.Module, path: Path) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.module == "campus.core.audit":
                return True
            if node.module == "campus.core" and any(a.name == "audit" for a in node.names):
                return True
            if node.level == 1 and node.module == "audit" and _app(path) == "core":
                return True
    return False


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    return {
        id(node.body[0].value)
        for node in nodes
        if node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _is_model_label(text: str) -> bool:
    try:
        apps.get_model(text)
    except (LookupError, ValueError):
        return False
    return True


def written_codes() -> dict[str, set[str]]:
    """{app: action codes its product source writes}, found with `ast`.

    Two rules, so that codes passed through helpers and variables are found too
    (`_audit(actor, "registration.cancel", …)`, `_set_status(…, action="course.publish")`,
    `action = "agent.deactivate" if … else "agent.update"`, `AUDIT_ACTION = "…"`):

    - anywhere, a literal passed as `action=` that looks like a code;
    - in a module that imports campus.core.audit, every literal that looks like
      a code, except docstrings, model labels ("people.agent") and the values of
      other keyword arguments (`object_type="people.import"`).
    """
    found: dict[str, set[str]] = defaultdict(set)
    for path in _product_modules():
        if path.name == "audit_actions.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        other_keywords = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant):
                if node.arg == "action" and isinstance(node.value.value, str):
                    if ACTION_CODE.fullmatch(node.value.value):
                        found[_app(path)].add(node.value.value)
                else:
                    other_keywords.add(id(node.value))
        if not _imports_the_audit_module(tree, path):
            continue
        skipped = other_keywords | _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and ACTION_CODE.fullmatch(node.value)
                and id(node) not in skipped
                and not _is_model_label(node.value)
            ):
                found[_app(path)].add(node.value)
    return found


def declared_codes() -> dict[str, set[str]]:
    """{app: codes declared in its audit_actions.py}, read with `ast`."""
    declared: dict[str, set[str]] = defaultdict(set)
    for path in CAMPUS.glob("*/audit_actions.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "declare_actions"
                and node.args
                and isinstance(node.args[0], ast.Dict)
            ):
                for key in node.args[0].keys:
                    assert isinstance(key, ast.Constant), f"{path}: codes are literals"
                    declared[_app(path)].add(key.value)
    return declared


def test_the_scan_finds_codes_passed_through_helpers_and_variables() -> None:
    written = written_codes()
    assert {"registration.cancel", "registration.auto_decline"} <= written["registrations"]
    assert {"course.publish", "course.archive"} <= written["catalog"]
    assert {"agent.deactivate", "agents.import"} <= written["people"]
    assert {"datagen.generate", "demo.load", "scheduling.demo_load"} <= written["devtools"]
    assert "people.agent" not in written["core"]  # a model label, not an action
    assert "people.import" not in written["people"]  # an object type


def test_every_code_the_product_writes_is_declared_by_the_app_that_writes_it() -> None:
    written = written_codes()
    declared = declared_codes()
    undeclared = {app: sorted(codes - declared[app]) for app, codes in written.items()}
    assert {app: codes for app, codes in undeclared.items() if codes} == {}
    # And nothing is declared that no code writes any more.
    unused = {app: sorted(codes - written[app]) for app, codes in declared.items()}
    assert {app: codes for app, codes in unused.items() if codes} == {}


def test_every_app_declares_through_its_ready() -> None:
    """What the audit_actions modules declare is what the running registry holds."""
    in_files = {code for codes in declared_codes().values() for code in codes}
    assert {action.code for action in registry.all()} == in_files


def test_every_declared_action_has_a_translatable_label_that_is_not_its_code() -> None:
    assert len(registry.all()) >= 45
    for action in registry.all():
        labels = [action.label, *action.change_labels.values()]
        # French source strings marked for the catalogue, read in the reader's language.
        assert all(isinstance(label, Promise) for label in labels), action.code
        with translation.override("fr"):
            label = str(action.label).strip()
            assert label, action.code
            assert label != action.code
            assert not ACTION_CODE.fullmatch(label), action.code
            assert all(str(name).strip() for name in action.change_labels.values())


@pytest.mark.django_db
def test_a_service_that_writes_an_undeclared_code_fails(
    coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(coordinator, capacity=3)
    agent_user = UserFactory()
    entries = AuditEntry.objects.count()
    monkeypatch.delitem(registry._actions, "registration.create")
    with pytest.raises(UndeclaredAuditAction, match=r"registration\.create"):
        registration_services.registration_create(
            actor=agent_user, session=session, agent=agent_user.agent
        )
    assert not Registration.objects.exists()
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_the_bulk_import_refuses_an_undeclared_code_too(monkeypatch: pytest.MonkeyPatch) -> None:
    OrganisationFactory(code="VILLE", name="Ville")
    content = (
        "structure;matricule;nom;prénom;email;service;statut;catégorie;"
        "matricule_responsable;encadrant;date_arrivee;date_depart\n"
        "VILLE;001;Martin;Paul;;Voirie;Titulaire;A;;non;;\n"
    ).encode()
    monkeypatch.delitem(registry._actions, "agents.import")
    with pytest.raises(UndeclaredAuditAction, match=r"agents\.import"):
        agents_import(
            content=content, filename="agents.csv", actor=None, today=datetime.date(2025, 6, 15)
        )
    assert not Agent.objects.exists()
    assert not AuditEntry.objects.exists()
