"""What the programming tells the layers above it (see campus.core.events)."""

from __future__ import annotations

from dataclasses import dataclass

from campus.core.events import DomainEvent


@dataclass(frozen=True)
class SessionRescheduled(DomainEvent):
    """A session's parts moved (date, time or room); `change_key` tells one move from another."""

    session_id: int
    change_key: str
