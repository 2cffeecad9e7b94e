"""Domain events: the one way a lower app causes an effect in a higher one.

The apps are layered (docs/architecture.md): an app imports only from the
apps below it. When something that happens low down must have an effect
higher up (a registration changes, so a mail leaves; a session moves, so
calendars are updated), the lower app *emits* an event, a frozen dataclass it
declares in its own `events.py`, and the higher app *subscribes* a handler to
that class in its `AppConfig.ready()`.

Handlers run after the emitting transaction commits, never inside it: an
action rolled back tells nobody, and a failing handler (logged) never undoes
or breaks the action that emitted the event. Outside a transaction they run
at once. Handlers receive ids and values, not model instances, and read the
committed state themselves.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Base class of every event: subclasses are frozen dataclasses of plain values."""


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]

_handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Run `handler(event)` after the commit of every transaction that emits `event_type`.

    Call it from an `AppConfig.ready()`. Subscribing the same handler twice has
    no further effect (ready() may run more than once in tests).
    """
    if not (isinstance(event_type, type) and issubclass(event_type, DomainEvent)):
        raise TypeError(f"{event_type!r} is not a DomainEvent subclass.")
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def handlers_for(event_type: type[DomainEvent]) -> list[Handler]:
    """The handlers subscribed to `event_type` (a copy), in subscription order."""
    return list(_handlers.get(event_type, ()))


def emit(event: DomainEvent) -> None:
    """Queue the event's handlers for after the current transaction commits."""
    for handler in handlers_for(type(event)):
        transaction.on_commit(partial(_run, handler, event))


def _run(handler: Handler, event: DomainEvent) -> None:
    try:
        handler(event)
    except Exception:
        # The action is committed: its effects are kept, the failure is for the log
        # (each handler keeps what it needs to retry, such as the outbox).
        logger.exception("Handler %r failed for %r", handler, event)
