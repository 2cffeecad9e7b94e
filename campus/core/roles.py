"""The generic role checks every app's policies build on.

Roles: every account may be tied to an agent; coordinator, director and HR
viewer are stored on the account. The director sees all a coordinator sees
plus the school's settings and the audit log; the HR viewer reads and writes
nothing. "Manager" is derived from the line-management hierarchy and is
answered by `campus.people.policies`. Who may do what to which object is
written beside each app's models, in its `policies.py`.
"""

from __future__ import annotations

from .actors import Actor, signed_in


def is_signed_in(actor: Actor) -> bool:
    return signed_in(actor) is not None


def is_coordinator(actor: Actor) -> bool:
    account = signed_in(actor)
    return account is not None and (account.is_coordinator or account.is_superuser)


def is_director(actor: Actor) -> bool:
    account = signed_in(actor)
    return account is not None and account.is_director


def is_hr_viewer(actor: Actor) -> bool:
    account = signed_in(actor)
    return account is not None and account.is_hr_viewer


def reads_everything(actor: Actor) -> bool:
    """The school's staff who read every record: coordinators (and the direction), HR."""
    return is_coordinator(actor) or is_hr_viewer(actor)


def own_agent_id(actor: Actor) -> int | None:
    """The id of the signed-in account's agent, or None."""
    account = signed_in(actor)
    return None if account is None else account.agent_id
