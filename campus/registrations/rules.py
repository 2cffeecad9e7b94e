"""The school's sign-up rules, in one place, each refusal a code and a French sentence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from campus.catalog.audience import audience_refusal
from campus.catalog.models import Course
from campus.core import roles
from campus.core.actors import Actor
from campus.core.exceptions import Refusal
from campus.people.models import Agent
from campus.scheduling.models import SessionPart, TrainingSession

from .models import Registration


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y à H:i")


def signup_refusal(
    *, session: TrainingSession, agent: Agent, actor: Actor, now: datetime.datetime
) -> Refusal | None:
    """Why this sign-up cannot be made, or None. Coordinators may sign up outside the window."""
    if not agent.is_active:
        return Refusal(_("Cet agent n'est plus actif."), code="agent.inactive")
    if session.status == TrainingSession.Status.CANCELLED:
        return Refusal(_("Cette session est annulée."), code="session.cancelled")
    if session.status == TrainingSession.Status.DONE:
        return Refusal(_("Cette session est terminée."), code="session.done")
    if session.status != TrainingSession.Status.OPEN:
        return Refusal(
            _("Les inscriptions à cette session ne sont pas ouvertes."),
            code="registration.session_not_open",
        )
    if session.starts_at and session.starts_at <= now:
        return Refusal(_("Cette session a déjà commencé."), code="registration.session_started")
    if not roles.is_coordinator(actor):
        if session.registration_opens_at and now < session.registration_opens_at:
            return Refusal(
                _("Les inscriptions ouvrent le %(when)s.")
                % {"when": _when(session.registration_opens_at)},
                code="registration.window_not_open",
            )
        if session.registration_closes_at and now >= session.registration_closes_at:
            return Refusal(
                _("Les inscriptions sont closes depuis le %(when)s.")
                % {"when": _when(session.registration_closes_at)},
                code="registration.window_closed",
            )
    reason = audience_refusal(course=session.course, agent=agent)
    if reason:
        return reason
    return None


def needs_manager_approval(*, course: Course, agent: Agent, actor: Actor) -> bool:
    """True when a sign-up becomes a request to the agent's line manager.

    The course asks for the manager's agreement, the agent signs up alone (not
    their manager nor the school for them), and they have a manager to ask.
    The sign-up service and every page that announces the request ask here.
    """
    return (
        course.requires_manager_approval
        and roles.own_agent_id(actor) == agent.pk
        and agent.manager_id is not None
        and not roles.is_coordinator(actor)
    )


@dataclass(frozen=True)
class SignupOffer:
    """What a page may offer about signing `agent` up to a session, as the service will decide.

    `refusal` is what `signup_refusal` answers (None when the sign-up is
    possible); `needs_approval` says the sign-up will be a request to the line
    manager; `to_waitlist` that no seat is free, so it will join the waitlist.
    """

    refusal: Refusal | None
    needs_approval: bool
    to_waitlist: bool

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def signup_offer(
    *, session: TrainingSession, agent: Agent, actor: Actor, now: datetime.datetime, seats_left: int
) -> SignupOffer:
    """The offer for a session read with its seats left (`capacity.with_seats_left`)."""
    return SignupOffer(
        refusal=signup_refusal(session=session, agent=agent, actor=actor, now=now),
        needs_approval=needs_manager_approval(course=session.course, agent=agent, actor=actor),
        to_waitlist=seats_left <= 0,
    )


# A waitlist place holds no time slot yet: only these count as being booked.
BOOKED_STATES = (
    Registration.State.CONFIRMED,
    Registration.State.OFFERED,
    Registration.State.REQUESTED,
)


def live_registrations(agent: Agent) -> list[tuple[int, int, str]]:
    """(id, session id, state) of the agent's live registrations: one narrow query."""
    return list(
        Registration.objects.filter(agent=agent, state__in=Registration.LIVE_STATES).values_list(
            "pk", "session_id", "state"
        )
    )


def overlapping_registrations(
    *,
    session: TrainingSession,
    agent: Agent,
    live: list[tuple[int, int, str]] | None = None,
) -> list[Registration]:
    """The agent's live registrations to other sessions whose parts overlap this one's.

    `live` is `live_registrations(agent)` when the caller already read it.
    """
    # This runs under the session lock for every sign-up, so it starts with the
    # cheapest question (does the agent hold anything elsewhere? usually not: one
    # narrow query, shared with the duplicate check) and loads parts, then full
    # rows, only when there is a case.
    if live is None:
        live = live_registrations(agent)
    held_elsewhere = [
        (pk, session_id)
        for pk, session_id, state in live
        if state in BOOKED_STATES and session_id != session.pk
    ]
    if not held_elsewhere:
        return []
    parts: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for session_id, starts_at, ends_at in SessionPart.objects.filter(
        session_id__in={session.pk, *(session_id for _pk, session_id in held_elsewhere)}
    ).values_list("session_id", "starts_at", "ends_at"):
        parts.setdefault(session_id, []).append((starts_at, ends_at))
    own = parts.get(session.pk, [])
    overlapping_ids = [
        pk
        for pk, session_id in held_elsewhere
        if any(
            starts_at < other_ends and ends_at > other_starts
            for starts_at, ends_at in own
            for other_starts, other_ends in parts.get(session_id, [])
        )
    ]
    if not overlapping_ids:
        return []
    return list(
        Registration.objects.filter(pk__in=overlapping_ids).select_related("session__course")
    )


def cancel_refusal(
    *, registration: Registration, actor: Actor, now: datetime.datetime
) -> Refusal | None:
    """Why this registration cannot be cancelled by this person now, or None."""
    if not registration.is_live:
        return Refusal(_("Cette inscription n'est plus active."), code="registration.not_live")
    if roles.is_coordinator(actor):
        return None
    session = registration.session
    if session.starts_at and session.starts_at <= now:
        return Refusal(
            _("La session a commencé : adressez-vous au coordinateur de l'école."),
            code="registration.cancel_after_start",
        )
    if registration.is_mandatory:
        return Refusal(
            _(
                "Cette inscription est obligatoire : seul le coordinateur de l'école peut l'annuler."
            ),
            code="registration.mandatory",
        )
    # The deadline protects the seat count the trainer prepared for; waitlist places
    # and pending requests hold no seat, so they can always be withdrawn.
    if (
        registration.state == Registration.State.CONFIRMED
        and session.cancellation_deadline
        and now >= session.cancellation_deadline
    ):
        return Refusal(
            _(
                "La date limite d'annulation (%(when)s) est passée : adressez-vous au "
                "coordinateur de l'école."
            )
            % {"when": _when(session.cancellation_deadline)},
            code="registration.cancel_deadline_passed",
        )
    return None
