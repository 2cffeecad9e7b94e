"""What the registrations tell the layers above them (see campus.core.events)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from campus.core import events
from campus.core.events import DomainEvent


@dataclass(frozen=True)
class RegistrationsChanged(DomainEvent):
    """Registrations whose state changed in the transaction (the latest history row says how)."""

    registration_ids: tuple[int, ...]


@dataclass(frozen=True)
class SessionCancelled(DomainEvent):
    """A session was cancelled, and with it these live registrations."""

    session_id: int
    registration_ids: tuple[int, ...]


@dataclass(frozen=True)
class AttendanceClosed(DomainEvent):
    """The session's attendance was closed: presences and absences are now final."""

    session_id: int


def ids_of(objects: Iterable[Any]) -> tuple[int, ...]:
    return tuple(sorted({obj.pk for obj in objects if obj.pk is not None}))


def registrations_changed(registrations: Iterable[Any]) -> None:
    """Emit `RegistrationsChanged` for these registrations, if there are any."""
    ids = ids_of(registrations)
    if ids:
        events.emit(RegistrationsChanged(registration_ids=ids))
