"""Sign-ups hand their notices to the worker: one task per commit, nothing rendered in the request."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django_tasks.backends.dummy import DummyBackend

from campus.notifications.models import OutboxMessage
from campus.notifications.tasks import notify_registrations_changed

from .helpers import mails_to, programmed_session, signup

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class Broken(DummyBackend):
    """A task queue that cannot be reached."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("task queue unreachable")


@pytest.fixture
def deferred_tasks(settings):
    """Tasks are recorded instead of run, as when the worker has not yet picked them up."""
    settings.TASKS = DUMMY
    backend = notify_registrations_changed.get_backend()
    backend.clear()
    return backend


def test_a_sign_up_enqueues_one_task_and_writes_no_message_itself(
    coordinator, agent_user, deferred_tasks, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        registration = signup(agent_user, session)
    assert not OutboxMessage.objects.exists()
    assert [(r.task.name, r.kwargs) for r in deferred_tasks.results] == [
        ("notify_registrations_changed", {"registration_ids": [registration.pk]})
    ]

    # The worker's turn: the confirmation is written once, and its sending enqueued.
    kwargs = deferred_tasks.results[0].kwargs
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_registrations_changed.call(**kwargs) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_registrations_changed.call(**kwargs) == 0
    message = OutboxMessage.objects.get(email=agent_user.email)
    assert message.template == "registration_confirmed"
    assert [(r.task.name, r.kwargs) for r in deferred_tasks.results[1:]] == [
        ("send_outbox_message", {"message_id": message.pk})
    ]
    assert mails_to(agent_user.email) == []


def test_a_rolled_back_sign_up_enqueues_nothing(
    coordinator, agent_user, deferred_tasks, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                signup(agent_user, session)
                raise RuntimeError("the page failed after the sign-up")
        except RuntimeError:
            pass
    assert deferred_tasks.results == []
    assert mail.outbox == []


def test_without_a_task_queue_the_notices_are_still_written(
    coordinator, agent_user, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "campus.notifications.tests.test_deferred.Broken"}}
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        signup(agent_user, session)
    assert OutboxMessage.objects.filter(email=agent_user.email).count() == 1
