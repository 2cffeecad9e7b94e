"""Who may see and change agents, teams and accounts.

"Manager" is not a stored role: an agent manages whoever sits below them in
the line-management chain (`hierarchy`), and sees those agents' records.
"""

from __future__ import annotations

from campus.core.actors import Actor, signed_in
from campus.core.roles import is_coordinator, is_director, reads_everything

from .hierarchy import is_above
from .models import Agent, Department, Organisation, User


def is_manager(actor: Actor) -> bool:
    """True when the actor's agent has at least one active report."""
    account = signed_in(actor)
    if account is None or account.agent_id is None:
        return False
    # Asked by the navigation and by the view of the same request: answered once per
    # account object (a request's user lives for that request only).
    cache = getattr(account, "__dict__", {})
    known = cache.get("_is_manager_of")
    if known is not None and known[0] == account.agent_id:
        return bool(known[1])
    answer = Agent.objects.filter(manager_id=account.agent_id, is_active=True).exists()
    cache["_is_manager_of"] = (account.agent_id, answer)
    return answer


def manages(manager: Agent, agent: Agent) -> bool:
    """True when `manager` is above `agent` in the line-management chain (one query)."""
    if agent.manager_id is None or manager.pk == agent.pk:
        return False
    if agent.manager_id == manager.pk:
        return True
    return is_above(manager.pk, agent.pk)


def actor_manages(actor: Actor, agent: Agent) -> bool:
    """True when the signed-in actor's agent is above `agent`."""
    account = signed_in(actor)
    if account is None or account.agent_id is None or agent.manager_id is None:
        return False
    if agent.manager_id == account.agent_id:
        return True
    return account.agent_id != agent.pk and is_above(account.agent_id, agent.pk)


def is_self(actor: Actor, agent: Agent) -> bool:
    account = signed_in(actor)
    return account is not None and account.agent_id is not None and account.agent_id == agent.pk


def can_view_agent(actor: Actor, agent: Agent) -> bool:
    """An agent sees their own record, a manager their team, the school everyone."""
    if reads_everything(actor):
        return True
    return is_self(actor, agent) or actor_manages(actor, agent)


def can_edit_agent(actor: Actor, agent: Agent | None = None) -> bool:
    return is_coordinator(actor)


def can_view_team(actor: Actor, manager: Agent) -> bool:
    """A manager sees their own team (and sub-teams); the school sees every team."""
    if reads_everything(actor):
        return True
    return is_self(actor, manager) or actor_manages(actor, manager)


def can_list_agents(actor: Actor) -> bool:
    return reads_everything(actor)


def can_import_agents(actor: Actor) -> bool:
    return is_coordinator(actor)


def can_issue_first_signin_code(actor: Actor, agent: Agent | None = None) -> bool:
    return is_coordinator(actor)


def can_manage_organisations(actor: Actor, organisation: Organisation | None = None) -> bool:
    return is_coordinator(actor)


def can_manage_departments(actor: Actor, department: Department | None = None) -> bool:
    return is_coordinator(actor)


def can_set_role(actor: Actor, target: User | None = None) -> bool:
    """Roles are granted by the director only: they open every record of the school."""
    return is_director(actor)
