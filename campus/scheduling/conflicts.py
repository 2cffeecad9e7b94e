"""Double bookings: a room or a trainer in two overlapping parts of different sessions.

One query finds every clash of a whole series, so that a coordinator sees all
the conflicting dates at once instead of fixing them one refusal at a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core.exceptions import DomainError
from campus.people.models import Agent

from .models import SessionPart, TrainingSession

ROOM = "room"
TRAINER = "trainer"


@dataclass(frozen=True)
class Slot:
    """A part being programmed: its bounds and its room (None when elsewhere)."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    room_id: int | None


@dataclass(frozen=True)
class Conflict:
    kind: str  # ROOM or TRAINER
    slot: Slot
    other_part: SessionPart
    trainer: Agent | None = None

    @property
    def other_session(self) -> TrainingSession:
        return self.other_part.session

    def message(self) -> str:
        other = self.other_part
        session = other.session
        title = session.course.title
        if session.title_suffix:
            title = f"{title} – {session.title_suffix}"
        where = str(other.room.name) if other.room is not None else (other.location_note or "—")
        values = {
            "date": other.date.strftime("%d/%m/%Y"),
            "start": other.start_time.strftime("%H:%M"),
            "end": other.end_time.strftime("%H:%M"),
            "title": title,
            "room": where,
        }
        if self.kind == ROOM:
            return (
                _(
                    "La salle « %(room)s » est déjà occupée le %(date)s de %(start)s à %(end)s "
                    "par la session « %(title)s »."
                )
                % values
            )
        assert self.trainer is not None
        return _(
            "%(trainer)s anime déjà la session « %(title)s » le %(date)s "
            "de %(start)s à %(end)s (salle : %(room)s)."
        ) % {**values, "trainer": self.trainer.full_name}

    def detail(self) -> str:
        """What ConflictOverride.detail keeps (255 characters at most)."""
        return self.message()[:255]


class ConflictError(DomainError):
    """The programming clashes with other sessions; the caller may retry with an override."""

    may_override = True

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        lines = [c.message() for c in conflicts]
        if len(lines) == 1:
            message = lines[0]
        else:
            message = _("Conflits de programmation : %(list)s") % {"list": " ".join(lines)}
        super().__init__(message, code="session.conflict")
        self.conflicts = list(conflicts)

    @property
    def dates(self) -> list[datetime.date]:
        return sorted({timezone.localtime(c.slot.starts_at).date() for c in self.conflicts})


def find_conflicts(
    *,
    slots: Sequence[Slot],
    trainer_ids: Iterable[int],
    exclude_session_id: int | None = None,
) -> list[Conflict]:
    """Every clash between `slots` and parts of other, non-cancelled sessions.

    Two parts overlap when each starts before the other ends: back-to-back
    slots (one ends at 12:00, the next starts at 12:00) do not clash.
    """
    if not slots:
        return []
    trainers = set(trainer_ids)
    overlap = reduce(or_, (Q(starts_at__lt=s.ends_at, ends_at__gt=s.starts_at) for s in slots))
    rooms = {s.room_id for s in slots if s.room_id is not None}
    who = Q(room_id__in=rooms)
    if trainers:
        who |= Q(
            session_id__in=TrainingSession.trainers.through.objects.filter(
                agent_id__in=trainers
            ).values("trainingsession_id")
        )
    candidates = (
        SessionPart.objects.filter(overlap, who)
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .select_related("session__course", "room")
        .prefetch_related("session__trainers")
        .order_by("starts_at", "id")
    )
    if exclude_session_id is not None:
        candidates = candidates.exclude(session_id=exclude_session_id)

    conflicts: list[Conflict] = []
    for part in candidates:
        for slot in slots:
            if not (part.starts_at < slot.ends_at and part.ends_at > slot.starts_at):
                continue
            if slot.room_id is not None and part.room_id == slot.room_id:
                conflicts.append(Conflict(kind=ROOM, slot=slot, other_part=part))
            for trainer in part.session.trainers.all():
                if trainer.pk in trainers:
                    conflicts.append(
                        Conflict(kind=TRAINER, slot=slot, other_part=part, trainer=trainer)
                    )
    return conflicts
