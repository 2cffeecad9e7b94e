"""The seat module's shortcuts agree with the long way round."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campus.core.models import SchoolSettings
from campus.people.tests.factories import UserFactory
from campus.registrations import capacity, services
from campus.registrations.models import Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling.models import TrainingSession

State = Registration.State


def _signup(user, session) -> Registration:
    return services.registration_create(actor=user, session=session, agent=user.agent).registration


@pytest.mark.django_db
def test_tally_counts_what_the_orm_counts(coordinator):
    session = open_session(coordinator, capacity=3)
    services.session_waitlist_mode_set(
        actor=coordinator, session=session, mode="offer", offer_hours=2
    )
    regs = [_signup(UserFactory(), session) for _ in range(6)]
    services.registration_cancel(actor=coordinator, registration=regs[0], reason="Empêchement")
    # regs[3] now holds an offer; make it stale an hour ago.
    Registration.objects.filter(pk=regs[3].pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    now = timezone.now()
    counts = capacity.tally(session.pk, now)
    regs_of = Registration.objects.filter(session=session)
    assert counts.used == regs_of.filter(state__in=Registration.SEAT_STATES).count() == 3
    assert counts.waiting == regs_of.filter(state=State.WAITLISTED).count() == 2
    assert counts.stale_offers == 1
    assert capacity.tally(session.pk + 1000, now) == capacity.Tally(0, 0, 0)


@pytest.mark.django_db
def test_every_reading_of_the_seats_agrees(coordinator):
    """The lock's tally, the pages' annotation and the lists' grouped count: one definition."""
    full = open_session(coordinator, capacity=2)
    partly = open_session(coordinator, capacity=5)
    empty = open_session(coordinator, capacity=4)
    for session, signups in ((full, 4), (partly, 2)):
        for _ in range(signups):
            _signup(UserFactory(), session)
    sessions = [full, partly, empty]
    annotated = {
        s.pk: s.seats_left
        for s in capacity.with_seats_left(
            TrainingSession.objects.filter(pk__in=[s.pk for s in sessions])
        )
    }
    grouped = capacity.seats_left_by_session({s.pk: s.capacity for s in sessions})
    now = timezone.now()
    tallied = {s.pk: max(0, s.capacity - capacity.tally(s.pk, now).used) for s in sessions}
    assert annotated == grouped == tallied == {full.pk: 0, partly.pk: 3, empty.pk: 4}


@pytest.mark.django_db
def test_the_stale_offer_counted_by_the_tally_is_passed_on(coordinator):
    session = open_session(coordinator, capacity=1)
    services.session_waitlist_mode_set(
        actor=coordinator, session=session, mode="offer", offer_hours=2
    )
    first, second, third = (_signup(UserFactory(), session) for _ in range(3))
    services.registration_cancel(actor=coordinator, registration=first, reason="Empêchement")
    second.refresh_from_db()
    assert second.state == State.OFFERED
    Registration.objects.filter(pk=second.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    _signup(UserFactory(), session)  # any move under the lock expires the stale offer
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.state == State.CANCELLED
    assert third.state == State.OFFERED


@pytest.mark.django_db
@pytest.mark.parametrize("policy", ["arrival", "priority"])
def test_the_position_given_at_sign_up_is_the_waitlist_position(coordinator, policy):
    settings = SchoolSettings.current()
    settings.waitlist_policy = policy
    settings.save()
    session = open_session(coordinator, capacity=1)
    regs = [_signup(UserFactory(), session) for _ in range(5)]
    for reg in regs[1:]:
        told = getattr(reg, "position", None)
        actual = capacity.waitlist_position(reg)
        # Under the priority policy the count is not the position: it is read from the list.
        assert told in (None, actual)
        if policy == "arrival":
            assert told == actual


@pytest.mark.django_db
def test_the_sign_up_message_gives_the_waitlist_position(client, coordinator):
    session = open_session(coordinator, capacity=1)
    _signup(UserFactory(), session)
    _signup(UserFactory(), session)
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("registrations:signup", args=[session.pk]), follow=True, secure=True
    )
    assert "en position 2" in response.content.decode()


@pytest.mark.django_db
def test_signing_up_to_a_missing_or_draft_session_is_a_404(client, coordinator):
    user = UserFactory()
    other = UserFactory()
    client.force_login(user)
    missing = reverse("registrations:signup", args=[999_999])
    assert client.post(missing, secure=True).status_code == 404
    # Even when the agent named is not one the user may sign up.
    assert client.post(missing, {"agent": other.agent.pk}, secure=True).status_code == 404
    draft = open_session(coordinator, capacity=3)
    TrainingSession.objects.filter(pk=draft.pk).update(status=TrainingSession.Status.DRAFT)
    url = reverse("registrations:signup", args=[draft.pk])
    assert client.post(url, secure=True).status_code == 404
    assert not Registration.objects.filter(session=draft).exists()
