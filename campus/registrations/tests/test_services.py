"""Registration services: seats, waitlist, approval, offers, rules, history."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from campus.catalog.models import Course
from campus.core.exceptions import DomainError, NotAllowed
from campus.core.models import AuditEntry, SchoolSettings
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import capacity, lifecycle, services
from campus.registrations.models import (
    Attendance,
    Registration,
    RegistrationEvent,
    SessionRegistrationSettings,
)
from campus.registrations.tests.factories import open_session
from campus.scheduling import services as scheduling_services
from campus.scheduling.tests.factories import CourseFactory, future_day

State = Registration.State
pytestmark = pytest.mark.django_db


def _users(n: int) -> list[User]:
    return [UserFactory() for _ in range(n)]


def _signup(user: User, session) -> Registration:
    return services.registration_create(actor=user, session=session, agent=user.agent).registration


def test_signups_fill_seats_then_the_waitlist_in_arrival_order(coordinator):
    session = open_session(coordinator, capacity=2)
    users = _users(4)
    regs = [_signup(u, session) for u in users]
    assert [r.state for r in regs] == [
        State.CONFIRMED,
        State.CONFIRMED,
        State.WAITLISTED,
        State.WAITLISTED,
    ]
    assert capacity.waitlist_position(regs[2]) == 1
    assert capacity.waitlist_position(regs[3]) == 2
    assert RegistrationEvent.objects.filter(
        registration=regs[0], from_state="", to_state=State.CONFIRMED
    ).exists()
    assert AuditEntry.objects.filter(action="registration.create").count() == 4


def test_cancellation_promotes_the_first_waitlisted_in_the_same_transaction(coordinator):
    session = open_session(coordinator, capacity=1)
    first, second, third = _users(3)
    r1, r2, r3 = (_signup(u, session) for u in (first, second, third))
    outcome = services.registration_cancel(actor=first, registration=r1, reason="Empêchement")
    r2.refresh_from_db()
    r3.refresh_from_db()
    assert r2.state == State.CONFIRMED
    assert r3.state == State.WAITLISTED
    assert [r.pk for r in outcome.promoted] == [r2.pk]
    assert capacity.seats_used(session.pk) == 1


def test_one_live_registration_per_agent_and_session(coordinator, agent_user):
    session = open_session(coordinator)
    _signup(agent_user, session)
    with pytest.raises(DomainError) as excinfo:
        _signup(agent_user, session)
    assert excinfo.value.code == "registration.already_registered"
    assert Registration.objects.filter(session=session).count() == 1


def test_an_agent_cannot_sign_up_someone_else(coordinator, agent_user):
    session = open_session(coordinator)
    other = AgentFactory()
    with pytest.raises(NotAllowed):
        services.registration_create(actor=agent_user, session=session, agent=other)


def test_manager_signs_up_a_team_member_and_is_recorded(coordinator, manager_with_team):
    manager, reports = manager_with_team
    session = open_session(coordinator)
    reg = services.registration_create(
        actor=manager, session=session, agent=reports[0].agent
    ).registration
    assert reg.state == State.CONFIRMED
    assert reg.created_by == manager


def test_manager_approval_flow(coordinator, manager_with_team):
    manager, reports = manager_with_team
    course = CourseFactory(status=Course.Status.PUBLISHED, requires_manager_approval=True)
    session = open_session(coordinator, capacity=1, course=course)
    member = reports[0]
    reg = _signup(member, session)
    assert reg.state == State.REQUESTED
    assert capacity.seats_used(session.pk) == 0  # requests hold no seat
    with pytest.raises(NotAllowed):
        services.registration_approve(actor=reports[1], registration=reg)
    services.registration_approve(actor=manager, registration=reg)
    reg.refresh_from_db()
    assert reg.state == State.CONFIRMED
    other = _signup(reports[1], session)
    with pytest.raises(DomainError) as excinfo:
        services.registration_decline(actor=manager, registration=other, reason=" ")
    assert excinfo.value.code == "approval.reason_required"
    services.registration_decline(actor=manager, registration=other, reason="Charge de travail")
    other.refresh_from_db()
    assert other.state == State.DECLINED
    assert other.events.last().reason == "Charge de travail"


def test_pending_requests_are_declined_when_registration_closes(coordinator, manager_with_team):
    _manager, reports = manager_with_team
    course = CourseFactory(status=Course.Status.PUBLISHED, requires_manager_approval=True)
    day = future_day(20)
    closes = timezone.make_aware(
        datetime.datetime.combine(day - datetime.timedelta(days=5), datetime.time(12))
    )
    session = open_session(coordinator, course=course, day=day, registration_closes_at=closes)
    reg = _signup(reports[0], session)
    assert (
        services.pending_requests_decline_after_close(now=closes - datetime.timedelta(hours=1)) == 0
    )
    assert (
        services.pending_requests_decline_after_close(now=closes + datetime.timedelta(hours=1)) == 1
    )
    reg.refresh_from_db()
    assert reg.state == State.DECLINED


def test_offer_mode_offers_the_seat_then_passes_it_on(coordinator):
    session = open_session(coordinator, capacity=1)
    services.session_waitlist_mode_set(
        actor=coordinator,
        session=session,
        mode=SessionRegistrationSettings.Mode.OFFER,
        offer_hours=24,
    )
    a, b, c = _users(3)
    ra, rb, rc = (_signup(u, session) for u in (a, b, c))
    services.registration_cancel(actor=a, registration=ra)
    rb.refresh_from_db()
    assert rb.state == State.OFFERED
    assert rb.offer_expires_at is not None
    later = rb.offer_expires_at + datetime.timedelta(minutes=1)
    assert services.offers_expire(now=later) >= 1
    rb.refresh_from_db()
    rc.refresh_from_db()
    assert rb.state == State.CANCELLED
    assert rc.state == State.OFFERED
    services.offer_accept(actor=c, registration=rc, now=later)
    rc.refresh_from_db()
    assert rc.state == State.CONFIRMED


def test_expired_offer_cannot_be_accepted(coordinator):
    session = open_session(coordinator, capacity=1)
    services.session_waitlist_mode_set(
        actor=coordinator, session=session, mode="offer", offer_hours=2
    )
    a, b = _users(2)
    ra, rb = _signup(a, session), _signup(b, session)
    services.registration_cancel(actor=a, registration=ra)
    rb.refresh_from_db()
    with pytest.raises(DomainError) as excinfo:
        services.offer_accept(
            actor=b, registration=rb, now=rb.offer_expires_at + datetime.timedelta(seconds=1)
        )
    assert excinfo.value.code == "offer.expired"


def test_mandatory_registration_cannot_be_cancelled_by_the_agent(coordinator, agent_user):
    session = open_session(coordinator)
    reg = services.registration_create(
        actor=coordinator, session=session, agent=agent_user.agent, mandatory=True
    ).registration
    with pytest.raises(DomainError) as excinfo:
        services.registration_cancel(actor=agent_user, registration=reg)
    assert excinfo.value.code == "registration.mandatory"
    services.registration_cancel(actor=coordinator, registration=reg, reason="Changement")
    reg.refresh_from_db()
    assert reg.state == State.CANCELLED


def test_only_the_coordinator_makes_a_registration_mandatory(coordinator, manager_with_team):
    manager, reports = manager_with_team
    session = open_session(coordinator)
    with pytest.raises(NotAllowed):
        services.registration_create(
            actor=manager, session=session, agent=reports[0].agent, mandatory=True
        )


def test_cancellation_deadline_applies_to_agents_not_to_the_coordinator(coordinator, agent_user):
    day = future_day(10)
    deadline = timezone.make_aware(
        datetime.datetime.combine(day - datetime.timedelta(days=3), datetime.time(9))
    )
    session = open_session(coordinator, day=day, cancellation_deadline=deadline)
    reg = _signup(agent_user, session)
    with pytest.raises(DomainError) as excinfo:
        services.registration_cancel(
            actor=agent_user, registration=reg, now=deadline + datetime.timedelta(hours=1)
        )
    assert excinfo.value.code == "registration.cancel_deadline_passed"
    services.registration_cancel(
        actor=coordinator, registration=reg, now=deadline + datetime.timedelta(hours=1)
    )


def test_registration_window(coordinator, agent_user):
    day = future_day(30)
    opens = timezone.now() + datetime.timedelta(days=2)
    session = open_session(coordinator, day=day, registration_opens_at=opens)
    with pytest.raises(DomainError) as excinfo:
        _signup(agent_user, session)
    assert excinfo.value.code == "registration.window_not_open"
    assert not Registration.objects.exists()
    # the coordinator may register someone before the window opens
    services.registration_create(actor=coordinator, session=session, agent=agent_user.agent)


def test_audience_refusal_is_the_reason_given(coordinator, agent_user):
    course = CourseFactory(
        status=Course.Status.PUBLISHED,
        audience=Course.Audience.RESTRICTED,
        audience_managers_only=True,
    )
    session = open_session(coordinator, course=course)
    with pytest.raises(DomainError) as excinfo:
        _signup(agent_user, session)
    assert excinfo.value.code == "audience.managers_only"


def test_overlap_is_a_warning_the_agent_confirms(coordinator, agent_user):
    day = future_day(12)
    s1 = open_session(coordinator, day=day, start="09:00", end="12:00")
    s2 = open_session(coordinator, day=day, start="11:00", end="13:00")
    _signup(agent_user, s1)
    with pytest.raises(services.OverlapWarning) as info:
        _signup(agent_user, s2)
    assert info.value.overlapping
    assert Registration.objects.filter(session=s2).count() == 0
    reg = services.registration_create(
        actor=agent_user, session=s2, agent=agent_user.agent, acknowledge_overlap=True
    ).registration
    assert reg.overlap_acknowledged


def test_overlap_check_is_cheap_and_ignores_touching_sessions_and_waitlist_places(
    coordinator, agent_user, django_assert_num_queries
):
    from campus.registrations import rules

    day = future_day(12)
    morning = open_session(coordinator, day=day, start="09:00", end="12:00")
    afternoon = open_session(coordinator, day=day, start="12:00", end="14:00")  # touches only
    full = open_session(coordinator, capacity=1, day=day, start="08:00", end="10:00")
    lunch = open_session(coordinator, day=day, start="11:30", end="12:30")
    _signup(UserFactory(), full)
    _signup(agent_user, afternoon)
    waiting = _signup(agent_user, full)
    assert waiting.state == State.WAITLISTED  # holds no seat: not an overlap
    agent = agent_user.agent
    # Nothing held elsewhere (the common case, and every sign-up of a rush): one query.
    with django_assert_num_queries(1):
        assert rules.overlapping_registrations(session=afternoon, agent=agent) == []
    with django_assert_num_queries(2):
        assert rules.overlapping_registrations(session=morning, agent=agent) == []
    reg = services.registration_create(
        actor=agent_user, session=lunch, agent=agent, acknowledge_overlap=True
    ).registration
    with django_assert_num_queries(3):
        assert rules.overlapping_registrations(session=morning, agent=agent) == [reg]
    # Its own registration never counts as an overlap with itself.
    assert rules.overlapping_registrations(session=lunch, agent=agent) == [
        Registration.objects.get(session=afternoon)
    ]


def test_raising_capacity_promotes_and_lowering_below_seats_is_refused(coordinator):
    session = open_session(coordinator, capacity=1)
    a, b, c = _users(3)
    _signup(a, session)
    rb, rc = _signup(b, session), _signup(c, session)
    parts = [
        scheduling_services.PartInput(
            date=p.date, start_time=p.start_time, end_time=p.end_time, room=p.room, part_id=p.pk
        )
        for p in session.parts.all()
    ]
    lifecycle.session_update(actor=coordinator, session=session, parts=parts, capacity=2)
    rb.refresh_from_db()
    rc.refresh_from_db()
    assert (rb.state, rc.state) == (State.CONFIRMED, State.WAITLISTED)
    with pytest.raises(DomainError) as excinfo:
        lifecycle.session_update(actor=coordinator, session=session, parts=parts, capacity=1)
    assert excinfo.value.code == "session.capacity_below_seats_used"
    session.refresh_from_db()
    assert session.capacity == 2


def test_session_cancellation_cancels_every_live_registration(coordinator):
    session = open_session(coordinator, capacity=1)
    regs = [_signup(u, session) for u in _users(2)]
    lifecycle.session_cancel(actor=coordinator, session=session, reason="Formateur malade")
    states = {r.state for r in Registration.objects.filter(pk__in=[r.pk for r in regs])}
    assert states == {State.SESSION_CANCELLED}
    assert (
        RegistrationEvent.objects.filter(
            to_state=State.SESSION_CANCELLED, reason="Formateur malade"
        ).count()
        == 2
    )


def test_priority_policy_orders_mandatory_then_newcomers_then_arrival(coordinator):
    settings = SchoolSettings.current()
    settings.waitlist_policy = SchoolSettings.WaitlistPolicy.PRIORITY
    settings.save()
    course = CourseFactory(status=Course.Status.PUBLISHED)
    past = open_session(coordinator, course=course, day=future_day(5))
    veteran, newcomer, forced, holder = _users(4)
    past_reg = _signup(veteran, past)
    Attendance.objects.create(
        registration=past_reg, part=past.parts.first(), status=Attendance.Status.PRESENT
    )
    session = open_session(coordinator, capacity=1, course=course, day=future_day(40))
    _signup(holder, session)
    r_veteran = _signup(veteran, session)
    r_newcomer = _signup(newcomer, session)
    r_forced = services.registration_create(
        actor=coordinator, session=session, agent=forced.agent, mandatory=True
    ).registration
    order = list(capacity.waitlist_queryset(session).values_list("id", flat=True))
    assert order == [r_forced.pk, r_newcomer.pk, r_veteran.pk]
    arrival = list(
        capacity.waitlist_queryset(session, policy="arrival").values_list("id", flat=True)
    )
    assert arrival == [r_veteran.pk, r_newcomer.pk, r_forced.pk]


def test_history_is_append_only(coordinator, agent_user):
    session = open_session(coordinator)
    reg = _signup(agent_user, session)
    event = reg.events.get()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        RegistrationEvent.objects.filter(pk=event.pk).update(reason="x")


@pytest.mark.django_db
def test_a_registration_keeps_how_it_came(coordinator):
    session = open_session(coordinator, capacity=3)
    user = UserFactory()
    outcome = services.registration_create(
        actor=coordinator, session=session, agent=user.agent, source=Registration.Source.POLL
    )
    assert outcome.registration.source == Registration.Source.POLL
    other = UserFactory()
    default = services.registration_create(actor=other, session=session, agent=other.agent)
    assert default.registration.source == Registration.Source.SIGNUP
    with pytest.raises(ValueError, match="Unknown registration source"):
        services.registration_create(
            actor=coordinator, session=session, agent=UserFactory().agent, source="carrier pigeon"
        )
