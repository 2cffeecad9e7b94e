"""The state machine's table: every pair of states tried through `capacity.transition`."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from campus.people.tests.factories import AgentFactory
from campus.registrations import capacity
from campus.registrations.models import (
    ENDED_STATES,
    INITIAL_STATES,
    LIVE_STATES,
    SEAT_STATES,
    TRANSITIONS,
    Registration,
    RegistrationEvent,
)
from campus.registrations.tests.factories import open_session

State = Registration.State
ALL = list(State)

pytestmark = pytest.mark.django_db


def test_the_table_covers_every_state_and_ended_ones_never_move() -> None:
    assert set(TRANSITIONS) == set(ALL)
    assert all(targets <= set(ALL) for targets in TRANSITIONS.values())
    for state in ENDED_STATES:
        assert TRANSITIONS[state] == frozenset()
    assert set(LIVE_STATES) | set(ENDED_STATES) == set(ALL)
    assert set(SEAT_STATES) <= set(LIVE_STATES)
    # A registration never moves to the state it is in (a history row says a change).
    assert all(state not in targets for state, targets in TRANSITIONS.items())


def _stored(session, state: str) -> Registration:
    now = timezone.now()
    registration = Registration.objects.create(
        session=session,
        agent=AgentFactory(),
        state=state,
        queued_at=now,
        offer_expires_at=now + datetime.timedelta(hours=24) if state == State.OFFERED else None,
    )
    return registration


@pytest.mark.parametrize(("from_state", "to_state"), list(itertools.product(ALL, ALL)))
def test_every_pair_of_states(coordinator, from_state: str, to_state: str) -> None:
    session = open_session(coordinator, capacity=5)
    registration = _stored(session, from_state)
    allowed = to_state in TRANSITIONS[from_state]
    deadline = timezone.now() + datetime.timedelta(hours=2)
    if allowed:
        with capacity.locked_session(session.pk) as locked:
            used_before = locked.used
            capacity.transition(
                locked,
                registration,
                to_state,
                actor=coordinator,
                offer_expires_at=deadline if to_state == State.OFFERED else None,
            )
            # The lock's running count follows the move, as the next move relies on it.
            assert locked.used == used_before + (to_state in SEAT_STATES) - (
                from_state in SEAT_STATES
            )
            assert locked.used == capacity.tally(session.pk, locked.now).used
        registration.refresh_from_db()
        assert registration.state == to_state
        [event] = RegistrationEvent.objects.filter(registration=registration)
        assert (event.from_state, event.to_state) == (from_state, to_state)
    else:
        with (
            pytest.raises(capacity.TransitionNotAllowed),
            capacity.locked_session(session.pk) as locked,
        ):
            capacity.transition(locked, registration, to_state, actor=coordinator)
        registration.refresh_from_db()
        assert registration.state == from_state
        assert not RegistrationEvent.objects.filter(registration=registration).exists()


@pytest.mark.parametrize("state", ALL)
def test_a_registration_starts_in_an_initial_state_only(coordinator, state: str) -> None:
    session = open_session(coordinator, capacity=5)
    new = Registration(
        session=session,
        agent=AgentFactory(),
        state=state,
        queued_at=timezone.now(),
        offer_expires_at=timezone.now() if state == State.OFFERED else None,
    )
    if state in INITIAL_STATES:
        with capacity.locked_session(session.pk) as locked:
            capacity.record_new(locked, new, actor=coordinator)
        assert Registration.objects.get(pk=new.pk).state == state
    else:
        with (
            pytest.raises(capacity.TransitionNotAllowed),
            capacity.locked_session(session.pk) as locked,
        ):
            capacity.record_new(locked, new, actor=coordinator)
        assert not Registration.objects.exists()
