"""Who may programme sessions, and who may read which programming page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from campus.core.actors import Actor, signed_in
from campus.core.exceptions import NotAllowed
from campus.core.roles import is_coordinator, own_agent_id
from campus.people.models import Agent

from .models import TrainingSession


def can_manage_sessions(actor: Actor) -> bool:
    """Programming sessions, rooms and series is the coordinators' job."""
    return is_coordinator(actor)


def require_manage_sessions(actor: Actor) -> None:
    """Raise NotAllowed, with the reason, unless the actor may programme sessions."""
    if not can_manage_sessions(actor):
        raise NotAllowed(_("La programmation est réservée aux coordinateurs de l'école."))


def can_view_trainer_sessions(actor: Actor, agent: Agent) -> bool:
    """A trainer sees the sessions they run; the school sees everyone's."""
    if is_coordinator(actor):
        return True
    own = own_agent_id(actor)
    return own is not None and own == agent.pk


def can_view_month_programme(actor: Actor) -> bool:
    """The printed month programme is pinned on boards: every signed-in person may read it."""
    return signed_in(actor) is not None


def is_session_trainer(actor: Actor, session: TrainingSession) -> bool:
    own = own_agent_id(actor)
    return own is not None and session.trainers.filter(pk=own).exists()
