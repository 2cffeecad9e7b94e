"""Who may read the notices to hand on and change a session's reminders."""

from __future__ import annotations

from campus.core.actors import Actor
from campus.core.roles import is_coordinator


def can_view_offline_notices(actor: Actor) -> bool:
    """The list of agents to inform by other means (no e-mail) is the coordinators' job."""
    return is_coordinator(actor)


def can_manage_session_notifications(actor: Actor) -> bool:
    return is_coordinator(actor)
