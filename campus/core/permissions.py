"""Who may do what, in one place. Every view and service asks here.

Roles: every account is an agent; "manager" is derived (the agent has active
reports); coordinator, director and HR viewer are stored on the account.
The director sees all a coordinator sees plus the school's settings and the
audit log; the HR viewer reads reports and exports and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campus.people.models import Agent, Department, Organisation, User

# Line-management chains are short; the bound only guards against bad data.
MAX_HIERARCHY_DEPTH = 30


def _user(user: Any) -> User | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user  # type: ignore[no-any-return]


def is_coordinator(user: Any) -> bool:
    u = _user(user)
    return u is not None and (u.is_coordinator or u.is_superuser)


def is_director(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.is_director


def is_hr_viewer(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.is_hr_viewer


def is_manager(user: Any) -> bool:
    """True when the user's agent has at least one active report."""
    u = _user(user)
    if u is None or u.agent_id is None:
        return False
    # Asked by the navigation and by the view of the same request: answered once per
    # account object (a request's user lives for that request only).
    known = u.__dict__.get("_is_manager_of")
    if known is not None and known[0] == u.agent_id:
        return bool(known[1])
    from campus.people.models import Agent

    answer = Agent.objects.filter(manager_id=u.agent_id, is_active=True).exists()
    u.__dict__["_is_manager_of"] = (u.agent_id, answer)
    return answer


def manages(manager: Agent, agent: Agent) -> bool:
    """True when `manager` is above `agent` in the line-management chain."""
    from campus.people.models import Agent

    current_id = agent.manager_id
    seen: set[int] = set()
    for _depth in range(MAX_HIERARCHY_DEPTH):
        if current_id is None or current_id in seen:
            return False
        if current_id == manager.pk:
            return True
        seen.add(current_id)
        current_id = (
            Agent.objects.filter(pk=current_id).values_list("manager_id", flat=True).first()
        )
    return False


# --- Agents -----------------------------------------------------------------


def can_view_agent(user: Any, agent: Agent) -> bool:
    """An agent sees their own record, a manager their team, the school everyone."""
    u = _user(user)
    if u is None:
        return False
    if is_coordinator(u) or is_hr_viewer(u):
        return True
    if u.agent_id is None:
        return False
    if u.agent_id == agent.pk:
        return True
    return manages(u.agent, agent)  # type: ignore[arg-type]


def can_edit_agent(user: Any, agent: Agent | None = None) -> bool:
    return is_coordinator(user)


def can_view_team(user: Any, manager: Agent) -> bool:
    """A manager sees their own team (and sub-teams); the school sees every team."""
    u = _user(user)
    if u is None:
        return False
    if is_coordinator(u) or is_hr_viewer(u):
        return True
    if u.agent_id is None:
        return False
    return u.agent_id == manager.pk or manages(u.agent, manager)  # type: ignore[arg-type]


def can_list_agents(user: Any) -> bool:
    return is_coordinator(user) or is_hr_viewer(user)


def can_import_agents(user: Any) -> bool:
    return is_coordinator(user)


def can_issue_first_signin_code(user: Any, agent: Agent | None = None) -> bool:
    return is_coordinator(user)


def can_manage_organisations(user: Any, organisation: Organisation | None = None) -> bool:
    return is_coordinator(user)


def can_manage_departments(user: Any, department: Department | None = None) -> bool:
    return is_coordinator(user)


def can_set_role(user: Any, target: User | None = None) -> bool:
    """Roles are granted by the director only: they open every record of the school."""
    return is_director(user)


# --- Catalogue --------------------------------------------------------------


def can_manage_catalog(user: Any) -> bool:
    """Programmes, themes and courses (drafts included) are the coordinators' business."""
    return is_coordinator(user)


# --- The school -------------------------------------------------------------


def can_view_reports(user: Any) -> bool:
    return is_coordinator(user) or is_hr_viewer(user)


def can_export(user: Any) -> bool:
    return is_coordinator(user) or is_hr_viewer(user)


def can_change_school_settings(user: Any) -> bool:
    return is_director(user)


def can_view_audit_log(user: Any) -> bool:
    return is_director(user)


def can_use_admin(user: Any) -> bool:
    return is_director(user)


# --- Programming (scheduling) -------------------------------------------------


def can_manage_sessions(user: Any) -> bool:
    """Programming sessions, rooms and series is the coordinators' job."""
    return is_coordinator(user)


def can_view_trainer_sessions(user: Any, agent: Agent) -> bool:
    """A trainer sees the sessions they run; the school sees everyone's."""
    u = _user(user)
    if u is None:
        return False
    return is_coordinator(u) or (u.agent_id is not None and u.agent_id == agent.pk)


def can_view_month_programme(user: Any) -> bool:
    """The printed month programme is pinned on boards: every signed-in person may read it."""
    return _user(user) is not None


# --- Registrations and attendance ---------------------------------------------


def _agent_of(user: Any) -> Agent | None:
    u = _user(user)
    return None if u is None else u.agent


def can_register(user: Any, agent: Agent) -> bool:
    """An agent signs themselves up; a manager their team; the coordinator anyone."""
    u = _user(user)
    if u is None or not agent.is_active:
        return False
    if is_coordinator(u):
        return True
    own = _agent_of(u)
    if own is None:
        return False
    return own.pk == agent.pk or manages(own, agent)


def can_make_mandatory(user: Any) -> bool:
    return is_coordinator(user)


def can_cancel_registration(user: Any, agent: Agent) -> bool:
    """Whose registration a person may try to cancel; the rules decide if it is still possible."""
    u = _user(user)
    if u is None:
        return False
    if is_coordinator(u):
        return True
    own = _agent_of(u)
    return own is not None and (own.pk == agent.pk or manages(own, agent))


def can_decide_approval(user: Any, agent: Agent) -> bool:
    """The line manager (or one above) approves or declines; the coordinator may too."""
    u = _user(user)
    if u is None:
        return False
    if is_coordinator(u):
        return True
    own = _agent_of(u)
    return own is not None and own.pk != agent.pk and manages(own, agent)


def is_session_trainer(user: Any, session: Any) -> bool:
    own = _agent_of(user)
    return own is not None and session.trainers.filter(pk=own.pk).exists()


def can_view_session_registrations(user: Any, session: Any) -> bool:
    return is_coordinator(user) or is_hr_viewer(user) or is_session_trainer(user, session)


def can_mark_attendance(user: Any, session: Any) -> bool:
    return is_coordinator(user) or is_session_trainer(user, session)


def can_close_attendance(user: Any, session: Any) -> bool:
    return can_mark_attendance(user, session)


def can_reopen_attendance(user: Any, session: Any) -> bool:
    """Closed attendance feeds training records: only the school may reopen it."""
    return is_coordinator(user)


# --- Notifications and calendar feeds -------------------------------------------


def can_view_offline_notices(user: Any) -> bool:
    """The list of agents to inform by other means (no e-mail) is the coordinators' job."""
    return is_coordinator(user)


def can_manage_session_notifications(user: Any) -> bool:
    return can_manage_sessions(user)


def can_subscribe_feed(
    user: Any, kind: str, *, agent: Agent | None = None, room: Any = None
) -> bool:
    """Who may hold a calendar link: one's own sessions and animations, rooms for the school,
    the published programme for everyone signed in. Checked again on every read of the feed."""
    u = _user(user)
    if u is None:
        return False
    if kind == "agent":
        return agent is not None and u.agent_id == agent.pk
    if kind == "trainer":
        return agent is not None and can_view_trainer_sessions(u, agent)
    if kind == "room":
        return room is not None and is_coordinator(u)
    if kind == "programme":
        return can_view_month_programme(u)
    return False
