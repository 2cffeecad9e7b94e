"""Whose registrations a person may make, cancel, approve, list and mark present.

Whether an action is still possible (the session has not started, the deadline
has not passed) is the rules' business (`rules.py`); here is only who may try.
"""

from __future__ import annotations

from campus.core.actors import Actor
from campus.core.roles import is_coordinator, is_hr_viewer, own_agent_id
from campus.people.models import Agent
from campus.people.policies import actor_manages, is_self
from campus.scheduling.models import TrainingSession
from campus.scheduling.policies import is_session_trainer


def can_register(actor: Actor, agent: Agent) -> bool:
    """An agent signs themselves up; a manager their team; the coordinator anyone."""
    if not agent.is_active:
        return False
    if is_coordinator(actor):
        return True
    return is_self(actor, agent) or actor_manages(actor, agent)


def can_make_mandatory(actor: Actor) -> bool:
    return is_coordinator(actor)


def can_cancel_registration(actor: Actor, agent: Agent) -> bool:
    """Whose registration a person may try to cancel; the rules decide if it is still possible."""
    if is_coordinator(actor):
        return True
    return is_self(actor, agent) or actor_manages(actor, agent)


def can_decide_approval(actor: Actor, agent: Agent) -> bool:
    """The line manager (or one above) approves or declines; the coordinator may too."""
    if is_coordinator(actor):
        return True
    own = own_agent_id(actor)
    return own is not None and own != agent.pk and actor_manages(actor, agent)


def can_view_session_registrations(actor: Actor, session: TrainingSession) -> bool:
    return is_coordinator(actor) or is_hr_viewer(actor) or is_session_trainer(actor, session)


def can_mark_attendance(actor: Actor, session: TrainingSession) -> bool:
    return is_coordinator(actor) or is_session_trainer(actor, session)


def can_close_attendance(actor: Actor, session: TrainingSession) -> bool:
    return can_mark_attendance(actor, session)


def can_reopen_attendance(actor: Actor, session: TrainingSession) -> bool:
    """Closed attendance feeds training records: only the school may reopen it."""
    return is_coordinator(actor)
