"""Reads for attendance: the sheet of a part, a session's overview, an agent's training record.

Each function costs a fixed number of queries whatever the number of participants.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from campus.people.models import Agent
from campus.scheduling.models import SessionPart, TrainingSession

from .models import Attendance, Registration, SessionRegistrationSettings

Status = Attendance.Status


def part_minutes(part: SessionPart) -> int:
    return int((part.ends_at - part.starts_at).total_seconds() // 60)


def hours_label(minutes: int) -> str:
    """French duration, as written on certificates: "3 h", "6 h 30"."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


# --- The sheet of one part ---------------------------------------------------------


@dataclass
class SheetRow:
    registration: Registration
    mark: Attendance | None

    @property
    def agent(self) -> Agent:
        return self.registration.agent

    @property
    def status(self) -> str:
        return self.mark.status if self.mark else ""


@dataclass
class AttendanceSheet:
    session: TrainingSession
    part: SessionPart
    parts: list[SessionPart]
    rows: list[SheetRow]
    closed_at: datetime.datetime | None

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Status.values, 0)
        counts["unmarked"] = 0
        for row in self.rows:
            counts[row.status or "unmarked"] += 1
        return counts


def session_part(session_pk: int, part_pk: int) -> SessionPart:
    """The part, checked to belong to the session (raises SessionPart.DoesNotExist)."""
    return SessionPart.objects.select_related("session__course", "room__venue").get(
        pk=part_pk, session_id=session_pk
    )


def session_for_attendance(session_pk: int) -> TrainingSession:
    """The session with its parts (raises TrainingSession.DoesNotExist)."""
    return (
        TrainingSession.objects.select_related("course")
        .prefetch_related(
            Prefetch("parts", queryset=SessionPart.objects.select_related("room__venue"))
        )
        .get(pk=session_pk)
    )


def attendance_sheet(part: SessionPart) -> AttendanceSheet:
    """Confirmed participants of the part's session with their mark for this part (4 queries)."""
    session = part.session
    registrations = list(
        Registration.objects.filter(session=session, state=Registration.State.CONFIRMED)
        .select_related("agent__organisation", "agent__department")
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.filter(part=part), to_attr="marks")
        )
        .order_by("agent__last_name", "agent__first_name", "pk")
    )
    rows = [SheetRow(r, r.marks[0] if r.marks else None) for r in registrations]
    closed_at = (
        SessionRegistrationSettings.objects.filter(session=session)
        .values_list("attendance_closed_at", flat=True)
        .first()
    )
    return AttendanceSheet(
        session=session,
        part=part,
        parts=list(SessionPart.objects.filter(session=session)),
        rows=rows,
        closed_at=closed_at,
    )


# --- The session overview ------------------------------------------------------------


@dataclass
class PartSummary:
    part: SessionPart
    present: int
    excused: int
    unexcused: int
    unmarked: int


def part_summaries(session: TrainingSession) -> list[PartSummary]:
    """Per part: how many confirmed participants are present, excused, absent, not marked."""
    confirmed = Registration.objects.filter(
        session=session, state=Registration.State.CONFIRMED
    ).count()
    tallies: dict[int, dict[str, int]] = {}
    rows = (
        Attendance.objects.filter(
            part__session=session,
            registration__session=session,
            registration__state=Registration.State.CONFIRMED,
        )
        .values("part_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        tallies.setdefault(row["part_id"], {})[row["status"]] = row["n"]
    summaries = []
    for part in session.parts.all():
        tally = tallies.get(part.pk, {})
        marked = sum(tally.values())
        summaries.append(
            PartSummary(
                part=part,
                present=tally.get(Status.PRESENT, 0),
                excused=tally.get(Status.EXCUSED, 0),
                unexcused=tally.get(Status.UNEXCUSED, 0),
                unmarked=max(0, confirmed - marked),
            )
        )
    return summaries


# --- An agent's training record -------------------------------------------------


@dataclass
class RecordPart:
    part: SessionPart
    status: str
    status_label: str
    minutes: int
    is_past: bool

    @property
    def attended(self) -> bool:
        return self.status == Status.PRESENT


@dataclass
class RecordEntry:
    session: TrainingSession
    registration: Registration
    parts: list[RecordPart]
    is_final: bool

    @property
    def attended_minutes(self) -> int:
        return sum(p.minutes for p in self.parts if p.attended)

    @property
    def attended_hours(self) -> str:
        return hours_label(self.attended_minutes)

    @property
    def planned_hours(self) -> str:
        return hours_label(sum(p.minutes for p in self.parts))


@dataclass
class TrainingRecord:
    agent: Agent
    entries: list[RecordEntry] = field(default_factory=list)

    @property
    def attended_minutes(self) -> int:
        return sum(e.attended_minutes for e in self.entries)

    @property
    def attended_hours(self) -> str:
        return hours_label(self.attended_minutes)


def training_record(agent: Agent, *, now: datetime.datetime | None = None) -> TrainingRecord:
    """The sessions the agent was confirmed to and that have begun, latest first (3 queries).

    Hours attended add up the durations of the parts marked present. Attendance is
    final when the session's attendance is closed (`entry.is_final`).
    """
    now = now or timezone.now()
    registrations = (
        Registration.objects.filter(
            agent=agent,
            state=Registration.State.CONFIRMED,
            session__starts_at__lte=now,
        )
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .select_related("session__course", "session__registration_settings")
        .prefetch_related(
            Prefetch("session__parts", queryset=SessionPart.objects.order_by("starts_at", "id")),
            "attendances",
        )
        .order_by("-session__starts_at", "-pk")
    )
    labels = dict(Status.choices)
    entries = []
    for registration in registrations:
        session = registration.session
        marks = {a.part_id: a.status for a in registration.attendances.all()}
        options = getattr(session, "registration_settings", None)
        entries.append(
            RecordEntry(
                session=session,
                registration=registration,
                parts=[
                    RecordPart(
                        part=part,
                        status=marks.get(part.pk, ""),
                        status_label=str(labels.get(marks.get(part.pk, ""), "")),
                        minutes=part_minutes(part),
                        is_past=part.ends_at <= now,
                    )
                    for part in session.parts.all()
                ],
                is_final=options is not None and options.attendance_closed_at is not None,
            )
        )
    return TrainingRecord(agent=agent, entries=entries)
