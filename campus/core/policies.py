"""Who may read the audit log, change the school's settings and open the Django admin."""

from __future__ import annotations

from .actors import Actor
from .roles import is_director


def can_change_school_settings(actor: Actor) -> bool:
    return is_director(actor)


def can_view_audit_log(actor: Actor) -> bool:
    return is_director(actor)


def can_use_admin(actor: Actor) -> bool:
    return is_director(actor)
