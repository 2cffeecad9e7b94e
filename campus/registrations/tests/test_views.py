"""Registration pages over HTTP, for each role: sign-up contract, agent, manager, coordinator."""

from __future__ import annotations

import csv
import datetime
import html
import io
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campus.catalog.models import Course
from campus.catalog.search_text import fold
from campus.core.models import AuditEntry, SchoolSettings
from campus.core.testing import refusal_codes
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, DepartmentFactory, UserFactory
from campus.registrations import selectors, services
from campus.registrations.models import (
    Attendance,
    Registration,
    RegistrationEvent,
    SessionRegistrationSettings,
)
from campus.registrations.tests.factories import open_session
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.tests.factories import CourseFactory, future_day

State = Registration.State
pytestmark = pytest.mark.django_db


# --- Helpers ------------------------------------------------------------------------


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _signup(user: User, session: TrainingSession, **kwargs: Any) -> Registration:
    return services.registration_create(
        actor=user, session=session, agent=user.agent, **kwargs
    ).registration


def _signup_url(session: TrainingSession) -> str:
    return reverse("registrations:signup", args=[session.pk])


def _session_url(session: TrainingSession) -> str:
    return reverse("registrations:session", args=[session.pk])


def _text(response: Any) -> str:
    """The page as a person reads it: HTML entities decoded."""
    return html.unescape(response.content.decode())


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _team(manager: User) -> list[User]:
    return [
        UserFactory(
            agent=AgentFactory(organisation=manager.agent.organisation, manager=manager.agent)
        )
        for _ in range(2)
    ]


def _move_to_past(session: TrainingSession, days: int = 10) -> None:
    shift = datetime.timedelta(days=days + (session.starts_at - timezone.now()).days + 1)
    for part in session.parts.all():
        SessionPart.objects.filter(pk=part.pk).update(
            date=part.date - shift, starts_at=part.starts_at - shift, ends_at=part.ends_at - shift
        )
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
    )


# --- The sign-up contract -----------------------------------------------------------------


def test_agent_signs_up_and_lands_on_the_session_page(coordinator, agent_user):
    session = open_session(coordinator, capacity=2)
    response = _client(agent_user).post(_signup_url(session))
    assert response.status_code == 302
    assert response["Location"] == _session_url(session)
    registration = Registration.objects.get(session=session, agent=agent_user.agent)
    assert registration.state == State.CONFIRMED
    assert registration.created_by == agent_user
    page = _client(agent_user).get(response["Location"])
    assert "Vous êtes inscrit(e)." in _text(page)


def test_full_session_puts_the_agent_on_the_waitlist_with_their_position(coordinator):
    session = open_session(coordinator, capacity=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    _signup(first, session)
    _signup(second, session)
    client = _client(third)
    response = client.post(_signup_url(session), follow=True)
    assert response.redirect_chain[0][1] == 302
    assert (
        "La session est complète : vous êtes sur la liste d'attente, en position 2."
        in _messages(response)
    )
    assert "Liste d'attente, position 2." in _text(response)
    assert Registration.objects.get(agent=third.agent).state == State.WAITLISTED


def test_course_with_approval_sends_the_request_to_the_manager(coordinator, manager_with_team):
    _manager, (report, *_rest) = manager_with_team
    session = open_session(
        coordinator, course=CourseFactory(requires_manager_approval=True), capacity=3
    )
    response = _client(report).post(_signup_url(session), follow=True)
    assert "Votre demande a été transmise à votre responsable." in _messages(response)
    assert Registration.objects.get(agent=report.agent).state == State.REQUESTED


def _close_window(session: TrainingSession) -> None:
    now = timezone.now()
    TrainingSession.objects.filter(pk=session.pk).update(
        registration_opens_at=now - datetime.timedelta(days=5),
        registration_closes_at=now - datetime.timedelta(days=1),
    )


def _restrict_to_category_a(session: TrainingSession) -> None:
    Course.objects.filter(pk=session.course_id).update(
        audience=Course.Audience.RESTRICTED, audience_categories="A"
    )


def _register_first(session: TrainingSession, user: User) -> None:
    _signup(user, session)


@pytest.mark.parametrize(
    ("arrange", "code", "named"),
    [
        (lambda s, u: _close_window(s), "registration.window_closed", ""),
        (lambda s, u: _restrict_to_category_a(s), "audience.category", "catégorie A"),
        (_register_first, "registration.already_registered", ""),
    ],
    ids=["closed-window", "audience", "already-registered"],
)
def test_refused_sign_up_shows_the_reason_on_a_200_page_and_changes_nothing(
    arrange, code, named, coordinator, agent_user
):
    session = open_session(coordinator, capacity=3)
    arrange(session, agent_user)
    before = Registration.objects.count()
    response = _client(agent_user).post(_signup_url(session))
    assert response.status_code == 200
    assert [m.extra_tags for m in response.context["messages"]] == [code]
    assert f'data-error-code="{code}"' in response.content.decode()
    assert refusal_codes(response) == [code]
    assert named in _text(response)
    assert Registration.objects.count() == before


def test_overlap_asks_for_confirmation_then_keeps_both(coordinator, agent_user):
    day = future_day(40)
    first = open_session(coordinator, day=day, start="09:00", end="12:00")
    second = open_session(coordinator, day=day, start="10:00", end="11:00")
    _signup(agent_user, first)
    client = _client(agent_user)
    response = client.post(_signup_url(second))
    assert response.status_code == 200
    content = _text(response)
    assert first.course.title in content
    assert 'name="acknowledge_overlap" value="1"' in content
    assert not Registration.objects.filter(session=second).exists()
    response = client.post(
        _signup_url(second), {"agent": agent_user.agent.pk, "acknowledge_overlap": "1"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(session=second, agent=agent_user.agent)
    assert registration.overlap_acknowledged


def test_an_agent_cannot_sign_up_someone_else_or_make_it_mandatory(coordinator, agent_user):
    session = open_session(coordinator)
    other = AgentFactory()
    client = _client(agent_user)
    assert client.post(_signup_url(session), {"agent": other.pk}).status_code == 403
    assert client.post(_signup_url(session), {"mandatory": "1"}).status_code == 403
    assert not Registration.objects.filter(session=session).exists()


def test_unknown_agent_gets_a_message_not_an_error(coordinator, agent_user):
    session = open_session(coordinator)
    response = _client(agent_user).post(_signup_url(session), {"agent": "999999"})
    assert response.status_code == 200
    assert refusal_codes(response) == ["registration.unknown_agent"]
    response = _client(agent_user).post(_signup_url(session), {"agent": "abc"})
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_account_without_agent_record_cannot_sign_up_itself(coordinator):
    session = open_session(coordinator)
    user = UserFactory(agent=None, login="sans-fiche@example.fr", role=User.Role.HR_VIEWER)
    response = _client(user).post(_signup_url(session))
    assert response.status_code == 200
    assert refusal_codes(response) == ["registration.no_agent"]
    assert not Registration.objects.exists()


def test_manager_signs_up_a_team_member_and_another_manager_cannot(coordinator):
    manager, other_manager = UserFactory(), UserFactory()
    member = _team(manager)[0]
    _team(other_manager)
    session = open_session(coordinator)
    response = _client(other_manager).post(_signup_url(session), {"agent": member.agent.pk})
    assert response.status_code == 403
    response = _client(manager).post(_signup_url(session), {"agent": member.agent.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{_session_url(session)}?agent={member.agent.pk}"
    registration = Registration.objects.get(agent=member.agent)
    assert registration.created_by == manager
    response = _client(other_manager).post(_signup_url(session), {"agent": member.agent.pk})
    assert response.status_code == 403
    client = _client(manager)
    response = client.post(_signup_url(session), {"agent": member.agent.pk}, follow=True)
    assert refusal_codes(response) == ["registration.already_registered"]
    page = client.get(f"{_session_url(session)}?agent={member.agent.pk}")
    assert f"{member.agent.full_name} est inscrit(e)." in _text(page)


def test_coordinator_mandatory_registration_cannot_be_cancelled_by_the_agent(
    coordinator, agent_user
):
    session = open_session(coordinator)
    response = _client(coordinator).post(
        _signup_url(session), {"agent": agent_user.agent.pk, "mandatory": "1"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(agent=agent_user.agent)
    assert registration.is_mandatory
    client = _client(agent_user)
    assert refusal_codes(client.get(_session_url(session))) == ["registration.mandatory"]
    response = client.post(reverse("registrations:cancel", args=[registration.pk]), follow=True)
    assert "registration.mandatory" in [m.extra_tags for m in response.context["messages"]]
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED


def test_anonymous_visitors_are_sent_to_the_login_page(coordinator, agent_user):
    session = open_session(coordinator)
    registration = _signup(agent_user, session)
    client = _client()
    urls = [
        ("get", _session_url(session)),
        ("post", _signup_url(session)),
        ("get", reverse("registrations:mine")),
        ("get", reverse("registrations:team")),
        ("get", reverse("registrations:manage", args=[session.pk])),
        ("get", reverse("registrations:export_csv", args=[session.pk])),
        ("post", reverse("registrations:cancel", args=[registration.pk])),
        ("post", reverse("registrations:approve", args=[registration.pk])),
        ("get", reverse("core:school_settings")),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/connexion/" in response["Location"], url
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED


def test_get_on_the_sign_up_url_is_refused(coordinator, agent_user):
    session = open_session(coordinator)
    assert _client(agent_user).get(_signup_url(session)).status_code == 405


# --- The session page ------------------------------------------------------------------


def test_session_page_shows_course_parts_in_paris_time_room_trainers_and_seats(coordinator):
    trainer = AgentFactory()
    session = open_session(coordinator, capacity=4, start="14:30", end="17:00", trainers=[trainer])
    viewer = UserFactory()
    response = _client(viewer).get(_session_url(session))
    assert response.status_code == 200
    content = _text(response)
    assert session.course.title in content
    assert "de 14:30 à 17:00" in content
    assert trainer.full_name in content
    assert "places libres : 4 sur 4" in content
    assert "M'inscrire" in content


def test_draft_session_is_hidden_from_agents_but_not_from_coordinators(coordinator, agent_user):
    session = open_session(coordinator)
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.DRAFT)
    assert _client(agent_user).get(_session_url(session)).status_code == 404
    assert _client(agent_user).post(_signup_url(session)).status_code == 404
    assert _client(coordinator).get(_session_url(session)).status_code == 200


def test_unknown_session_is_a_404(agent_user):
    assert (
        _client(agent_user).get(reverse("registrations:session", args=[999999])).status_code == 404
    )


def test_session_page_shows_the_cancellation_deadline_refusal(coordinator, agent_user):
    session = open_session(coordinator)
    registration = _signup(agent_user, session)
    TrainingSession.objects.filter(pk=session.pk).update(
        cancellation_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    response = _client(agent_user).get(_session_url(session))
    assert refusal_codes(response) == ["registration.cancel_deadline_passed"]
    assert reverse("registrations:cancel", args=[registration.pk]) not in _text(response)


def test_waitlisted_agent_leaves_the_waitlist_from_the_session_page(coordinator):
    session = open_session(coordinator, capacity=1)
    first, second = UserFactory(), UserFactory()
    _signup(first, session)
    waiting = _signup(second, session)
    client = _client(second)
    content = _text(client.get(_session_url(session)))
    assert "Liste d'attente, position 1." in content
    assert "Quitter la liste d'attente" in content
    response = client.post(
        reverse("registrations:cancel", args=[waiting.pk]), {"reason": "Plus disponible"}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == State.CANCELLED
    assert RegistrationEvent.objects.filter(
        registration=waiting, to_state=State.CANCELLED, reason="Plus disponible"
    ).exists()


def test_cancel_frees_the_seat_for_the_first_on_the_waitlist(coordinator):
    session = open_session(coordinator, capacity=1)
    first, second = UserFactory(), UserFactory()
    seat = _signup(first, session)
    waiting = _signup(second, session)
    response = _client(first).post(reverse("registrations:cancel", args=[seat.pk]), follow=True)
    assert "Inscription annulée." in _messages(response)
    waiting.refresh_from_db()
    assert waiting.state == State.CONFIRMED


def test_cancel_by_someone_else_is_forbidden(coordinator, agent_user):
    session = open_session(coordinator)
    registration = _signup(agent_user, session)
    stranger = UserFactory()
    url = reverse("registrations:cancel", args=[registration.pk])
    assert _client(stranger).post(url).status_code == 403
    assert _client(stranger).get(url).status_code == 403
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED


def test_cancel_page_refuses_a_reason_that_is_too_long(coordinator, agent_user):
    session = open_session(coordinator)
    registration = _signup(agent_user, session)
    url = reverse("registrations:cancel", args=[registration.pk])
    client = _client(agent_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "x" * 1001})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    registration.refresh_from_db()
    assert registration.state == State.CONFIRMED


def test_offer_mode_lets_the_agent_accept_the_freed_seat(coordinator):
    session = open_session(coordinator, capacity=1)
    services.session_waitlist_mode_set(
        actor=coordinator, session=session, mode="offer", offer_hours=12
    )
    first, second = UserFactory(), UserFactory()
    seat = _signup(first, session)
    waiting = _signup(second, session)
    services.registration_cancel(actor=first, registration=seat)
    waiting.refresh_from_db()
    assert waiting.state == State.OFFERED
    client = _client(second)
    content = _text(client.get(_session_url(session)))
    assert "Accepter la place" in content
    assert "elle est réservée jusqu" in content
    response = client.post(reverse("registrations:offer_accept", args=[waiting.pk]))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == State.CONFIRMED


def test_offer_decline_passes_the_seat_on_and_strangers_may_not_answer(coordinator):
    session = open_session(coordinator, capacity=1)
    services.session_waitlist_mode_set(actor=coordinator, session=session, mode="offer")
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    seat = _signup(first, session)
    offered = _signup(second, session)
    last = _signup(third, session)
    services.registration_cancel(actor=first, registration=seat)
    url = reverse("registrations:offer_decline", args=[offered.pk])
    assert _client(third).post(url).status_code == 403
    response = _client(second).post(url, {"next": reverse("registrations:mine")})
    assert response["Location"] == reverse("registrations:mine")
    offered.refresh_from_db()
    last.refresh_from_db()
    assert offered.state == State.CANCELLED
    assert last.state == State.OFFERED


def test_accepting_an_offer_twice_gives_a_message(coordinator, agent_user):
    session = open_session(coordinator)
    registration = _signup(agent_user, session)
    response = _client(agent_user).post(
        reverse("registrations:offer_accept", args=[registration.pk]), follow=True
    )
    assert refusal_codes(response) == ["offer.expired"]


def test_external_next_is_ignored(coordinator, agent_user):
    session = open_session(coordinator)
    response = _client(agent_user).post(_signup_url(session), {"next": "https://evil.example/"})
    assert response["Location"] == _session_url(session)


def test_session_page_offers_managers_to_sign_up_a_member(coordinator):
    manager = UserFactory()
    member = _team(manager)[0]
    session = open_session(coordinator)
    content = _text(_client(manager).get(_session_url(session)))
    assert "Inscrire un membre de mon équipe" in content
    assert member.agent.full_name in content
    plain = UserFactory()
    assert "Inscrire un membre de mon équipe" not in (
        _text(_client(plain).get(_session_url(session)))
    )


def test_session_page_for_a_team_member_is_for_their_managers_only(coordinator):
    manager, stranger = UserFactory(), UserFactory()
    member = _team(manager)[0]
    session = open_session(coordinator)
    _signup(member, session)
    url = f"{_session_url(session)}?agent={member.agent.pk}"
    response = _client(manager).get(url)
    assert response.status_code == 200
    assert f"Inscription de {member.agent.full_name}" in _text(response)
    assert _client(stranger).get(url).status_code == 403
    assert _client(manager).get(f"{_session_url(session)}?agent=abc").status_code == 404


# --- The agent's page ------------------------------------------------------------------------


def test_mine_lists_upcoming_waitlist_requests_and_history_with_attendance(
    coordinator, manager_with_team
):
    _manager, (member, *_rest) = manager_with_team
    full = open_session(coordinator, capacity=1)
    _signup(UserFactory(), full)
    _signup(member, full)
    confirmed = open_session(coordinator, day=future_day(50))
    _signup(member, confirmed)
    approval = open_session(
        coordinator, day=future_day(60), course=CourseFactory(requires_manager_approval=True)
    )
    _signup(member, approval)
    past = open_session(coordinator, day=future_day(70))
    attended = _signup(member, past)
    _move_to_past(past)
    Attendance.objects.create(
        registration=attended, part=past.parts.get(), status=Attendance.Status.PRESENT
    )
    dropped = open_session(coordinator, day=future_day(80))
    services.registration_cancel(
        actor=member, registration=_signup(member, dropped), reason="Réunion de service"
    )
    response = _client(member).get(reverse("registrations:mine"))
    assert response.status_code == 200
    trainings = response.context["trainings"]
    assert [r.session_id for r in trainings.upcoming] == [confirmed.pk]
    assert [r.session_id for r in trainings.waitlist] == [full.pk]
    assert [r.session_id for r in trainings.requests] == [approval.pk]
    assert {r.session_id for r in trainings.history} == {past.pk, dropped.pk}
    content = _text(response)
    assert "liste d'attente, position 1" in content
    assert "Présent" in content
    assert "Réunion de service" in content


def test_mine_without_agent_record(db):
    user = UserFactory(agent=None, login="direction@example.fr", role=User.Role.DIRECTOR)
    response = _client(user).get(reverse("registrations:mine"))
    assert response.status_code == 200
    assert "aucune fiche d'agent" in _text(response)


def test_mine_shows_offers_with_their_answer_buttons(coordinator):
    session = open_session(coordinator, capacity=1)
    services.session_waitlist_mode_set(actor=coordinator, session=session, mode="offer")
    first, second = UserFactory(), UserFactory()
    seat = _signup(first, session)
    offered = _signup(second, session)
    services.registration_cancel(actor=first, registration=seat)
    content = _text(_client(second).get(reverse("registrations:mine")))
    assert "Places proposées" in content
    assert reverse("registrations:offer_accept", args=[offered.pk]) in content


def test_mine_pages_the_history_with_links_that_work_without_javascript(
    coordinator, agent_user, monkeypatch
):
    monkeypatch.setattr(selectors, "HISTORY_PAGE_SIZE", 2)
    titles = []
    for days in range(40, 45):
        session = open_session(coordinator, day=future_day(days))
        services.registration_cancel(actor=agent_user, registration=_signup(agent_user, session))
        titles.append(session.course.title)
    upcoming = open_session(coordinator, day=future_day(60))
    _signup(agent_user, upcoming)
    client = _client(agent_user)
    content = _text(client.get(reverse("registrations:mine")))
    assert "5 formations passées ou annulées, les plus récentes d'abord." in content
    assert "Page 1 sur 3" in content
    assert 'href="?page=2"' in content
    assert titles[4] in content
    assert titles[3] in content
    assert titles[2] not in content
    assert upcoming.course.title in content
    content = _text(client.get(reverse("registrations:mine"), {"page": "3"}))
    assert titles[0] in content
    assert titles[1] not in content
    assert 'href="?page=2"' in content
    # What is current shows on every page of the history.
    assert upcoming.course.title in content


# --- The manager's page ----------------------------------------------------------------------


def _request_from(member: User, coordinator: User, **kwargs: Any) -> Registration:
    session = open_session(
        coordinator, course=CourseFactory(requires_manager_approval=True), **kwargs
    )
    return _signup(member, session)


def test_manager_approves_a_request_from_the_team_page(coordinator, manager_with_team):
    manager, (member, *_rest) = manager_with_team
    request = _request_from(member, coordinator)
    client = _client(manager)
    content = _text(client.get(reverse("registrations:team")))
    assert "Demandes à valider" in content
    assert reverse("registrations:approve", args=[request.pk]) in content
    response = client.post(reverse("registrations:approve", args=[request.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("registrations:team")
    assert any("Demande acceptée" in m for m in _messages(response))
    request.refresh_from_db()
    assert request.state == State.CONFIRMED


def test_manager_declines_with_a_reason_and_an_empty_reason_is_refused(
    coordinator, manager_with_team
):
    manager, (member, *_rest) = manager_with_team
    request = _request_from(member, coordinator)
    client = _client(manager)
    url = reverse("registrations:decline", args=[request.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Indiquez le motif du refus" in _text(response)
    request.refresh_from_db()
    assert request.state == State.REQUESTED
    response = client.post(url, {"reason": "Période de congés dans le service"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == State.DECLINED
    content = _text(_client(member).get(reverse("registrations:mine")))
    assert "Période de congés dans le service" in content


def test_another_manager_cannot_answer_the_request(coordinator, manager_with_team):
    _manager, (member, *_rest) = manager_with_team
    request = _request_from(member, coordinator)
    other = UserFactory()
    _team(other)
    client = _client(other)
    assert client.post(reverse("registrations:approve", args=[request.pk])).status_code == 403
    assert client.get(reverse("registrations:decline", args=[request.pk])).status_code == 403
    assert (
        client.post(reverse("registrations:decline", args=[request.pk]), {"reason": "Non"})
    ).status_code == 403
    assert (
        _client(member).post(reverse("registrations:approve", args=[request.pk])).status_code == 403
    )
    request.refresh_from_db()
    assert request.state == State.REQUESTED
    content = _text(client.get(reverse("registrations:team")))
    assert member.agent.full_name not in content


def test_team_page_sends_agents_without_a_team_home(agent_user):
    response = _client(agent_user).get(reverse("registrations:team"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_team_page_lists_indirect_reports_and_past_training(coordinator, manager_with_team):
    manager, (member, *_rest) = manager_with_team
    indirect = UserFactory(
        agent=AgentFactory(organisation=member.agent.organisation, manager=member.agent)
    )
    upcoming = open_session(coordinator)
    _signup(indirect, upcoming)
    past = open_session(coordinator, day=future_day(45))
    attended = _signup(member, past)
    _move_to_past(past)
    Attendance.objects.create(
        registration=attended, part=past.parts.get(), status=Attendance.Status.PRESENT
    )
    response = _client(manager).get(reverse("registrations:team"))
    trainings = response.context["trainings"]
    assert [r.agent_id for r in trainings.upcoming] == [indirect.agent.pk]
    assert [r.agent_id for r in trainings.past] == [member.agent.pk]
    assert "présent(e) 1 sur 1" in _text(response)


def test_manager_signs_up_a_member_from_the_team_page(coordinator, manager_with_team):
    manager, (member, *_rest) = manager_with_team
    session = open_session(coordinator)
    client = _client(manager)
    url = reverse("registrations:team_signup")
    response = client.post(url, {"agent": member.agent.pk, "session": session.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:team")
    assert Registration.objects.get(agent=member.agent).created_by == manager
    stranger = AgentFactory()
    response = client.post(url, {"agent": stranger.pk, "session": session.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["agent"]
    response = client.post(url, {"agent": member.agent.pk, "session": session.pk})
    assert response.status_code == 200
    assert refusal_codes(response) == ["registration.already_registered"]
    assert Registration.objects.count() == 1


def _course(title: str) -> Course:
    return CourseFactory(title=title, search_text=fold(title))


def test_team_page_offers_the_next_sessions_or_those_searched_for(
    coordinator, manager_with_team, monkeypatch
):
    monkeypatch.setattr(selectors, "TEAM_SIGNUP_SESSIONS_LIMIT", 2)
    manager, _reports = manager_with_team
    sooner = open_session(coordinator, course=_course("Tableur Excel"), day=future_day(35))
    soon = open_session(coordinator, course=_course("Écrits professionnels"), day=future_day(36))
    later = open_session(coordinator, course=_course("Tableur avancé"), day=future_day(50))
    client = _client(manager)
    response = client.get(reverse("registrations:team"))
    assert response.context["sessions"] == [sooner, soon]
    content = _text(response)
    assert "Les 2 prochaines sessions ouvertes aux inscriptions." in content
    assert later.course.title not in content
    assert 'role="search"' in content
    assert f'href="{reverse("portal:catalogue")}"' in content
    response = client.get(reverse("registrations:team"), {"q": "tableur"})
    assert response.context["sessions"] == [sooner, later]
    content = _text(response)
    assert "2 sessions ouvertes pour « tableur », les plus proches d'abord." in content
    assert '<input type="hidden" name="q" value="tableur">' in content
    content = _text(client.get(reverse("registrations:team"), {"q": "inconnu"}))
    assert "Aucune session ouverte aux inscriptions pour « inconnu »." in content


def test_manager_signs_up_a_member_to_a_session_beyond_the_list(
    coordinator, manager_with_team, monkeypatch
):
    monkeypatch.setattr(selectors, "TEAM_SIGNUP_SESSIONS_LIMIT", 1)
    manager, (member, *_rest) = manager_with_team
    open_session(coordinator, day=future_day(35))
    later = open_session(coordinator, course=_course("Tableur Excel"), day=future_day(50))
    client = _client(manager)
    url = reverse("registrations:team_signup")
    response = client.post(url, {"agent": member.agent.pk, "session": later.pk})
    assert response.status_code == 302
    assert Registration.objects.get(agent=member.agent).session_id == later.pk
    # A refused sign-up shows the form again with the list the manager searched.
    response = client.post(url, {"agent": member.agent.pk, "session": later.pk, "q": "excel"})
    assert response.status_code == 200
    assert refusal_codes(response) == ["registration.already_registered"]
    assert response.context["sessions"] == [later]
    assert f'<option value="{later.pk}" selected>' in _text(response)


def test_team_sign_up_refuses_a_session_closed_to_sign_up(coordinator, manager_with_team):
    manager, (member, *_rest) = manager_with_team
    draft = open_session(coordinator)
    TrainingSession.objects.filter(pk=draft.pk).update(status=TrainingSession.Status.DRAFT)
    client = _client(manager)
    url = reverse("registrations:team_signup")
    for data in ({"session": draft.pk}, {"session": "999999"}, {}):
        response = client.post(url, {"agent": member.agent.pk, **data})
        assert response.status_code == 200
        assert response.context["form"].errors["session"]
    assert "Choisissez une session." in _text(response)
    assert not Registration.objects.exists()


def test_team_page_pages_the_past_trainings(coordinator, manager_with_team, monkeypatch):
    monkeypatch.setattr(selectors, "TEAM_PAST_PAGE_SIZE", 1)
    manager, (member, *_rest) = manager_with_team
    titles = []
    for days in (40, 41):
        session = open_session(coordinator, day=future_day(days))
        _signup(member, session)
        _move_to_past(session, days=60 - days)
        titles.append(session.course.title)
    client = _client(manager)
    content = _text(client.get(reverse("registrations:team")))
    assert "2 formations suivies par l'équipe, les plus récentes d'abord." in content
    assert titles[1] in content
    assert titles[0] not in content
    assert 'href="?page=2"' in content
    content = _text(client.get(reverse("registrations:team"), {"page": "2", "q": "x"}))
    assert titles[0] in content
    assert titles[1] not in content
    # The page links keep the session search.
    assert 'href="?q=x&page=1"' in content


def test_team_sign_up_is_refused_to_agents_without_a_team(coordinator, agent_user):
    session = open_session(coordinator)
    response = _client(agent_user).post(
        reverse("registrations:team_signup"), {"agent": agent_user.agent.pk, "session": session.pk}
    )
    assert response.status_code == 302
    assert not Registration.objects.exists()


# --- The coordinator's page -------------------------------------------------------------------


def _manage_url(session: TrainingSession) -> str:
    return reverse("registrations:manage", args=[session.pk])


def test_manage_page_by_role(coordinator, hr_viewer, agent_user, manager_with_team):
    manager, (member, *_rest) = manager_with_team
    trainer = UserFactory()
    session = open_session(coordinator, trainers=[trainer.agent])
    other_session = open_session(coordinator, day=future_day(90))
    _signup(member, session)
    url = _manage_url(session)
    writer = _client(coordinator).get(url)
    assert writer.status_code == 200
    assert "Inscrire un agent" in _text(writer)
    for reader in (hr_viewer, trainer):
        response = _client(reader).get(url)
        assert response.status_code == 200
        content = _text(response)
        assert member.agent.full_name in content
        assert "Inscrire un agent" not in content
        assert "/annuler/" not in content
    for stranger in (agent_user, manager, member):
        assert _client(stranger).get(url).status_code == 403
    assert _client(trainer).get(_manage_url(other_session)).status_code == 403


def test_manage_page_shows_each_list_in_order(coordinator):
    session = open_session(coordinator, capacity=1)
    seat, first = UserFactory(), UserFactory()
    no_email = UserFactory(
        agent=AgentFactory(email="", phone="05 55 00 00 00"), login="sans-mail/1"
    )
    _signup(seat, session)
    _signup(first, session)
    _signup(no_email, session)
    quitter = UserFactory()
    services.registration_cancel(
        actor=quitter, registration=_signup(quitter, session), reason="Formation déjà suivie"
    )
    response = _client(coordinator).get(_manage_url(session))
    roster = response.context["roster"]
    assert [r.agent_id for r in roster.participants] == [seat.agent.pk]
    assert [(r.agent_id, r.position) for r in roster.waitlist] == [
        (first.agent.pk, 1),
        (no_email.agent.pk, 2),
    ]
    assert [r.agent_id for r in roster.ended] == [quitter.agent.pk]
    content = _text(response)
    assert "à prévenir par un autre moyen" in content
    assert "05 55 00 00 00" in content
    assert "Formation déjà suivie" in content
    assert "<details>" in content


def test_manage_page_rows_link_each_action_back_to_the_page(coordinator, manager_with_team):
    manager, (member, *_rest) = manager_with_team
    session = open_session(coordinator, capacity=1)
    seat = _signup(UserFactory(), session)
    waiting = _signup(UserFactory(), session)
    request = _request_from(member, coordinator)
    back = f"?next={_manage_url(session)}"
    content = _text(_client(coordinator).get(_manage_url(session)))
    for registration in (seat, waiting):
        assert f'href="{reverse("registrations:cancel", args=[registration.pk])}{back}"' in content
        assert f"l'inscription de {registration.agent.full_name}" in content
    content = _text(_client(coordinator).get(_manage_url(request.session)))
    decline = reverse("registrations:decline", args=[request.pk])
    assert f'href="{decline}?next={_manage_url(request.session)}"' in content
    assert f"<td>{manager.agent.full_name}</td>" in content


class _Controls(HTMLParser):
    """The text of each link and button: what a screen reader announces as its name."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("a", "button"):
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "button") and self._open:
            self.names.append(" ".join("".join(self._open.pop()).split()))

    def handle_data(self, data: str) -> None:
        for parts in self._open:
            parts.append(data)


def _control_names(response: Any) -> list[str]:
    parser = _Controls()
    parser.feed(response.content.decode())
    return parser.names


def test_manage_page_writes_names_as_text_and_names_each_action(coordinator, manager_with_team):
    manager, _team_members = manager_with_team
    session = open_session(coordinator, capacity=1)
    seat = services.registration_create(
        actor=coordinator,
        session=session,
        agent=AgentFactory(first_name="Léa", last_name="<b>Zorro</b>", email="", phone="05 55"),
    ).registration
    Registration.objects.filter(pk=seat.pk).update(
        state=State.OFFERED, offer_expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    services.registration_create(
        actor=coordinator,
        session=session,
        agent=AgentFactory(first_name="Jo", last_name="<i>X</i>"),
    )
    quitter = UserFactory(agent=AgentFactory(first_name="Al", last_name="<u>Y</u>"))
    services.registration_cancel(actor=quitter, registration=_signup(quitter, session))
    member = UserFactory(
        agent=AgentFactory(first_name="Su", last_name="<s>Z</s>", manager=manager.agent)
    )
    request = _request_from(member, coordinator)

    response = _client(coordinator).get(_manage_url(session))
    raw = response.content.decode()
    # What agents typed is text: escaped wherever it is written, never markup.
    assert "<b>" not in raw
    assert "<i>" not in raw
    assert "<u>" not in raw
    assert "&lt;U&gt;Y&lt;/U&gt;" in raw  # the ended registration, in its table
    participants = raw[raw.index('id="participants-title"') : raw.index('id="waitlist-title"')]
    assert '<th scope="row">&lt;B&gt;ZORRO&lt;/B&gt; Léa<br>' in participants
    assert (
        '<span class="badge badge-off">sans e-mail</span> à prévenir par un autre moyen (05 55)'
    ) in participants
    assert "jusqu'au " in html.unescape(participants)  # until when the offered seat is kept
    assert 'Annuler<span class="visually-hidden"> ' in participants
    names = _control_names(response)
    assert "Annuler l'inscription de Léa <B>ZORRO</B>" in names
    assert "Annuler l'inscription de Jo <I>X</I>" in names
    assert not any("<U>Y</U>" in name for name in names)  # an ended registration has no action

    response = _client(coordinator).get(_manage_url(request.session))
    assert "<s>" not in response.content.decode()
    names = _control_names(response)
    assert "Accepter la demande de Su <S>Z</S>" in names
    assert "Refuser la demande de Su <S>Z</S>" in names


def test_manage_page_of_a_draft_is_for_coordinators_only(coordinator, hr_viewer):
    session = open_session(coordinator)
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.DRAFT)
    assert _client(hr_viewer).get(_manage_url(session)).status_code == 404
    assert _client(coordinator).get(_manage_url(session)).status_code == 200
    assert _client(coordinator).get(_manage_url(session) + "x").status_code == 404
    unknown = reverse("registrations:manage", args=[999999])
    assert _client(coordinator).get(unknown).status_code == 404


def test_coordinator_registers_by_reference_with_mandatory_flag(coordinator):
    session = open_session(coordinator)
    agent = AgentFactory(email="")
    reference = f"{agent.organisation.code.upper()}/{agent.matricule.lower()}"
    response = _client(coordinator).post(
        reverse("registrations:manage_add", args=[session.pk]),
        {"reference": reference, "mandatory": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == _manage_url(session)
    registration = Registration.objects.get(agent=agent)
    assert registration.is_mandatory
    assert registration.created_by == coordinator


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("", "Indiquez l'agent"), ("n-importe-quoi", "Format attendu"), ("XX/000", "Aucun agent")],
)
def test_coordinator_bad_reference_is_explained(coordinator, reference, expected):
    session = open_session(coordinator)
    response = _client(coordinator).post(
        reverse("registrations:manage_add", args=[session.pk]), {"reference": reference}
    )
    assert response.status_code == 200
    assert expected in _text(response)
    assert not Registration.objects.exists()


def test_coordinator_add_shows_rule_refusals_on_the_field(coordinator):
    session = open_session(coordinator)
    agent = AgentFactory()
    url = reverse("registrations:manage_add", args=[session.pk])
    data = {"reference": f"{agent.organisation.code}/{agent.matricule}"}
    assert _client(coordinator).post(url, data).status_code == 302
    response = _client(coordinator).post(url, data)
    assert response.status_code == 200
    (error,) = response.context["add_form"].errors.as_data()["reference"]
    assert error.code == "registration.already_registered"


def test_coordinator_add_with_overlap_confirms_then_returns_to_the_manage_page(coordinator):
    agent = AgentFactory()
    day = future_day(33)
    first = open_session(coordinator, day=day)
    second = open_session(coordinator, day=day)
    services.registration_create(actor=coordinator, session=first, agent=agent)
    client = _client(coordinator)
    response = client.post(
        reverse("registrations:manage_add", args=[second.pk]),
        {"reference": f"{agent.organisation.code}/{agent.matricule}", "mandatory": "on"},
    )
    assert response.status_code == 200
    content = _text(response)
    assert f'name="next" value="{_manage_url(second)}"' in content
    assert 'name="mandatory" value="1"' in content
    response = client.post(
        _signup_url(second),
        {
            "agent": agent.pk,
            "acknowledge_overlap": "1",
            "mandatory": "1",
            "next": _manage_url(second),
        },
    )
    assert response["Location"] == _manage_url(second)
    assert Registration.objects.get(session=second, agent=agent).is_mandatory


def test_only_coordinators_write_on_the_manage_page(coordinator, hr_viewer):
    trainer = UserFactory()
    session = open_session(coordinator, trainers=[trainer.agent])
    agent = AgentFactory()
    for user in (hr_viewer, trainer):
        client = _client(user)
        response = client.post(
            reverse("registrations:manage_add", args=[session.pk]),
            {"reference": f"{agent.organisation.code}/{agent.matricule}"},
        )
        assert response.status_code == 403
        response = client.post(
            reverse("registrations:waitlist_mode", args=[session.pk]),
            {"mode": "offer", "offer_hours": "12"},
        )
        assert response.status_code == 403
    assert not Registration.objects.exists()
    assert not SessionRegistrationSettings.objects.filter(
        session=session, waitlist_mode="offer"
    ).exists()


def test_agent_search_lists_matching_agents_to_register(coordinator):
    session = open_session(coordinator)
    target = AgentFactory(last_name="Zéphyrin")
    AgentFactory(last_name="Autre")
    response = _client(coordinator).get(_manage_url(session), {"q": "zéphyr"})
    assert [a.pk for a in response.context["results"]] == [target.pk]
    assert f'value="{target.organisation.code}/{target.matricule}"' in _text(response)


def test_coordinator_switches_the_waitlist_mode(coordinator):
    session = open_session(coordinator)
    url = reverse("registrations:waitlist_mode", args=[session.pk])
    client = _client(coordinator)
    response = client.post(url, {"mode": "offer", "offer_hours": "48"}, follow=True)
    assert "Mode de la liste d'attente enregistré." in _messages(response)
    options = SessionRegistrationSettings.objects.get(session=session)
    assert (options.waitlist_mode, options.offer_hours) == ("offer", 48)
    response = client.post(url, {"mode": "automatic", "offer_hours": "0"}, follow=True)
    assert any("Durée de l'offre" in m for m in _messages(response))
    response = client.post(url, {"mode": "n-importe", "offer_hours": "5"}, follow=True)
    options.refresh_from_db()
    assert (options.waitlist_mode, options.offer_hours) == ("offer", 48)


def test_coordinator_cancels_with_a_reason_and_returns_to_the_manage_page(coordinator):
    session = open_session(coordinator)
    member = UserFactory()
    registration = _signup(member, session, mandatory=False)
    url = reverse("registrations:cancel", args=[registration.pk])
    page = _client(coordinator).get(url, {"next": _manage_url(session)})
    assert f'name="next" value="{_manage_url(session)}"' in _text(page)
    response = _client(coordinator).post(
        url, {"reason": "Session réservée aux nouveaux arrivants", "next": _manage_url(session)}
    )
    assert response["Location"] == _manage_url(session)
    registration.refresh_from_db()
    assert registration.state == State.CANCELLED


def test_coordinator_approves_a_request_from_the_manage_page(coordinator, manager_with_team):
    _manager, (member, *_rest) = manager_with_team
    request = _request_from(member, coordinator)
    session = request.session
    content = _text(_client(coordinator).get(_manage_url(session)))
    assert reverse("registrations:approve", args=[request.pk]) in content
    response = _client(coordinator).post(
        reverse("registrations:approve", args=[request.pk]), {"next": _manage_url(session)}
    )
    assert response["Location"] == _manage_url(session)
    request.refresh_from_db()
    assert request.state == State.CONFIRMED


def test_scheduling_session_page_links_to_the_registrations(coordinator):
    session = open_session(coordinator)
    content = _text(_client(coordinator).get(reverse("sessions:detail", args=[session.pk])))
    assert _manage_url(session) in content


# --- CSV export -----------------------------------------------------------------------------------


def test_csv_export_has_bom_semicolons_and_every_column(coordinator):
    session = open_session(coordinator, capacity=1)
    department = DepartmentFactory(name="Direction des finances")
    seat = UserFactory(agent=AgentFactory(department=department, last_name="Martin"))
    _signup(seat, session)
    waiting_agent = AgentFactory(email="", last_name="=Sans")
    services.registration_create(
        actor=coordinator, session=session, agent=waiting_agent, mandatory=True
    )
    response = _client(coordinator).get(reverse("registrations:export_csv", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "nom",
        "prénom",
        "matricule",
        "structure",
        "service",
        "e-mail",
        "état",
        "position liste d'attente",
        "obligatoire",
        "inscrit par",
        "date",
    ]
    first, second = rows[1], rows[2]
    assert first[:3] == ["Martin", seat.agent.first_name, seat.agent.matricule]
    assert first[4] == "Direction des finances"
    assert first[5] == seat.agent.email
    assert first[6:9] == ["Confirmée", "", "non"]
    assert first[9] == seat.agent.full_name
    assert second[0] == "'=Sans"  # never run as a formula by a spreadsheet
    assert second[5] == "à prévenir par un autre moyen"
    assert second[6:9] == ["Liste d'attente", "1", "oui"]
    assert second[9] == coordinator.agent.full_name
    assert len(rows) == 3


def test_csv_export_by_role(coordinator, hr_viewer, agent_user):
    trainer = UserFactory()
    session = open_session(coordinator, trainers=[trainer.agent])
    url = reverse("registrations:export_csv", args=[session.pk])
    assert _client(hr_viewer).get(url).status_code == 200
    assert _client(trainer).get(url).status_code == 200
    assert _client(agent_user).get(url).status_code == 403


# --- Catalogue, home page, school settings -----------------------------------------------------


def test_course_page_has_a_sign_up_button_per_session_then_the_state(coordinator, agent_user):
    session = open_session(coordinator)
    url = reverse("portal:course_detail", args=[session.course.slug])
    client = _client(agent_user)
    content = _text(client.get(url))
    assert f'action="{_signup_url(session)}"' in content
    client.post(_signup_url(session))
    content = _text(client.get(url))
    assert f'action="{_signup_url(session)}"' not in content
    assert "Confirmée" in content


def test_home_shows_next_trainings_and_pending_approvals(coordinator, manager_with_team):
    manager, (member, *_rest) = manager_with_team
    session = open_session(coordinator)
    _signup(manager, session)
    _request_from(member, coordinator, day=future_day(55))
    content = _text(_client(manager).get(reverse("portal:home")))
    assert "Mes prochaines formations" in content
    assert session.course.title in content
    assert "1 demande d'inscription de votre équipe attend votre réponse." in content
    plain = _text(_client(member).get(reverse("portal:home")))
    assert "demande d'inscription de votre équipe" not in plain


def test_director_changes_the_school_settings_with_an_audit_row(director):
    url = reverse("core:school_settings")
    client = _client(director)
    assert client.get(url).status_code == 200
    response = client.post(url, {"waitlist_policy": "priority", "default_offer_hours": "36"})
    assert response.status_code == 302
    current = SchoolSettings.current()
    assert (current.waitlist_policy, current.default_offer_hours) == ("priority", 36)
    entry = AuditEntry.objects.get(action="school_settings.update")
    assert entry.changes["default_offer_hours"] == {"before": 24, "after": 36}


def test_school_settings_refuse_bad_input_and_other_roles(director, coordinator, agent_user):
    url = reverse("core:school_settings")
    response = _client(director).post(
        url, {"waitlist_policy": "priority", "default_offer_hours": "0"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["default_offer_hours"]
    assert SchoolSettings.current().waitlist_policy == "arrival"
    for user in (coordinator, agent_user):
        assert _client(user).get(url).status_code == 403
        assert _client(user).post(url, {"waitlist_policy": "priority"}).status_code == 403
    assert not AuditEntry.objects.filter(action="school_settings.update").exists()
