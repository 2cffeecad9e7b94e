"""Attendance services: marks, check-in with the QR code, closing, reopening, training record."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.models import AuditEntry
from campus.people.models import User
from campus.people.tests.factories import UserFactory
from campus.registrations import attendance, attendance_selectors, lifecycle, services
from campus.registrations.capacity import session_settings
from campus.registrations.models import Attendance, Registration
from campus.registrations.tests.factories import open_session
from campus.scheduling import services as scheduling_services
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.tests.factories import future_day, part

Status = Attendance.Status
pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)


# --- Helpers shared with test_attendance_views ---------------------------------------


def two_part_session(
    coordinator: User,
    *,
    trainers: Sequence[Any] = (),
    capacity: int = 50,
    day: datetime.date | None = None,
    morning: tuple[str, str] = ("09:00", "12:00"),
    afternoon: tuple[str, str] = ("14:00", "17:30"),
) -> TrainingSession:
    """An open session on one day: a 3 h morning and a 3 h 30 afternoon by default."""
    from campus.scheduling.tests.factories import CourseFactory

    day = day or future_day()
    result = scheduling_services.session_create(
        actor=coordinator,
        course=CourseFactory(),
        parts=[part(day, *morning), part(day, *afternoon)],
        capacity=capacity,
        trainers=list(trainers),
    )
    return lifecycle.session_open(actor=coordinator, session=result.session)


def register(coordinator: User, session: TrainingSession, users: list[Any]) -> list[Registration]:
    return [
        services.registration_create(actor=coordinator, session=session, agent=u.agent).registration
        for u in users
    ]


def parts_of(session: TrainingSession) -> list[SessionPart]:
    return list(SessionPart.objects.filter(session=session).order_by("starts_at"))


def marks(session: TrainingSession) -> dict[tuple[int, int], tuple[str, str]]:
    return {
        (a.registration_id, a.part_id): (a.status, a.method)
        for a in Attendance.objects.filter(part__session=session)
    }


@pytest.fixture
def trainer() -> User:
    return UserFactory()


@pytest.fixture
def setup(coordinator: User, trainer: User) -> dict[str, Any]:
    session = two_part_session(coordinator, trainers=[trainer.agent])
    people = [UserFactory() for _ in range(3)]
    regs = register(coordinator, session, people)
    morning, afternoon = parts_of(session)
    return {
        "session": session,
        "people": people,
        "regs": regs,
        "morning": morning,
        "afternoon": afternoon,
    }


# --- Marks by the trainer or the coordinator --------------------------------------------


def test_trainer_marks_a_participant_and_an_audit_row_is_written(setup, trainer):
    morning, reg = setup["morning"], setup["regs"][0]
    mark = attendance.attendance_mark(
        actor=trainer, part=morning, registration=reg, status=Status.PRESENT, now=morning.starts_at
    )
    assert mark is not None
    mark.refresh_from_db()
    assert (mark.status, mark.method, mark.marked_by_id) == (
        Status.PRESENT,
        Attendance.Method.MANUAL,
        trainer.pk,
    )
    entry = AuditEntry.objects.get(action="attendance.mark")
    assert entry.changes == {str(reg.pk): {"before": None, "after": "present"}}


def test_marking_again_the_same_status_writes_nothing_and_a_change_updates(setup, coordinator):
    morning, reg = setup["morning"], setup["regs"][0]
    kwargs = {"actor": coordinator, "part": morning, "registration": reg, "now": morning.starts_at}
    attendance.attendance_mark(status=Status.PRESENT, **kwargs)
    assert attendance.attendance_mark(status=Status.PRESENT, **kwargs) is None
    assert AuditEntry.objects.filter(action="attendance.mark").count() == 1
    attendance.attendance_mark(status=Status.EXCUSED, **kwargs)
    assert Attendance.objects.get(registration=reg, part=morning).status == Status.EXCUSED
    assert AuditEntry.objects.filter(action="attendance.mark").count() == 2


def test_mark_many_records_the_whole_sheet(setup, trainer):
    morning, regs = setup["morning"], setup["regs"]
    attendance.attendance_mark_many(
        actor=trainer,
        part=morning,
        statuses={regs[0].pk: Status.PRESENT, regs[1].pk: Status.UNEXCUSED},
        now=morning.ends_at,
    )
    assert marks(setup["session"]) == {
        (regs[0].pk, morning.pk): (Status.PRESENT, "manual"),
        (regs[1].pk, morning.pk): (Status.UNEXCUSED, "manual"),
    }
    assert AuditEntry.objects.filter(action="attendance.mark").count() == 1


@pytest.mark.parametrize("who", ["other_trainer", "participant", "hr_viewer"])
def test_only_the_sessions_trainers_and_coordinators_may_mark(setup, who, hr_viewer, coordinator):
    other_session = open_session(coordinator)
    other_trainer = UserFactory()
    other_session.trainers.add(other_trainer.agent)
    actor = {
        "other_trainer": other_trainer,
        "participant": setup["people"][0],
        "hr_viewer": hr_viewer,
    }[who]
    morning = setup["morning"]
    with pytest.raises(NotAllowed):
        attendance.attendance_mark_many(
            actor=actor,
            part=morning,
            statuses={setup["regs"][0].pk: Status.PRESENT},
            now=morning.starts_at,
        )
    assert not Attendance.objects.exists()


def test_a_sheet_with_one_unconfirmed_registration_writes_nothing(coordinator):
    session = two_part_session(coordinator, capacity=1)
    confirmed, waitlisted = register(coordinator, session, [UserFactory(), UserFactory()])
    assert waitlisted.state == Registration.State.WAITLISTED
    morning = parts_of(session)[0]
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_mark_many(
            actor=coordinator,
            part=morning,
            statuses={confirmed.pk: Status.PRESENT, waitlisted.pk: Status.PRESENT},
            now=morning.starts_at,
        )
    assert excinfo.value.code == "attendance.not_confirmed"
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(action="attendance.mark").exists()


def test_a_part_of_another_session_is_refused(setup, coordinator):
    other = open_session(coordinator)
    other_part = parts_of(other)[0]
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_mark(
            actor=coordinator,
            part=other_part,
            registration=setup["regs"][0],
            status=Status.PRESENT,
            now=other_part.starts_at,
        )
    assert excinfo.value.code == "attendance.part_of_other_session"
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_mark_many(
            actor=coordinator,
            part=other_part,
            statuses={setup["regs"][0].pk: Status.PRESENT},
            now=other_part.starts_at,
        )
    assert excinfo.value.code == "attendance.not_registered"
    assert not Attendance.objects.exists()


def test_marks_are_refused_before_the_parts_day_and_allowed_from_its_first_minute(
    setup, coordinator
):
    morning, reg = setup["morning"], setup["regs"][0]
    day_start = timezone.make_aware(datetime.datetime.combine(morning.date, datetime.time(0, 0)))
    kwargs = {"actor": coordinator, "part": morning, "registration": reg, "status": Status.EXCUSED}
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_mark(now=day_start - SECOND, **kwargs)
    assert excinfo.value.code == "attendance.too_early"
    assert not Attendance.objects.exists()
    assert attendance.attendance_mark(now=day_start, **kwargs) is not None


def test_an_unknown_status_is_refused(setup, coordinator):
    morning = setup["morning"]
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_mark_many(
            actor=coordinator,
            part=morning,
            statuses={setup["regs"][0].pk: "late"},
            now=morning.starts_at,
        )
    assert excinfo.value.code == "attendance.unknown_status"
    assert not Attendance.objects.exists()


# --- Closing and reopening -------------------------------------------------------------


def test_closing_before_the_last_part_has_ended_is_refused(setup, coordinator):
    session, afternoon = setup["session"], setup["afternoon"]
    with pytest.raises(DomainError) as excinfo:
        attendance.session_attendance_close(
            actor=coordinator, session=session, now=afternoon.ends_at - SECOND
        )
    assert excinfo.value.code == "attendance.close_too_early"
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.OPEN
    assert session_settings(session).attendance_closed_at is None
    assert not Attendance.objects.exists()


def test_closing_fills_unexcused_for_every_unmarked_confirmed_participant(setup, trainer):
    session, regs = setup["session"], setup["regs"]
    morning, afternoon = setup["morning"], setup["afternoon"]
    waitlisted = Registration.objects.create(
        session=session,
        agent=UserFactory().agent,
        state=Registration.State.WAITLISTED,
        queued_at=morning.starts_at,
    )
    attendance.attendance_mark_many(
        actor=trainer,
        part=morning,
        statuses={regs[0].pk: Status.PRESENT, regs[1].pk: Status.EXCUSED},
        now=morning.ends_at,
    )
    assert attendance.unmarked_count(session) == 4

    filled = attendance.session_attendance_close(
        actor=trainer, session=session, now=afternoon.ends_at
    )

    assert filled == 4
    result = marks(session)
    assert result[(regs[0].pk, morning.pk)] == (Status.PRESENT, "manual")
    assert result[(regs[1].pk, morning.pk)] == (Status.EXCUSED, "manual")
    for key in [
        (regs[2].pk, morning.pk),
        (regs[0].pk, afternoon.pk),
        (regs[1].pk, afternoon.pk),
        (regs[2].pk, afternoon.pk),
    ]:
        assert result[key] == (Status.UNEXCUSED, "manual")
    assert not any(reg_id == waitlisted.pk for reg_id, _part in result)
    session.refresh_from_db()
    options = session_settings(session)
    assert session.status == TrainingSession.Status.DONE
    assert options.attendance_closed_at == afternoon.ends_at
    assert options.attendance_closed_by_id == trainer.pk
    entry = AuditEntry.objects.get(action="attendance.close")
    assert entry.changes["filled_unexcused"] == 4


def test_closed_attendance_refuses_marks_closing_again_and_check_in(setup, coordinator):
    session, afternoon, reg = setup["session"], setup["afternoon"], setup["regs"][0]
    attendance.session_attendance_close(actor=coordinator, session=session, now=afternoon.ends_at)
    before = marks(session)
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_mark(
            actor=coordinator,
            part=afternoon,
            registration=reg,
            status=Status.PRESENT,
            now=afternoon.ends_at,
        )
    assert excinfo.value.code == "attendance.closed"
    with pytest.raises(DomainError) as excinfo:
        attendance.session_attendance_close(
            actor=coordinator, session=session, now=afternoon.ends_at
        )
    assert excinfo.value.code == "attendance.already_closed"
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_check_in(
            user=setup["people"][0],
            token=session_settings(session).check_in_token,
            now=afternoon.ends_at,
        )
    assert excinfo.value.code == "attendance.closed"
    assert marks(session) == before


def test_a_trainer_of_another_session_cannot_close(setup, coordinator):
    stranger = UserFactory()
    open_session(coordinator, trainers=[stranger.agent])
    with pytest.raises(NotAllowed):
        attendance.session_attendance_close(
            actor=stranger, session=setup["session"], now=setup["afternoon"].ends_at
        )
    assert session_settings(setup["session"]).attendance_closed_at is None


def test_reopen_is_for_coordinators_with_a_reason_and_lets_marks_be_corrected(
    setup, coordinator, trainer
):
    session, afternoon, reg = setup["session"], setup["afternoon"], setup["regs"][0]
    with pytest.raises(DomainError) as excinfo:
        attendance.session_attendance_reopen(actor=coordinator, session=session, reason="Oubli")
    assert excinfo.value.code == "attendance.not_closed"
    attendance.session_attendance_close(actor=trainer, session=session, now=afternoon.ends_at)
    with pytest.raises(NotAllowed):
        attendance.session_attendance_reopen(actor=trainer, session=session, reason="Oubli")
    with pytest.raises(DomainError) as excinfo:
        attendance.session_attendance_reopen(actor=coordinator, session=session, reason="  ")
    assert excinfo.value.code == "attendance.reopen_reason_required"
    assert session_settings(session).attendance_closed_at is not None

    attendance.session_attendance_reopen(
        actor=coordinator, session=session, reason="Présence oubliée"
    )

    session.refresh_from_db()
    assert session_settings(session).attendance_closed_at is None
    assert session.status == TrainingSession.Status.DONE
    assert AuditEntry.objects.get(action="attendance.reopen").message == "Présence oubliée"
    attendance.attendance_mark(
        actor=trainer,
        part=afternoon,
        registration=reg,
        status=Status.PRESENT,
        now=afternoon.ends_at + datetime.timedelta(days=2),
    )
    assert Attendance.objects.get(registration=reg, part=afternoon).status == Status.PRESENT
    attendance.session_attendance_close(
        actor=coordinator, session=session, now=afternoon.ends_at + datetime.timedelta(days=2)
    )
    assert session_settings(session).attendance_closed_at is not None


# --- Check-in with the QR code --------------------------------------------------------


def _token(session: TrainingSession) -> str:
    return session_settings(session).check_in_token


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        (lambda p: p.starts_at - attendance.CHECK_IN_OPENS_BEFORE_START - SECOND, False),
        (lambda p: p.starts_at - attendance.CHECK_IN_OPENS_BEFORE_START, True),
        (lambda p: p.starts_at + 90 * MINUTE, True),
        (lambda p: p.ends_at, True),
        (lambda p: p.ends_at + SECOND, False),
    ],
    ids=["31-min-before", "30-min-before", "during", "at-the-end", "after-the-end"],
)
def test_check_in_window_boundaries(coordinator, moment, accepted):
    # A single part: nothing else can be "current" around its bounds.
    session = open_session(coordinator, capacity=5, start="09:00", end="12:00")
    user = UserFactory()
    (reg,) = register(coordinator, session, [user])
    only_part = parts_of(session)[0]
    now = moment(only_part)
    if accepted:
        mark = attendance.attendance_check_in(user=user, token=_token(session), now=now)
        assert (mark.registration_id, mark.part_id) == (reg.pk, only_part.pk)
        assert (mark.status, mark.method, mark.marked_by_id) == (
            Status.PRESENT,
            Attendance.Method.CHECK_IN,
            user.pk,
        )
        assert AuditEntry.objects.filter(action="attendance.check_in", actor=user).exists()
    else:
        with pytest.raises(DomainError) as excinfo:
            attendance.attendance_check_in(user=user, token=_token(session), now=now)
        too_early = now < only_part.starts_at
        assert excinfo.value.code == (
            "check_in.not_yet_open" if too_early else "check_in.session_over"
        )
        assert not Attendance.objects.exists()


def test_check_in_marks_the_part_running_now(setup):
    user, reg, afternoon = setup["people"][1], setup["regs"][1], setup["afternoon"]
    mark = attendance.attendance_check_in(
        user=user, token=_token(setup["session"]), now=afternoon.starts_at + 5 * MINUTE
    )
    assert (mark.registration_id, mark.part_id) == (reg.pk, afternoon.pk)


def test_when_windows_overlap_the_running_part_wins(coordinator):
    # A 15-minute break: the afternoon window opens while the morning still runs.
    session = two_part_session(
        coordinator, morning=("09:00", "12:00"), afternoon=("12:15", "14:00")
    )
    user = UserFactory()
    register(coordinator, session, [user])
    morning, afternoon = parts_of(session)
    first = attendance.attendance_check_in(
        user=user, token=_token(session), now=morning.ends_at - 5 * MINUTE
    )
    second = attendance.attendance_check_in(
        user=user, token=_token(session), now=morning.ends_at + 5 * MINUTE
    )
    assert (first.part_id, second.part_id) == (morning.pk, afternoon.pk)


def test_the_token_of_another_session_does_not_mark_this_one(setup, coordinator):
    other = open_session(coordinator, day=setup["morning"].date)
    user = setup["people"][0]
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_check_in(
            user=user, token=_token(other), now=setup["morning"].starts_at
        )
    assert excinfo.value.code == "check_in.not_registered"
    assert not Attendance.objects.exists()


def test_an_agent_not_registered_or_not_confirmed_cannot_check_in(coordinator):
    session = two_part_session(coordinator, capacity=1)
    confirmed_user, waitlisted_user, stranger = UserFactory(), UserFactory(), UserFactory()
    register(coordinator, session, [confirmed_user, waitlisted_user])
    now = parts_of(session)[0].starts_at
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_check_in(user=stranger, token=_token(session), now=now)
    assert excinfo.value.code == "check_in.not_registered"
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_check_in(user=waitlisted_user, token=_token(session), now=now)
    assert excinfo.value.code == "check_in.not_confirmed"
    assert not Attendance.objects.exists()


def test_checking_in_twice_says_so_and_keeps_one_mark(setup):
    user, morning = setup["people"][0], setup["morning"]
    token = _token(setup["session"])
    attendance.attendance_check_in(user=user, token=token, now=morning.starts_at)
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_check_in(user=user, token=token, now=morning.starts_at + MINUTE)
    assert excinfo.value.code == "check_in.already_present"
    assert Attendance.objects.count() == 1
    assert AuditEntry.objects.filter(action="attendance.check_in").count() == 1


def test_a_check_in_never_overrides_a_manual_mark(setup, trainer):
    user, reg, morning = setup["people"][0], setup["regs"][0], setup["morning"]
    attendance.attendance_mark(
        actor=trainer, part=morning, registration=reg, status=Status.EXCUSED, now=morning.starts_at
    )
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_check_in(
            user=user, token=_token(setup["session"]), now=morning.starts_at + MINUTE
        )
    assert excinfo.value.code == "check_in.already_marked"
    assert marks(setup["session"]) == {(reg.pk, morning.pk): (Status.EXCUSED, "manual")}


def test_a_trainer_may_correct_a_check_in(setup, trainer):
    user, reg, morning = setup["people"][0], setup["regs"][0], setup["morning"]
    attendance.attendance_check_in(user=user, token=_token(setup["session"]), now=morning.starts_at)
    attendance.attendance_mark(
        actor=trainer, part=morning, registration=reg, status=Status.UNEXCUSED, now=morning.ends_at
    )
    assert marks(setup["session"]) == {(reg.pk, morning.pk): (Status.UNEXCUSED, "manual")}


def test_an_unknown_token_is_refused_in_plain_french(agent_user):
    with pytest.raises(DomainError) as excinfo:
        attendance.attendance_check_in(user=agent_user, token="nope", now=timezone.now())
    assert excinfo.value.code == "check_in.unknown_token"
    assert not Attendance.objects.exists()


# --- Selectors ------------------------------------------------------------------------


def test_training_record_adds_up_the_hours_of_the_parts_attended(coordinator, trainer):
    agent_user = UserFactory()
    first = two_part_session(coordinator, trainers=[trainer.agent], day=future_day(20))
    second = open_session(coordinator, day=future_day(40), start="14:00", end="15:30")
    future = open_session(coordinator, day=future_day(80))
    cancelled = open_session(coordinator, day=future_day(40), start="09:00", end="10:00")
    for session in (first, second, future, cancelled):
        register(coordinator, session, [agent_user])
    morning, afternoon = parts_of(first)
    attendance.attendance_mark(
        actor=trainer,
        part=morning,
        registration=Registration.objects.get(session=first),
        status=Status.PRESENT,
        now=morning.starts_at,
    )
    attendance.attendance_mark(
        actor=trainer,
        part=afternoon,
        registration=Registration.objects.get(session=first),
        status=Status.EXCUSED,
        now=afternoon.starts_at,
    )
    attendance.session_attendance_close(actor=trainer, session=first, now=afternoon.ends_at)
    second_part = parts_of(second)[0]
    attendance.attendance_check_in(user=agent_user, token=_token(second), now=second_part.starts_at)
    services.registration_cancel(
        actor=coordinator,
        registration=Registration.objects.get(session=cancelled),
        reason="Empêchement",
    )
    now = second_part.ends_at + datetime.timedelta(days=1)

    record = attendance_selectors.training_record(agent_user.agent, now=now)

    assert [e.session.pk for e in record.entries] == [second.pk, first.pk]
    latest, earliest = record.entries
    assert (latest.attended_minutes, latest.attended_hours, latest.is_final) == (
        90,
        "1 h 30",
        False,
    )
    assert (earliest.attended_minutes, earliest.attended_hours, earliest.is_final) == (
        180,
        "3 h",
        True,
    )
    assert [p.status for p in earliest.parts] == [Status.PRESENT, Status.EXCUSED]
    assert earliest.planned_hours == "6 h 30"
    assert (record.attended_minutes, record.attended_hours) == (270, "4 h 30")


def test_training_record_costs_the_same_queries_for_a_longer_history(coordinator):
    agent_user = UserFactory()

    weeks = iter(range(100))

    def attended(n: int) -> None:
        for _ in range(n):
            session = open_session(coordinator, day=future_day(20 + 7 * next(weeks)))
            register(coordinator, session, [agent_user])
            attendance.session_attendance_close(
                actor=coordinator, session=session, now=parts_of(session)[0].ends_at
            )

    later = timezone.now() + datetime.timedelta(days=400)
    attended(1)
    with CaptureQueriesContext(connection) as small:
        attendance_selectors.training_record(agent_user.agent, now=later)
    attended(9)
    with CaptureQueriesContext(connection) as large:
        record = attendance_selectors.training_record(agent_user.agent, now=later)
    assert len(record.entries) == 10
    assert record.attended_minutes == 0  # closed without marks: all absent, unexcused
    assert len(large) == len(small) == 3


def test_part_summaries_count_marks_per_part(setup, trainer):
    morning, regs = setup["morning"], setup["regs"]
    attendance.attendance_mark_many(
        actor=trainer,
        part=morning,
        statuses={regs[0].pk: Status.PRESENT, regs[1].pk: Status.UNEXCUSED},
        now=morning.starts_at,
    )
    session = attendance_selectors.session_for_attendance(setup["session"].pk)
    first, second = attendance_selectors.part_summaries(session)
    assert (first.present, first.excused, first.unexcused, first.unmarked) == (1, 0, 1, 1)
    assert (second.present, second.excused, second.unexcused, second.unmarked) == (0, 0, 0, 3)
