"""Reads for the registration pages. Each page costs a fixed number of queries.

Waitlist positions always come from `capacity.waitlist_queryset`, the one
function that orders a waitlist; `waitlist_positions` only numbers its rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Case, F, Func, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.formats import date_format

from campus.catalog.search_text import fold_words
from campus.core.models import SchoolSettings
from campus.people.models import Agent
from campus.people.selectors import agents_by_references
from campus.scheduling.models import SessionPart, TrainingSession

from . import capacity
from .capacity import with_seats_left
from .models import Attendance, Registration, RegistrationEvent, SessionRegistrationSettings

State = Registration.State

# Histories grow by the year: the pages show what is current in full and page through the rest.
HISTORY_PAGE_SIZE = 20
TEAM_PAST_PAGE_SIZE = 20
# The manager's sign-up form offers the next sessions or those of the course searched for,
# never the whole programme (hundreds of sessions); the catalogue leads to any other.
TEAM_SIGNUP_SESSIONS_LIMIT = 20
# Search results on the coordinator's page: enough to find a homonym, not a directory.
AGENT_SEARCH_LIMIT = 20
HOME_UPCOMING_LIMIT = 5
ENDED_STATES = Registration.ENDED_STATES


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
    return _positions_in(TrainingSession.objects.filter(pk__in=ids).only("pk", "course_id"))


def _positions_in(
    sessions: Iterable[TrainingSession], *, policy: str | None = None
) -> dict[int, int]:
    """`waitlist_positions` for sessions already read (their pk and course_id)."""
    policy = policy or SchoolSettings.current().waitlist_policy
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


def _waiting_positions(rows: Iterable[Any]) -> dict[int, int]:
    """Positions of the waitlisted ones among rows that carry `state`, `session_id`, `course_id`."""
    sessions = {
        r.session_id: TrainingSession(pk=r.session_id, course_id=r.course_id)
        for r in rows
        if r.state == State.WAITLISTED
    }
    return _positions_in(sorted(sessions.values(), key=lambda s: s.pk)) if sessions else {}


_BADGES: dict[str, str] = {
    State.CONFIRMED: "badge badge-ok",
    State.DECLINED: "badge badge-off",
    State.CANCELLED: "badge badge-off",
    State.SESSION_CANCELLED: "badge badge-off",
}


def _state_labels() -> dict[str, str]:
    """The states' labels in the active language (what `get_state_display` returns)."""
    return {value: str(label) for value, label in State.choices}


def _session_title(course_title: str, suffix: str) -> str:
    """As registrations/_session_title.html writes it."""
    return f"{course_title} – {suffix}" if suffix else course_title


def _full_name(first_name: str, last_name: str) -> str:
    """As `Agent.full_name` writes it, from names a query read: no agent instance built."""
    return f"{first_name} {last_name.upper()}".strip()


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


def _with_reason(
    queryset: models.QuerySet[Registration], *, when: Q
) -> models.QuerySet[Registration]:
    """Annotate `reason` as `last_reason` reads it, for the rows matching `when` ("" otherwise).

    A correlated subquery: annotate only querysets limited to the rows shown, or
    it runs for every row sorted before LIMIT.
    """
    last = (
        RegistrationEvent.objects.filter(registration=OuterRef("pk"), to_state=OuterRef("state"))
        .order_by("-at", "-id")
        .values("reason")[:1]
    )
    return queryset.annotate(
        reason=Coalesce(
            Case(When(when, then=Subquery(last))), Value(""), output_field=models.TextField()
        )
    )


def _count(queryset: models.QuerySet[Any]) -> Subquery:
    """The number of rows of a correlated queryset, as an annotation.

    COUNT as a plain function, not an aggregate: no GROUP BY, so the subquery
    always returns one row (0 when nothing matches).
    """
    counted = queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Subquery(counted, output_field=models.IntegerField())


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
    """One part of a session the agent attended, and the attendance marked (None: not yet)."""

    date: datetime.date
    start_time: datetime.time
    status: str | None
    status_label: str


@dataclass(slots=True)
class MyRow:
    """One of the agent's registrations, with what the page shows of its session.

    Plain values rather than a registration, its session and its course: the
    course's long texts are never read, and a row costs no model instance.
    `parts` (the session's parts, with their room) is set for current rows,
    `part_rows` for confirmed ones in the history, `position` for the waitlist.
    """

    pk: int
    session_id: int
    course_id: int
    state: str
    is_mandatory: bool
    offer_expires_at: datetime.datetime | None
    created_at: datetime.datetime
    starts_at: datetime.datetime | None
    session_title: str
    state_label: str
    state_badge: str
    reason: str = ""
    position: int | None = None
    parts: list[SessionPart] = field(default_factory=list)
    part_rows: list[PartAttendance] = field(default_factory=list)


@dataclass
class MyTrainings:
    """The agent's registrations, sorted into what the page shows.

    What is still current is listed in full; the history (ended sessions, ended
    registrations), which grows by the year, is one page of a `Paginator`.
    """

    upcoming: list[MyRow] = field(default_factory=list)
    offers: list[MyRow] = field(default_factory=list)
    requests: list[MyRow] = field(default_factory=list)
    waitlist: list[MyRow] = field(default_factory=list)
    history: Page[MyRow] = field(
        default_factory=lambda: Paginator([], HISTORY_PAGE_SIZE).get_page(1)
    )


_MY_VALUES = (
    "pk",
    "session_id",
    "session__course_id",
    "state",
    "is_mandatory",
    "offer_expires_at",
    "created_at",
    "session__starts_at",
    "session__course__title",
    "session__title_suffix",
)


def _my_rows(queryset: models.QuerySet[Any], *, with_reason: bool = False) -> list[MyRow]:
    labels = _state_labels()
    values = (*_MY_VALUES, "reason") if with_reason else _MY_VALUES
    rows = []
    for (
        pk,
        session_id,
        course_id,
        state,
        mandatory,
        expires,
        created,
        starts,
        title,
        suffix,
        *rest,
    ) in queryset.values_list(*values):
        rows.append(
            MyRow(
                pk=pk,
                session_id=session_id,
                course_id=course_id,
                state=state,
                is_mandatory=mandatory,
                offer_expires_at=expires,
                created_at=created,
                starts_at=starts,
                session_title=_session_title(title, suffix),
                state_label=labels[state],
                state_badge=_BADGES.get(state, "badge"),
                reason=rest[0] if rest else "",
            )
        )
    return rows


def _not_ended(now: datetime.datetime) -> Q:
    return Q(session__ends_at__gte=now) | Q(session__ends_at__isnull=True)


def _attach_part_rows(registrations: list[MyRow], agent: Agent) -> None:
    """Set `part_rows` on the confirmed registrations: each part and its attendance.

    One query, whatever the rows' states (no model instances: four values a part).
    """
    if not registrations:
        return
    labels = {value: str(label) for value, label in Attendance.Status.choices}
    # At most one confirmed registration per agent and session (the live-state constraint).
    status = Attendance.objects.filter(
        part=OuterRef("pk"),
        registration__agent=agent,
        registration__session=OuterRef("session_id"),
        registration__state=State.CONFIRMED,
    ).values("status")[:1]
    parts = (
        SessionPart.objects.filter(session_id__in={r.session_id for r in registrations})
        .annotate(status=Subquery(status))
        .order_by("starts_at", "id")
        .values_list("session_id", "date", "start_time", "status")
    )
    by_session: dict[int, list[PartAttendance]] = {}
    for session_id, date, start_time, marked in parts:
        by_session.setdefault(session_id, []).append(
            PartAttendance(date, start_time, marked, labels.get(marked or "", ""))
        )
    for registration in registrations:
        if registration.state == State.CONFIRMED:
            registration.part_rows = by_session.get(registration.session_id, [])


def _attach_parts(registrations: list[MyRow]) -> None:
    """Set `parts` on the rows: their session's parts, with room and venue (one query)."""
    if not registrations:
        return
    by_session: dict[int, list[SessionPart]] = {}
    for part in (
        SessionPart.objects.filter(session_id__in={r.session_id for r in registrations})
        .select_related("room__venue")
        .order_by("starts_at", "id")
    ):
        by_session.setdefault(part.session_id, []).append(part)
    for registration in registrations:
        registration.parts = by_session.get(registration.session_id, [])


def _history_page(agent: Agent, *, now: datetime.datetime, page: int | str | None) -> Page[MyRow]:
    """One page of the agent's history, most recent first, with attendance per part.

    Three queries: the count, the page (with the reasons), the parts and attendance.
    """
    order = (Coalesce("session__starts_at", "created_at").desc(), "-created_at", "-id")
    result: Page[Any] = Paginator(
        Registration.objects.filter(agent=agent)
        .filter(Q(state__in=ENDED_STATES) | Q(session__ends_at__lt=now))
        .order_by(*order)
        .values("pk"),
        HISTORY_PAGE_SIZE,
    ).get_page(page)
    # The page's ids as a subquery, so that the reasons are read for its rows only.
    rows = _my_rows(
        _with_reason(
            Registration.objects.filter(pk__in=cast(models.QuerySet[Any], result.object_list)),
            when=~Q(state=State.CONFIRMED),
        ).order_by(*order),
        with_reason=True,
    )
    _attach_part_rows(rows, agent)
    result.object_list = rows
    return result


def my_trainings(
    agent: Agent, *, now: datetime.datetime, history_page: int | str | None = 1
) -> MyTrainings:
    """Everything the "Mes formations" page shows, in at most seven queries.

    The current registrations and their parts (2), the waitlist positions (2, only
    when the agent waits somewhere), one page of the history (3).
    """
    current = _my_rows(
        Registration.objects.filter(agent=agent, state__in=Registration.LIVE_STATES)
        .filter(_not_ended(now))
        .order_by("session__starts_at", "session_id", "created_at", "id")
    )
    _attach_parts(current)
    positions = _waiting_positions(current)
    result = MyTrainings(history=_history_page(agent, now=now, page=history_page))
    for registration in current:
        if registration.state == State.OFFERED:
            result.offers.append(registration)
        elif registration.state == State.REQUESTED:
            result.requests.append(registration)
        elif registration.state == State.WAITLISTED:
            registration.position = positions.get(registration.pk)
            result.waitlist.append(registration)
        else:
            result.upcoming.append(registration)
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


@dataclass(slots=True)
class TeamRow:
    """A team member's registration, with what the manager's page shows of it.

    Plain values, no model instances: `agent_name` is the member's full name;
    `position` is set on the waitlisted ones, the attendance figures on past rows.
    """

    pk: int
    session_id: int
    course_id: int
    agent_id: int
    state: str
    is_mandatory: bool
    created_at: datetime.datetime
    starts_at: datetime.datetime | None
    session_title: str
    agent_name: str
    state_label: str
    state_badge: str
    position: int | None = None
    parts_count: int = 0
    marked_count: int = 0
    present_count: int = 0


@dataclass
class TeamTrainings:
    """The team's current registrations in full, and one page of the trainings followed."""

    upcoming: list[TeamRow]
    past: Page[TeamRow]
    pending: list[TeamRow]


_TEAM_VALUES = (
    "pk",
    "session_id",
    "session__course_id",
    "agent_id",
    "state",
    "is_mandatory",
    "created_at",
    "session__starts_at",
    "session__course__title",
    "session__title_suffix",
    "agent__first_name",
    "agent__last_name",
)
_ATTENDANCE_VALUES = ("parts_count", "marked_count", "present_count")


def _team_rows(queryset: models.QuerySet[Any], *, with_attendance: bool = False) -> list[TeamRow]:
    labels = _state_labels()
    values = (*_TEAM_VALUES, *_ATTENDANCE_VALUES) if with_attendance else _TEAM_VALUES
    rows = []
    for (
        pk,
        session_id,
        course_id,
        agent_id,
        state,
        mandatory,
        created,
        starts,
        title,
        suffix,
        first_name,
        last_name,
        *counts,
    ) in queryset.values_list(*values):
        row = TeamRow(
            pk=pk,
            session_id=session_id,
            course_id=course_id,
            agent_id=agent_id,
            state=state,
            is_mandatory=mandatory,
            created_at=created,
            starts_at=starts,
            session_title=_session_title(title, suffix),
            agent_name=_full_name(first_name, last_name),
            state_label=labels[state],
            state_badge=_BADGES.get(state, "badge"),
        )
        if counts:
            row.parts_count, row.marked_count, row.present_count = counts
        rows.append(row)
    return rows


def team_trainings(
    agent_ids: list[int], *, now: datetime.datetime, past_page: int | str | None = 1
) -> TeamTrainings:
    """The team's upcoming trainings, requests awaiting approval, one page of past trainings.

    At most five queries: upcoming (1), their waitlist positions (2, only when a
    member waits somewhere), the count and the page of past trainings (2), whose
    attendance figures are counted in the page's query.
    """
    upcoming = _team_rows(
        Registration.objects.filter(agent_id__in=agent_ids)
        .filter(_not_ended(now))
        .filter(state__in=Registration.LIVE_STATES)
        .order_by("session__starts_at", "agent__last_name", "id")
    )
    order = ("-session__starts_at", "agent__last_name", "id")
    past_rows: Page[Any] = Paginator(
        Registration.objects.filter(
            agent_id__in=agent_ids, session__ends_at__lt=now, state=State.CONFIRMED
        )
        .order_by(*order)
        .values("pk"),
        TEAM_PAST_PAGE_SIZE,
    ).get_page(past_page)
    # The page's ids as a subquery: the attendance figures are counted for its rows
    # only, not for every past training sorted before LIMIT.
    past_rows.object_list = _team_rows(
        Registration.objects.filter(pk__in=cast(models.QuerySet[Any], past_rows.object_list))
        .annotate(
            parts_count=_count(SessionPart.objects.filter(session=OuterRef("session_id"))),
            marked_count=_count(Attendance.objects.filter(registration=OuterRef("pk"))),
            present_count=_count(
                Attendance.objects.filter(
                    registration=OuterRef("pk"), status=Attendance.Status.PRESENT
                )
            ),
        )
        .order_by(*order),
        with_attendance=True,
    )
    positions = _waiting_positions(upcoming)
    for registration in upcoming:
        registration.position = positions.get(registration.pk)
    pending = [r for r in upcoming if r.state == State.REQUESTED]
    return TeamTrainings(upcoming=upcoming, past=past_rows, pending=pending)


def team_pending_count(agent_ids: list[int]) -> int:
    return Registration.objects.filter(agent_id__in=agent_ids, state=State.REQUESTED).count()


def upcoming_open_sessions(*, now: datetime.datetime) -> models.QuerySet[TrainingSession]:
    """Sessions still open to sign-up, soonest first."""
    return (
        TrainingSession.objects.filter(status=TrainingSession.Status.OPEN, starts_at__gt=now)
        .select_related("course")
        .order_by("starts_at", "id")
    )


def sessions_for_team_signup(*, now: datetime.datetime, text: str = "") -> list[TrainingSession]:
    """The sessions the manager's sign-up form offers (one query).

    The next open sessions, or, with `text`, those whose course matches every word
    (ignoring case and accents, as the catalogue does); `TEAM_SIGNUP_SESSIONS_LIMIT` at most.
    """
    # What `forms.session_label` writes, and no more: a course's long texts are not read.
    sessions = upcoming_open_sessions(now=now).only("starts_at", "title_suffix", "course__title")
    for word in fold_words(text):
        # Both sides are folded to lower case, as in the catalogue: no UPPER() per course.
        sessions = sessions.filter(course__search_text__contains=word)
    return list(sessions[:TEAM_SIGNUP_SESSIONS_LIMIT])


def open_session_for_signup(pk: int, *, now: datetime.datetime) -> TrainingSession | None:
    """The session if it is still open to sign-up (one query), else None."""
    return upcoming_open_sessions(now=now).filter(pk=pk).first()


# --- The coordinator's session page -----------------------------------------------------


@dataclass(slots=True)
class RosterRow:
    """A registration as the coordinator's roster and its CSV export show it.

    Computed once here from plain values (no registration, agent, organisation,
    department, account and creator instances for each of a hundred rows), rather
    than by filters and includes in the template's loops. `date_label` is when
    the agent signed up, or, on the waitlist, when they were queued;
    `created_at_label` always the former (the CSV's date).
    """

    pk: int
    agent_id: int
    state: str
    is_mandatory: bool
    offer_expires_at: datetime.datetime | None
    last_name: str
    first_name: str
    matricule: str
    agent_name: str  # LAST First
    agent_full_name: str
    agent_reference: str
    agent_email: str
    agent_phone: str
    organisation_name: str
    department_name: str
    state_label: str
    state_badge: str
    created_by_name: str
    created_by_label: str
    created_at_label: str
    date_label: str
    reason: str = ""
    manager_name: str = ""
    position: int | None = None
    cancel_url: str = ""  # set by the page, for those who may cancel
    # Until when an offered seat is kept, as the roster writes it; empty unless offered.
    offer_until_label: str = ""


@dataclass
class SessionRoster:
    """A session's registrations, split the way the coordinator reads them.

    `position` is set on the waitlist's rows, `manager_name` on pending requests,
    `reason` on ended registrations.
    """

    participants: list[RosterRow]
    waitlist: list[RosterRow]
    pending: list[RosterRow]
    ended: list[RosterRow]
    options: SessionRegistrationSettings | None

    @property
    def confirmed_count(self) -> int:
        return sum(1 for r in self.participants if r.state == State.CONFIRMED)

    @property
    def offered_count(self) -> int:
        return sum(1 for r in self.participants if r.state == State.OFFERED)

    @property
    def without_email(self) -> list[RosterRow]:
        return [r for r in self.participants + self.waitlist if not r.agent_email]


# What the roster page and its CSV export read, and nothing else.
_ROSTER_VALUES = (
    "pk",
    "agent_id",
    "state",
    "is_mandatory",
    "offer_expires_at",
    "created_at",
    "queued_at",
    "reason",
    "agent__last_name",
    "agent__first_name",
    "agent__matricule",
    "agent__email",
    "agent__phone",
    "agent__organisation__name",
    "agent__organisation__code",
    "agent__department__name",
    "agent__manager__first_name",
    "agent__manager__last_name",
    "created_by__login",
    "created_by__agent_id",
    "created_by__agent__first_name",
    "created_by__agent__last_name",
)


def _local(moment: datetime.datetime | None) -> str:
    """As the template filter `date:"d/m/Y H:i"` writes it, in the school's time zone."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _offer_until(state: str, expires: datetime.datetime | None) -> str:
    """Until when an offered seat is kept ("3 mars à 14:00"), empty for any other state."""
    if state != State.OFFERED or expires is None:
        return ""
    return date_format(timezone.localtime(expires), "j F à H:i")


def _roster_rows(queryset: models.QuerySet[Any]) -> list[RosterRow]:
    """The rows of the queryset, in its order (annotated with `reason`)."""
    labels = _state_labels()
    rows = []
    for (
        pk,
        agent_id,
        state,
        mandatory,
        expires,
        created_at,
        queued_at,
        reason,
        last_name,
        first_name,
        matricule,
        email,
        phone,
        organisation_name,
        organisation_code,
        department_name,
        manager_first_name,
        manager_last_name,
        login,
        creator_agent_id,
        creator_first_name,
        creator_last_name,
    ) in queryset.values_list(*_ROSTER_VALUES):
        # As `User.__str__` writes the account that signed the agent up.
        if login is None:
            creator = ""
        elif creator_agent_id is not None:
            creator = _full_name(creator_first_name, creator_last_name)
        else:
            creator = login
        created = _local(created_at)
        rows.append(
            RosterRow(
                pk=pk,
                agent_id=agent_id,
                state=state,
                is_mandatory=mandatory,
                offer_expires_at=expires,
                last_name=last_name,
                first_name=first_name,
                matricule=matricule,
                agent_name=f"{last_name.upper()} {first_name}",
                agent_full_name=_full_name(first_name, last_name),
                agent_reference=f"{organisation_code.upper()}/{matricule}",
                agent_email=email,
                agent_phone=phone,
                organisation_name=organisation_name,
                department_name=department_name or "",
                state_label=labels[state],
                state_badge=_BADGES.get(state, "badge"),
                created_by_name=creator,
                created_by_label=creator or "—",
                created_at_label=created,
                # The waitlist shows when the agent was queued, the other tables when they signed up.
                date_label=_local(queued_at) if state == State.WAITLISTED else created,
                reason=reason,
                manager_name=_full_name(manager_first_name or "", manager_last_name or ""),
                offer_until_label=_offer_until(state, expires),
            )
        )
    return rows


def session_roster(session: TrainingSession) -> SessionRoster:
    """Participants, waitlist in order, pending approvals, ended registrations (4 queries).

    Every row in one query (the school's settings, the waitlist's positions and
    the session's options are the other three); the waitlist is put in order by
    the positions `capacity.waitlist_queryset` numbers.
    """
    positions = _positions_in([session], policy=SchoolSettings.current().waitlist_policy)
    rows = _roster_rows(
        _with_reason(
            Registration.objects.filter(session=session), when=Q(state__in=ENDED_STATES)
        ).order_by("agent__last_name", "agent__first_name", "id")
    )
    unknown = len(positions) + 1  # queued since the positions were read: last
    waitlist = sorted(
        (r for r in rows if r.state == State.WAITLISTED),
        key=lambda r: positions.get(r.pk, unknown),
    )
    for position, registration in enumerate(waitlist, start=1):
        registration.position = position
    options = SessionRegistrationSettings.objects.filter(session=session).first()
    return SessionRoster(
        participants=[r for r in rows if r.state in Registration.SEAT_STATES],
        waitlist=waitlist,
        pending=[r for r in rows if r.state == State.REQUESTED],
        ended=[r for r in rows if r.state in ENDED_STATES],
        options=options,
    )


def session_for_roster(pk: int, *, include_drafts: bool) -> TrainingSession | None:
    """The session and its course, as the roster's heading shows them (one query).

    None when there is no such session, or when it is a draft and drafts are not shown.
    """
    session = TrainingSession.objects.select_related("course").filter(pk=pk).first()
    if session is None or (session.status == TrainingSession.Status.DRAFT and not include_drafts):
        return None
    return session


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
