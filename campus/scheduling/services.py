"""Writes for programming: venues, rooms, sessions, their parts, series of sessions.

Each service checks permission, validates everything before writing, writes in
one transaction with its audit rows, and returns what the caller must show
(the session and its warnings). A refusal is a DomainError and writes nothing.

Parts in the past are refused for new sessions (create, duplicate, series):
programming in the past is nearly always a wrong year typed in a hurry, and a
past session created by mistake would pollute the yearly figures. Editing a
session may keep its existing past parts unchanged, so that a coordinator can
still fix a trainer or a capacity after the fact.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campus.catalog import policies as catalog_policies
from campus.catalog import services as catalog_services
from campus.catalog.models import Course
from campus.core import data_versions, events
from campus.core.actors import Actor
from campus.core.audit import audit_record, diff, snapshot
from campus.core.exceptions import DomainError, NotAllowed
from campus.people.actors import author
from campus.people.models import Agent

from . import policies, recurrence
from .conflicts import Conflict, ConflictError, Slot, find_conflicts
from .events import SessionRescheduled
from .models import ConflictOverride, Room, SessionPart, TrainingSession, Venue

SESSION_FIELDS = [
    "course",
    "title_suffix",
    "external_speaker",
    "capacity",
    "min_participants",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_deadline",
    "status",
    "notes",
    "starts_at",
    "ends_at",
]
VENUE_FIELDS = ["name", "address", "access_notes"]
ROOM_FIELDS = ["venue", "name", "capacity", "step_free_access", "equipment", "is_active"]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=_tz())


def _require_manager(actor: Actor) -> None:
    policies.require_manage_sessions(actor)


@dataclass(frozen=True)
class PartInput:
    """One part as typed by the coordinator. `part_id` edits an existing part in place."""

    date: datetime.date
    start_time: datetime.time
    end_time: datetime.time
    room: Room | None = None
    location_note: str = ""
    part_id: int | None = None

    @property
    def starts_at(self) -> datetime.datetime:
        return _aware(self.date, self.start_time)

    @property
    def ends_at(self) -> datetime.datetime:
        return _aware(self.date, self.end_time)

    def slot(self) -> Slot:
        return Slot(self.starts_at, self.ends_at, self.room.pk if self.room else None)

    def label(self) -> str:
        return _("le %(date)s de %(start)s à %(end)s") % {
            "date": self.date.strftime("%d/%m/%Y"),
            "start": self.start_time.strftime("%H:%M"),
            "end": self.end_time.strftime("%H:%M"),
        }


@dataclass
class ScheduleResult:
    """A programmed session and the warnings to show (they did not stop the write)."""

    session: TrainingSession
    warnings: list[str] = field(default_factory=list)


@dataclass
class SeriesResult:
    series_key: str
    sessions: list[TrainingSession]
    warnings: list[str] = field(default_factory=list)


# --- Validation (pure: nothing here touches the database) ---------------------


def validate_parts(
    parts: Sequence[PartInput],
    *,
    now: datetime.datetime,
    kept_past: Iterable[tuple[datetime.date, datetime.time, datetime.time]] = (),
) -> None:
    if not parts:
        raise DomainError(
            _("Une session a au moins une partie (date, début, fin)."), code="session.no_parts"
        )
    for part in parts:
        if part.end_time <= part.start_time:
            raise DomainError(
                _("La partie du %(date)s finit avant de commencer (%(start)s – %(end)s).")
                % {
                    "date": part.date.strftime("%d/%m/%Y"),
                    "start": part.start_time.strftime("%H:%M"),
                    "end": part.end_time.strftime("%H:%M"),
                },
                code="session.part_ends_before_start",
            )
        if part.room is not None and not part.room.is_active:
            raise DomainError(
                _("La salle « %(room)s » n'est plus disponible.") % {"room": part.room.name},
                code="room.inactive",
            )
    kept = set(kept_past)
    for part in parts:
        if part.starts_at < now and (part.date, part.start_time, part.end_time) not in kept:
            raise DomainError(
                _("La partie %(when)s est dans le passé : on ne programme que l'avenir.")
                % {"when": part.label()},
                code="session.part_in_past",
            )
    ordered = sorted(parts, key=lambda p: p.starts_at)
    for before, after in itertools.pairwise(ordered):
        if after.starts_at < before.ends_at:
            raise DomainError(
                _("Deux parties de la session se chevauchent : %(a)s et %(b)s.")
                % {"a": before.label(), "b": after.label()},
                code="session.parts_overlap",
            )


def validate_figures(
    *,
    capacity: int,
    min_participants: int,
    registration_opens_at: datetime.datetime | None,
    registration_closes_at: datetime.datetime | None,
    cancellation_deadline: datetime.datetime | None,
    starts_at: datetime.datetime,
) -> None:
    if capacity is None or capacity <= 0:
        raise DomainError(
            _("Le nombre de places doit être supérieur à zéro."), code="session.invalid_capacity"
        )
    if min_participants is None or min_participants < 0:
        raise DomainError(
            _("Le nombre minimum de participants ne peut pas être négatif."),
            code="session.negative_minimum",
        )
    if min_participants > capacity:
        raise DomainError(
            _("Le minimum de participants (%(min)s) dépasse le nombre de places (%(cap)s).")
            % {"min": min_participants, "cap": capacity},
            code="session.minimum_above_capacity",
        )
    if (
        registration_opens_at is not None
        and registration_closes_at is not None
        and registration_opens_at >= registration_closes_at
    ):
        raise DomainError(
            _("Les inscriptions doivent ouvrir avant de fermer."),
            code="session.registration_opens_after_close",
        )
    if registration_closes_at is not None and registration_closes_at > starts_at:
        raise DomainError(
            _("Les inscriptions doivent fermer au plus tard au début de la session."),
            code="session.registration_closes_after_start",
        )
    if registration_opens_at is not None and registration_opens_at >= starts_at:
        raise DomainError(
            _("Les inscriptions doivent ouvrir avant le début de la session."),
            code="session.registration_opens_after_start",
        )
    if cancellation_deadline is not None and cancellation_deadline > starts_at:
        raise DomainError(
            _("La date limite d'annulation doit précéder le début de la session."),
            code="session.cancellation_deadline_after_start",
        )


def capacity_warnings(capacity: int, rooms: Iterable[Room | None]) -> list[str]:
    """Rooms smaller than the session: worth a warning, not a refusal (a room may be rearranged)."""
    warnings = []
    seen: set[int] = set()
    for room in rooms:
        if room is None or room.pk in seen:
            continue
        seen.add(room.pk)
        if room.capacity < capacity:
            warnings.append(
                _(
                    "La salle « %(room)s » compte %(room_cap)s places pour une session "
                    "de %(cap)s places."
                )
                % {"room": room.name, "room_cap": room.capacity, "cap": capacity}
            )
    return warnings


def _check_conflicts(
    *,
    slots: Sequence[Slot],
    trainers: Sequence[Agent],
    exclude_session_id: int | None,
    override: bool,
) -> list[Conflict]:
    conflicts = find_conflicts(
        slots=slots, trainer_ids=[t.pk for t in trainers], exclude_session_id=exclude_session_id
    )
    if conflicts and not override:
        raise ConflictError(conflicts)
    return conflicts


def _record_overrides(
    *,
    actor: Actor,
    session: TrainingSession,
    conflicts: Sequence[Conflict],
    slots: Sequence[Slot] | None = None,
) -> None:
    """Keep each accepted clash, and say so in the audit log: an override is a decision."""
    relevant = [c for c in conflicts if slots is None or c.slot in slots]
    if not relevant:
        return
    ConflictOverride.objects.bulk_create(
        [
            ConflictOverride(
                session=session,
                other_session_id=c.other_part.session_id,
                kind=c.kind,
                detail=c.detail(),
                decided_by=author(actor),
            )
            for c in relevant
        ]
    )
    audit_record(
        actor=actor,
        action="session.conflict_override",
        obj=session,
        changes={"conflicts": [c.detail() for c in relevant]},
        message=_("Conflit maintenu par le coordinateur."),
    )


def _parts_summary(parts: Iterable[Any]) -> list[str]:
    return [
        f"{p.date.isoformat()} {p.start_time:%H:%M}-{p.end_time:%H:%M} "
        f"{getattr(p.room, 'pk', '') or ''}".strip()
        for p in sorted(parts, key=lambda p: (p.date, p.start_time))
    ]


def _session_snapshot(
    session: TrainingSession, trainers: Iterable[Agent], parts: Iterable[Any]
) -> dict[str, Any]:
    data = snapshot(session, SESSION_FIELDS)
    data["trainers"] = sorted(t.pk for t in trainers)
    data["parts"] = _parts_summary(parts)
    return data


# --- Venues and rooms ---------------------------------------------------------


def venue_create(*, actor: Actor, name: str, address: str = "", access_notes: str = "") -> Venue:
    _require_manager(actor)
    name = name.strip()
    if not name:
        raise DomainError(_("Le nom du lieu est obligatoire."), code="venue.name_required")
    with transaction.atomic():
        if Venue.objects.filter(name__iexact=name).exists():
            raise DomainError(
                _("Un lieu porte déjà le nom « %(name)s ».") % {"name": name},
                code="venue.name_taken",
            )
        venue = Venue.objects.create(name=name, address=address, access_notes=access_notes)
        data_versions.changed(data_versions.PROGRAMMING)
        audit_record(
            actor=actor,
            action="venue.create",
            obj=venue,
            changes=diff({}, snapshot(venue, VENUE_FIELDS)),
        )
    return venue


def venue_update(*, actor: Actor, venue: Venue, **fields: Any) -> Venue:
    _require_manager(actor)
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown venue fields: {sorted(unknown)}")
    with transaction.atomic():
        venue = Venue.objects.select_for_update().get(pk=venue.pk)
        before = snapshot(venue, VENUE_FIELDS)
        for name, value in fields.items():
            setattr(venue, name, value.strip() if name == "name" else value)
        if not venue.name:
            raise DomainError(_("Le nom du lieu est obligatoire."), code="venue.name_required")
        if Venue.objects.filter(name__iexact=venue.name).exclude(pk=venue.pk).exists():
            raise DomainError(
                _("Un lieu porte déjà le nom « %(name)s ».") % {"name": venue.name},
                code="venue.name_taken",
            )
        changes = diff(before, snapshot(venue, VENUE_FIELDS))
        if changes:
            venue.save()
            data_versions.changed(data_versions.PROGRAMMING)
            audit_record(actor=actor, action="venue.update", obj=venue, changes=changes)
    return venue


def _validate_room(venue: Venue, name: str, capacity: int, exclude_pk: int | None) -> None:
    if not name:
        raise DomainError(_("Le nom de la salle est obligatoire."), code="room.name_required")
    if capacity is None or capacity <= 0:
        raise DomainError(
            _("La capacité de la salle doit être supérieure à zéro."), code="room.invalid_capacity"
        )
    clash = Room.objects.filter(venue=venue, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(
            _("Une salle « %(name)s » existe déjà dans ce lieu.") % {"name": name},
            code="room.name_taken",
        )


def room_create(
    *,
    actor: Actor,
    venue: Venue,
    name: str,
    capacity: int,
    step_free_access: bool = True,
    equipment: str = "",
    is_active: bool = True,
) -> Room:
    _require_manager(actor)
    name = name.strip()
    with transaction.atomic():
        _validate_room(venue, name, capacity, None)
        room = Room.objects.create(
            venue=venue,
            name=name,
            capacity=capacity,
            step_free_access=step_free_access,
            equipment=equipment,
            is_active=is_active,
        )
        data_versions.changed(data_versions.PROGRAMMING)
        audit_record(
            actor=actor,
            action="room.create",
            obj=room,
            changes=diff({}, snapshot(room, ROOM_FIELDS)),
        )
    return room


def room_update(*, actor: Actor, room: Room, **fields: Any) -> Room:
    _require_manager(actor)
    unknown = set(fields) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown room fields: {sorted(unknown)}")
    with transaction.atomic():
        room = Room.objects.select_for_update().select_related("venue").get(pk=room.pk)
        before = snapshot(room, ROOM_FIELDS)
        for name, value in fields.items():
            setattr(room, name, value.strip() if name == "name" else value)
        _validate_room(room.venue, room.name, room.capacity, room.pk)
        changes = diff(before, snapshot(room, ROOM_FIELDS))
        if changes:
            room.save()
            data_versions.changed(data_versions.PROGRAMMING)
            audit_record(actor=actor, action="room.update", obj=room, changes=changes)
    return room


# --- Sessions -----------------------------------------------------------------


def _check_course(course: Course) -> None:
    if course.status == Course.Status.ARCHIVED:
        raise DomainError(
            _("La formation « %(title)s » est archivée : on n'y programme plus de session.")
            % {"title": course.title},
            code="session.course_archived",
        )


def _unique_trainers(trainers: Iterable[Agent]) -> list[Agent]:
    seen: dict[int, Agent] = {}
    for trainer in trainers:
        seen.setdefault(trainer.pk, trainer)
    return list(seen.values())


def _new_parts(session: TrainingSession, parts: Sequence[PartInput]) -> list[SessionPart]:
    return [
        SessionPart(
            session=session,
            date=p.date,
            start_time=p.start_time,
            end_time=p.end_time,
            room=p.room,
            location_note=p.location_note,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
        )
        for p in parts
    ]


def session_create(
    *,
    actor: Actor,
    course: Course,
    parts: Sequence[PartInput],
    capacity: int,
    trainers: Sequence[Agent] = (),
    min_participants: int = 0,
    registration_opens_at: datetime.datetime | None = None,
    registration_closes_at: datetime.datetime | None = None,
    cancellation_deadline: datetime.datetime | None = None,
    title_suffix: str = "",
    external_speaker: str = "",
    notes: str = "",
    override_conflicts: bool = False,
    series_key: str = "",
    now: datetime.datetime | None = None,
) -> ScheduleResult:
    """Programme a draft session. Publish it with `session_open`."""
    _require_manager(actor)
    now = now or timezone.now()
    trainers = _unique_trainers(trainers)
    _check_course(course)
    validate_parts(parts, now=now)
    starts_at = min(p.starts_at for p in parts)
    ends_at = max(p.ends_at for p in parts)
    validate_figures(
        capacity=capacity,
        min_participants=min_participants,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        cancellation_deadline=cancellation_deadline,
        starts_at=starts_at,
    )
    slots = [p.slot() for p in parts]
    with transaction.atomic():
        conflicts = _check_conflicts(
            slots=slots, trainers=trainers, exclude_session_id=None, override=override_conflicts
        )
        session = TrainingSession.objects.create(
            course=course,
            title_suffix=title_suffix,
            external_speaker=external_speaker,
            capacity=capacity,
            min_participants=min_participants,
            registration_opens_at=registration_opens_at,
            registration_closes_at=registration_closes_at,
            cancellation_deadline=cancellation_deadline,
            notes=notes,
            starts_at=starts_at,
            ends_at=ends_at,
            series_key=series_key,
            created_by=author(actor),
        )
        SessionPart.objects.bulk_create(_new_parts(session, parts))
        session.trainers.set(trainers)
        data_versions.changed(data_versions.PROGRAMMING)
        audit_record(
            actor=actor,
            action="session.create",
            obj=session,
            changes=diff({}, _session_snapshot(session, trainers, parts)),
        )
        _record_overrides(actor=actor, session=session, conflicts=conflicts)
    return ScheduleResult(session, capacity_warnings(capacity, [p.room for p in parts]))


@dataclass
class SessionEdit:
    """An edit of one session, checked and ready to write (see `session_edit_check`)."""

    session: TrainingSession
    parts: Sequence[PartInput]
    existing: dict[int, SessionPart]
    trainers: list[Agent]
    values: dict[str, Any]
    before: dict[str, Any]
    conflicts: list[Conflict]

    @property
    def capacity(self) -> int:
        return int(self.values["capacity"])


def session_edit_check(
    *,
    session: TrainingSession,
    parts: Sequence[PartInput],
    capacity: int,
    trainers: Sequence[Agent] = (),
    min_participants: int = 0,
    registration_opens_at: datetime.datetime | None = None,
    registration_closes_at: datetime.datetime | None = None,
    cancellation_deadline: datetime.datetime | None = None,
    title_suffix: str = "",
    external_speaker: str = "",
    notes: str = "",
    course: Course | None = None,
    override_conflicts: bool = False,
    now: datetime.datetime,
) -> SessionEdit:
    """Check an edit of `session` (a series occurrence too: the others are untouched).

    Writes nothing. The caller has locked the session's row, and writes the edit
    with `session_edit_write` in the same transaction: seats depend on the
    capacity, so `campus.registrations.lifecycle.session_update` composes both
    under the seat lock.

    Parts carrying a `part_id` are edited in place, parts without one are added,
    and the session's other parts are removed.
    """
    if session.status == TrainingSession.Status.CANCELLED:
        raise DomainError(
            _("Une session annulée ne peut plus être modifiée."),
            code="session.cancelled_not_editable",
        )
    if course is not None and course.pk != session.course_id:
        _check_course(course)
    else:
        course = session.course
    trainers = _unique_trainers(trainers)
    existing = {p.pk: p for p in session.parts.select_related("room")}
    unknown = [p.part_id for p in parts if p.part_id is not None and p.part_id not in existing]
    if unknown:
        raise DomainError(
            _("Une des parties modifiées n'appartient pas à cette session."),
            code="session.foreign_part",
        )
    kept_past = [(p.date, p.start_time, p.end_time) for p in existing.values()]
    validate_parts(parts, now=now, kept_past=kept_past)
    starts_at = min(p.starts_at for p in parts)
    ends_at = max(p.ends_at for p in parts)
    validate_figures(
        capacity=capacity,
        min_participants=min_participants,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        cancellation_deadline=cancellation_deadline,
        starts_at=starts_at,
    )
    conflicts = _check_conflicts(
        slots=[p.slot() for p in parts],
        trainers=trainers,
        exclude_session_id=session.pk,
        override=override_conflicts,
    )
    return SessionEdit(
        session=session,
        parts=parts,
        existing=existing,
        trainers=trainers,
        values={
            "course": course,
            "title_suffix": title_suffix,
            "external_speaker": external_speaker,
            "capacity": capacity,
            "min_participants": min_participants,
            "registration_opens_at": registration_opens_at,
            "registration_closes_at": registration_closes_at,
            "cancellation_deadline": cancellation_deadline,
            "notes": notes,
            "starts_at": starts_at,
            "ends_at": ends_at,
        },
        before=_session_snapshot(session, session.trainers.all(), existing.values()),
        conflicts=conflicts,
    )


def session_edit_write(*, actor: Actor, edit: SessionEdit) -> ScheduleResult:
    """Write an edit checked by `session_edit_check`, in the caller's transaction.

    Parts, trainers, the session's fields, the audit row and the kept conflicts;
    registrants hear of a new time or room through `SessionRescheduled`.
    """
    session, parts = edit.session, edit.parts
    with transaction.atomic():
        for name, value in edit.values.items():
            setattr(session, name, value)
        kept_ids = {p.part_id for p in parts if p.part_id is not None}
        session.parts.exclude(pk__in=kept_ids).delete()
        to_update = []
        for p in parts:
            if p.part_id is None:
                continue
            part = edit.existing[p.part_id]
            part.date, part.start_time, part.end_time = p.date, p.start_time, p.end_time
            part.room, part.location_note = p.room, p.location_note
            part.starts_at, part.ends_at = p.starts_at, p.ends_at
            to_update.append(part)
        SessionPart.objects.bulk_update(
            to_update,
            ["date", "start_time", "end_time", "room", "location_note", "starts_at", "ends_at"],
        )
        SessionPart.objects.bulk_create(
            _new_parts(session, [p for p in parts if p.part_id is None])
        )
        session.save()
        session.trainers.set(edit.trainers)
        changes = diff(edit.before, _session_snapshot(session, edit.trainers, parts))
        if changes:
            data_versions.changed(data_versions.PROGRAMMING)
            audit_record(actor=actor, action="session.update", obj=session, changes=changes)
        if "parts" in changes:
            # Time or room moved: registrants are told and invitations updated, after commit.
            events.emit(
                SessionRescheduled(
                    session_id=session.pk,
                    change_key=session.updated_at.isoformat() if session.updated_at else "",
                )
            )
        _record_overrides(actor=actor, session=session, conflicts=edit.conflicts)
    return ScheduleResult(session, capacity_warnings(edit.capacity, [p.room for p in parts]))


def session_duplicate(
    *,
    actor: Actor,
    session: TrainingSession,
    new_date: datetime.date,
    override_conflicts: bool = False,
    now: datetime.datetime | None = None,
) -> ScheduleResult:
    """A new draft like `session`, every part shifted so that the first falls on new_date."""
    _require_manager(actor)
    source = (
        TrainingSession.objects.select_related("course")
        .prefetch_related("trainers", "parts__room")
        .get(pk=session.pk)
    )
    old_parts = list(source.parts.all())
    if not old_parts:
        raise DomainError(
            _("Cette session n'a aucune partie à reproduire."), code="session.nothing_to_duplicate"
        )
    shift = new_date - min(p.date for p in old_parts)

    def moved(value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        # Shift the wall-clock time, not the instant: 9:00 stays 9:00 across a DST change.
        local = timezone.localtime(value, _tz())
        return datetime.datetime.combine(local.date() + shift, local.time(), tzinfo=_tz())

    parts = [
        PartInput(
            date=p.date + shift,
            start_time=p.start_time,
            end_time=p.end_time,
            room=p.room,
            location_note=p.location_note,
        )
        for p in old_parts
    ]
    opens = moved(source.registration_opens_at)
    now = now or timezone.now()
    if opens is not None and opens < now:
        # A registration window that would already be open keeps starting today.
        opens = None
    return session_create(
        actor=actor,
        course=source.course,
        parts=parts,
        capacity=source.capacity,
        trainers=list(source.trainers.all()),
        min_participants=source.min_participants,
        registration_opens_at=opens,
        registration_closes_at=moved(source.registration_closes_at),
        cancellation_deadline=moved(source.cancellation_deadline),
        title_suffix=source.title_suffix,
        external_speaker=source.external_speaker,
        notes=source.notes,
        override_conflicts=override_conflicts,
        now=now,
    )


def session_series_create(
    *,
    actor: Actor,
    course: Course,
    frequency: str,
    start_date: datetime.date,
    end_date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    capacity: int,
    room: Room | None = None,
    location_note: str = "",
    trainers: Sequence[Agent] = (),
    weekday: int | None = None,
    monthly_rule: recurrence.MonthlyRule | None = None,
    skip_dates: Iterable[datetime.date] = (),
    interval: int = 1,
    min_participants: int = 0,
    registration_opens_days_before: int | None = None,
    registration_closes_hours_before: int | None = None,
    cancellation_hours_before: int | None = None,
    title_suffix: str = "",
    notes: str = "",
    override_conflicts: bool = False,
    publish: bool = False,
    now: datetime.datetime | None = None,
) -> SeriesResult:
    """A session per date of the rule, all or nothing, sharing one series_key.

    Sessions are drafts unless `publish`: a forty-week series is reviewed once,
    not opened forty times.

    A conflict on any date refuses the whole series and names every conflicting
    date, so the coordinator fixes them in one go (or keeps them with the override).
    """
    _require_manager(actor)
    now = now or timezone.now()
    trainers = _unique_trainers(trainers)
    _check_course(course)
    for value, label in (
        (registration_opens_days_before, _("ouverture des inscriptions")),
        (registration_closes_hours_before, _("clôture des inscriptions")),
        (cancellation_hours_before, _("limite d'annulation")),
    ):
        if value is not None and value < 0:
            raise DomainError(
                _("Le délai « %(label)s » ne peut pas être négatif.") % {"label": label},
                code="series.negative_delay",
            )
    dates = recurrence.occurrence_dates(
        frequency=frequency,
        start_date=start_date,
        end_date=end_date,
        weekday=weekday,
        monthly_rule=monthly_rule,
        interval=interval,
        skip_dates=skip_dates,
    )
    if not dates:
        raise DomainError(
            _("Cette règle ne donne aucune date entre le %(start)s et le %(end)s.")
            % {"start": start_date.strftime("%d/%m/%Y"), "end": end_date.strftime("%d/%m/%Y")},
            code="series.no_dates",
        )
    parts = [
        PartInput(
            date=d, start_time=start_time, end_time=end_time, room=room, location_note=location_note
        )
        for d in dates
    ]
    windows = []
    for part in parts:
        validate_parts([part], now=now)
        starts_at = part.starts_at
        opens = (
            starts_at - datetime.timedelta(days=registration_opens_days_before)
            if registration_opens_days_before is not None
            else None
        )
        if opens is not None and opens < now:
            opens = None
        closes = (
            starts_at - datetime.timedelta(hours=registration_closes_hours_before)
            if registration_closes_hours_before is not None
            else None
        )
        deadline = (
            starts_at - datetime.timedelta(hours=cancellation_hours_before)
            if cancellation_hours_before is not None
            else None
        )
        validate_figures(
            capacity=capacity,
            min_participants=min_participants,
            registration_opens_at=opens,
            registration_closes_at=closes,
            cancellation_deadline=deadline,
            starts_at=starts_at,
        )
        windows.append((opens, closes, deadline))

    series_key = uuid.uuid4().hex
    status = TrainingSession.Status.OPEN if publish else TrainingSession.Status.DRAFT
    created_by = author(actor)
    with transaction.atomic():
        slots = [p.slot() for p in parts]
        conflicts = _check_conflicts(
            slots=slots, trainers=trainers, exclude_session_id=None, override=override_conflicts
        )
        sessions = TrainingSession.objects.bulk_create(
            [
                TrainingSession(
                    course=course,
                    title_suffix=title_suffix,
                    capacity=capacity,
                    min_participants=min_participants,
                    registration_opens_at=opens,
                    registration_closes_at=closes,
                    cancellation_deadline=deadline,
                    notes=notes,
                    starts_at=part.starts_at,
                    ends_at=part.ends_at,
                    series_key=series_key,
                    created_by=created_by,
                    status=status,
                )
                for part, (opens, closes, deadline) in zip(parts, windows, strict=True)
            ]
        )
        if any(s.pk is None for s in sessions):
            # Backends that cannot return ids from a bulk insert: read them back in order.
            sessions = list(
                TrainingSession.objects.filter(series_key=series_key).order_by("starts_at", "id")
            )
        SessionPart.objects.bulk_create(
            [new for s, p in zip(sessions, parts, strict=True) for new in _new_parts(s, [p])]
        )
        through = TrainingSession.trainers.through
        through.objects.bulk_create(
            [through(trainingsession_id=s.pk, agent_id=t.pk) for s in sessions for t in trainers]
        )
        data_versions.changed(data_versions.PROGRAMMING)
        for session, part in zip(sessions, parts, strict=True):
            session.course = course
            audit_record(
                actor=actor,
                action="session.create",
                obj=session,
                changes=diff({}, _session_snapshot(session, trainers, [part])),
                message=_("Série %(key)s") % {"key": series_key},
            )
            _record_overrides(
                actor=actor, session=session, conflicts=conflicts, slots=[part.slot()]
            )
    return SeriesResult(series_key, sessions, capacity_warnings(capacity, [room]))


# --- Courses ------------------------------------------------------------------


def course_archive(*, actor: Actor, course: Course, now: datetime.datetime | None = None) -> Course:
    """Withdraw a course from the catalogue, unless open sessions of it are still to come."""
    if not catalog_policies.can_manage_catalog(actor):
        raise NotAllowed(_("La gestion du catalogue est réservée à l'école."))
    now = now or timezone.now()
    with transaction.atomic():
        # Locked, so that no session is opened on it between the count and the archive.
        course = Course.objects.select_for_update().get(pk=course.pk)
        upcoming = TrainingSession.objects.filter(
            course=course, status=TrainingSession.Status.OPEN, starts_at__gt=now
        ).count()
        if upcoming:
            raise DomainError(
                ngettext(
                    "Cette formation a encore %(count)d session ouverte à venir : "
                    "annulez-la avant de l'archiver.",
                    "Cette formation a encore %(count)d sessions ouvertes à venir : "
                    "annulez-les avant de l'archiver.",
                    upcoming,
                )
                % {"count": upcoming},
                code="course.has_open_sessions",
            )
        return catalog_services.course_archive(actor=actor, course=course)
