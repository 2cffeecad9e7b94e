"""Seats under concurrency: many clients at once, each with its own database connection.

The same file runs on SQLite and on PostgreSQL (scripts/test.sh). Each client is a
thread: Django gives every thread its own connection, so the database sees truly
concurrent transactions. A barrier releases them together. The control runs put an
unlocked `capacity.locked_session` in place (the `lock_disabled` fixture; the product
has no switch) and must overbook: without that, a test that passes could simply be
one that never raced.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from campus.catalog.models import Course
from campus.core.exceptions import DomainError
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import capacity, services
from campus.registrations.models import Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling.models import TrainingSession
from campus.scheduling.tests.factories import CourseFactory

State = Registration.State
SEATS = 13
CLIENTS = 40
NEWCOMERS = 25  # beside five cancellations
REQUESTS = 24  # approved at once

# transaction=True: the clients' connections must see the rows this test commits,
# which a test wrapped in one rolled-back transaction would hide from them.
pytestmark = pytest.mark.django_db(transaction=True)


def run_together(jobs: list[Callable[[], Any]]) -> list[BaseException]:
    """Run each job in its own thread, released at once; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            # Each thread opened its own connection; leave none behind for teardown.
            connection.close()

    threads = [threading.Thread(target=client, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client never finished"
    return errors


class SeatWatcher:
    """Polls the seats in use from its own connection while clients run."""

    def __init__(self, session: TrainingSession) -> None:
        self.session_id = session.pk
        self.highest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        try:
            while not self._stop.is_set():
                self.highest = max(self.highest, capacity.seats_used(self.session_id))
                time.sleep(0.002)
            self.highest = max(self.highest, capacity.seats_used(self.session_id))
        finally:
            connection.close()

    def __enter__(self) -> SeatWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


# Widens the race window of the control run.
UNLOCKED_DELAY_S = 0.05


@contextmanager
def _unlocked_session(
    session_id: int, *, now: datetime.datetime | None = None
) -> Iterator[capacity.LockedSession]:
    """`capacity.locked_session` without its lock: the seats are counted before the
    transaction, then time passes, as a naive check-then-write would do."""
    moment = now or timezone.now()
    counts = capacity.tally(session_id, moment)
    time.sleep(UNLOCKED_DELAY_S)
    with transaction.atomic():
        session = capacity._session_for_lock().get(pk=session_id)
        yield capacity._locked(session, counts, moment, now_is_lock_time=False)


@pytest.fixture
def lock_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control run: every service counts seats without the lock (the product has
    no such switch; monkeypatch puts the real lock back after the test)."""
    monkeypatch.setattr(capacity, "locked_session", _unlocked_session)


def _signup_job(user: User, session: TrainingSession) -> Callable[[], Any]:
    return lambda: services.registration_create(actor=user, session=session, agent=user.agent)


def _rush(coordinator: User) -> tuple[TrainingSession, list[BaseException]]:
    session = open_session(coordinator, capacity=SEATS)
    users = [UserFactory() for _ in range(CLIENTS)]
    errors = run_together([_signup_job(u, session) for u in users])
    return session, errors


def _count(session: TrainingSession, state: str) -> int:
    return Registration.objects.filter(session=session, state=state).count()


def assert_served_in_arrival_order(session: TrainingSession) -> None:
    """Rows in the order the lock let them in (id) carry non-decreasing arrival times;
    the first `capacity` of them hold the seats and the others queue, 1..N, no gap."""
    regs = list(Registration.objects.filter(session=session).order_by("id"))
    assert [r.queued_at for r in regs] == sorted(r.queued_at for r in regs)
    seats = session.capacity
    assert all(r.state == State.CONFIRMED for r in regs[:seats])
    waiting = regs[seats:]
    assert all(r.state == State.WAITLISTED for r in waiting)
    queue = list(capacity.waitlist_queryset(session).values_list("id", flat=True))
    assert queue == [r.pk for r in waiting]
    assert [capacity.waitlist_position(r) for r in waiting] == list(range(1, len(waiting) + 1))


def assert_clients_closed_their_connections() -> None:
    """PostgreSQL cannot drop the test database while a client's connection lingers.
    (SQLite has no server to ask; its file is simply reopened by the next test.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        (open_connections,) = cursor.fetchone()
    assert open_connections == 1  # this test's own


def test_a_rush_fills_exactly_the_seats_and_queues_the_rest_in_order(coordinator):
    session, errors = _rush(coordinator)

    assert errors == []
    assert _count(session, State.CONFIRMED) == SEATS
    assert _count(session, State.WAITLISTED) == CLIENTS - SEATS
    assert_served_in_arrival_order(session)
    assert_clients_closed_their_connections()


def test_control_without_the_lock_the_same_rush_overbooks(coordinator, lock_disabled):
    session, errors = _rush(coordinator)

    assert errors == []
    # The race is real: the test above would fail if the lock were missing.
    assert _count(session, State.CONFIRMED) > SEATS


def _session_with_holders(
    coordinator: User, *, holders: int
) -> tuple[TrainingSession, list[Registration]]:
    session = open_session(coordinator, capacity=SEATS)
    regs = []
    for _ in range(holders):
        user = UserFactory()
        regs.append(
            services.registration_create(actor=user, session=session, agent=user.agent).registration
        )
    return session, regs


def _cancel_while_signing_up(
    coordinator: User,
) -> tuple[TrainingSession, list[BaseException], int]:
    """Ten of the thirteen seats taken: five holders cancel while 25 newcomers sign
    up, all released together, so freed seats, free seats and the queue all race. A
    watcher counts the seats in use all along; returns the highest count it saw."""
    session, regs = _session_with_holders(coordinator, holders=10)
    cancels = [
        (lambda r=r: services.registration_cancel(actor=r.agent.user, registration=r))
        for r in regs[:5]
    ]
    newcomers = [_signup_job(UserFactory(), session) for _ in range(NEWCOMERS)]
    with SeatWatcher(session) as watcher:
        errors = run_together(cancels + newcomers)
    return session, errors, watcher.highest


def test_seats_freed_during_a_rush_go_to_the_queue_never_above_capacity(coordinator):
    session, errors, highest = _cancel_while_signing_up(coordinator)

    assert errors == []
    assert highest <= SEATS
    # 10 held a seat, 5 left, 25 came: the seats end full, the rest queue.
    assert _count(session, State.CONFIRMED) == SEATS
    assert _count(session, State.CANCELLED) == 5
    assert _count(session, State.WAITLISTED) == 10 - 5 + NEWCOMERS - SEATS
    queue = list(capacity.waitlist_queryset(session))
    assert [r.pk for r in queue] == sorted(r.pk for r in queue)


def test_control_without_the_lock_cancel_and_signup_overbook(coordinator, lock_disabled):
    session, errors, highest = _cancel_while_signing_up(coordinator)

    assert errors == []
    assert highest > SEATS
    assert _count(session, State.CONFIRMED) > SEATS


def _approve_together(coordinator: User) -> tuple[TrainingSession, list[BaseException]]:
    """Two dozen requests waiting for one manager, who approves them all at once (many tabs)."""
    course = CourseFactory(status=Course.Status.PUBLISHED, requires_manager_approval=True)
    session = open_session(coordinator, capacity=SEATS, course=course)
    manager = UserFactory()
    requests = []
    for _ in range(REQUESTS):
        agent = AgentFactory(organisation=manager.agent.organisation, manager=manager.agent)
        user = UserFactory(agent=agent)
        requests.append(
            services.registration_create(actor=user, session=session, agent=agent).registration
        )
    assert {r.state for r in requests} == {State.REQUESTED}

    def approve(registration: Registration) -> Callable[[], Any]:
        def job() -> None:
            # The manager's own copy per client: no model instance shared across threads.
            actor = User.objects.select_related("agent").get(pk=manager.pk)
            services.registration_approve(actor=actor, registration=registration)

        return job

    return session, run_together([approve(r) for r in requests])


def test_approvals_at_once_confirm_exactly_the_seats(coordinator):
    session, errors = _approve_together(coordinator)

    assert errors == []
    assert _count(session, State.CONFIRMED) == SEATS
    assert _count(session, State.WAITLISTED) == REQUESTS - SEATS
    assert _count(session, State.REQUESTED) == 0
    queue = list(capacity.waitlist_queryset(session))
    assert [r.queued_at for r in queue] == sorted(r.queued_at for r in queue)


def test_control_without_the_lock_approvals_overbook(coordinator, lock_disabled):
    session, errors = _approve_together(coordinator)

    assert errors == []
    assert _count(session, State.CONFIRMED) > SEATS


def test_the_same_agent_signing_up_twice_at_once_gets_one_registration(coordinator):
    """A double click: the agent's registrations are read before the lock, the
    one-live-registration constraint still refuses the second, with the usual message."""
    session = open_session(coordinator, capacity=5)
    user = UserFactory()
    jobs = [
        lambda: services.registration_create(actor=user, session=session, agent=user.agent)
        for _ in range(4)
    ]
    errors = run_together(jobs)
    assert Registration.objects.filter(session=session, agent=user.agent).count() == 1
    assert len(errors) == 3
    assert all(
        isinstance(e, DomainError) and e.code == "registration.already_registered" for e in errors
    )
