"""The outbox: retries with backoff after SMTP failures, at most one mail per event and person."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campus.notifications import notices, outbox, tick
from campus.notifications.models import OutboxMessage
from campus.people.tests.factories import UserFactory

from .helpers import mails_to, programmed_session, signup

pytestmark = pytest.mark.django_db
FAILING = "campus.notifications.tests.backends.FailingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
State = OutboxMessage.State


def test_a_failing_smtp_server_keeps_the_message_and_a_later_retry_sends_it_once(
    coordinator, agent_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    session = programmed_session(coordinator)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        signup(agent_user, session)
    message = OutboxMessage.objects.get(email=agent_user.email)
    assert message.state == State.PENDING
    assert message.attempts == 1
    assert "SMTPServerDisconnected" in message.last_error
    assert message.next_attempt_at >= before + datetime.timedelta(seconds=60)
    assert mail.outbox == []

    settings.EMAIL_BACKEND = LOCMEM
    # Not yet due: the timer leaves it alone.
    assert outbox.release_due(now=timezone.now()) == 0
    later = message.next_attempt_at + datetime.timedelta(seconds=1)
    assert outbox.release_due(now=later) == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(mails_to(agent_user.email)) == 1
    # Running the timer again, or the same task twice, sends nothing more.
    assert outbox.release_due(now=later + datetime.timedelta(hours=1)) == 0
    assert outbox.send(message_id=message.pk) == "skipped"
    assert len(mails_to(agent_user.email)) == 1


def test_the_delay_doubles_between_attempts_then_the_message_is_marked_failed(
    coordinator, agent_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    settings.CAMPUS_MAIL_MAX_ATTEMPTS = 3
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        signup(agent_user, session)
    message = OutboxMessage.objects.get(email=agent_user.email)
    delays = []
    while message.state == State.PENDING:
        delays.append(message.next_attempt_at - message.claimed_at)
        outbox.release_due(now=message.next_attempt_at)
        message.refresh_from_db()
    assert delays == [datetime.timedelta(seconds=60), datetime.timedelta(seconds=120)]
    assert message.state == State.FAILED
    assert message.attempts == 3
    assert "SMTPServerDisconnected" in message.last_error
    assert outbox.release_due(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_the_same_event_triggered_twice_is_mailed_once(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        registration = signup(agent_user, session)
    with django_capture_on_commit_callbacks(execute=True):
        notices.registrations_changed([registration.pk])
    with django_capture_on_commit_callbacks(execute=True):
        notices.registrations_changed([registration.pk])
    assert len(mails_to(agent_user.email)) == 1
    assert OutboxMessage.objects.filter(email=agent_user.email).count() == 1


def test_a_change_announced_twice_raises_the_sequence_once(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        signup(agent_user, session)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.session_changed(session.pk, "change-1") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.session_changed(session.pk, "change-1") == 0
    assert session.notification_settings.calendar_sequence == 1
    assert len(mails_to(agent_user.email)) == 2  # the confirmation, then one change


def test_two_workers_racing_for_one_message_send_it_once(
    coordinator, agent_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        signup(agent_user, session)
    settings.EMAIL_BACKEND = LOCMEM
    message = OutboxMessage.objects.get(email=agent_user.email)
    results = [outbox.send(message_id=message.pk), outbox.send(message_id=message.pk)]
    assert sorted(results) == ["sent", "skipped"]
    assert len(mail.outbox) == 1


def test_a_send_interrupted_mid_way_is_released_after_a_while(
    coordinator, agent_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        signup(agent_user, session)
    settings.EMAIL_BACKEND = LOCMEM
    message = OutboxMessage.objects.get(email=agent_user.email)
    claimed_at = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(state=State.SENDING, claimed_at=claimed_at)
    assert outbox.release_due(now=claimed_at + datetime.timedelta(minutes=5)) == 0
    assert outbox.release_due(now=claimed_at + datetime.timedelta(minutes=31)) == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    assert len(mail.outbox) == 1


def test_a_message_whose_task_was_lost_is_picked_up_by_the_timer(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signup(agent_user, session)
    # The notification hook runs and writes the row, but the enqueue it registers in
    # turn never runs: as if the worker's queue had been lost.
    for callback in callbacks:
        callback()
    message = OutboxMessage.objects.get(email=agent_user.email)
    assert message.state == State.PENDING
    assert message.attempts == 0
    report = tick.run(now=message.created_at + datetime.timedelta(minutes=6))
    assert report.errors == []
    assert report.counts["released"] == 1
    message.refresh_from_db()
    assert message.state == State.SENT


def test_with_a_deferring_backend_the_retry_is_enqueued_for_later(
    coordinator, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    user = UserFactory()
    session = programmed_session(coordinator)
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        signup(user, session)
    message = OutboxMessage.objects.get(email=user.email)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    OutboxMessage.objects.filter(pk=message.pk).update(state=State.PENDING)
    assert outbox.send(message_id=message.pk) == "retry"
    message.refresh_from_db()
    queued = DBTaskResult.objects.get()
    assert queued.run_after == message.next_attempt_at
    assert queued.args_kwargs["kwargs"] == {"message_id": message.pk}
