"""Writes for attendance: marks per session part, the agent's QR check-in, closing a session.

Attendance is signed per part (per half-day). The trainer or the coordinator
marks it on the sheet; the agent may also scan the session's QR code at the
door. Closing the session makes attendance final: every confirmed participant
left without a mark is recorded "absent non excusé", and the session is done.

Every service here takes the session row lock first (as `capacity` does), so
that a mark, a check-in, a cancellation and the closing never interleave.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from campus.core import events
from campus.core.actors import Actor
from campus.core.audit import audit_record
from campus.core.exceptions import DomainError, NotAllowed, Refusal
from campus.people.actors import author
from campus.scheduling.models import SessionPart, TrainingSession

from . import policies
from .capacity import session_settings
from .events import AttendanceClosed
from .models import Attendance, Registration, SessionRegistrationSettings

Status = Attendance.Status
Method = Attendance.Method

# The QR code at the door works from a little before a part starts (agents arrive
# early and scan while the room fills) until the part ends; outside that window a
# scan could only be a mistake or a code passed on to an absent colleague.
CHECK_IN_OPENS_BEFORE_START = datetime.timedelta(minutes=30)
CHECK_IN_CLOSES_AFTER_END = datetime.timedelta(0)


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "l j F Y")


def _time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _lock_session(session_id: int) -> tuple[TrainingSession, SessionRegistrationSettings]:
    """Lock the session row (the one lock of the transaction) and read its settings."""
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=session_id)
    )
    return session, session_settings(session)


def _closed_refusal() -> Refusal:
    return Refusal(
        _(
            "L'émargement de cette session est clos. Un coordinateur de l'école peut le rouvrir "
            "pour le corriger."
        ),
        code="attendance.closed",
    )


def _part_label(part: SessionPart) -> str:
    return _("%(day)s de %(start)s à %(end)s") % {
        "day": _day(part.date),
        "start": part.start_time.strftime("%H:%M"),
        "end": part.end_time.strftime("%H:%M"),
    }


# --- Marks by the trainer or the coordinator -----------------------------------


def _marking_refusal(
    *,
    session: TrainingSession,
    options: SessionRegistrationSettings,
    part: SessionPart,
    now: datetime.datetime,
) -> Refusal | None:
    if session.status == TrainingSession.Status.CANCELLED:
        return Refusal(
            _("Cette session est annulée : il n'y a pas de présence à noter."),
            code="attendance.session_cancelled",
        )
    if session.status == TrainingSession.Status.DRAFT:
        return Refusal(
            _("Cette session n'est pas encore publiée : il n'y a pas de présence à noter."),
            code="attendance.session_draft",
        )
    if options.attendance_closed_at is not None:
        return _closed_refusal()
    if timezone.localdate(now) < part.date:
        return Refusal(
            _("La présence à cette partie se note à partir du jour même (%(day)s).")
            % {"day": _day(part.date)},
            code="attendance.too_early",
        )
    return None


def attendance_mark_many(
    *,
    actor: Actor,
    part: SessionPart,
    statuses: dict[int, str],
    now: datetime.datetime | None = None,
) -> list[Attendance]:
    """Record the status of several participants for one part (the sheet's "Enregistrer").

    `statuses` maps registration ids to an `Attendance.Status` value. Only confirmed
    registrations of the part's session can be marked; anything wrong refuses the
    whole sheet and writes nothing. Unchanged marks are left as they are (a check-in
    confirmed by the trainer stays a check-in). Returns the marks written.
    """
    now = now or timezone.now()
    if not policies.can_mark_attendance(actor, part.session):
        raise NotAllowed(
            _("Seuls les animateurs de la session et les coordinateurs notent la présence.")
        )
    unknown = {value for value in statuses.values() if value not in Status.values}
    if unknown:
        raise DomainError(
            _("Valeur de présence inconnue : %(values)s.") % {"values": ", ".join(sorted(unknown))},
            code="attendance.unknown_status",
        )
    with transaction.atomic():
        session, options = _lock_session(part.session_id)
        refusal = _marking_refusal(session=session, options=options, part=part, now=now)
        if refusal:
            raise DomainError(refusal.message, code=refusal.code)
        registrations = {
            r.pk: r
            for r in Registration.objects.filter(pk__in=list(statuses)).select_related("agent")
        }
        for registration_id in statuses:
            registration = registrations.get(registration_id)
            if registration is None or registration.session_id != session.pk:
                raise DomainError(
                    _("Une des personnes de la feuille n'est pas inscrite à cette session."),
                    code="attendance.not_registered",
                )
            if registration.state != Registration.State.CONFIRMED:
                raise DomainError(
                    _(
                        "L'inscription de %(name)s n'est pas confirmée (%(state)s) : "
                        "sa présence ne peut pas être notée."
                    )
                    % {
                        "name": registration.agent.full_name,
                        "state": registration.get_state_display(),
                    },
                    code="attendance.not_confirmed",
                )
        existing = {
            a.registration_id: a
            for a in Attendance.objects.filter(part=part, registration_id__in=list(statuses))
        }
        marked_by = author(actor)
        created: list[Attendance] = []
        updated: list[Attendance] = []
        changes: dict[str, dict[str, Any]] = {}
        for registration_id, status in statuses.items():
            mark = existing.get(registration_id)
            if mark is None:
                created.append(
                    Attendance(
                        registration_id=registration_id,
                        part=part,
                        status=status,
                        method=Method.MANUAL,
                        marked_by=marked_by,
                    )
                )
                changes[str(registration_id)] = {"before": None, "after": status}
            elif mark.status != status:
                changes[str(registration_id)] = {"before": mark.status, "after": status}
                mark.status = status
                mark.method = Method.MANUAL
                mark.marked_by = marked_by
                mark.marked_at = timezone.now()
                updated.append(mark)
        if not changes:
            return []
        Attendance.objects.bulk_create(created)
        Attendance.objects.bulk_update(updated, ["status", "method", "marked_by", "marked_at"])
        audit_record(
            actor=actor,
            action="attendance.mark",
            obj=part,
            object_label=f"{session} – {part}",
            changes=changes,
        )
    return created + updated


def attendance_mark(
    *,
    actor: Actor,
    part: SessionPart,
    registration: Registration,
    status: str,
    now: datetime.datetime | None = None,
) -> Attendance | None:
    """Record one participant's status for one part; None when it was already so."""
    if registration.session_id != part.session_id:
        raise DomainError(
            _("Cette partie appartient à une autre session que l'inscription."),
            code="attendance.part_of_other_session",
        )
    written = attendance_mark_many(
        actor=actor, part=part, statuses={registration.pk: status}, now=now
    )
    return written[0] if written else None


# --- The agent's check-in with the QR code --------------------------------------


@dataclass(frozen=True)
class CheckInPlan:
    """Who checks in to which part, once every rule has agreed."""

    session: TrainingSession
    part: SessionPart
    registration: Registration


def check_in_window(part: SessionPart) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments between which the QR code marks an agent present for `part` (inclusive)."""
    return part.starts_at - CHECK_IN_OPENS_BEFORE_START, part.ends_at + CHECK_IN_CLOSES_AFTER_END


def current_part(parts: list[SessionPart], now: datetime.datetime) -> SessionPart | None:
    """The part a scan at `now` is for: the running one, else the next one about to start."""
    candidates = [p for p in parts if check_in_window(p)[0] <= now <= check_in_window(p)[1]]
    # When two windows overlap (a short lunch break), the part still running wins.
    candidates.sort(key=lambda p: (p.starts_at > now, p.starts_at))
    return candidates[0] if candidates else None


def _no_running_part_refusal(parts: list[SessionPart], now: datetime.datetime) -> Refusal:
    upcoming = [p for p in parts if check_in_window(p)[0] > now]
    if upcoming:
        nxt = min(upcoming, key=lambda p: p.starts_at)
        opens = check_in_window(nxt)[0]
        return Refusal(
            _(
                "Aucune partie de cette session n'est en cours. Le code de présence fonctionnera "
                "le %(day)s à partir de %(time)s."
            )
            % {"day": _day(nxt.date), "time": _time(opens)},
            code="check_in.not_yet_open",
        )
    return Refusal(
        _(
            "Cette session est terminée : le code de présence ne fonctionne plus. "
            "Adressez-vous à l'animateur ou au coordinateur de l'école."
        ),
        code="check_in.session_over",
    )


def check_in_plan(*, user: Actor, token: str, now: datetime.datetime) -> CheckInPlan:
    """Check every rule of a check-in without writing; raise DomainError with the reason.

    The check-in page uses it to show the reason before the agent presses the button;
    `attendance_check_in` calls it again under the lock.
    """
    options = (
        SessionRegistrationSettings.objects.select_related("session__course")
        .filter(check_in_token=token)
        .first()
        if token
        else None
    )
    if options is None:
        raise DomainError(
            _(
                "Ce code de présence n'est pas reconnu. Scannez à nouveau le code affiché "
                "dans la salle."
            ),
            code="check_in.unknown_token",
        )
    session = options.session
    if session.status == TrainingSession.Status.CANCELLED:
        raise DomainError(_("Cette session est annulée."), code="session.cancelled")
    if options.attendance_closed_at is not None:
        closed = _closed_refusal()
        raise DomainError(closed.message, code=closed.code)
    agent_id = getattr(user, "agent_id", None)
    registration = (
        Registration.objects.filter(
            session=session, agent_id=agent_id, state__in=Registration.LIVE_STATES
        ).first()
        if agent_id is not None
        else None
    )
    if registration is None:
        raise DomainError(
            _(
                "Vous n'êtes pas inscrit(e) à cette session : votre présence ne peut pas être "
                "enregistrée. Adressez-vous à l'animateur."
            ),
            code="check_in.not_registered",
        )
    if registration.state != Registration.State.CONFIRMED:
        raise DomainError(
            _(
                "Votre inscription à cette session n'est pas confirmée (%(state)s) : votre "
                "présence ne peut pas être enregistrée. Adressez-vous à l'animateur."
            )
            % {"state": registration.get_state_display()},
            code="check_in.not_confirmed",
        )
    parts = list(session.parts.all())
    part = current_part(parts, now)
    if part is None:
        refusal = _no_running_part_refusal(parts, now)
        raise DomainError(refusal.message, code=refusal.code)
    mark = Attendance.objects.filter(registration=registration, part=part).first()
    if mark is not None:
        if mark.status == Status.PRESENT:
            raise DomainError(
                _("Votre présence est déjà enregistrée pour la partie du %(part)s.")
                % {"part": _part_label(part)},
                code="check_in.already_present",
            )
        # A mark typed by the trainer is authoritative: the scan never overrides it.
        raise DomainError(
            _(
                "L'animateur a déjà noté « %(status)s » pour vous à la partie du %(part)s. "
                "Adressez-vous à lui s'il faut corriger."
            )
            % {"status": mark.get_status_display(), "part": _part_label(part)},
            code="check_in.already_marked",
        )
    return CheckInPlan(session=session, part=part, registration=registration)


def attendance_check_in(
    *, user: Actor, token: str, now: datetime.datetime | None = None
) -> Attendance:
    """The agent scanned the session's QR code: mark them present for the current part."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour signaler votre présence."))
    with transaction.atomic():
        session_id = (
            SessionRegistrationSettings.objects.filter(check_in_token=token)
            .values_list("session_id", flat=True)
            .first()
        )
        if session_id is not None:
            _lock_session(session_id)
        plan = check_in_plan(user=user, token=token, now=now)
        try:
            with transaction.atomic():
                mark = Attendance.objects.create(
                    registration=plan.registration,
                    part=plan.part,
                    status=Status.PRESENT,
                    method=Method.CHECK_IN,
                    marked_by=author(user),
                )
        except IntegrityError as exc:  # a second scan at the same instant
            raise DomainError(
                _("Votre présence est déjà enregistrée pour la partie du %(part)s.")
                % {"part": _part_label(plan.part)},
                code="check_in.already_present",
            ) from exc
        audit_record(
            actor=user,
            action="attendance.check_in",
            obj=mark,
            object_label=f"{plan.registration.agent.full_name} – {plan.session} – {plan.part}",
            changes={"status": {"before": None, "after": Status.PRESENT}},
        )
    return mark


# --- Closing and reopening the session's attendance -----------------------------


def unmarked_count(session: TrainingSession) -> int:
    """How many (confirmed participant, part) pairs have no mark yet: closing fills them."""
    confirmed = Registration.objects.filter(
        session=session, state=Registration.State.CONFIRMED
    ).count()
    parts = SessionPart.objects.filter(session=session).count()
    marked = Attendance.objects.filter(
        part__session=session,
        registration__session=session,
        registration__state=Registration.State.CONFIRMED,
    ).count()
    return confirmed * parts - marked


def session_attendance_close(
    *, actor: Actor, session: TrainingSession, now: datetime.datetime | None = None
) -> int:
    """Make attendance final once the last part has ended; the session becomes "done".

    Every confirmed participant without a mark for a part is recorded "absent non
    excusé" (the confirmation page says so). Returns how many marks were filled in.
    """
    now = now or timezone.now()
    if not policies.can_close_attendance(actor, session):
        raise NotAllowed(
            _("Seuls les animateurs de la session et les coordinateurs clôturent l'émargement.")
        )
    with transaction.atomic():
        session, options = _lock_session(session.pk)
        if options.attendance_closed_at is not None:
            raise DomainError(
                _("L'émargement de cette session est déjà clos."), code="attendance.already_closed"
            )
        if session.status not in (TrainingSession.Status.OPEN, TrainingSession.Status.DONE):
            raise DomainError(
                _("Une session %(status)s ne se clôture pas.")
                % {"status": session.get_status_display().lower()},
                code="attendance.session_not_closable",
            )
        parts = list(SessionPart.objects.filter(session=session))
        last_end = max((p.ends_at for p in parts), default=None)
        if last_end is None:
            raise DomainError(_("Cette session n'a aucune partie."), code="attendance.no_parts")
        if now < last_end:
            raise DomainError(
                _(
                    "L'émargement se clôture après la fin de la dernière partie "
                    "(le %(day)s à %(time)s)."
                )
                % {"day": _day(timezone.localtime(last_end).date()), "time": _time(last_end)},
                code="attendance.close_too_early",
            )
        registration_ids = list(
            Registration.objects.filter(
                session=session, state=Registration.State.CONFIRMED
            ).values_list("pk", flat=True)
        )
        marked = set(
            Attendance.objects.filter(
                part__session=session, registration_id__in=registration_ids
            ).values_list("registration_id", "part_id")
        )
        marked_by = author(actor)
        missing = [
            Attendance(
                registration_id=registration_id,
                part=part,
                status=Status.UNEXCUSED,
                method=Method.MANUAL,
                marked_by=marked_by,
            )
            for part in parts
            for registration_id in registration_ids
            if (registration_id, part.pk) not in marked
        ]
        Attendance.objects.bulk_create(missing, batch_size=500)
        options.attendance_closed_at = now
        options.attendance_closed_by = marked_by
        options.save(update_fields=["attendance_closed_at", "attendance_closed_by"])
        before = session.status
        session.status = TrainingSession.Status.DONE
        session.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="attendance.close",
            obj=session,
            changes={
                "status": {"before": before, "after": session.status},
                "filled_unexcused": len(missing),
            },
        )
        # Marks are final: managers hear of unexcused absences, after the commit.
        events.emit(AttendanceClosed(session_id=session.pk))
    return len(missing)


def session_attendance_reopen(*, actor: Actor, session: TrainingSession, reason: str) -> None:
    """Let marks be corrected again (coordinators only; the reason is kept in the journal).

    The session stays "done": it has taken place; only its attendance is editable
    until it is closed again.
    """
    if not policies.can_reopen_attendance(actor, session):
        raise NotAllowed(_("Seul un coordinateur de l'école peut rouvrir l'émargement."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Indiquez pourquoi l'émargement est rouvert : il sera journalisé."),
            code="attendance.reopen_reason_required",
        )
    with transaction.atomic():
        session, options = _lock_session(session.pk)
        if options.attendance_closed_at is None:
            raise DomainError(
                _("L'émargement de cette session n'est pas clos."), code="attendance.not_closed"
            )
        closed_at = options.attendance_closed_at
        options.attendance_closed_at = None
        options.attendance_closed_by = None
        options.save(update_fields=["attendance_closed_at", "attendance_closed_by"])
        audit_record(
            actor=actor,
            action="attendance.reopen",
            obj=session,
            changes={"attendance_closed_at": {"before": closed_at, "after": None}},
            message=reason,
        )
