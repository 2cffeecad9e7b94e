"""Property-based test of the seats: random sequences of every move, invariants after each.

Hypothesis drives a `RuleBasedStateMachine` through the doors users use (the
registration and scheduling services) on one open session, and after every step
checks what must always hold: seats never above capacity, nobody queued while a
seat is free (outside offer mode), a stable waitlist, one live registration per
agent, and a history row for every change of state.

How it meets the database: the test function takes pytest-django's ordinary `db`
(one transaction rolled back after the test). Each Hypothesis example opens a
nested `transaction.atomic()` (a savepoint) when the machine is built and rolls
it back in `teardown`, so every example starts from the same data and the whole
run costs one test database. The services' own atomic blocks nest inside as
savepoints, and a refused move rolls back only its own. Concurrency is not the
point here (test_concurrency.py covers it); the sequences are.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from campus.catalog.models import Course
from campus.core.exceptions import DomainError
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import capacity, lifecycle, services
from campus.registrations.models import (
    Registration,
    RegistrationEvent,
    SessionRegistrationSettings,
)
from campus.registrations.tests.factories import open_session
from campus.scheduling.models import TrainingSession
from campus.scheduling.tests.factories import CourseFactory, future_day, part

State = Registration.State
AGENTS = 6
agent_index = st.integers(min_value=0, max_value=AGENTS - 1)
# Picks one of the registrations a move applies to (modulo their number), so that
# moves on existing registrations always find one when there is any.
pick = st.integers(min_value=0, max_value=1000)


class SeatsMachine(RuleBasedStateMachine):
    """One session, seven agents who share a line manager, and a coordinator."""

    coordinator: ClassVar[User]
    manager: ClassVar[User]
    users: ClassVar[list[User]]

    def __init__(self) -> None:
        super().__init__()
        self._example = transaction.atomic()
        self._example.__enter__()
        # Every move gets its own, later, instant: arrival times are then distinct
        # and offers can be left to expire without waiting.
        self.clock = timezone.now()
        self.moves = 0
        self.previous_queue: list[int] = []
        self.session: TrainingSession

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------------

    def tick(self, hours: float = 0.0) -> datetime.datetime:
        self.moves += 1
        self.clock += datetime.timedelta(hours=hours, seconds=1)
        return self.clock

    def live(self, i: int) -> Registration | None:
        return (
            Registration.objects.filter(
                session=self.session, agent=self.users[i].agent, state__in=Registration.LIVE_STATES
            )
            .select_related("agent", "session")
            .first()
        )

    def one_in(self, k: int, *states: str) -> Registration | None:
        regs = list(
            Registration.objects.filter(session=self.session, state__in=states)
            .select_related("agent__user", "session")
            .order_by("id")
        )
        return regs[k % len(regs)] if regs else None

    def reload(self) -> TrainingSession:
        self.session = TrainingSession.objects.get(pk=self.session.pk)
        return self.session

    def is_open(self) -> bool:
        return self.reload().status == TrainingSession.Status.OPEN

    def offer_mode(self) -> bool:
        options = SessionRegistrationSettings.objects.get(session=self.session)
        return options.waitlist_mode == SessionRegistrationSettings.Mode.OFFER

    # --- set-up -------------------------------------------------------------------

    @initialize(
        seats=st.integers(min_value=1, max_value=3),
        # Approval courses turn self sign-ups into requests: one session in three.
        approval=st.sampled_from([False, False, True]),
        offer=st.booleans(),
        crowd=st.lists(agent_index, unique=True, min_size=2, max_size=AGENTS),
    )
    def programme_a_session(
        self, seats: int, approval: bool, offer: bool, crowd: list[int]
    ) -> None:
        """An open session, in either waitlist mode, that some agents already joined."""
        course = CourseFactory(status=Course.Status.PUBLISHED, requires_manager_approval=approval)
        # Far enough ahead that the machine's clock never reaches the start.
        self.session = open_session(
            self.coordinator, capacity=seats, course=course, day=future_day(120)
        )
        if offer:
            self.switch_waitlist_mode(offer=True)
        for i in crowd:
            self.sign_up(i, by_manager=False)

    # --- moves --------------------------------------------------------------------

    @rule(i=agent_index, by_manager=st.booleans())
    def sign_up(self, i: int, by_manager: bool) -> None:
        user = self.users[i]
        actor = self.manager if by_manager else user
        had_live = self.live(i) is not None
        was_open = self.is_open()
        try:
            outcome = services.registration_create(
                actor=actor, session=self.session, agent=user.agent, now=self.tick()
            )
        except DomainError:
            assert had_live or not was_open
            return
        assert not had_live
        assert was_open
        registration = outcome.registration
        if self.session.course.requires_manager_approval and not by_manager:
            assert registration.state == State.REQUESTED
        else:
            assert registration.state in (State.CONFIRMED, State.WAITLISTED)

    @rule(group=st.lists(agent_index, min_size=2, max_size=5, unique=True))
    def sign_up_several(self, group: list[int]) -> None:
        """A burst of agents signing themselves up, one after the other."""
        for i in group:
            self.sign_up(i, by_manager=False)

    @rule(k=pick, by_coordinator=st.booleans())
    def cancel(self, k: int, by_coordinator: bool) -> None:
        registration = self.one_in(k, *Registration.LIVE_STATES)
        if registration is None:
            return
        actor = self.coordinator if by_coordinator else registration.agent.user
        outcome = services.registration_cancel(
            actor=actor, registration=registration, now=self.tick()
        )
        assert outcome.registration.state == State.CANCELLED

    @rule(k=pick)
    def approve(self, k: int) -> None:
        registration = self.one_in(k, State.REQUESTED)
        if registration is None:
            return
        was_open = self.is_open()
        try:
            outcome = services.registration_approve(
                actor=self.manager, registration=registration, now=self.tick()
            )
        except DomainError:
            assert not was_open
            return
        assert outcome.registration.state in (State.CONFIRMED, State.WAITLISTED)

    @rule(k=pick)
    def decline(self, k: int) -> None:
        registration = self.one_in(k, State.REQUESTED)
        if registration is None:
            return
        outcome = services.registration_decline(
            actor=self.manager, registration=registration, reason="Service en sous-effectif"
        )
        self.tick()
        assert outcome.registration.state == State.DECLINED

    @rule(seats=st.integers(min_value=1, max_value=6))
    def change_capacity(self, seats: int) -> None:
        self.tick()
        session = self.reload()
        used = capacity.seats_used(session.pk)
        current = list(session.parts.all())
        try:
            lifecycle.session_update(
                actor=self.coordinator,
                session=session,
                parts=[
                    part(p.date, f"{p.start_time:%H:%M}", f"{p.end_time:%H:%M}", part_id=p.pk)
                    for p in current
                ],
                capacity=seats,
            )
        except DomainError:
            # Refused below the seats in use, or on a cancelled session; nothing changed.
            assert seats < used or session.status == TrainingSession.Status.CANCELLED
            assert self.reload().capacity == session.capacity
            return
        assert seats >= used
        assert self.reload().capacity == seats

    @rule(offer=st.booleans())
    def switch_waitlist_mode(self, offer: bool) -> None:
        mode = SessionRegistrationSettings.Mode.OFFER if offer else "automatic"
        self.tick()
        services.session_waitlist_mode_set(actor=self.coordinator, session=self.session, mode=mode)
        assert self.offer_mode() == offer

    @rule(k=pick, hours=st.sampled_from([0, 1, 30]))
    def accept_offer(self, k: int, hours: int) -> None:
        registration = self.one_in(k, State.OFFERED)
        if registration is None:
            return
        now = self.tick(hours)
        in_time = registration.offer_expires_at is not None and now < registration.offer_expires_at
        try:
            outcome = services.offer_accept(
                actor=registration.agent.user, registration=registration, now=now
            )
        except DomainError:
            assert not in_time
            return
        assert in_time
        assert outcome.registration.state == State.CONFIRMED

    @rule(hours=st.sampled_from([1, 12, 30]))
    def let_offers_expire(self, hours: int) -> None:
        now = self.tick(hours)
        services.offers_expire(now=now)
        assert not Registration.objects.filter(
            session=self.session, state=State.OFFERED, offer_expires_at__lte=now
        ).exists()

    # Late in a run only: a cancelled session refuses every later move.
    @precondition(
        lambda self: self.moves >= 15 and self.session.status != TrainingSession.Status.CANCELLED
    )
    @rule()
    def cancel_session(self) -> None:
        self.tick()
        lifecycle.session_cancel(
            actor=self.coordinator, session=self.session, reason="Animateur indisponible"
        )
        assert not Registration.objects.filter(
            session=self.session, state__in=Registration.LIVE_STATES
        ).exists()
        self.reload()

    # --- what always holds -----------------------------------------------------------
    # One invariant reads the session once and runs every check on that snapshot:
    # separate @invariant methods would each reread it, doubling the test's time.

    @invariant()
    def what_always_holds(self) -> None:
        session = self.reload()
        rows = list(
            Registration.objects.filter(session=session).values_list("pk", "agent_id", "state")
        )
        self.seats_never_above_capacity(session, rows)
        self.nobody_waits_while_a_seat_is_free(session, rows)
        self.the_waitlist_only_loses_people_and_adds_them_at_the_end(session)
        self.one_live_registration_per_agent(rows)
        self.every_state_has_its_history(session, rows)

    @staticmethod
    def seats_never_above_capacity(session: TrainingSession, rows: list[Any]) -> None:
        used = sum(1 for _pk, _agent, state in rows if state in Registration.SEAT_STATES)
        assert used <= session.capacity
        assert used == capacity.seats_used(session.pk)

    def nobody_waits_while_a_seat_is_free(self, session: TrainingSession, rows: list[Any]) -> None:
        if session.status != TrainingSession.Status.OPEN or self.offer_mode():
            return
        used = sum(1 for _pk, _agent, state in rows if state in Registration.SEAT_STATES)
        waiting = any(state == State.WAITLISTED for _pk, _agent, state in rows)
        assert not waiting or used >= session.capacity

    def the_waitlist_only_loses_people_and_adds_them_at_the_end(
        self, session: TrainingSession
    ) -> None:
        queue = list(capacity.waitlist_queryset(session).values_list("id", flat=True))
        before = set(self.previous_queue)
        still_there = set(queue)
        stayed = [pk for pk in self.previous_queue if pk in still_there]
        arrived = [pk for pk in queue if pk not in before]
        assert queue == stayed + arrived
        self.previous_queue = queue

    @staticmethod
    def one_live_registration_per_agent(rows: list[Any]) -> None:
        agents = [agent for _pk, agent, state in rows if state in Registration.LIVE_STATES]
        assert len(agents) == len(set(agents))

    @staticmethod
    def every_state_has_its_history(session: TrainingSession, rows: list[Any]) -> None:
        events: dict[int, list[tuple[str, str]]] = {}
        for registration_id, from_state, to_state in (
            RegistrationEvent.objects.filter(registration__session=session)
            .order_by("id")
            .values_list("registration_id", "from_state", "to_state")
        ):
            events.setdefault(registration_id, []).append((from_state, to_state))
        for pk, _agent, state in rows:
            chain = events.get(pk, [])
            assert chain, f"registration {pk} has no history"
            assert chain[0][0] == ""
            # Each row starts where the previous one ended, and the last is the state now.
            assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(chain))
            assert chain[-1][1] == state


@pytest.mark.django_db
def test_seats_hold_under_any_sequence_of_moves(coordinator: User) -> None:
    manager = UserFactory()
    users = [
        UserFactory(
            agent=AgentFactory(organisation=manager.agent.organisation, manager=manager.agent)
        )
        for _ in range(AGENTS)
    ]
    machine: Any = SeatsMachine
    machine.coordinator, machine.manager, machine.users = coordinator, manager, users
    run_state_machine_as_test(
        SeatsMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            # The database makes each step slower than Hypothesis expects.
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
