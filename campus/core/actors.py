"""Who acts: the type every service's `actor` argument has.

An actor is a signed-in account, an anonymous visitor (a view's `request.user`
before sign-in) or None, the system itself (the periodic tick, an import run
from the command line). The account model lives in `campus.people`, a layer
above this one, so core describes it by what the generic checks read.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeAlias

from django.contrib.auth.models import AnonymousUser


class Account(Protocol):
    """What core reads of a signed-in account (`campus.people.models.User`)."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def is_coordinator(self) -> bool: ...

    @property
    def is_director(self) -> bool: ...

    @property
    def is_hr_viewer(self) -> bool: ...

    @property
    def agent_id(self) -> int | None: ...


Actor: TypeAlias = "Account | AnonymousUser | None"


def signed_in(actor: Actor) -> Account | None:
    """The account when it is signed in and active; None for anyone else, or the system."""
    if actor is None or isinstance(actor, AnonymousUser):
        return None
    if not actor.is_authenticated or not actor.is_active:
        return None
    return actor


def account_or_none(actor: Actor) -> Account | None:
    """The account to record as the author of a row (created_by, audit), or None for the system."""
    if actor is None or isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        return None
    return actor
