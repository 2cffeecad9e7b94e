"""Who may manage the catalogue."""

from __future__ import annotations

from campus.core.actors import Actor
from campus.core.roles import is_coordinator


def can_manage_catalog(actor: Actor) -> bool:
    """Programmes, themes and courses (drafts included) are the coordinators' business."""
    return is_coordinator(actor)
