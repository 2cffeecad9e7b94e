"""A programmed session's life: publication, edit (and resize), cancellation."""

from __future__ import annotations

import datetime

import pytest

from campus.core.exceptions import DomainError
from campus.core.models import AuditEntry
from campus.people.tests.factories import AgentFactory
from campus.registrations import lifecycle
from campus.scheduling import services
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.tests.factories import (
    NOW,
    PARIS,
    TUE,
    RoomFactory,
    counts,
    create,
    part,
    series,
    t,
)


@pytest.mark.django_db
def test_back_to_back_and_cancelled_sessions_do_not_clash(coordinator):
    room = RoomFactory()
    trainer = AgentFactory()
    create(coordinator, trainers=[trainer], parts=[part(TUE, "09:00", "12:15", room)])
    create(coordinator, trainers=[trainer], parts=[part(TUE, "12:15", "13:00", room)])
    cancelled = create(coordinator, parts=[part(TUE, "14:00", "15:00", room)]).session
    lifecycle.session_cancel(actor=coordinator, session=cancelled, reason="Animateur malade")
    result = create(coordinator, trainers=[trainer], parts=[part(TUE, "14:00", "15:00", room)])
    assert result.session.pk is not None
    assert TrainingSession.objects.count() == 4


@pytest.mark.django_db
def test_update_edits_parts_in_place_adds_and_removes_and_resyncs_bounds(coordinator):
    room = RoomFactory()
    session = create(
        coordinator, parts=[part(TUE, "09:00", "12:00", room), part(TUE, "14:00", "17:00", room)]
    ).session
    morning, afternoon = session.parts.order_by("starts_at")
    wed = TUE + datetime.timedelta(days=1)
    result = lifecycle.session_update(
        actor=coordinator,
        session=session,
        capacity=10,
        now=NOW,
        parts=[
            part(TUE, "09:30", "12:00", room, part_id=morning.pk),
            part(wed, "09:00", "12:00", room),
        ],
    )
    session.refresh_from_db()
    parts = list(session.parts.order_by("starts_at"))
    assert next(p.pk for p in parts) == morning.pk
    assert not SessionPart.objects.filter(pk=afternoon.pk).exists()
    assert parts[0].start_time == t("09:30")
    assert parts[1].date == wed
    assert session.starts_at == datetime.datetime(2026, 9, 1, 9, 30, tzinfo=PARIS)
    assert session.ends_at == datetime.datetime(2026, 9, 2, 12, 0, tzinfo=PARIS)
    assert session.capacity == 10
    assert result.warnings == []
    assert AuditEntry.objects.filter(action="session.update", object_id=str(session.pk)).exists()


@pytest.mark.django_db
def test_update_does_not_clash_with_itself_and_refuses_bad_input(coordinator):
    room = RoomFactory()
    session = create(coordinator, parts=[part(TUE, "09:00", "12:00", room)]).session
    p = session.parts.get()
    lifecycle.session_update(
        actor=coordinator,
        session=session,
        capacity=12,
        now=NOW,
        parts=[part(TUE, "09:00", "12:30", room, part_id=p.pk)],
    )
    before = counts()
    with pytest.raises(DomainError) as excinfo:
        lifecycle.session_update(
            actor=coordinator,
            session=session,
            capacity=0,
            now=NOW,
            parts=[part(TUE, "10:00", "11:00", room, part_id=p.pk)],
        )
    assert excinfo.value.code == "session.invalid_capacity"
    assert counts() == before
    p.refresh_from_db()
    assert p.end_time == t("12:30")


@pytest.mark.django_db
def test_open_publishes_a_draft_once(coordinator):
    session = create(coordinator).session
    lifecycle.session_open(actor=coordinator, session=session, now=NOW)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.OPEN
    with pytest.raises(DomainError) as excinfo:
        lifecycle.session_open(actor=coordinator, session=session, now=NOW)
    assert excinfo.value.code == "session.not_draft"


@pytest.mark.django_db
def test_cancel_needs_a_reason_and_keeps_it(coordinator):
    session = create(coordinator).session
    before = counts()
    for reason in ("", "   "):
        with pytest.raises(DomainError) as excinfo:
            lifecycle.session_cancel(actor=coordinator, session=session, reason=reason)
        assert excinfo.value.code == "session.cancel_reason_required"
    assert counts() == before
    lifecycle.session_cancel(actor=coordinator, session=session, reason="Salle inondée")
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert session.cancellation_reason == "Salle inondée"
    entry = AuditEntry.objects.get(action="session.cancel", object_id=str(session.pk))
    assert entry.message == "Salle inondée"
    with pytest.raises(DomainError) as excinfo:
        lifecycle.session_cancel(actor=coordinator, session=session, reason="encore")
    assert excinfo.value.code == "session.already_cancelled"
    with pytest.raises(DomainError) as excinfo:
        lifecycle.session_update(
            actor=coordinator, session=session, capacity=3, parts=[part(TUE)], now=NOW
        )
    assert excinfo.value.code == "session.cancelled_not_editable"


@pytest.mark.django_db
def test_duplicate_shifts_every_part_and_keeps_the_rest(coordinator):
    room = RoomFactory()
    trainer = AgentFactory()
    source = create(
        coordinator,
        parts=[
            part(TUE, "09:00", "12:30", room),
            part(TUE + datetime.timedelta(days=1), "13:30", "17:00", room),
        ],
        trainers=[trainer],
        capacity=9,
        min_participants=4,
        registration_closes_at=datetime.datetime(2026, 8, 30, 18, 0, tzinfo=PARIS),
    ).session
    lifecycle.session_open(actor=coordinator, session=source, now=NOW)
    new_day = datetime.date(2026, 10, 6)
    copy = services.session_duplicate(
        actor=coordinator, session=source, new_date=new_day, now=NOW
    ).session
    assert copy.pk != source.pk
    assert copy.status == TrainingSession.Status.DRAFT
    assert [
        (p.date, p.start_time, p.end_time, p.room_id) for p in copy.parts.order_by("starts_at")
    ] == [
        (new_day, t("09:00"), t("12:30"), room.pk),
        (new_day + datetime.timedelta(days=1), t("13:30"), t("17:00"), room.pk),
    ]
    assert list(copy.trainers.all()) == [trainer]
    assert (copy.capacity, copy.min_participants) == (9, 4)
    # Two days before the first part, as in the source (30 August → 1 September).
    assert copy.registration_closes_at == datetime.datetime(2026, 10, 4, 18, 0, tzinfo=PARIS)
    source.refresh_from_db()
    assert source.parts.count() == 2


@pytest.mark.django_db
def test_each_occurrence_stays_editable_alone(coordinator):
    result = series(coordinator, room=RoomFactory())
    one, other = result.sessions[0], result.sessions[1]
    p = one.parts.get()
    lifecycle.session_update(
        actor=coordinator,
        session=one,
        capacity=5,
        now=NOW,
        parts=[part(p.date, "12:30", "13:30", p.room, part_id=p.pk)],
    )
    other.refresh_from_db()
    assert other.capacity == 12
    assert other.parts.get().start_time == t("12:15")
    one.refresh_from_db()
    assert one.series_key == other.series_key
