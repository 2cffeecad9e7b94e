"""The acting account as the user model: what a row stores as its author."""

from __future__ import annotations

from campus.core.actors import Actor, signed_in

from .models import User


def author(actor: Actor) -> User | None:
    """The signed-in account of `actor`, to store in a row's author field (None: the system)."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def is_account(actor: Actor, user: User) -> bool:
    """True when `actor` is `user`'s own account, signed in and active."""
    account = signed_in(actor)
    return account is not None and account.pk == user.pk
