"""A seat lock that cannot be had in time: "try again", nothing written, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.urls import reverse

from campus.core.exceptions import ServiceBusy
from campus.core.testing import refusal_codes
from campus.people.tests.factories import UserFactory
from campus.registrations import capacity, services
from campus.registrations.models import Registration, RegistrationEvent
from campus.registrations.tests.factories import open_session
from campus.scheduling.models import TrainingSession

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_S = 3.0


@contextmanager
def held_elsewhere(work) -> Iterator[None]:
    """Run `work(release)` in another thread (its own connection) until the block ends."""
    taken, release = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            work(taken, release)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert taken.wait(timeout=10), "the other connection never took the lock"
    try:
        yield
    finally:
        release.set()
        thread.join(timeout=30)


def _hold_the_seat_lock(session_id: int):
    def work(taken: threading.Event, release: threading.Event) -> None:
        with capacity.locked_session(session_id):
            taken.set()
            release.wait(timeout=HOLD_S)

    return work


def _hold_the_database_write_lock(taken: threading.Event, release: threading.Event) -> None:
    # A writer that does not count seats (an HR import, say): it skips the queue.
    with transaction.atomic():
        TrainingSession.objects.update(notes="import en cours")
        taken.set()
        release.wait(timeout=HOLD_S)


def _assert_nothing_written(session: TrainingSession) -> None:
    assert not Registration.objects.filter(session=session).exists()
    assert not RegistrationEvent.objects.exists()


def test_a_sign_up_waiting_too_long_for_the_seat_lock_is_told_to_retry(
    coordinator, settings
) -> None:
    settings.CAMPUS_LOCK_TIMEOUT_S = 1
    session = open_session(coordinator, capacity=3)
    user = UserFactory()
    with held_elsewhere(_hold_the_seat_lock(session.pk)), pytest.raises(ServiceBusy) as excinfo:
        services.registration_create(actor=user, session=session, agent=user.agent)
    assert excinfo.value.retry_after > 0
    _assert_nothing_written(session)
    # Once the lock is free again, the same sign-up goes through.
    outcome = services.registration_create(actor=user, session=session, agent=user.agent)
    assert outcome.registration.state == Registration.State.CONFIRMED


def test_a_writer_outside_the_queue_holding_sqlite_also_ends_in_retry(
    coordinator, settings
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL locks rows, not the database")
    settings.CAMPUS_LOCK_TIMEOUT_S = 1
    session = open_session(coordinator, capacity=3)
    user = UserFactory()
    with held_elsewhere(_hold_the_database_write_lock), pytest.raises(ServiceBusy):
        services.registration_create(actor=user, session=session, agent=user.agent)
    _assert_nothing_written(session)


def test_the_sign_up_page_answers_503_with_retry_after_when_the_lock_is_busy(
    client, coordinator, settings
) -> None:
    settings.CAMPUS_LOCK_TIMEOUT_S = 1
    session = open_session(coordinator, capacity=3)
    user = UserFactory()
    client.force_login(user)
    url = reverse("registrations:signup", args=[session.pk])
    with held_elsewhere(_hold_the_seat_lock(session.pk)):
        response = client.post(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert refusal_codes(response) == ["service.busy"]
    _assert_nothing_written(session)
