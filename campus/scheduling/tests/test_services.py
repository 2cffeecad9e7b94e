"""Programming services: sessions, parts, validation, conflicts, series, cancel, duplicate."""

from __future__ import annotations

import datetime

import pytest

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.models import AuditEntry
from campus.people.tests.factories import AgentFactory
from campus.scheduling import services
from campus.scheduling.conflicts import ConflictError
from campus.scheduling.models import ConflictOverride, TrainingSession
from campus.scheduling.recurrence import MONTHLY, MonthlyRule

from .factories import NOW, PARIS, TUE, CourseFactory, RoomFactory, counts, create, part, series, t

# --- Creating one session ----------------------------------------------------------


@pytest.mark.django_db
def test_full_day_is_one_session_in_two_parts_with_synced_bounds(coordinator):
    room = RoomFactory(capacity=20)
    trainer = AgentFactory()
    result = create(
        coordinator,
        parts=[part(TUE, "13:30", "17:00", room), part(TUE, "09:00", "12:30", room)],
        trainers=[trainer, trainer],
        capacity=15,
    )
    session = result.session
    assert session.status == TrainingSession.Status.DRAFT
    assert session.parts.count() == 2
    assert list(session.trainers.all()) == [trainer]
    assert session.starts_at == datetime.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)
    assert session.ends_at == datetime.datetime(2026, 9, 1, 17, 0, tzinfo=PARIS)
    first = session.parts.order_by("starts_at").first()
    assert first.starts_at == datetime.datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)
    assert result.warnings == []
    entry = AuditEntry.objects.get(action="session.create", object_id=str(session.pk))
    assert entry.actor == coordinator
    assert entry.changes["capacity"] == {"before": None, "after": 15}


@pytest.mark.django_db
def test_room_smaller_than_session_is_a_warning_not_a_refusal(coordinator):
    room = RoomFactory(name="Salle Curie", capacity=8)
    result = create(coordinator, parts=[part(TUE, room=room)], capacity=14)
    assert TrainingSession.objects.filter(pk=result.session.pk).exists()
    assert len(result.warnings) == 1
    assert "Salle Curie" in result.warnings[0]
    assert "8 places" in result.warnings[0]


@pytest.mark.django_db
def test_only_coordinators_programme(agent_user, hr_viewer):
    for actor in (agent_user, hr_viewer, None):
        with pytest.raises(NotAllowed):
            create(actor)
    assert counts() == (0, 0, 0, 0)


BAD_INPUTS = {
    "end before start": (
        {"parts": [part(TUE, "13:00", "12:15")]},
        "session.part_ends_before_start",
    ),
    "no part": ({"parts": []}, "session.no_parts"),
    "overlapping parts": (
        {"parts": [part(TUE, "09:00", "12:00"), part(TUE, "11:30", "13:00")]},
        "session.parts_overlap",
    ),
    "capacity zero": ({"capacity": 0}, "session.invalid_capacity"),
    "capacity negative": ({"capacity": -3}, "session.invalid_capacity"),
    "minimum above capacity": (
        {"capacity": 5, "min_participants": 6},
        "session.minimum_above_capacity",
    ),
    "registration closes after start": (
        {"registration_closes_at": datetime.datetime(2026, 9, 1, 12, 30, tzinfo=PARIS)},
        "session.registration_closes_after_start",
    ),
    "registration opens after it closes": (
        {
            "registration_opens_at": datetime.datetime(2026, 8, 30, tzinfo=PARIS),
            "registration_closes_at": datetime.datetime(2026, 8, 29, tzinfo=PARIS),
        },
        "session.registration_opens_after_close",
    ),
    "cancellation deadline after start": (
        {"cancellation_deadline": datetime.datetime(2026, 9, 2, tzinfo=PARIS)},
        "session.cancellation_deadline_after_start",
    ),
    "part in the past": ({"parts": [part(datetime.date(2026, 8, 19))]}, "session.part_in_past"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_refused_in_french_and_writes_nothing(coordinator, case):
    kwargs, code = BAD_INPUTS[case]
    course = CourseFactory()
    before = counts()
    with pytest.raises(DomainError) as info:
        create(coordinator, course=course, **kwargs)
    assert info.value.code == code
    assert counts() == before


@pytest.mark.django_db
def test_archived_course_is_refused(coordinator):
    course = CourseFactory(status="archived")
    with pytest.raises(DomainError) as excinfo:
        create(coordinator, course=course)
    assert excinfo.value.code == "session.course_archived"
    assert counts() == (0, 0, 0, 0)


# --- Conflicts ------------------------------------------------------------------


@pytest.mark.django_db
def test_room_double_booking_is_refused_naming_the_other_session(coordinator):
    room = RoomFactory(name="Salle Pasteur")
    other = create(
        coordinator,
        course=CourseFactory(title="Trello pour débuter"),
        parts=[part(TUE, "12:15", "13:00", room)],
        title_suffix="groupe 1",
    ).session
    before = counts()
    with pytest.raises(ConflictError) as info:
        create(coordinator, parts=[part(TUE, "12:45", "14:00", room)])
    assert info.value.code == "session.conflict"
    message = info.value.message
    assert "Trello pour débuter – groupe 1" in message
    assert "01/09/2026" in message
    assert "12:15" in message
    assert "13:00" in message
    assert "Salle Pasteur" in message
    assert info.value.conflicts[0].other_session == other
    assert counts() == before


@pytest.mark.django_db
def test_trainer_teaching_two_overlapping_parts_is_refused(coordinator):
    trainer = AgentFactory(first_name="Inès", last_name="Morel")
    create(
        coordinator,
        course=CourseFactory(title="Klaxoon"),
        trainers=[trainer],
        parts=[part(TUE, "12:15", "13:00", RoomFactory())],
    )
    with pytest.raises(ConflictError) as info:
        create(coordinator, trainers=[trainer], parts=[part(TUE, "12:00", "12:30", RoomFactory())])
    assert info.value.code == "session.conflict"
    assert "Inès MOREL" in info.value.message
    assert "Klaxoon" in info.value.message


@pytest.mark.django_db
def test_override_records_each_conflict_and_an_audit_row(coordinator):
    room = RoomFactory()
    trainer = AgentFactory()
    other = create(
        coordinator, trainers=[trainer], parts=[part(TUE, "12:15", "13:00", room)]
    ).session
    result = create(
        coordinator,
        trainers=[trainer],
        parts=[part(TUE, "12:15", "13:00", room)],
        override_conflicts=True,
    )
    overrides = ConflictOverride.objects.filter(session=result.session).order_by("kind")
    assert [(o.kind, o.other_session_id) for o in overrides] == [
        ("room", other.pk),
        ("trainer", other.pk),
    ]
    assert all(o.decided_by == coordinator for o in overrides)
    entry = AuditEntry.objects.get(
        action="session.conflict_override", object_id=str(result.session.pk)
    )
    assert len(entry.changes["conflicts"]) == 2


# --- Updating, opening, cancelling, duplicating -------------------------------


@pytest.mark.django_db
def test_duplicate_onto_an_occupied_slot_is_refused_then_overridable(coordinator):
    room = RoomFactory()
    source = create(coordinator, parts=[part(TUE, "09:00", "10:00", room)]).session
    with pytest.raises(ConflictError):
        services.session_duplicate(actor=coordinator, session=source, new_date=TUE, now=NOW)
    copy = services.session_duplicate(
        actor=coordinator, session=source, new_date=TUE, override_conflicts=True, now=NOW
    ).session
    assert ConflictOverride.objects.filter(session=copy, other_session=source).exists()


# --- Series -------------------------------------------------------------------


@pytest.mark.django_db
def test_weekly_series_skips_given_dates_and_shares_a_key(coordinator):
    room = RoomFactory()
    trainer = AgentFactory()
    skip = [datetime.date(2026, 10, 20), datetime.date(2026, 10, 27)]
    result = series(
        coordinator,
        room=room,
        trainers=[trainer],
        skip_dates=skip,
        registration_opens_days_before=14,
        registration_closes_hours_before=24,
        cancellation_hours_before=48,
    )
    dates = [s.starts_at.astimezone(PARIS).date() for s in result.sessions]
    expected = [datetime.date(2026, 9, 1) + datetime.timedelta(weeks=i) for i in range(9)]
    assert dates == [d for d in expected if d not in skip]
    assert len(dates) == 7
    stored = TrainingSession.objects.filter(series_key=result.series_key).order_by("starts_at")
    assert stored.count() == 7
    first = stored.first()
    assert first.status == TrainingSession.Status.DRAFT
    assert first.parts.get().start_time == t("12:15")
    assert list(first.trainers.all()) == [trainer]
    assert first.registration_closes_at == datetime.datetime(2026, 8, 31, 12, 15, tzinfo=PARIS)
    assert first.cancellation_deadline == datetime.datetime(2026, 8, 30, 12, 15, tzinfo=PARIS)
    # Opening 14 days before the first date would be in the past: it opens at publication.
    assert first.registration_opens_at is None
    assert stored.last().registration_opens_at == datetime.datetime(
        2026, 9, 29, 12, 15, tzinfo=PARIS
    )
    assert AuditEntry.objects.filter(action="session.create").count() == 7


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            MonthlyRule.nth_weekday(1, 3),
            [
                datetime.date(2026, 9, 3),
                datetime.date(2026, 10, 1),
                datetime.date(2026, 11, 5),
                datetime.date(2026, 12, 3),
            ],
        ),
        (
            MonthlyRule.day_of_month(15),
            [
                datetime.date(2026, 9, 15),
                datetime.date(2026, 10, 15),
                datetime.date(2026, 11, 15),
                datetime.date(2026, 12, 15),
            ],
        ),
        (
            MonthlyRule.nth_weekday(-1, 4),
            [
                datetime.date(2026, 9, 25),
                datetime.date(2026, 10, 30),
                datetime.date(2026, 11, 27),
                datetime.date(2026, 12, 25),
            ],
        ),
    ],
    ids=["first thursday", "the 15th", "last friday"],
)
def test_monthly_series(coordinator, rule, expected):
    result = series(
        coordinator,
        frequency=MONTHLY,
        weekday=None,
        monthly_rule=rule,
        end_date=datetime.date(2026, 12, 31),
        publish=True,
    )
    assert [s.starts_at.astimezone(PARIS).date() for s in result.sessions] == expected
    assert {s.status for s in TrainingSession.objects.all()} == {"open"}


@pytest.mark.django_db
def test_series_conflict_refuses_everything_and_lists_every_date(coordinator):
    room = RoomFactory()
    create(coordinator, parts=[part(datetime.date(2026, 9, 8), "12:00", "12:30", room)])
    create(coordinator, parts=[part(datetime.date(2026, 9, 29), "12:45", "14:00", room)])
    before = counts()
    with pytest.raises(ConflictError) as info:
        series(coordinator, room=room)
    assert info.value.code == "session.conflict"
    assert info.value.dates == [datetime.date(2026, 9, 8), datetime.date(2026, 9, 29)]
    assert "08/09/2026" in info.value.message
    assert "29/09/2026" in info.value.message
    assert counts() == before

    result = series(coordinator, room=room, override_conflicts=True)
    assert len(result.sessions) == 9
    overridden = ConflictOverride.objects.values_list("session__starts_at", flat=True)
    assert sorted(d.astimezone(PARIS).date() for d in overridden) == info.value.dates


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (
            {"skip_dates": [datetime.date(2026, 9, 1)], "end_date": datetime.date(2026, 9, 7)},
            "series.no_dates",
        ),
        (
            {
                "frequency": MONTHLY,
                "monthly_rule": MonthlyRule.day_of_month(31),
                "start_date": datetime.date(2026, 9, 1),
                "end_date": datetime.date(2026, 9, 30),
            },
            "series.no_dates",
        ),
        ({"end_date": datetime.date(2026, 8, 1)}, "series.end_before_start"),
        ({"start_date": datetime.date(2026, 8, 18)}, "session.part_in_past"),
        ({"end_time": t("12:00")}, "session.part_ends_before_start"),
        ({"capacity": 0}, "session.invalid_capacity"),
        ({"frequency": MONTHLY, "monthly_rule": None}, "series.monthly_rule_missing"),
        ({"end_date": datetime.date(2030, 9, 1)}, "series.too_many_dates"),
    ],
    ids=[
        "all skipped",
        "no 31st",
        "end before start",
        "past",
        "times",
        "capacity",
        "no monthly rule",
        "too many",
    ],
)
def test_bad_series_writes_nothing(coordinator, kwargs, code):
    before = counts()
    with pytest.raises(DomainError) as info:
        series(coordinator, room=RoomFactory(), **kwargs)
    assert info.value.code == code
    assert counts() == before


# --- Venues and rooms ---------------------------------------------------------


@pytest.mark.django_db
def test_venue_and_room_services(coordinator, agent_user):
    venue = services.venue_create(actor=coordinator, name="Ancienne école Jules-Ferry")
    with pytest.raises(DomainError) as excinfo:
        services.venue_create(actor=coordinator, name="ancienne école jules-ferry")
    assert excinfo.value.code == "venue.name_taken"
    room = services.room_create(actor=coordinator, venue=venue, name="Salle 1", capacity=12)
    with pytest.raises(DomainError) as excinfo:
        services.room_create(actor=coordinator, venue=venue, name="salle 1", capacity=12)
    assert excinfo.value.code == "room.name_taken"
    with pytest.raises(DomainError) as excinfo:
        services.room_update(actor=coordinator, room=room, capacity=0)
    assert excinfo.value.code == "room.invalid_capacity"
    services.room_update(actor=coordinator, room=room, capacity=16, equipment="Écran")
    room.refresh_from_db()
    assert (room.capacity, room.equipment) == (16, "Écran")
    with pytest.raises(NotAllowed):
        services.room_create(actor=agent_user, venue=venue, name="Salle 2", capacity=5)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "venue.create",
        "room.create",
        "room.update",
    ]


@pytest.mark.django_db
def test_inactive_room_cannot_be_booked(coordinator):
    room = RoomFactory(is_active=False, name="Salle fermée")
    with pytest.raises(DomainError) as excinfo:
        create(coordinator, parts=[part(TUE, room=room)])
    assert excinfo.value.code == "room.inactive"
    assert "Salle fermée" in excinfo.value.message
