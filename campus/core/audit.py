"""Recording audit entries. Services call `audit_record` inside their transaction.

Every action code is declared first, with its label, by the app that writes it
(`<app>/audit_actions.py`, imported by the app's `AppConfig.ready()`):

    declare_actions({"registration.create": _("Inscription d'un agent")})

Writing a code nobody declared raises `UndeclaredAuditAction`, so a test that
runs the service catches it; the audit log shows each code by its label.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise

from .actors import Actor, account_or_none
from .models import AuditEntry

# A label: a plain string, or (usually) a gettext_lazy one, read in the reader's language.
Label: TypeAlias = "str | Promise"

# "<entity>.<verb>", lower case: what services write and what the log filters on.
ACTION_CODE = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")


class UndeclaredAuditAction(Exception):
    """A programming error: the code was not declared with `declare_actions`."""


@dataclass(frozen=True)
class AuditAction:
    """A declared action: its code, its label, and labels for the changes it records.

    `change_labels` name what the action records under names that are not
    fields of the object's model (a session's "parts", a count).
    """

    code: str
    label: Label
    change_labels: Mapping[str, Label] = field(default_factory=dict)


class AuditActionRegistry:
    """The declared actions, filled at start-up by the apps' `ready()`."""

    def __init__(self) -> None:
        self._actions: dict[str, AuditAction] = {}

    def declare(
        self, labels: Mapping[str, Label], *, change_labels: Mapping[str, Label] | None = None
    ) -> None:
        """Declare `{code: label}`; `change_labels` apply to each of these codes.

        A malformed code, an empty label or a code declared twice stops the
        start-up (nothing of this call is kept).
        """
        actions = [
            AuditAction(code, label, dict(change_labels or {})) for code, label in labels.items()
        ]
        for action in actions:
            if not ACTION_CODE.fullmatch(action.code) or len(action.code) > 80:
                raise ImproperlyConfigured(f"Malformed audit action code: {action.code!r}.")
            if not action.label:
                raise ImproperlyConfigured(f"Audit action {action.code!r} has no label.")
            if action.code in self._actions:
                raise ImproperlyConfigured(f"Audit action {action.code!r} is declared twice.")
        for action in actions:
            self._actions[action.code] = action

    def get(self, code: str) -> AuditAction | None:
        return self._actions.get(code)

    def require(self, code: str) -> AuditAction:
        try:
            return self._actions[code]
        except KeyError:
            raise UndeclaredAuditAction(
                f"Audit action {code!r} is not declared: add it to the writing app's "
                "audit_actions.py (declare_actions)."
            ) from None

    def all(self) -> list[AuditAction]:
        return list(self._actions.values())


registry = AuditActionRegistry()
declare_actions = registry.declare


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` on `obj`, JSON-ready (FKs as their id)."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = _jsonable(getattr(obj, attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for the fields that changed."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_entry(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_label: str | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
) -> AuditEntry:
    """An unsaved entry, as `audit_record` writes it; bulk writers use `audit_record_many`."""
    registry.require(action)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_label = str(obj) if object_label is None else object_label
    actor_user = account_or_none(actor)
    return AuditEntry(
        # The account model is campus.people's, a layer above: core knows it as a protocol.
        actor=cast(Any, actor_user),
        actor_label=str(actor_user) if actor_user is not None else "système",
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_label=(object_label or "")[:255],
        changes=_jsonable(changes or {}),
        message=message,
    )


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_label: str | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
) -> AuditEntry:
    """Append one audit entry. `actor` is a user, or None for the system."""
    entry = audit_entry(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        changes=changes,
        message=message,
    )
    entry.save(force_insert=True)
    return entry


def audit_record_many(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Append many entries built by `audit_entry` in a few queries (bulk imports).

    Call it inside the same transaction as the changes the entries record.
    """
    entries = list(entries)
    for entry in entries:
        registry.require(entry.action)
    return AuditEntry.objects.bulk_create(entries, batch_size=500)
