"""Registration reads: waitlist numbering, the agent's page, the roster, agent look-ups."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campus.core.models import SchoolSettings
from campus.people.tests.factories import AgentFactory, OrganisationFactory, UserFactory
from campus.registrations import capacity, selectors, services
from campus.registrations.models import Attendance, Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling.tests.factories import CourseFactory, future_day

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
    assert [row.attendance for row in result.upcoming[0].part_rows] == [None]


def test_my_trainings_pairs_each_part_with_its_attendance(coordinator):
    user = UserFactory()
    session = open_session(coordinator)
    registration = _sign(user, session, user.agent)
    part = session.parts.get()
    Attendance.objects.create(
        registration=registration, part=part, status=Attendance.Status.EXCUSED
    )
    result = selectors.my_trainings(user.agent, now=timezone.now())
    (row,) = result.upcoming[0].part_rows
    assert row.part == part
    assert row.attendance.status == Attendance.Status.EXCUSED


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
