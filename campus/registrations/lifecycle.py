"""A session's life once it is programmed: opened, edited (and resized), cancelled.

The programming (campus.scheduling) owns parts, rooms, trainers and conflicts;
seats are counted here. Every change that can move a seat runs under one
`seats.locked_session`: one lock per transaction, every check before the
first write, and a freed or added seat handed to the waitlist in the same
transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from campus.catalog.models import Course
from campus.core import data_versions
from campus.core.actors import Actor
from campus.core.audit import audit_record
from campus.core.events import emit
from campus.core.exceptions import DomainError
from campus.people.models import Agent
from campus.scheduling import policies as scheduling_policies
from campus.scheduling.models import TrainingSession
from campus.scheduling.services import (
    PartInput,
    ScheduleResult,
    session_edit_check,
    session_edit_write,
)

from . import capacity as seats
from .events import SessionCancelled, ids_of, registrations_changed
from .models import Registration

State = Registration.State


def _require_manager(actor: Actor) -> None:
    scheduling_policies.require_manage_sessions(actor)


def session_open(
    *, actor: Actor, session: TrainingSession, now: datetime.datetime | None = None
) -> TrainingSession:
    """Publish a draft: it appears in the programme and its free seats go to any waitlist."""
    _require_manager(actor)
    with seats.locked_session(session.pk) as locked:
        now = now or locked.now
        session = locked.session
        if session.status != TrainingSession.Status.DRAFT:
            raise DomainError(
                _("Seule une session en brouillon peut être publiée (état actuel : %(status)s).")
                % {"status": session.get_status_display()},
                code="session.not_draft",
            )
        if session.starts_at is None or session.starts_at < now:
            raise DomainError(
                _("Cette session a déjà commencé : elle ne peut plus être publiée."),
                code="session.already_started",
            )
        session.status = TrainingSession.Status.OPEN
        session.save(update_fields=["status", "updated_at"])
        data_versions.changed(data_versions.PROGRAMMING)
        audit_record(
            actor=actor,
            action="session.open",
            obj=session,
            changes={"status": {"before": "draft", "after": "open"}},
        )
        seats.fill_free_seats(locked, actor=actor)
        registrations_changed(locked.changed)
    return session


def session_cancel(*, actor: Actor, session: TrainingSession, reason: str) -> TrainingSession:
    """Cancel a draft or open session; every live registration follows it, told the reason."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Indiquez le motif de l'annulation : il sera communiqué aux inscrits."),
            code="session.cancel_reason_required",
        )
    with seats.locked_session(session.pk) as locked:
        session = locked.session
        if session.status == TrainingSession.Status.CANCELLED:
            raise DomainError(
                _("Cette session est déjà annulée."), code="session.already_cancelled"
            )
        if session.status == TrainingSession.Status.DONE:
            raise DomainError(
                _("Une session terminée ne peut pas être annulée."),
                code="session.done_not_cancellable",
            )
        before = session.status
        session.status = TrainingSession.Status.CANCELLED
        session.cancellation_reason = reason
        session.save(update_fields=["status", "cancellation_reason", "updated_at"])
        data_versions.changed(data_versions.PROGRAMMING)
        audit_record(
            actor=actor,
            action="session.cancel",
            obj=session,
            changes={"status": {"before": before, "after": "cancelled"}},
            message=reason,
        )
        live = Registration.objects.filter(
            session=session, state__in=Registration.LIVE_STATES
        ).select_related("agent")
        for registration in live:
            seats.transition(
                locked, registration, State.SESSION_CANCELLED, actor=actor, reason=reason
            )
        # Told after the commit, by the notifications: no mail for a cancellation rolled back.
        emit(SessionCancelled(session_id=session.pk, registration_ids=ids_of(locked.changed)))
    return session


def session_update(
    *,
    actor: Actor,
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
    now: datetime.datetime | None = None,
) -> ScheduleResult:
    """Edit a session: its parts, trainers and figures, and its capacity.

    A capacity below the seats in use is refused; added seats go to the waitlist.
    """
    _require_manager(actor)
    now = now or timezone.now()
    with seats.locked_session(session.pk) as locked:
        edit = session_edit_check(
            session=locked.session,
            parts=parts,
            capacity=capacity,
            trainers=trainers,
            min_participants=min_participants,
            registration_opens_at=registration_opens_at,
            registration_closes_at=registration_closes_at,
            cancellation_deadline=cancellation_deadline,
            title_suffix=title_suffix,
            external_speaker=external_speaker,
            notes=notes,
            course=course,
            override_conflicts=override_conflicts,
            now=now,
        )
        if capacity < locked.used:
            raise DomainError(
                _(
                    "%(used)d places sont déjà attribuées : la capacité ne peut pas "
                    "descendre à %(new)d. Annulez d'abord des inscriptions."
                )
                % {"used": locked.used, "new": capacity},
                code="session.capacity_below_seats_used",
            )
        result = session_edit_write(actor=actor, edit=edit)
        seats.fill_free_seats(locked, actor=actor)
        registrations_changed(locked.changed)
    return result
