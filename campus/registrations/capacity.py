"""Seats: the one place that counts them, locks them, and hands them to the waitlist.

Every service that uses or frees a seat opens `locked_session(...)`: one
transaction, the session row locked before anything is counted
(`campus.core.locking.locked_row`: SELECT ... FOR UPDATE on PostgreSQL; on
SQLite the IMMEDIATE transaction mode already takes the database write lock at
BEGIN), then the count, then the write. One lock per transaction, taken before
the check, as pretix does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core.actors import Actor
from campus.core.locking import locked_row
from campus.core.models import SchoolSettings
from campus.people.actors import author
from campus.scheduling.models import TrainingSession

from .models import (
    INITIAL_STATES,
    TRANSITIONS,
    Attendance,
    Registration,
    RegistrationEvent,
    SessionRegistrationSettings,
)

State = Registration.State
PRIORITY = SchoolSettings.WaitlistPolicy.PRIORITY


class TransitionNotAllowed(RuntimeError):
    """A service tried a move the state machine does not have (a programming error)."""

    def __init__(self, registration_id: int | None, from_state: str, to_state: str) -> None:
        super().__init__(
            f"Registration {registration_id}: {from_state or 'new'} -> {to_state} is not allowed."
        )
        self.from_state = from_state
        self.to_state = to_state


def seats_used(session_id: int) -> int:
    return tally(session_id, timezone.now()).used


def seats_taken_expression() -> models.Expression:
    """Seats in use by the outer session, for pages: the ORM form of `Tally.used`.

    Confirmed registrations use a seat, and so does a seat offered to the next
    agent on the waitlist while the offer runs (`Registration.SEAT_STATES`).
    Requests awaiting a manager and the waitlist do not.
    """
    taken = (
        Registration.objects.filter(session=OuterRef("pk"), state__in=Registration.SEAT_STATES)
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(models.Subquery(taken, output_field=models.IntegerField()), models.Value(0))


def seats_left_by_session(capacities: dict[int, int]) -> dict[int, int]:
    """{session id: seats left} for sessions given as {id: capacity}: one grouped query.

    For pages that list many sessions at once (a course's weekly workshops): one
    count per session of the registrations holding a seat, in a single GROUP BY on
    the (session, state) index, rather than a correlated subquery per session.
    """
    if not capacities:
        return {}
    taken = dict(
        Registration.objects.filter(
            session_id__in=list(capacities), state__in=Registration.SEAT_STATES
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    return {pk: max(0, capacity - taken.get(pk, 0)) for pk, capacity in capacities.items()}


def with_seats_left(queryset: models.QuerySet[TrainingSession]) -> models.QuerySet[TrainingSession]:
    """Annotate `seats_taken` and `seats_left` (never below zero) on sessions."""
    return queryset.annotate(seats_taken=seats_taken_expression()).annotate(
        seats_left=Greatest(models.F("capacity") - models.F("seats_taken"), models.Value(0))
    )


@dataclass(frozen=True)
class Tally:
    """What the moves under the lock need to know about a session's registrations."""

    used: int  # seats held (confirmed or offered)
    waiting: int  # on the waitlist
    stale_offers: int  # offers past their deadline at `now`


def _tally_sql() -> str:
    table = connection.ops.quote_name(Registration._meta.db_table)
    # The model's table name, quoted by the backend: nothing from outside.
    return (
        "SELECT"  # noqa: S608
        " COALESCE(SUM(CASE WHEN state IN (%s, %s) THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN state = %s THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN state = %s AND offer_expires_at <= %s THEN 1 ELSE 0 END), 0)"
        f" FROM {table} WHERE session_id = %s"
    )


def tally(session_id: int, now: datetime.datetime) -> Tally:
    """One aggregate query: seats held, waitlist length and offers gone stale.

    Written in SQL because every sign-up runs it under the session lock, where
    the ORM's query compilation cost more than the query itself (test_capacity
    checks it against the ORM's counts).
    """
    params = [
        *Registration.SEAT_STATES,
        State.WAITLISTED,
        State.OFFERED,
        connection.ops.adapt_datetimefield_value(now),
        session_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_tally_sql(), params)
        used, waiting, stale_offers = cursor.fetchone()
    return Tally(int(used), int(waiting), int(stale_offers))


def session_settings(session: TrainingSession) -> SessionRegistrationSettings:
    # The school settings are read only when the row has to be created, not on every sign-up.
    try:
        return SessionRegistrationSettings.objects.get(session=session)
    except SessionRegistrationSettings.DoesNotExist:
        obj, _created = SessionRegistrationSettings.objects.get_or_create(
            session=session,
            defaults={"offer_hours": SchoolSettings.current().default_offer_hours},
        )
        return obj


def _joined_settings(session: TrainingSession) -> SessionRegistrationSettings:
    """The settings row read with the locked session, created on first use."""
    try:
        return session.registration_settings
    except SessionRegistrationSettings.DoesNotExist:
        return session_settings(session)


@dataclass
class LockedSession:
    """A session whose row is locked for the current transaction, with its counts.

    `used` and `waiting` follow every move made through `transition` and
    `record_new`, so that the moves can skip reading a waitlist that is empty
    or offers that cannot have expired.
    """

    session: TrainingSession
    options: SessionRegistrationSettings
    used: int
    now: datetime.datetime
    waiting: int = 0
    stale_offers: int = 0
    # The school's waitlist policy, read with the session (no query of its own).
    policy: str = ""
    # True when `now` is the moment the lock was granted (not a time given by the caller).
    now_is_lock_time: bool = False
    changed: list[Registration] = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(0, self.session.capacity - self.used)

    @property
    def offer_mode(self) -> bool:
        return self.options.waitlist_mode == SessionRegistrationSettings.Mode.OFFER


def _session_for_lock() -> models.QuerySet[TrainingSession]:
    # The school's waitlist policy rides along as a scalar subquery: one round trip.
    return TrainingSession.objects.select_related("course", "registration_settings").annotate(
        school_waitlist_policy=models.Subquery(
            SchoolSettings.objects.order_by("pk").values("waitlist_policy")[:1]
        )
    )


def _locked(
    session: TrainingSession, counts: Tally, now: datetime.datetime, *, now_is_lock_time: bool
) -> LockedSession:
    return LockedSession(
        session,
        _joined_settings(session),
        counts.used,
        now,
        waiting=counts.waiting,
        stale_offers=counts.stale_offers,
        policy=session.school_waitlist_policy  # type: ignore[attr-defined]
        or SchoolSettings.WaitlistPolicy.ARRIVAL,
        now_is_lock_time=now_is_lock_time,
    )


@contextmanager
def locked_session(
    session_id: int, *, now: datetime.datetime | None = None
) -> Iterator[LockedSession]:
    """Open the transaction, lock the session, count its registrations; yield them.

    `now` defaults to the moment the lock is granted, not the moment of the call:
    arrival times (`queued_at`) then follow the order in which the lock serves
    sign-ups, so the seats go to the earliest arrivals and a newcomer never lands
    ahead of someone already waiting. The counts are read in their own statement
    after the lock is granted: on PostgreSQL a statement that waited for the lock
    would otherwise count with the snapshot taken before the wait.

    Raises TrainingSession.DoesNotExist, and ServiceBusy when the lock could not be
    had in time (`campus.core.locking`).
    """
    with locked_row(_session_for_lock(), session_id) as session:
        moment = now or timezone.now()
        yield _locked(session, tally(session_id, moment), moment, now_is_lock_time=now is None)


# --- The waitlist order ------------------------------------------------------


def waitlist_queryset(
    session: TrainingSession, *, policy: str | None = None
) -> models.QuerySet[Registration]:
    """The waitlisted registrations of a session, in the order seats are handed out.

    Arrival order, unless the school chose the priority policy: mandatory
    registrations first, then agents who never attended this course, then arrival.
    This is the only place that orders a waitlist.
    """
    policy = policy or SchoolSettings.current().waitlist_policy
    qs = Registration.objects.filter(session=session, state=State.WAITLISTED).select_related(
        "agent"
    )
    if policy == SchoolSettings.WaitlistPolicy.PRIORITY:
        attended = Attendance.objects.filter(
            registration__agent=OuterRef("agent"),
            registration__session__course=session.course_id,
            status=Attendance.Status.PRESENT,
        )
        return qs.annotate(has_attended=Exists(attended)).order_by(
            "-is_mandatory", "has_attended", "queued_at", "id"
        )
    return qs.order_by("queued_at", "id")


def waitlist_position(registration: Registration) -> int | None:
    """1-based position on the waitlist, or None when not waitlisted."""
    if registration.state != State.WAITLISTED:
        return None
    policy = SchoolSettings.current().waitlist_policy
    if policy != SchoolSettings.WaitlistPolicy.PRIORITY:
        # Arrival order is (queued_at, id): count who comes before instead of reading
        # the whole list, which grows with every sign-up of a rush.
        counts = waitlist_queryset(registration.session, policy=policy).aggregate(
            listed=Count("id", filter=Q(pk=registration.pk)),
            ahead=Count(
                "id",
                filter=Q(queued_at__lt=registration.queued_at)
                | Q(queued_at=registration.queued_at, id__lt=registration.pk),
            ),
        )
        return counts["ahead"] + 1 if counts["listed"] else None
    ids = list(waitlist_queryset(registration.session, policy=policy).values_list("id", flat=True))
    return ids.index(registration.pk) + 1 if registration.pk in ids else None


# --- Moves that happen under the lock --------------------------------------------


def transition(
    locked: LockedSession,
    registration: Registration,
    to_state: str,
    *,
    actor: Actor,
    reason: str = "",
    offer_expires_at: datetime.datetime | None = None,
) -> Registration:
    """Change a registration's state and append the history row. Caller holds the lock.

    Only the moves of `TRANSITIONS` are accepted: the services check the rules
    first and tell the person why; reaching here with any other move is a bug.
    """
    from_state = registration.state
    if to_state not in TRANSITIONS[from_state]:
        raise TransitionNotAllowed(registration.pk, from_state, to_state)
    if from_state in Registration.SEAT_STATES and to_state not in Registration.SEAT_STATES:
        locked.used -= 1
    if from_state not in Registration.SEAT_STATES and to_state in Registration.SEAT_STATES:
        locked.used += 1
    if from_state == State.WAITLISTED:
        locked.waiting -= 1
    if to_state == State.WAITLISTED:
        locked.waiting += 1
    registration.state = to_state
    registration.offer_expires_at = offer_expires_at if to_state == State.OFFERED else None
    registration.save(update_fields=["state", "offer_expires_at", "updated_at"])
    RegistrationEvent.objects.create(
        registration=registration,
        actor=author(actor),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    locked.changed.append(registration)
    return registration


def expire_offers(locked: LockedSession, *, actor: Actor = None) -> None:
    """Offers past their deadline pass on to the next agent."""
    if not locked.stale_offers:
        return
    stale = Registration.objects.filter(
        session=locked.session, state=State.OFFERED, offer_expires_at__lte=locked.now
    )
    for registration in stale:
        transition(
            locked,
            registration,
            State.CANCELLED,
            actor=None,
            reason=_("Place proposée non acceptée à temps."),
        )
    locked.stale_offers = 0


def fill_free_seats(locked: LockedSession, *, actor: Actor) -> list[Registration]:
    """Hand free seats to the waitlist, in its order: confirm, or offer in offer mode."""
    promoted: list[Registration] = []
    if locked.session.status != TrainingSession.Status.OPEN:
        return promoted
    expire_offers(locked, actor=actor)
    if locked.free <= 0 or locked.waiting <= 0:
        return promoted
    for registration in waitlist_queryset(locked.session, policy=locked.policy)[: locked.free]:
        if locked.offer_mode:
            deadline = locked.now + datetime.timedelta(hours=locked.options.offer_hours)
            transition(
                locked,
                registration,
                State.OFFERED,
                actor=actor,
                reason=_("Une place s'est libérée."),
                offer_expires_at=deadline,
            )
        else:
            transition(
                locked,
                registration,
                State.CONFIRMED,
                actor=actor,
                reason=_("Promu depuis la liste d'attente."),
            )
        promoted.append(registration)
    return promoted


def state_for_newcomer(locked: LockedSession, *, actor: Actor) -> str:
    """Confirmed if a seat is free once the waitlist has been served, else waitlisted."""
    fill_free_seats(locked, actor=actor)
    if locked.session.status == TrainingSession.Status.OPEN and locked.free > 0:
        return State.CONFIRMED
    return State.WAITLISTED


def record_new(
    locked: LockedSession, registration: Registration, *, actor: Actor, reason: str = ""
) -> Registration:
    """Save a new registration in the state it was given and write its first history row."""
    if registration.state not in INITIAL_STATES:
        raise TransitionNotAllowed(registration.pk, "", registration.state)
    if (
        registration.state == State.WAITLISTED
        and locked.policy != PRIORITY
        and locked.now_is_lock_time
        and registration.queued_at == locked.now
    ):
        # Arrival order: queued at the moment the lock was granted, the newcomer
        # queues behind everyone already waiting, so the count is the position.
        registration.position = locked.waiting + 1  # type: ignore[attr-defined]
    registration.save()
    if registration.state in Registration.SEAT_STATES:
        locked.used += 1
    if registration.state == State.WAITLISTED:
        locked.waiting += 1
    RegistrationEvent.objects.create(
        registration=registration,
        actor=author(actor),
        from_state="",
        to_state=registration.state,
        reason=reason,
    )
    locked.changed.append(registration)
    return registration
