"""Writes for registrations: sign-up, cancel, approve, decline, offers, session changes.

Every service that uses or frees a seat runs inside `capacity.locked_session`:
one transaction, the session locked before the count. Every state change writes
a history row; every service writes an audit row in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core import roles
from campus.core.actors import Actor
from campus.core.audit import audit_record
from campus.core.exceptions import DomainError, NotAllowed
from campus.people.actors import author
from campus.people.models import Agent
from campus.scheduling import policies as scheduling_policies
from campus.scheduling.models import TrainingSession

from . import capacity, events, policies, rules
from .models import Registration, SessionRegistrationSettings

State = Registration.State


class OverlapWarning(DomainError):
    """The agent is already booked at an overlapping time; they may confirm anyway."""

    def __init__(self, message: str, overlapping: list[Registration]) -> None:
        super().__init__(message, code="registration.overlap")
        self.overlapping = overlapping


@dataclass
class Outcome:
    """What a service did: the registration and everyone whose state changed with it."""

    registration: Registration
    changed: list[Registration] = field(default_factory=list)

    @property
    def promoted(self) -> list[Registration]:
        return [r for r in self.changed if r.pk != self.registration.pk]


def _audit(
    actor: Actor, action: str, registration: Registration, *, message: str = "", **changes: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=registration,
        object_label=f"{registration.agent.full_name} – {registration.session}",
        changes=changes,
        message=message,
    )


def _overlap_message(overlapping: list[Registration]) -> str:
    titles = ", ".join(
        f"{r.session.course.title} ({timezone.localtime(r.session.starts_at):%d/%m/%Y %H:%M})"
        if r.session.starts_at
        else r.session.course.title
        for r in overlapping
    )
    return _(
        "Cet agent est déjà inscrit à une session au même moment : %(titles)s. Confirmez pour maintenir les deux inscriptions."
    ) % {"titles": titles}


def registration_create(
    *,
    actor: Actor,
    session: TrainingSession,
    agent: Agent,
    mandatory: bool = False,
    acknowledge_overlap: bool = False,
    note: str = "",
    source: str = Registration.Source.SIGNUP,
    now: datetime.datetime | None = None,
) -> Outcome:
    """Sign an agent up: confirmed if a seat is free, else waitlisted, or a request
    to the line manager when the course asks for approval and the agent signs up alone.

    `source` says how the registration came (a poll, a curriculum…), for the figures.
    """
    if not policies.can_register(actor, agent):
        raise NotAllowed(_("Vous ne pouvez pas inscrire cet agent."))
    if source not in Registration.Source.values:
        raise ValueError(f"Unknown registration source: {source!r}")
    if mandatory and not policies.can_make_mandatory(actor):
        raise NotAllowed(
            _("Seul le coordinateur de l'école peut rendre une inscription obligatoire.")
        )
    # The agent's own registrations are read before the session lock, to keep the
    # lock short: only the agent's own sign-ups elsewhere could change them meanwhile,
    # and a duplicate here is still refused by the one-live-registration constraint.
    live = rules.live_registrations(agent)
    with capacity.locked_session(session.pk, now=now) as locked:
        now = locked.now  # stamped under the lock: arrival order is the lock's order
        session = locked.session
        refusal = rules.signup_refusal(session=session, agent=agent, actor=actor, now=now)
        if refusal:
            raise DomainError(refusal.message, code=refusal.code)
        if any(session_id == session.pk for _pk, session_id, _state in live):
            raise DomainError(
                _("%(name)s est déjà inscrit(e) à cette session.") % {"name": agent.full_name},
                code="registration.already_registered",
            )
        overlapping = rules.overlapping_registrations(session=session, agent=agent, live=live)
        if overlapping and not acknowledge_overlap:
            raise OverlapWarning(_overlap_message(overlapping), overlapping)
        needs_approval = rules.needs_manager_approval(
            course=session.course, agent=agent, actor=actor
        )
        registration = Registration(
            session=session,
            agent=agent,
            is_mandatory=mandatory,
            source=source,
            queued_at=now,
            overlap_acknowledged=bool(overlapping),
            note=note,
            created_by=author(actor),
        )
        if needs_approval:
            registration.state = State.REQUESTED
            why = _("Demande transmise au responsable hiérarchique.")
        else:
            registration.state = capacity.state_for_newcomer(locked, actor=actor)
            why = _("Inscription.")
        try:
            capacity.record_new(locked, registration, actor=actor, reason=why)
        except IntegrityError as exc:  # the live-registration constraint, under a race
            raise DomainError(
                _("%(name)s est déjà inscrit(e) à cette session.") % {"name": agent.full_name},
                code="registration.already_registered",
            ) from exc
        _audit(
            actor,
            "registration.create",
            registration,
            state=registration.state,
            mandatory=mandatory,
        )
        changed = list(locked.changed)
        events.registrations_changed(changed)
    return Outcome(registration, changed)


def _locked_registration(
    locked: capacity.LockedSession, registration: Registration
) -> Registration:
    return Registration.objects.select_related("agent", "session__course").get(pk=registration.pk)


def registration_cancel(
    *,
    actor: Actor,
    registration: Registration,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Outcome:
    """Cancel a live registration; a freed seat goes to the waitlist in the same transaction."""
    if not policies.can_cancel_registration(actor, registration.agent):
        raise NotAllowed(_("Vous ne pouvez pas annuler cette inscription."))
    now = now or timezone.now()
    with capacity.locked_session(registration.session_id, now=now) as locked:
        registration = _locked_registration(locked, registration)
        refusal = rules.cancel_refusal(registration=registration, actor=actor, now=now)
        if refusal:
            raise DomainError(refusal.message, code=refusal.code)
        before = registration.state
        capacity.transition(locked, registration, State.CANCELLED, actor=actor, reason=reason)
        capacity.fill_free_seats(locked, actor=actor)
        _audit(
            actor,
            "registration.cancel",
            registration,
            message=reason,
            state={"before": before, "after": State.CANCELLED},
        )
        changed = list(locked.changed)
        events.registrations_changed(changed)
    return Outcome(registration, changed)


def registration_approve(
    *, actor: Actor, registration: Registration, now: datetime.datetime | None = None
) -> Outcome:
    """The line manager agrees: the request now needs a seat (confirmed or waitlisted)."""
    if not policies.can_decide_approval(actor, registration.agent):
        raise NotAllowed(
            _("Seul le responsable hiérarchique de l'agent peut répondre à cette demande.")
        )
    with capacity.locked_session(registration.session_id, now=now) as locked:
        now = locked.now  # stamped under the lock: arrival order is the lock's order
        registration = _locked_registration(locked, registration)
        if registration.state != State.REQUESTED:
            raise DomainError(
                _("Cette demande a déjà reçu une réponse."), code="approval.already_answered"
            )
        session = locked.session
        if session.status != TrainingSession.Status.OPEN:
            raise DomainError(
                _("Cette session n'est plus ouverte aux inscriptions."),
                code="approval.session_not_open",
            )
        if (
            session.registration_closes_at
            and now >= session.registration_closes_at
            and not roles.is_coordinator(actor)
        ):
            raise DomainError(
                _("Les inscriptions sont closes : la demande ne peut plus être acceptée."),
                code="approval.registration_closed",
            )
        registration.queued_at = now  # the waitlist counts from the approval, not the request
        registration.save(update_fields=["queued_at"])
        target = capacity.state_for_newcomer(locked, actor=actor)
        capacity.transition(
            locked, registration, target, actor=actor, reason=_("Accord du responsable.")
        )
        _audit(
            actor,
            "registration.approve",
            registration,
            state={"before": State.REQUESTED, "after": target},
        )
        changed = list(locked.changed)
        events.registrations_changed(changed)
    return Outcome(registration, changed)


def registration_decline(
    *, actor: Actor, registration: Registration, reason: str, now: datetime.datetime | None = None
) -> Outcome:
    """The line manager refuses, with a reason the agent will read."""
    if not policies.can_decide_approval(actor, registration.agent):
        raise NotAllowed(
            _("Seul le responsable hiérarchique de l'agent peut répondre à cette demande.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Indiquez le motif du refus : l'agent le recevra."), code="approval.reason_required"
        )
    now = now or timezone.now()
    with capacity.locked_session(registration.session_id, now=now) as locked:
        registration = _locked_registration(locked, registration)
        if registration.state != State.REQUESTED:
            raise DomainError(
                _("Cette demande a déjà reçu une réponse."), code="approval.already_answered"
            )
        capacity.transition(locked, registration, State.DECLINED, actor=actor, reason=reason)
        _audit(
            actor,
            "registration.decline",
            registration,
            message=reason,
            state={"before": State.REQUESTED, "after": State.DECLINED},
        )
        changed = list(locked.changed)
        events.registrations_changed(changed)
    return Outcome(registration, changed)


def offer_accept(
    *, actor: Actor, registration: Registration, now: datetime.datetime | None = None
) -> Outcome:
    """The agent takes the seat offered to them, before its deadline."""
    if not policies.can_cancel_registration(actor, registration.agent):
        raise NotAllowed(_("Vous ne pouvez pas répondre pour cet agent."))
    now = now or timezone.now()
    with capacity.locked_session(registration.session_id, now=now) as locked:
        capacity.expire_offers(locked, actor=actor)
        registration = _locked_registration(locked, registration)
        if registration.state != State.OFFERED:
            raise DomainError(
                _("Cette place n'est plus disponible : le délai pour l'accepter est passé."),
                code="offer.expired",
            )
        capacity.transition(
            locked, registration, State.CONFIRMED, actor=actor, reason=_("Place acceptée.")
        )
        capacity.fill_free_seats(locked, actor=actor)
        _audit(actor, "registration.offer_accept", registration)
        changed = list(locked.changed)
        events.registrations_changed(changed)
    return Outcome(registration, changed)


def offer_decline(
    *, actor: Actor, registration: Registration, now: datetime.datetime | None = None
) -> Outcome:
    """The agent lets the offered seat go; it passes to the next agent."""
    if not policies.can_cancel_registration(actor, registration.agent):
        raise NotAllowed(_("Vous ne pouvez pas répondre pour cet agent."))
    now = now or timezone.now()
    with capacity.locked_session(registration.session_id, now=now) as locked:
        registration = _locked_registration(locked, registration)
        if registration.state != State.OFFERED:
            raise DomainError(_("Cette place n'est plus proposée."), code="offer.withdrawn")
        capacity.transition(
            locked, registration, State.CANCELLED, actor=actor, reason=_("Place proposée refusée.")
        )
        capacity.fill_free_seats(locked, actor=actor)
        _audit(actor, "registration.offer_decline", registration)
        changed = list(locked.changed)
        events.registrations_changed(changed)
    return Outcome(registration, changed)


def session_waitlist_mode_set(
    *, actor: Actor, session: TrainingSession, mode: str, offer_hours: int | None = None
) -> SessionRegistrationSettings:
    """Switch a session between automatic promotion and time-limited offers."""
    if not scheduling_policies.can_manage_sessions(actor):
        raise NotAllowed(_("Réservé aux coordinateurs de l'école."))
    if mode not in SessionRegistrationSettings.Mode.values:
        raise DomainError(_("Mode de liste d'attente inconnu."), code="waitlist.unknown_mode")
    if offer_hours is not None and offer_hours <= 0:
        raise DomainError(
            _("La durée de l'offre doit être d'au moins une heure."),
            code="waitlist.offer_hours_too_short",
        )
    with capacity.locked_session(session.pk) as locked:
        options = locked.options
        before = {"mode": options.waitlist_mode, "offer_hours": options.offer_hours}
        options.waitlist_mode = mode
        if offer_hours is not None:
            options.offer_hours = offer_hours
        options.save(update_fields=["waitlist_mode", "offer_hours"])
        capacity.fill_free_seats(locked, actor=actor)
        events.registrations_changed(locked.changed)
        audit_record(
            actor=actor,
            action="session.waitlist_mode",
            obj=locked.session,
            changes={
                "mode": {"before": before["mode"], "after": mode},
                "offer_hours": {"before": before["offer_hours"], "after": options.offer_hours},
            },
        )
    return options


# --- Timed work (the periodic tick) ----------------------------------------------------


def pending_requests_decline_after_close(*, now: datetime.datetime | None = None) -> int:
    """Requests still waiting for a manager when registration closes are declined."""
    now = now or timezone.now()
    session_ids = set(
        Registration.objects.filter(
            state=State.REQUESTED,
            session__registration_closes_at__lte=now,
        ).values_list("session_id", flat=True)
    )
    count = 0
    for session_id in session_ids:
        with capacity.locked_session(session_id, now=now) as locked:
            for registration in Registration.objects.filter(
                session_id=session_id, state=State.REQUESTED
            ).select_related("agent", "session__course"):
                capacity.transition(
                    locked,
                    registration,
                    State.DECLINED,
                    actor=None,
                    reason=_("Demande sans réponse du responsable à la clôture des inscriptions."),
                )
                _audit(None, "registration.auto_decline", registration)
                count += 1
            events.registrations_changed(locked.changed)
    return count


def offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Pass on every offer past its deadline (run by the worker or a timer)."""
    now = now or timezone.now()
    session_ids = set(
        Registration.objects.filter(state=State.OFFERED, offer_expires_at__lte=now).values_list(
            "session_id", flat=True
        )
    )
    count = 0
    for session_id in session_ids:
        with capacity.locked_session(session_id, now=now) as locked:
            capacity.fill_free_seats(locked, actor=None)
            count += len(locked.changed)
            events.registrations_changed(locked.changed)
    return count
