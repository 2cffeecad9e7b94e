"""Registration reads: waitlist numbering, the agent's page, the roster, agent look-ups."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from campus.catalog.search_text import fold
from campus.core.models import SchoolSettings
from campus.people.tests.factories import AgentFactory, OrganisationFactory, UserFactory
from campus.registrations import capacity, selectors, services
from campus.registrations.models import Attendance, Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling import services as scheduling_services
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.tests.factories import CourseFactory, future_day
from campus.scheduling.tests.factories import part as part_on

pytestmark = pytest.mark.django_db
State = Registration.State


def _sign(actor, session, agent, **kwargs) -> Registration:
    return services.registration_create(
        actor=actor, session=session, agent=agent, acknowledge_overlap=True, **kwargs
    ).registration


@pytest.mark.parametrize("policy", ["arrival", "priority"])
def test_waitlist_positions_agree_with_the_capacity_module(coordinator, policy):
    SchoolSettings.objects.update_or_create(pk=1, defaults={"waitlist_policy": policy})
    sessions = [open_session(coordinator, capacity=1) for _ in range(3)]
    waitlisted = []
    for session in sessions:
        _sign(coordinator, session, AgentFactory())
        waitlisted.append(_sign(coordinator, session, AgentFactory()))
        # Mandatory latecomers jump the queue under the priority policy only.
        waitlisted.append(_sign(coordinator, session, AgentFactory(), mandatory=True))
    positions = selectors.waitlist_positions(s.pk for s in sessions)
    assert len(positions) == len(waitlisted)
    for registration in waitlisted:
        assert positions[registration.pk] == capacity.waitlist_position(registration)
    mandatory_first = positions[waitlisted[1].pk] == 1
    assert mandatory_first is (policy == "priority")


def test_waitlist_positions_of_nothing_is_empty(db):
    assert selectors.waitlist_positions([]) == {}


def test_my_trainings_sorts_each_registration_once(coordinator):
    user = UserFactory()
    confirmed = _sign(user, open_session(coordinator, day=future_day(40)), user.agent)
    full = open_session(coordinator, capacity=1, day=future_day(41))
    _sign(coordinator, full, AgentFactory())
    waiting = _sign(user, full, user.agent)
    cancelled = _sign(user, open_session(coordinator, day=future_day(42)), user.agent)
    services.registration_cancel(actor=user, registration=cancelled, reason="Congés")
    result = selectors.my_trainings(user.agent, now=timezone.now())
    assert [r.pk for r in result.upcoming] == [confirmed.pk]
    assert [(r.pk, r.position) for r in result.waitlist] == [(waiting.pk, 1)]
    assert [(r.pk, r.reason) for r in result.history] == [(cancelled.pk, "Congés")]
    assert result.offers == result.requests == []
    assert result.history.paginator.count == 1


def _to_the_past(session, days: int = 10) -> None:
    shift = datetime.timedelta(days=days + (session.starts_at - timezone.now()).days + 1)
    for part in session.parts.all():
        SessionPart.objects.filter(pk=part.pk).update(
            date=part.date - shift, starts_at=part.starts_at - shift, ends_at=part.ends_at - shift
        )
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
    )


def test_my_trainings_pairs_each_part_of_an_attended_session_with_its_attendance(coordinator):
    user = UserFactory()
    session = open_session(coordinator, day=future_day(40))
    registration = _sign(user, session, user.agent)
    _to_the_past(session)
    part = session.parts.get()
    Attendance.objects.create(
        registration=registration, part=part, status=Attendance.Status.EXCUSED
    )
    unmarked = _sign(user, open_session(coordinator, day=future_day(41)), user.agent)
    _to_the_past(unmarked.session, days=20)
    result = selectors.my_trainings(user.agent, now=timezone.now())
    assert result.upcoming == []
    first, second = result.history
    assert (first.pk, second.pk) == (registration.pk, unmarked.pk)
    (row,) = first.part_rows
    part.refresh_from_db()
    assert (row.date, row.start_time) == (part.date, part.start_time)
    assert (row.status, row.status_label) == (Attendance.Status.EXCUSED, "Absent excusé")
    assert [(r.status, r.status_label) for r in second.part_rows] == [(None, "")]


def test_my_trainings_pages_the_history_most_recent_first(coordinator, monkeypatch):
    monkeypatch.setattr(selectors, "HISTORY_PAGE_SIZE", 3)
    user = UserFactory()
    ended = []
    for days in range(40, 47):
        registration = _sign(user, open_session(coordinator, day=future_day(days)), user.agent)
        services.registration_cancel(actor=user, registration=registration, reason=f"r{days}")
        ended.append(registration)
    current = _sign(user, open_session(coordinator, day=future_day(50)), user.agent)
    newest_first = [r.pk for r in reversed(ended)]

    def page(number):
        return selectors.my_trainings(user.agent, now=timezone.now(), history_page=number)

    first = page(1)
    assert [r.pk for r in first.upcoming] == [current.pk]
    assert first.history.paginator.count == 7
    assert first.history.paginator.num_pages == 3
    assert [r.pk for r in first.history] == newest_first[:3]
    assert [r.reason for r in first.history] == ["r46", "r45", "r44"]
    assert [r.pk for r in page("2").history] == newest_first[3:6]
    assert [r.pk for r in page(3).history] == newest_first[6:]
    # A page that does not exist shows the nearest one rather than an error.
    assert [r.pk for r in page("abc").history] == newest_first[:3]
    assert [r.pk for r in page(99).history] == newest_first[6:]


def test_team_trainings_pages_the_past_with_attendance_figures(coordinator, monkeypatch):
    monkeypatch.setattr(selectors, "TEAM_PAST_PAGE_SIZE", 2)
    manager = UserFactory()
    members = [AgentFactory(manager=manager.agent) for _ in range(2)]
    attended = []
    for days, agent in zip(range(40, 45), [*members, *members, members[0]], strict=True):
        session = open_session(coordinator, day=future_day(days))
        registration = _sign(coordinator, session, agent)
        _to_the_past(session, days=60 - days)
        attended.append(registration)
    Attendance.objects.create(
        registration=attended[-1],
        part=attended[-1].session.parts.get(),
        status=Attendance.Status.PRESENT,
    )
    ids = [m.pk for m in members]
    first = selectors.team_trainings(ids, now=timezone.now()).past
    assert first.paginator.count == 5
    assert [r.pk for r in first] == [attended[-1].pk, attended[-2].pk]
    newest = first[0]
    assert (newest.parts_count, newest.marked_count, newest.present_count) == (1, 1, 1)
    assert (first[1].parts_count, first[1].marked_count, first[1].present_count) == (1, 0, 0)
    last = selectors.team_trainings(ids, now=timezone.now(), past_page=3).past
    assert [r.pk for r in last] == [attended[0].pk]


def test_sessions_for_team_signup_lists_the_next_or_the_matching_ones(coordinator, monkeypatch):
    monkeypatch.setattr(selectors, "TEAM_SIGNUP_SESSIONS_LIMIT", 2)
    excel = CourseFactory(title="Tableur Excel", search_text=fold("Tableur Excel"))
    ecrit = CourseFactory(title="Écrits professionnels", search_text=fold("Écrits professionnels"))
    late = open_session(coordinator, course=excel, day=future_day(60))
    soon = open_session(coordinator, course=ecrit, day=future_day(40))
    sooner = open_session(coordinator, course=excel, day=future_day(35))
    draft_course = CourseFactory(title="Écrits brouillon", search_text=fold("Écrits brouillon"))
    scheduling_services.session_create(
        actor=coordinator, course=draft_course, parts=[part_on(future_day(36))], capacity=3
    )
    now = timezone.now()
    assert selectors.sessions_for_team_signup(now=now) == [sooner, soon]
    assert selectors.sessions_for_team_signup(now=now, text="EXCEL") == [sooner, late]
    assert selectors.sessions_for_team_signup(now=now, text="ecrits pro") == [soon]
    assert selectors.sessions_for_team_signup(now=now, text="brouillon") == []
    assert selectors.open_session_for_signup(late.pk, now=now) == late
    _to_the_past(late)
    assert selectors.open_session_for_signup(late.pk, now=now) is None


def test_session_roster_splits_the_registrations(coordinator):
    session = open_session(coordinator, capacity=1)
    seat = _sign(coordinator, session, AgentFactory())
    waiting = _sign(coordinator, session, AgentFactory(email=""))
    gone = _sign(coordinator, session, AgentFactory())
    services.registration_cancel(actor=coordinator, registration=gone, reason="Doublon")
    roster = selectors.session_roster(session)
    assert [r.pk for r in roster.participants] == [seat.pk]
    assert [(r.pk, r.position) for r in roster.waitlist] == [(waiting.pk, 1)]
    assert [(r.pk, r.reason) for r in roster.ended] == [(gone.pk, "Doublon")]
    assert [r.pk for r in roster.without_email] == [waiting.pk]
    assert roster.confirmed_count == 1


def test_session_roster_describes_each_row(coordinator):
    session = open_session(coordinator, capacity=1)
    manager = AgentFactory(first_name="Paule", last_name="Chef")
    seat = _sign(coordinator, session, AgentFactory(first_name="Léa", last_name="Fontaine"))
    waiting = _sign(coordinator, session, AgentFactory(), mandatory=True)
    approval = open_session(coordinator, course=CourseFactory(requires_manager_approval=True))
    requester = UserFactory(agent=AgentFactory(manager=manager))
    request = _sign(requester, approval, requester.agent)
    (row,) = selectors.session_roster(session).participants
    agent = seat.agent
    assert row.agent_name == "FONTAINE Léa"
    assert row.agent_reference == f"{agent.organisation.code.upper()}/{agent.matricule}"
    assert (row.organisation_name, row.department_name) == (agent.organisation.name, "")
    assert (row.state_label, row.state_badge) == ("Confirmée", "badge badge-ok")
    assert row.created_by_label == coordinator.agent.full_name
    local = timezone.localtime(seat.created_at)
    assert row.date_label == local.strftime("%d/%m/%Y %H:%M")
    (queued,) = selectors.session_roster(session).waitlist
    assert queued.pk == waiting.pk
    assert queued.date_label == timezone.localtime(waiting.queued_at).strftime("%d/%m/%Y %H:%M")
    (pending,) = selectors.session_roster(approval).pending
    assert (pending.pk, pending.manager_name) == (request.pk, "Paule CHEF")


@pytest.mark.parametrize("policy", ["arrival", "priority"])
def test_session_roster_orders_the_waitlist_as_the_capacity_module(coordinator, policy):
    SchoolSettings.objects.update_or_create(pk=1, defaults={"waitlist_policy": policy})
    session = open_session(coordinator, capacity=1)
    _sign(coordinator, session, AgentFactory(last_name="Zola"))
    for name, mandatory in (("Martin", False), ("Bernard", False), ("Arnaud", True)):
        _sign(coordinator, session, AgentFactory(last_name=name), mandatory=mandatory)
    expected = list(capacity.waitlist_queryset(session).values_list("id", flat=True))
    waitlist = selectors.session_roster(session).waitlist
    assert [r.pk for r in waitlist] == expected
    assert [r.position for r in waitlist] == [1, 2, 3]


def test_roster_rows_hold_plain_text_and_say_until_when_an_offer_is_kept(coordinator):
    session = open_session(coordinator, capacity=1)
    seat = _sign(coordinator, session, AgentFactory(last_name="<b>Zorro</b>", email=""))
    expires = timezone.now() + datetime.timedelta(days=1)
    (row,) = selectors.session_roster(session).participants
    assert row.offer_until_label == ""
    Registration.objects.filter(pk=seat.pk).update(state=State.OFFERED, offer_expires_at=expires)
    (row,) = selectors.session_roster(session).participants
    # Text, not markup: the templates escape it.
    assert row.agent_name == "<B>ZORRO</B> " + seat.agent.first_name
    assert row.offer_until_label == date_format(timezone.localtime(expires), "j F à H:i")


def test_current_registration_prefers_the_live_one(coordinator, agent_user):
    session = open_session(coordinator)
    first = _sign(agent_user, session, agent_user.agent)
    services.registration_cancel(actor=agent_user, registration=first)
    assert selectors.current_registration(session, agent_user.agent).pk == first.pk
    second = _sign(agent_user, session, agent_user.agent)
    assert selectors.current_registration(session, agent_user.agent).pk == second.pk


def test_agent_by_reference_is_case_insensitive_and_ignores_inactive_agents(db):
    organisation = OrganisationFactory(code="ville")
    agent = AgentFactory(organisation=organisation, matricule="A0042")
    AgentFactory(organisation=organisation, matricule="B0001", is_active=False)
    assert selectors.agent_by_reference(" VILLE / a0042 ") == agent
    assert selectors.agent_by_reference("ville/B0001") is None
    assert selectors.agent_by_reference("ville") is None
    assert selectors.agent_by_reference("/A0042") is None


def test_agent_search_needs_every_word(db):
    target = AgentFactory(first_name="Léa", last_name="Fontaine")
    AgentFactory(first_name="Léa", last_name="Rivière")
    assert selectors.agent_search("léa fontaine") == [target]
    assert selectors.agent_search("   ") == []


def test_team_pending_count_counts_requests_only(coordinator):
    manager = UserFactory()
    member = UserFactory(agent=AgentFactory(manager=manager.agent))
    _sign(member, open_session(coordinator), member.agent)
    approval = open_session(coordinator, course=CourseFactory(requires_manager_approval=True))
    assert _sign(member, approval, member.agent).state == State.REQUESTED
    assert selectors.team_pending_count([member.agent.pk]) == 1
    assert selectors.team_pending_count([manager.agent.pk]) == 0


def _order_positions(session) -> dict[int, int]:
    """Positions read off the one ordering definition, `capacity.waitlist_queryset`."""
    ids = capacity.waitlist_queryset(session).values_list("id", flat=True)
    return {pk: index for index, pk in enumerate(ids, start=1)}


@pytest.mark.parametrize("policy", ["arrival", "priority"])
def test_waitlist_position_matches_the_waitlist_order_even_with_equal_arrival_times(
    coordinator, policy
):
    SchoolSettings.objects.update_or_create(pk=1, defaults={"waitlist_policy": policy})
    session = open_session(coordinator, capacity=1)
    same_moment = timezone.now()
    _sign(coordinator, session, AgentFactory(), now=same_moment)
    waiting = [
        _sign(coordinator, session, AgentFactory(), now=same_moment, mandatory=i % 3 == 2)
        for i in range(6)
    ]
    # Another session's waitlist must not count.
    other = open_session(coordinator, capacity=1)
    for _ in range(2):
        _sign(coordinator, other, AgentFactory(), now=same_moment)
    services.registration_cancel(actor=coordinator, registration=waiting[1])
    waiting[1].refresh_from_db()

    expected = _order_positions(session)
    assert sorted(expected.values()) == list(range(1, 6))
    for registration in waiting:
        assert capacity.waitlist_position(registration) == expected.get(registration.pk)
    assert capacity.waitlist_position(waiting[1]) is None


def test_the_arrival_order_position_costs_the_same_whatever_the_waitlist_length(
    coordinator, django_assert_max_num_queries
):
    SchoolSettings.objects.update_or_create(pk=1, defaults={"waitlist_policy": "arrival"})
    session = open_session(coordinator, capacity=1)
    _sign(coordinator, session, AgentFactory())
    waiting = [_sign(coordinator, session, AgentFactory()) for _ in range(30)]
    # The school settings and one COUNT, not the list of ids.
    with django_assert_max_num_queries(2):
        assert capacity.waitlist_position(waiting[-1]) == 30
    with django_assert_max_num_queries(2):
        assert capacity.waitlist_position(waiting[0]) == 1
