"""The timer: reminders, minimum-participants alerts, managers' digests, offers and requests."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from campus.notifications import services, tick
from campus.notifications.models import OutboxMessage
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import services as registration_services
from campus.registrations.models import Registration
from campus.scheduling.tests.factories import CourseFactory, future_day

from .helpers import agent_without_email, mails_to, programmed_session, signup

pytestmark = pytest.mark.django_db
Channel = OutboxMessage.Channel
State = OutboxMessage.State


def _starts(session) -> datetime.datetime:
    return session.starts_at


def test_reminders_leave_two_days_before_once_and_not_for_those_who_opted_out(
    coordinator, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator, capacity=5)
    keen, opted_out = UserFactory(), UserFactory()
    signup(keen, session)
    signup(opted_out, session)
    services.notification_preferences_update(
        actor=opted_out, user=opted_out, reminders_enabled=False, language="fr"
    )
    mail.outbox.clear()
    three_days_before = _starts(session) - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.reminders_queue(now=three_days_before) == 0
    two_days_before = _starts(session) - datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.reminders_queue(now=two_days_before) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.reminders_queue(now=two_days_before + datetime.timedelta(hours=1)) == 0
    [reminder] = mails_to(keen.email)
    assert reminder.subject.startswith("Rappel : Prendre en main Trello, ")
    assert "de 09:00 à 12:00" in reminder.body
    assert mails_to(opted_out.email) == []


def test_a_session_can_move_its_reminder_or_switch_it_off(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    early = programmed_session(coordinator)
    silent = programmed_session(coordinator, day=future_day(40))
    signup(agent_user, early)
    signup(agent_user, silent)
    services.session_notification_settings_update(
        actor=coordinator, session=early, reminder_days_before=7
    )
    services.session_notification_settings_update(
        actor=coordinator, session=silent, reminder_days_before=0
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.reminders_queue(now=_starts(early) - datetime.timedelta(days=7)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.reminders_queue(now=_starts(silent) - datetime.timedelta(hours=1)) == 0
    assert [m.subject.split(",")[0] for m in mail.outbox] == ["Rappel : Prendre en main Trello"]
    assert (
        OutboxMessage.objects.filter(template="session_reminder")
        .values_list("context__session__session_id", flat=True)
        .get()
        == early.pk
    )


def test_coordinators_hear_of_a_session_under_its_minimum_once(
    coordinator, django_capture_on_commit_callbacks
):
    other_coordinator = UserFactory(role=User.Role.COORDINATOR)
    short = programmed_session(coordinator, capacity=10, min_participants=3)
    full_enough = programmed_session(coordinator, capacity=10, min_participants=1)
    signup(UserFactory(), short)
    signup(UserFactory(), full_enough)
    mail.outbox.clear()
    too_early = _starts(short) - datetime.timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.under_minimum_alerts(now=too_early) == 0
    in_time = _starts(short) - datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.under_minimum_alerts(now=in_time) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.under_minimum_alerts(now=in_time + datetime.timedelta(hours=2)) == 0
    for user in (coordinator, other_coordinator):
        [alert] = mails_to(user.email)
        assert alert.subject == "Session sous le minimum : Prendre en main Trello"
        assert "1 inscription(s) confirmée(s) pour un minimum de 3" in alert.body
        assert f"/programmation/sessions/{short.pk}/annuler/" in alert.body


def test_agents_without_email_reach_their_manager_in_one_daily_digest(
    coordinator, manager_with_team, django_capture_on_commit_callbacks
):
    manager, _team = manager_with_team
    first = agent_without_email(manager=manager.agent)
    second = agent_without_email(manager=manager.agent)
    session = programmed_session(coordinator, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        signup(first, session)
        signup(second, session)
    assert mail.outbox == []
    items = OutboxMessage.objects.filter(channel=Channel.DIGEST)
    assert items.count() == 2
    assert set(items.values_list("digest_manager", flat=True)) == {manager.agent_id}

    morning = timezone.localtime(_starts(session) - datetime.timedelta(days=10)).replace(
        hour=6, minute=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.digests_send(now=morning) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.digests_send(now=morning.replace(hour=7, minute=5)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.digests_send(now=morning.replace(hour=12)) == 0
    [digest] = mails_to(manager.email)
    assert digest.subject.startswith("Informations pour votre équipe")
    assert first.agent.full_name in digest.body
    assert second.agent.full_name in digest.body
    assert "Inscription confirmée : Prendre en main Trello" in digest.body
    assert "en position 1 sur la liste d'attente" in digest.body
    assert all(item.state == State.SENT and item.digest_id for item in items.all())


def test_a_new_message_after_the_days_digest_waits_for_the_next_day(
    coordinator, manager_with_team, django_capture_on_commit_callbacks
):
    manager, _team = manager_with_team
    first = agent_without_email(manager=manager.agent)
    late = agent_without_email(manager=manager.agent)
    session = programmed_session(coordinator, capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        signup(first, session)
    day_one = timezone.localtime(_starts(session) - datetime.timedelta(days=10)).replace(hour=8)
    with django_capture_on_commit_callbacks(execute=True):
        tick.digests_send(now=day_one)
        signup(late, session)
        assert tick.digests_send(now=day_one.replace(hour=9)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.digests_send(now=day_one + datetime.timedelta(days=1)) == 1
    digests = mails_to(manager.email)
    assert len(digests) == 2
    assert late.agent.full_name in digests[1].body
    assert first.agent.full_name not in digests[1].body


def test_the_timer_expires_offers_and_declines_unanswered_requests_with_notices(
    coordinator, manager_with_team, django_capture_on_commit_callbacks
):
    _manager, (report, *_rest) = manager_with_team
    # An offer that runs out: the next agent on the waitlist is offered the seat.
    session = programmed_session(coordinator, capacity=1)
    registration_services.session_waitlist_mode_set(
        actor=coordinator, session=session, mode="offer", offer_hours=24
    )
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    first_reg = signup(first, session)
    signup(second, session)
    signup(third, session)
    registration_services.registration_cancel(actor=first, registration=first_reg)
    # A request nobody answered before registration closed.
    closes = _starts(session) - datetime.timedelta(days=2)
    course = CourseFactory(requires_manager_approval=True)
    gated = programmed_session(
        coordinator, course=course, day=future_day(40), registration_closes_at=closes
    )
    request = signup(report, gated)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # The real clock is far before the offer deadline and the close: nothing moves yet.
    assert mail.outbox == []
    after = timezone.now() + datetime.timedelta(hours=25)
    after = max(after, closes + datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        report_ = tick.run(now=after)
    assert report_.errors == []
    assert Registration.objects.get(agent=third.agent, session=session).state == "offered"
    assert [m.subject for m in mails_to(third.email)] == [
        "Une place vous est proposée : Prendre en main Trello"
    ]
    assert [m.subject for m in mails_to(second.email)] == [
        "Inscription annulée : Prendre en main Trello"
    ]
    request.refresh_from_db()
    assert request.state == "declined"
    [declined] = mails_to(report.email)
    assert "Demande sans réponse du responsable" in declined.body


def test_an_agent_nobody_can_reach_by_email_lands_on_the_coordinators_list(
    coordinator, django_capture_on_commit_callbacks
):
    lonely = agent_without_email(manager=AgentFactory(email=""))
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        signup(lonely, session)
    message = OutboxMessage.objects.get(recipient_agent=lonely.agent)
    assert message.channel == Channel.MANUAL
    assert message.state == State.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        assert tick.digests_send(now=timezone.now().replace(hour=23)) == 0
    assert mail.outbox == []
