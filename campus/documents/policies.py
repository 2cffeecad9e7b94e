"""Who may hold which calendar link."""

from __future__ import annotations

from typing import Any

from campus.core.actors import Actor, signed_in
from campus.core.roles import is_coordinator
from campus.people.models import Agent
from campus.scheduling.policies import can_view_month_programme, can_view_trainer_sessions


def can_subscribe_feed(
    actor: Actor, kind: str, *, agent: Agent | None = None, room: Any = None
) -> bool:
    """One's own sessions and animations, rooms for the school, the published programme for
    everyone signed in. Checked again on every read of the feed."""
    account = signed_in(actor)
    if account is None:
        return False
    if kind == "agent":
        return agent is not None and account.agent_id == agent.pk
    if kind == "trainer":
        return agent is not None and can_view_trainer_sessions(account, agent)
    if kind == "room":
        return room is not None and is_coordinator(account)
    if kind == "programme":
        return can_view_month_programme(account)
    return False
