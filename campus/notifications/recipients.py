"""Who receives a message about an agent, by which channel, in which language."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from campus.people.models import Agent, User

from .models import OutboxMessage

Channel = OutboxMessage.Channel


@dataclass(frozen=True)
class Recipient:
    channel: str
    language: str
    email: str = ""
    user: User | None = None
    agent: Agent | None = None
    digest_manager: Agent | None = None


def user_of(agent: Agent) -> User | None:
    try:
        return agent.user
    except ObjectDoesNotExist:
        return None


def language_of(user: User | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if user is not None and user.language in codes:
        return user.language
    return "fr"


def _address(agent: Agent | None, user: User | None) -> str:
    if user is not None and user.is_active and user.email:
        return user.email
    return agent.email if agent is not None else ""


def for_agent(agent: Agent) -> Recipient:
    """The agent by e-mail; else their line manager's daily digest; else the coordinator's list."""
    user = user_of(agent)
    email = _address(agent, user)
    if email:
        return Recipient(Channel.EMAIL, language_of(user), email, user, agent)
    manager = agent.manager
    if manager is not None and manager.is_active:
        manager_user = user_of(manager)
        if _address(manager, manager_user):
            return Recipient(
                Channel.DIGEST, language_of(manager_user), "", user, agent, digest_manager=manager
            )
    return Recipient(Channel.MANUAL, language_of(user), "", user, agent)


def for_user(user: User) -> Recipient | None:
    """A school account (coordinator): by e-mail or not at all, they read the site every day."""
    agent = user.agent if user.agent_id is not None else None
    email = _address(agent, user)
    if not email:
        return None
    return Recipient(Channel.EMAIL, language_of(user), email, user, agent)
