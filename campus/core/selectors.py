"""Reads for the audit-log browser."""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .audit import registry
from .models import AuditEntry

AUDIT_PAGE_SIZE = 50

# --- Audit log ----------------------------------------------------------------


def audit_entries(
    *,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    obj: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries matching the filters, newest first. Dates are days in the school's time zone."""
    qs = AuditEntry.objects.all()
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if obj:
        qs = qs.filter(Q(object_label__icontains=obj) | Q(object_id=obj))
    if date_from:
        qs = qs.filter(created_at__gte=_start_of_day(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_start_of_day(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def action_label(action: str) -> str:
    """The label its app declared; a code no app declares (an older entry) shows as it is."""
    declared = registry.get(action)
    return str(declared.label) if declared is not None else action


def _sort_key(label: str) -> str:
    """Alphabetical order as a French reader expects it: "Émargement" among the E."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = _model_for(object_type)
    if model is None:
        return object_type
    label = str(model._meta.verbose_name)
    return label[:1].upper() + label[1:]


def audit_filter_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the declared actions, the object types present in the log), labelled, sorted by label.

    One query: the actions come from the registry, not from the log.
    """
    action_choices = sorted(
        ((action.code, str(action.label)) for action in registry.all()),
        key=lambda c: _sort_key(c[1]),
    )
    types = (
        AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )
    type_choices = sorted(
        ((t, object_type_label(t)) for t in types if t), key=lambda c: _sort_key(c[1])
    )
    return action_choices, type_choices


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    action_label: str
    object_type_label: str
    object_url: str
    changes: list[ChangeRow]


def _field(model: type[models.Model] | None, name: str) -> Any:
    """The model's own field called `name`, or None.

    Not a reverse relation: a session's "parts" names its SessionPart rows, which
    have no verbose name on the session's side; the action's declared change
    labels say what such names mean.
    """
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return None if isinstance(field, models.ForeignObjectRel) else field


def _change_label(entry: AuditEntry, name: str, field: Any) -> str:
    """The label the action declared for `name`, else the field's, else the name itself."""
    declared = registry.get(entry.action)
    if declared is not None and name in declared.change_labels:
        label = str(declared.change_labels[name])
    elif field is not None:
        label = str(field.verbose_name)
    else:
        label = name
    return label[:1].upper() + label[1:]


def _raw_changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) triples; tolerant of entries not written by `audit.diff`."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    triples = []
    for name, value in changes.items():
        if isinstance(value, dict) and set(value) <= {"before", "after"}:
            triples.append((name, value.get("before"), value.get("after")))
        else:
            triples.append((name, None, value))
    return triples


def _related_labels(entries: Sequence[AuditEntry]) -> dict[type[models.Model], dict[str, str]]:
    """Labels of the objects that changed foreign keys point to: one query per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = _model_for(entry.object_type)
        for name, before, after in _raw_changes(entry):
            field = _field(model, name)
            if _is_foreign_key(field):
                wanted[field.related_model].update(v for v in (before, after) if v is not None)
            elif _is_many_to_many(field):
                for value in (before, after):
                    if isinstance(value, list):
                        wanted[field.related_model].update(value)
    user_model = get_user_model()
    labels: dict[type[models.Model], dict[str, str]] = {}
    for related, ids in wanted.items():
        manager = related._default_manager
        # An account's label is its agent's name: fetch both at once.
        qs = manager.select_related("agent") if related is user_model else manager.all()
        labels[related] = {str(pk): str(obj) for pk, obj in qs.in_bulk(list(ids)).items()}
    return labels


def _is_foreign_key(field: Any) -> bool:
    return bool(
        field is not None
        and getattr(field, "concrete", False)
        and field.is_relation
        and (field.many_to_one or field.one_to_one)
    )


def _is_many_to_many(field: Any) -> bool:
    return bool(field is not None and field.is_relation and field.many_to_many)


def _looks_like_moment(value: Any) -> bool:
    # ISO timestamps written by audit._jsonable for fields the log cannot map to a model.
    return isinstance(value, str) and len(value) >= 19 and value[10:11] == "T"


def _format_moment(value: Any) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def _format_value(field: Any, value: Any, labels: dict[type[models.Model], dict[str, str]]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if _is_many_to_many(field) and isinstance(value, list):
        names = labels.get(field.related_model, {})
        return ", ".join(names.get(str(pk), f"n° {pk}") for pk in value) or "—"
    if isinstance(value, list):
        # A session's parts, the conflicts kept: one item after the other.
        return " ; ".join(_format_value(None, item, labels) for item in value) or "—"
    if field is None:
        return _format_moment(value) if _looks_like_moment(value) else str(value)
    if _is_foreign_key(field):
        return labels.get(field.related_model, {}).get(str(value), f"n° {value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        return _format_moment(value)
    if isinstance(field, models.DateField):
        try:
            return formats.date_format(datetime.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


def _object_url(entry: AuditEntry) -> str:
    if entry.object_type == "people.agent" and entry.object_id.isdigit():
        return reverse("people:agent_detail", args=[int(entry.object_id)])
    return ""


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """Entries ready to read: labelled actions and before → after values in words."""
    entries = list(entries)
    labels = _related_labels(entries)
    rows = []
    for entry in entries:
        model = _model_for(entry.object_type)
        changes = []
        for name, before, after in _raw_changes(entry):
            field = _field(model, name)
            changes.append(
                ChangeRow(
                    label=_change_label(entry, name, field),
                    before=_format_value(field, before, labels),
                    after=_format_value(field, after, labels),
                )
            )
        rows.append(
            AuditRow(
                entry=entry,
                action_label=action_label(entry.action),
                object_type_label=object_type_label(entry.object_type),
                object_url=_object_url(entry),
                changes=changes,
            )
        )
    return rows
