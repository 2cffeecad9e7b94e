"""Reads for the home page: the agent's next trainings, the coordinator's panel."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from campus.people.models import Agent, Organisation
from campus.people.selectors import team
from campus.registrations.models import Registration
from campus.registrations.selectors import team_pending_count, upcoming_for_home


@dataclass(frozen=True)
class SchoolOverview:
    """The coordinator's panel: who is there, and who still cannot sign in."""

    organisations: list[Any]
    without_email_never_signed_in: int


def school_overview() -> SchoolOverview:
    organisations = list(
        Organisation.objects.filter(is_active=True)
        .annotate(active_agents=Count("agents", filter=Q(agents__is_active=True)))
        .order_by("name")
    )
    waiting = (
        Agent.objects.filter(is_active=True, email="")
        .filter(Q(user__isnull=True) | Q(user__last_login__isnull=True))
        .count()
    )
    return SchoolOverview(organisations=organisations, without_email_never_signed_in=waiting)


@dataclass(frozen=True)
class HomeTrainings:
    """The agent's next trainings, and for a manager the requests awaiting their answer."""

    upcoming: list[Registration]
    pending_approvals: int
    is_manager: bool


def home_trainings(agent: Agent, *, now: datetime.datetime) -> HomeTrainings:
    members = team(agent, with_details=False)
    member_ids = [m.pk for m in members.direct] + [
        m.pk for group in members.groups for m in group.members
    ]
    return HomeTrainings(
        upcoming=upcoming_for_home(agent, now=now),
        pending_approvals=team_pending_count(member_ids) if member_ids else 0,
        is_manager=bool(member_ids),
    )
