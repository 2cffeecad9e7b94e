"""Each message: what triggers it, who gets it, what it says (date, time, place, trainer, link)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from campus.notifications.models import OutboxMessage
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import lifecycle
from campus.registrations import services as registration_services
from campus.registrations.models import Registration
from campus.scheduling.tests.factories import CourseFactory, RoomFactory, part

from .helpers import html_of, ics_of, mails_to, programmed_session, signup

pytestmark = pytest.mark.django_db
State = Registration.State


def _day_fr(session) -> str:
    day = timezone.localtime(session.starts_at).date()
    with translation.override("fr"):
        return formats.date_format(day, "l j F Y")


def test_confirmation_carries_date_time_place_trainer_link_and_an_invitation(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        registration = signup(agent_user, session)

    [message] = mails_to(agent_user.email)
    assert message.subject == "Inscription confirmée : Prendre en main Trello"
    assert "Votre inscription est confirmée." in message.body
    assert _day_fr(session) in message.body
    assert "de 09:00 à 12:00" in message.body
    venue = session.parts.get().room.venue.name
    assert f"Salle Jaurès, {venue}" in message.body
    assert "Claire MARTIN" in message.body
    link = f"http://127.0.0.1:8000/inscriptions/sessions/{session.pk}/"
    assert link in message.body
    html = html_of(message)
    assert f'href="{link}"' in html
    assert "Salle Jaurès" in html
    calendar = ics_of(message)
    assert calendar["method"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]).startswith(f"registration-{registration.pk}@")
    assert event.decoded("dtstart") == session.starts_at


def test_the_waitlisted_learn_their_position_and_get_no_invitation(
    coordinator, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator, capacity=1)
    first, second, third = (UserFactory() for _ in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        for user in (first, second, third):
            signup(user, session)
    [message] = mails_to(third.email)
    assert message.subject == "Liste d'attente : Prendre en main Trello"
    assert "en position 2 sur la liste d'attente" in message.body
    assert message.attachments == []


def test_a_cancellation_promotes_the_next_who_is_told_and_the_canceller_gets_a_cancel(
    coordinator, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator, capacity=1)
    first, second = UserFactory(), UserFactory()
    first_reg = signup(first, session)
    signup(second, session)
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.registration_cancel(
            actor=first, registration=first_reg, reason="Réunion imprévue"
        )
    [promoted] = mails_to(second.email)
    assert promoted.subject == "Une place s'est libérée : Prendre en main Trello"
    assert ics_of(promoted)["method"] == "REQUEST"
    [cancelled] = mails_to(first.email)
    assert cancelled.subject == "Inscription annulée : Prendre en main Trello"
    assert "Motif : Réunion imprévue" in cancelled.body
    calendar = ics_of(cancelled)
    assert calendar["method"] == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]).startswith(f"registration-{first_reg.pk}@")
    assert event["sequence"] == 1
    assert event["status"] == "CANCELLED"


def test_a_seat_offered_names_its_deadline(coordinator, django_capture_on_commit_callbacks):
    session = programmed_session(coordinator, capacity=1)
    registration_services.session_waitlist_mode_set(
        actor=coordinator, session=session, mode="offer", offer_hours=48
    )
    first, second = UserFactory(), UserFactory()
    first_reg = signup(first, session)
    signup(second, session)
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.registration_cancel(actor=first, registration=first_reg)
    [offer] = mails_to(second.email)
    offered = Registration.objects.get(agent=second.agent, session=session)
    assert offered.state == State.OFFERED
    assert offer.subject == "Une place vous est proposée : Prendre en main Trello"
    with translation.override("fr"):
        deadline = formats.date_format(
            timezone.localtime(offered.offer_expires_at), "DATETIME_FORMAT"
        )
    assert f"réservée jusqu'au {deadline}" in offer.body


def test_approval_request_goes_to_the_manager_then_the_answer_to_the_agent(
    coordinator, manager_with_team, django_capture_on_commit_callbacks
):
    manager, (report, other, _third) = manager_with_team
    course = CourseFactory(title="Management d'équipe", requires_manager_approval=True)
    session = programmed_session(coordinator, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        request = signup(report, session)
        refused = signup(other, session)
    assert request.state == State.REQUESTED
    to_manager = mails_to(manager.email)
    assert len(to_manager) == 2
    assert to_manager[0].subject == (
        f"Demande d'accord : {report.agent.full_name} – Management d'équipe"
    )
    assert "http://127.0.0.1:8000/inscriptions/equipe/" in to_manager[0].body
    assert mails_to(report.email) == []

    with django_capture_on_commit_callbacks(execute=True):
        registration_services.registration_approve(actor=manager, registration=request)
        registration_services.registration_decline(
            actor=manager, registration=refused, reason="Période de congés du service"
        )
    [approved] = mails_to(report.email)
    assert approved.subject == "Demande acceptée : Management d'équipe"
    assert "votre inscription est confirmée" in approved.body
    assert ics_of(approved)["method"] == "REQUEST"
    [declined] = mails_to(other.email)
    assert declined.subject == "Demande refusée : Management d'équipe"
    assert "Motif : Période de congés du service" in declined.body


def test_a_change_of_time_or_room_reaches_every_live_registrant_with_a_higher_sequence(
    coordinator, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator, capacity=1)
    confirmed_user, waiting_user = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = signup(confirmed_user, session)
        signup(waiting_user, session)
    first_uid = ics_of(mails_to(confirmed_user.email)[0]).walk("VEVENT")[0]["uid"]
    mail.outbox.clear()
    existing = session.parts.get()
    new_room = RoomFactory(name="Salle Zola")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.session_update(
            actor=coordinator,
            session=session,
            parts=[part(existing.date, "14:00", "17:00", new_room, part_id=existing.pk)],
            capacity=session.capacity,
            trainers=list(session.trainers.all()),
        )
    [changed] = mails_to(confirmed_user.email)
    assert changed.subject == "Changement d'horaire ou de lieu : Prendre en main Trello"
    assert "de 14:00 à 17:00" in changed.body
    assert "Salle Zola" in changed.body
    event = ics_of(changed).walk("VEVENT")[0]
    assert event["uid"] == first_uid == f"registration-{confirmed.pk}@127.0.0.1"
    assert event["sequence"] == 1
    assert event.decoded("dtstart").hour == 14
    [waiting] = mails_to(waiting_user.email)
    assert waiting.attachments == []


def test_editing_something_else_than_time_or_room_sends_nothing(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    signup(agent_user, session)
    existing = session.parts.get()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.session_update(
            actor=coordinator,
            session=session,
            parts=[part(existing.date, "09:00", "12:00", existing.room, part_id=existing.pk)],
            capacity=session.capacity,
            trainers=list(session.trainers.all()),
            notes="Apporter un ordinateur portable.",
        )
    assert mail.outbox == []


def test_a_cancelled_session_sends_the_reason_and_a_cancel_to_each_registrant(
    coordinator, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator, capacity=1)
    confirmed_user, waiting_user = UserFactory(), UserFactory()
    confirmed = signup(confirmed_user, session)
    signup(waiting_user, session)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.session_cancel(actor=coordinator, session=session, reason="Animatrice malade")
    [message] = mails_to(confirmed_user.email)
    assert message.subject == "Session annulée : Prendre en main Trello"
    assert "Motif : Animatrice malade" in message.body
    calendar = ics_of(message)
    assert calendar["method"] == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert event["uid"] == f"registration-{confirmed.pk}@127.0.0.1"
    assert event["sequence"] == 1
    [to_waiting] = mails_to(waiting_user.email)
    assert "Motif : Animatrice malade" in to_waiting.body
    assert to_waiting.attachments == []


def test_a_rolled_back_action_mails_nobody(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    from django.db import transaction

    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                signup(agent_user, session)
                raise RuntimeError("the page failed after the sign-up")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_english_speakers_get_their_dates_in_english(
    coordinator, django_capture_on_commit_callbacks
):
    user = UserFactory(language="en")
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        signup(user, session)
    [message] = mails_to(user.email)
    day = timezone.localtime(session.starts_at).date()
    with translation.override("en"):
        english_day = formats.date_format(day, "l j F Y")
    assert english_day in message.body
    assert OutboxMessage.objects.get(email=user.email).language == "en"


def test_an_unexcused_absence_is_reported_to_the_manager(
    coordinator, manager_with_team, django_capture_on_commit_callbacks
):
    from campus.core import events
    from campus.registrations.events import AttendanceClosed
    from campus.registrations.models import Attendance

    manager, (report, *_rest) = manager_with_team
    session = programmed_session(coordinator)
    registration = signup(report, session)
    excused_user = UserFactory(agent=AgentFactory(manager=manager.agent))
    excused = signup(excused_user, session)
    the_part = session.parts.get()
    Attendance.objects.create(
        registration=registration, part=the_part, status=Attendance.Status.UNEXCUSED
    )
    Attendance.objects.create(registration=excused, part=the_part, status=Attendance.Status.EXCUSED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(AttendanceClosed(session_id=session.pk))
    [message] = mails_to(manager.email)
    assert message.subject == (
        f"Absence non excusée : {report.agent.full_name} – Prendre en main Trello"
    )
    assert "de 09:00 à 12:00" in message.body
    assert mails_to(report.email) == []
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(AttendanceClosed(session_id=session.pk))
    assert len(mails_to(manager.email)) == 1


def test_mandatory_course_signups_by_the_coordinator_are_confirmed_directly(
    coordinator, agent_user, django_capture_on_commit_callbacks
):
    course = CourseFactory(title="Prise de poste", requires_manager_approval=True)
    session = programmed_session(coordinator, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.registration_create(
            actor=coordinator, session=session, agent=agent_user.agent, mandatory=True
        )
    [message] = mails_to(agent_user.email)
    assert message.subject == "Inscription confirmée : Prise de poste"
    assert manager_mails_for(agent_user) == []


def manager_mails_for(user):
    manager = user.agent.manager
    return [] if manager is None else mails_to(manager.email)


def test_closing_attendance_reports_unexcused_absences_to_the_manager(
    coordinator, manager_with_team, django_capture_on_commit_callbacks
):
    from campus.registrations import attendance

    manager, (absent, present, _third) = manager_with_team
    session = programmed_session(coordinator, capacity=5)
    signup(absent, session)
    present_reg = signup(present, session)
    the_part = session.parts.get()
    attendance.attendance_mark(
        actor=coordinator,
        registration=present_reg,
        part=the_part,
        status="present",
        now=the_part.starts_at,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attendance.session_attendance_close(
            actor=coordinator, session=session, now=the_part.ends_at
        )
    [message] = mails_to(manager.email)
    assert absent.agent.full_name in message.subject
    assert present.agent.full_name not in message.body
