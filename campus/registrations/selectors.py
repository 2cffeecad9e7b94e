"""Reads for the registration pages. Each page costs a fixed number of queries.

Waitlist positions always come from `capacity.waitlist_queryset`, the one
function that orders a waitlist; `waitlist_positions` only numbers its rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import RowNumber

from campus.core.models import SchoolSettings
from campus.people.models import Agent
from campus.people.selectors import agents_by_references
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.selectors import with_seats_left

from . import capacity
from .models import Attendance, Registration, RegistrationEvent, SessionRegistrationSettings

State = Registration.State

# The team page lists the most recent past trainings only; older ones are in reports.
TEAM_PAST_LIMIT = 100
# Search results on the coordinator's page: enough to find a homonym, not a directory.
AGENT_SEARCH_LIMIT = 20
HOME_UPCOMING_LIMIT = 5
ENDED_STATES = (State.CANCELLED, State.DECLINED, State.SESSION_CANCELLED)


# --- Waitlist positions ---------------------------------------------------------


def _window_order(queryset: models.QuerySet[Registration]) -> list[Any]:
    """The queryset's ORDER BY, as expressions a window function accepts."""
    order: list[Any] = []
    for name in queryset.query.order_by:
        if isinstance(name, str):
            order.append(F(name[1:]).desc() if name.startswith("-") else F(name).asc())
        else:
            order.append(name)
    return order


def waitlist_positions(session_ids: Iterable[int]) -> dict[int, int]:
    """{registration id: 1-based position} for every waitlisted registration of the sessions.

    One query whatever the number of sessions: each session's waitlist, ordered by
    `capacity.waitlist_queryset`, is numbered by a window function, and the
    per-session selects are joined with UNION ALL.
    """
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    policy = SchoolSettings.current().waitlist_policy
    sessions = TrainingSession.objects.filter(pk__in=ids).only("pk", "course_id")
    numbered = []
    for session in sessions:
        queryset = capacity.waitlist_queryset(session, policy=policy)
        numbered.append(
            queryset.annotate(position=models.Window(RowNumber(), order_by=_window_order(queryset)))
            .order_by()
            .values_list("id", "position")
        )
    if not numbered:
        return {}
    first, *rest = numbered
    rows = first.union(*rest, all=True) if rest else first
    return dict(rows)


# --- One session, as an agent sees it ----------------------------------------------


def session_for_agents(pk: int) -> TrainingSession:
    """The session with its course, seats left, parts (room, venue) and trainers.

    Raises TrainingSession.DoesNotExist.
    """
    return (
        with_seats_left(TrainingSession.objects.all())
        .select_related("course__programme")
        .prefetch_related(
            Prefetch("parts", queryset=SessionPart.objects.select_related("room__venue")),
            Prefetch("trainers", queryset=Agent.objects.select_related("organisation")),
            "course__audience_organisations",
        )
        .get(pk=pk)
    )


def current_registration(session: TrainingSession, agent: Agent) -> Registration | None:
    """The agent's live registration to the session, else their latest ended one."""
    registrations = (
        Registration.objects.filter(session=session, agent=agent)
        .select_related("created_by__agent")
        .order_by("-created_at", "-id")
    )
    latest = None
    for registration in registrations:
        if registration.is_live:
            return registration
        latest = latest or registration
    return latest


def last_reason(registration: Registration) -> str:
    """Why the registration reached its state (the reason of its last history row)."""
    events = getattr(registration, "history", None)
    if events is None:
        events = list(registration.events.order_by("at", "id"))
    for event in reversed(events):
        if event.to_state == registration.state:
            return event.reason
    return ""


def live_registrations_by_session(
    agent: Agent | None, session_ids: Iterable[int]
) -> dict[int, Registration]:
    """The agent's live registrations to these sessions, by session id (one query)."""
    if agent is None:
        return {}
    return {
        r.session_id: r
        for r in Registration.objects.filter(
            agent=agent, session_id__in=list(session_ids), state__in=Registration.LIVE_STATES
        )
    }


# --- The agent's own page ----------------------------------------------------------


@dataclass
class PartAttendance:
    part: SessionPart
    attendance: Attendance | None


@dataclass
class MyTrainings:
    """The agent's registrations, sorted into what the page shows."""

    upcoming: list[Registration] = field(default_factory=list)
    offers: list[Registration] = field(default_factory=list)
    requests: list[Registration] = field(default_factory=list)
    waitlist: list[Registration] = field(default_factory=list)
    history: list[Registration] = field(default_factory=list)


def _has_ended(session: TrainingSession, now: datetime.datetime) -> bool:
    return session.ends_at is not None and session.ends_at < now


def _registrations_with_history() -> models.QuerySet[Registration]:
    return Registration.objects.select_related(
        "session__course", "agent", "created_by__agent"
    ).prefetch_related(
        Prefetch(
            "session__parts",
            queryset=SessionPart.objects.select_related("room__venue").order_by("starts_at", "id"),
        ),
        Prefetch("attendances", queryset=Attendance.objects.all()),
        Prefetch(
            "events", queryset=RegistrationEvent.objects.order_by("at", "id"), to_attr="history"
        ),
    )


def _attach_attendance(registration: Registration) -> None:
    by_part = {a.part_id: a for a in registration.attendances.all()}
    registration.part_rows = [  # type: ignore[attr-defined]
        PartAttendance(part, by_part.get(part.pk)) for part in registration.session.parts.all()
    ]
    registration.reason = last_reason(registration)  # type: ignore[attr-defined]


def my_trainings(agent: Agent, *, now: datetime.datetime) -> MyTrainings:
    """Everything the "Mes formations" page shows, in six queries."""
    registrations = list(
        _registrations_with_history()
        .filter(agent=agent)
        .order_by("session__starts_at", "session_id", "created_at", "id")
    )
    positions = waitlist_positions(
        r.session_id for r in registrations if r.state == State.WAITLISTED
    )
    result = MyTrainings()
    for registration in registrations:
        _attach_attendance(registration)
        registration.position = positions.get(registration.pk)  # type: ignore[attr-defined]
        ended = _has_ended(registration.session, now)
        if registration.state in ENDED_STATES or ended:
            result.history.append(registration)
        elif registration.state == State.OFFERED:
            result.offers.append(registration)
        elif registration.state == State.REQUESTED:
            result.requests.append(registration)
        elif registration.state == State.WAITLISTED:
            result.waitlist.append(registration)
        else:
            result.upcoming.append(registration)
    # Most recent first: what the agent looks for in a history.
    result.history.sort(
        key=lambda r: (r.session.starts_at or r.created_at, r.created_at), reverse=True
    )
    return result


def upcoming_for_home(agent: Agent, *, now: datetime.datetime) -> list[Registration]:
    """The agent's next live registrations, soonest first (one query)."""
    return list(
        Registration.objects.filter(
            agent=agent, state__in=Registration.LIVE_STATES, session__ends_at__gte=now
        )
        .select_related("session__course")
        .order_by("session__starts_at", "id")[:HOME_UPCOMING_LIMIT]
    )


# --- The manager's team page --------------------------------------------------------


@dataclass
class TeamTrainings:
    upcoming: list[Registration]
    past: list[Registration]
    pending: list[Registration]


def team_trainings(agent_ids: list[int], *, now: datetime.datetime) -> TeamTrainings:
    """The team's upcoming and recent past trainings, and requests awaiting approval."""
    base = Registration.objects.filter(agent_id__in=agent_ids).select_related(
        "session__course", "agent__organisation", "agent__department"
    )
    upcoming = list(
        base.filter(Q(session__ends_at__gte=now) | Q(session__ends_at__isnull=True))
        .filter(state__in=Registration.LIVE_STATES)
        .order_by("session__starts_at", "agent__last_name", "id")
    )
    past = list(
        base.filter(session__ends_at__lt=now, state=State.CONFIRMED)
        .prefetch_related("attendances", "session__parts")
        .order_by("-session__starts_at", "agent__last_name", "id")[:TEAM_PAST_LIMIT]
    )
    for registration in past:
        attendances = registration.attendances.all()
        registration.parts_count = len(registration.session.parts.all())  # type: ignore[attr-defined]
        registration.present_count = sum(  # type: ignore[attr-defined]
            1 for a in attendances if a.status == Attendance.Status.PRESENT
        )
        registration.marked_count = len(attendances)  # type: ignore[attr-defined]
    positions = waitlist_positions(r.session_id for r in upcoming if r.state == State.WAITLISTED)
    for registration in upcoming:
        registration.position = positions.get(registration.pk)  # type: ignore[attr-defined]
    pending = [r for r in upcoming if r.state == State.REQUESTED]
    return TeamTrainings(upcoming=upcoming, past=past, pending=pending)


def team_pending_count(agent_ids: list[int]) -> int:
    return Registration.objects.filter(agent_id__in=agent_ids, state=State.REQUESTED).count()


def upcoming_open_sessions(*, now: datetime.datetime) -> models.QuerySet[TrainingSession]:
    """Sessions still open to sign-up, for the manager's "sign up a member" list."""
    return (
        TrainingSession.objects.filter(status=TrainingSession.Status.OPEN, starts_at__gt=now)
        .select_related("course")
        .order_by("starts_at", "id")
    )


# --- The coordinator's session page -----------------------------------------------------


@dataclass
class SessionRoster:
    """A session's registrations, split the way the coordinator reads them."""

    participants: list[Registration]
    waitlist: list[Registration]
    pending: list[Registration]
    ended: list[Registration]
    options: SessionRegistrationSettings | None

    @property
    def confirmed_count(self) -> int:
        return sum(1 for r in self.participants if r.state == State.CONFIRMED)

    @property
    def offered_count(self) -> int:
        return sum(1 for r in self.participants if r.state == State.OFFERED)

    @property
    def without_email(self) -> list[Registration]:
        return [r for r in self.participants + self.waitlist if not r.agent.email]


def _roster_rows(queryset: models.QuerySet[Registration]) -> models.QuerySet[Registration]:
    return queryset.select_related(
        "agent__organisation", "agent__department", "agent__manager", "created_by__agent"
    )


def session_roster(session: TrainingSession) -> SessionRoster:
    """Participants, waitlist in order, pending approvals, ended registrations (4–5 queries)."""
    others = list(
        _roster_rows(Registration.objects.filter(session=session).exclude(state=State.WAITLISTED))
        .prefetch_related(
            Prefetch(
                "events",
                queryset=RegistrationEvent.objects.order_by("at", "id"),
                to_attr="history",
            )
        )
        .order_by("agent__last_name", "agent__first_name", "id")
    )
    waitlist = list(
        _roster_rows(
            capacity.waitlist_queryset(session, policy=SchoolSettings.current().waitlist_policy)
        )
    )
    for position, registration in enumerate(waitlist, start=1):
        registration.position = position  # type: ignore[attr-defined]
    for registration in others:
        registration.reason = last_reason(registration)  # type: ignore[attr-defined]
    options = SessionRegistrationSettings.objects.filter(session=session).first()
    return SessionRoster(
        participants=[r for r in others if r.state in Registration.SEAT_STATES],
        waitlist=waitlist,
        pending=[r for r in others if r.state == State.REQUESTED],
        ended=[r for r in others if r.state in ENDED_STATES],
        options=options,
    )


def agent_search(q: str) -> list[Agent]:
    """Active agents whose name or matricule contains every word of `q`."""
    words = q.split()
    if not words:
        return []
    qs = Agent.objects.filter(is_active=True).select_related("organisation", "department")
    for word in words:
        qs = qs.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(matricule__icontains=word)
        )
    return list(qs.order_by("last_name", "first_name", "id")[:AGENT_SEARCH_LIMIT])


def agent_by_reference(reference: str) -> Agent | None:
    """The active agent typed as "STRUCTURE/matricule" (case-insensitive), or None."""
    org, sep, matricule = reference.strip().partition("/")
    if not sep or not org.strip() or not matricule.strip():
        return None
    key = (org.strip().lower(), matricule.strip().lower())
    return agents_by_references([key]).get(key)
