"""Recording audit entries. Services call `audit_record` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import AuditEntry


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
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_label: str | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
) -> AuditEntry:
    """An unsaved entry, as `audit_record` writes it; bulk writers use `audit_record_many`."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_label = str(obj) if object_label is None else object_label
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry(
        actor=actor_user,
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
    actor: Any,
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
    return AuditEntry.objects.bulk_create(list(entries), batch_size=500)
