"""The audit-action registry: declared once, well formed, and the only codes written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from campus.core.audit import (
    AuditActionRegistry,
    UndeclaredAuditAction,
    audit_entry,
    audit_record,
    audit_record_many,
    registry,
)
from campus.core.exceptions import DomainError
from campus.core.models import AuditEntry


def test_a_declared_action_has_its_label_and_change_labels() -> None:
    actions = AuditActionRegistry()
    actions.declare(
        {"room.paint": "Peinture d'une salle", "room.clean": "Ménage d'une salle"},
        change_labels={"colour": "couleur"},
    )
    paint = actions.require("room.paint")
    assert (paint.code, paint.label, dict(paint.change_labels)) == (
        "room.paint",
        "Peinture d'une salle",
        {"colour": "couleur"},
    )
    assert [a.code for a in actions.all()] == ["room.paint", "room.clean"]
    assert actions.get("room.unknown") is None


def test_a_code_declared_twice_stops_the_start_up_and_keeps_nothing_of_the_second_call() -> None:
    actions = AuditActionRegistry()
    actions.declare({"room.paint": "Peinture d'une salle"})
    with pytest.raises(ImproperlyConfigured, match=r"room\.paint"):
        actions.declare({"room.clean": "Ménage d'une salle", "room.paint": "Autre libellé"})
    assert [(a.code, a.label) for a in actions.all()] == [("room.paint", "Peinture d'une salle")]


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("room", "Salle"),
        ("Room.Paint", "Peinture"),
        ("room.paint.again", "Peinture"),
        ("room.paint ", "Peinture"),
        ("room.paint", ""),
    ],
)
def test_a_malformed_code_or_an_empty_label_is_refused(code: str, label: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        AuditActionRegistry().declare({code: label})


def test_the_apps_declarations_are_in_the_registry() -> None:
    # Declared by the apps' ready(): core's own code among them.
    assert registry.require("school_settings.update").label


@pytest.mark.django_db
def test_writing_an_undeclared_code_is_a_programming_error_and_writes_nothing() -> None:
    with pytest.raises(UndeclaredAuditAction, match=r"school_settings\.updated") as caught:
        audit_record(actor=None, action="school_settings.updated", object_type="x", object_id=1)
    assert not isinstance(caught.value, DomainError)
    with pytest.raises(UndeclaredAuditAction):
        audit_entry(actor=None, action="typo", object_type="x", object_id=1)
    # An entry built by hand does not slip through the bulk writer either.
    good = audit_entry(actor=None, action="school_settings.update", object_type="x", object_id=1)
    with pytest.raises(UndeclaredAuditAction):
        audit_record_many([good, AuditEntry(action="nobody.declared", object_type="x")])
    assert not AuditEntry.objects.exists()
    audit_record_many([good])
    assert AuditEntry.objects.get().action == "school_settings.update"
