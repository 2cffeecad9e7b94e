"""Programming services: sessions, parts, validation, conflicts, series, cancel, duplicate."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.models import AuditEntry
from campus.people.tests.factories import AgentFactory
from campus.scheduling import services
from campus.scheduling.conflicts import ConflictError
from campus.scheduling.models import ConflictOverride, SessionPart, TrainingSession
from campus.scheduling.recurrence import MONTHLY, WEEKLY, MonthlyRule

from .factories import CourseFactory, RoomFactory, part

PARIS = ZoneInfo("Europe/Paris")
# Services take `now` so that these tests read as a calendar, whatever day they run.
NOW = datetime.datetime(2026, 8, 20, 8, 0, tzinfo=PARIS)
TUE = datetime.date(2026, 9, 1)  # a Tuesday


def t(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def counts() -> tuple[int, int, int, int]:
    return (
        TrainingSession.objects.count(),
        SessionPart.objects.count(),
        AuditEntry.objects.count(),
        ConflictOverride.objects.count(),
    )


def create(actor, **kwargs):
    kwargs.setdefault("course", CourseFactory())
    kwargs.setdefault("parts", [part(TUE, "12:15", "13:00")])
    kwargs.setdefault("capacity", 12)
    kwargs.setdefault("now", NOW)
    return services.session_create(actor=actor, **kwargs)


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
    "end before start": ({"parts": [part(TUE, "13:00", "12:15")]}, "finit avant de commencer"),
    "no part": ({"parts": []}, "au moins une partie"),
    "overlapping parts": (
        {"parts": [part(TUE, "09:00", "12:00"), part(TUE, "11:30", "13:00")]},
        "se chevauchent",
    ),
    "capacity zero": ({"capacity": 0}, "supérieur à zéro"),
    "capacity negative": ({"capacity": -3}, "supérieur à zéro"),
    "minimum above capacity": ({"capacity": 5, "min_participants": 6}, "dépasse"),
    "registration closes after start": (
        {"registration_closes_at": datetime.datetime(2026, 9, 1, 12, 30, tzinfo=PARIS)},
        "fermer au plus tard",
    ),
    "registration opens after it closes": (
        {
            "registration_opens_at": datetime.datetime(2026, 8, 30, tzinfo=PARIS),
            "registration_closes_at": datetime.datetime(2026, 8, 29, tzinfo=PARIS),
        },
        "ouvrir avant de fermer",
    ),
    "cancellation deadline after start": (
        {"cancellation_deadline": datetime.datetime(2026, 9, 2, tzinfo=PARIS)},
        "limite d'annulation",
    ),
    "part in the past": ({"parts": [part(datetime.date(2026, 8, 19))]}, "dans le passé"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_refused_in_french_and_writes_nothing(coordinator, case):
    kwargs, expected = BAD_INPUTS[case]
    course = CourseFactory()
    before = counts()
    with pytest.raises(DomainError) as info:
        create(coordinator, course=course, **kwargs)
    assert expected in info.value.message
    assert counts() == before


@pytest.mark.django_db
def test_archived_course_is_refused(coordinator):
    course = CourseFactory(status="archived")
    with pytest.raises(DomainError, match="archivée"):
        create(coordinator, course=course)
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
    message = info.value.message
    assert "Trello pour débuter – groupe 1" in message
    assert "01/09/2026" in message
    assert "12:15" in message and "13:00" in message
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
    assert "Inès MOREL" in info.value.message
    assert "Klaxoon" in info.value.message


@pytest.mark.django_db
def test_back_to_back_and_cancelled_sessions_do_not_clash(coordinator):
    room = RoomFactory()
    trainer = AgentFactory()
    create(coordinator, trainers=[trainer], parts=[part(TUE, "09:00", "12:15", room)])
    create(coordinator, trainers=[trainer], parts=[part(TUE, "12:15", "13:00", room)])
    cancelled = create(coordinator, parts=[part(TUE, "14:00", "15:00", room)]).session
    services.session_cancel(actor=coordinator, session=cancelled, reason="Animateur malade")
    result = create(coordinator, trainers=[trainer], parts=[part(TUE, "14:00", "15:00", room)])
    assert result.session.pk is not None
    assert TrainingSession.objects.count() == 4


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
def test_update_edits_parts_in_place_adds_and_removes_and_resyncs_bounds(coordinator):
    room = RoomFactory()
    session = create(
        coordinator, parts=[part(TUE, "09:00", "12:00", room), part(TUE, "14:00", "17:00", room)]
    ).session
    morning, afternoon = session.parts.order_by("starts_at")
    wed = TUE + datetime.timedelta(days=1)
    result = services.session_update(
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
    services.session_update(
        actor=coordinator,
        session=session,
        capacity=12,
        now=NOW,
        parts=[part(TUE, "09:00", "12:30", room, part_id=p.pk)],
    )
    before = counts()
    with pytest.raises(DomainError, match="supérieur à zéro"):
        services.session_update(
            actor=coordinator,
            session=session,
            capacity=0,
            now=NOW,
            parts=[part(TUE, "10:00", "11:00", room, part_id=p.pk)],
        )
    assert counts() == before
    p.refresh_from_db()
    assert p.end_time == t("12:30")


@pytest.mark.django_db
def test_open_publishes_a_draft_once(coordinator):
    session = create(coordinator).session
    services.session_open(actor=coordinator, session=session, now=NOW)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.OPEN
    with pytest.raises(DomainError, match="brouillon"):
        services.session_open(actor=coordinator, session=session, now=NOW)


@pytest.mark.django_db
def test_cancel_needs_a_reason_and_keeps_it(coordinator):
    session = create(coordinator).session
    before = counts()
    for reason in ("", "   "):
        with pytest.raises(DomainError, match="motif"):
            services.session_cancel(actor=coordinator, session=session, reason=reason)
    assert counts() == before
    services.session_cancel(actor=coordinator, session=session, reason="Salle inondée")
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert session.cancellation_reason == "Salle inondée"
    entry = AuditEntry.objects.get(action="session.cancel", object_id=str(session.pk))
    assert entry.message == "Salle inondée"
    with pytest.raises(DomainError, match="déjà annulée"):
        services.session_cancel(actor=coordinator, session=session, reason="encore")
    with pytest.raises(DomainError, match="annulée"):
        services.session_update(
            actor=coordinator, session=session, capacity=3, parts=[part(TUE)], now=NOW
        )


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
    services.session_open(actor=coordinator, session=source, now=NOW)
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


def series(actor, **kwargs):
    defaults = {
        "course": CourseFactory(title="Atelier Trello"),
        "frequency": WEEKLY,
        "weekday": 1,
        "start_date": datetime.date(2026, 9, 1),
        "end_date": datetime.date(2026, 10, 31),
        "start_time": t("12:15"),
        "end_time": t("13:00"),
        "capacity": 12,
        "now": NOW,
    }
    defaults.update(kwargs)
    return services.session_series_create(actor=actor, **defaults)


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
def test_each_occurrence_stays_editable_alone(coordinator):
    result = series(coordinator, room=RoomFactory())
    one, other = result.sessions[0], result.sessions[1]
    p = one.parts.get()
    services.session_update(
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
    assert info.value.dates == [datetime.date(2026, 9, 8), datetime.date(2026, 9, 29)]
    assert "08/09/2026" in info.value.message and "29/09/2026" in info.value.message
    assert counts() == before

    result = series(coordinator, room=room, override_conflicts=True)
    assert len(result.sessions) == 9
    overridden = ConflictOverride.objects.values_list("session__starts_at", flat=True)
    assert sorted(d.astimezone(PARIS).date() for d in overridden) == info.value.dates


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"skip_dates": [datetime.date(2026, 9, 1)], "end_date": datetime.date(2026, 9, 7)},
            "aucune date",
        ),
        (
            {
                "frequency": MONTHLY,
                "monthly_rule": MonthlyRule.day_of_month(31),
                "start_date": datetime.date(2026, 9, 1),
                "end_date": datetime.date(2026, 9, 30),
            },
            "aucune date",
        ),
        ({"end_date": datetime.date(2026, 8, 1)}, "précède"),
        ({"start_date": datetime.date(2026, 8, 18)}, "dans le passé"),
        ({"end_time": t("12:00")}, "finit avant de commencer"),
        ({"capacity": 0}, "supérieur à zéro"),
        ({"frequency": MONTHLY, "monthly_rule": None}, "règle mensuelle"),
        ({"end_date": datetime.date(2030, 9, 1)}, "dépasse"),
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
def test_bad_series_writes_nothing(coordinator, kwargs, expected):
    before = counts()
    with pytest.raises(DomainError) as info:
        series(coordinator, room=RoomFactory(), **kwargs)
    assert expected in info.value.message
    assert counts() == before


# --- Venues and rooms ---------------------------------------------------------


@pytest.mark.django_db
def test_venue_and_room_services(coordinator, agent_user):
    venue = services.venue_create(actor=coordinator, name="Ancienne école Jules-Ferry")
    with pytest.raises(DomainError, match="déjà"):
        services.venue_create(actor=coordinator, name="ancienne école jules-ferry")
    room = services.room_create(actor=coordinator, venue=venue, name="Salle 1", capacity=12)
    with pytest.raises(DomainError, match="existe déjà"):
        services.room_create(actor=coordinator, venue=venue, name="salle 1", capacity=12)
    with pytest.raises(DomainError, match="supérieure à zéro"):
        services.room_update(actor=coordinator, room=room, capacity=0)
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
    with pytest.raises(DomainError, match="Salle fermée"):
        create(coordinator, parts=[part(TUE, room=room)])
