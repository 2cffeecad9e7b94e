"""What each change tells whom. Run after the action's transaction has committed.

Every function here reads the committed state, builds the notices and hands
them to the outbox, whose de-duplication keys make a second call harmless.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from campus.core import ical
from campus.registrations import capacity
from campus.registrations.models import Attendance, Registration, RegistrationEvent
from campus.scheduling.models import TrainingSession

from . import recipients
from .context import absolute, calendar_event, calendar_sequence, session_facts, sessions_with_facts
from .models import OutboxMessage, SessionNotificationSettings
from .outbox import Notice, queue
from .recipients import Recipient

State = Registration.State
Channel = OutboxMessage.Channel
IcsBuilder = Callable[[Recipient], tuple[str, str]]


def describe(facts: dict[str, Any]) -> str:
    """The plain description put in calendar events, in the active language."""
    lines = []
    for part in facts["parts"]:
        day = formats.date_format(datetime.date.fromisoformat(part["date"]), "SHORT_DATE_FORMAT")
        line = f"{day} {part['start']}–{part['end']}"
        if part["place"]:
            line = f"{line}, {part['place']}"
        lines.append(line)
    if facts["trainers"]:
        lines.append(_("Animation : %(names)s") % {"names": facts["trainers"]})
    lines.append(facts["url"])
    return "\n".join(lines)


def ics_builder(facts: dict[str, Any], *, uid: str, sequence: int, method: str) -> IcsBuilder:
    def build(recipient: Recipient) -> tuple[str, str]:
        with translation.override(recipient.language):
            description = describe(facts)
        event = calendar_event(
            facts,
            uid=uid,
            sequence=sequence,
            description=description,
            attendees=(recipient.email,) if recipient.email else (),
            cancelled=method == "CANCEL",
        )
        return method, ical.invitation(event, method=method)

    return build


def _facts_by_session(
    session_ids: Iterable[int],
) -> dict[int, tuple[TrainingSession, dict[str, Any]]]:
    return {
        s.pk: (s, session_facts(s)) for s in sessions_with_facts().filter(pk__in=set(session_ids))
    }


def _latest_events(registration_ids: Sequence[int]) -> dict[int, RegistrationEvent]:
    latest: dict[int, RegistrationEvent] = {}
    for event in RegistrationEvent.objects.filter(registration_id__in=registration_ids).order_by(
        "registration_id", "-id"
    ):
        latest.setdefault(event.registration_id, event)
    return latest


def _registrations(ids: Iterable[int]) -> list[Registration]:
    return list(
        Registration.objects.filter(pk__in=list(ids)).select_related(
            "agent__user", "agent__manager__user", "session__course"
        )
    )


CONFIRMED_TEMPLATES = {
    "": "registration_confirmed",
    State.REQUESTED: "registration_approved",
    State.WAITLISTED: "registration_promoted",
    State.OFFERED: "registration_confirmed",
}


def _registration_notices(
    registration: Registration,
    event: RegistrationEvent,
    session: TrainingSession,
    facts: dict[str, Any],
) -> list[Notice]:
    agent = registration.agent
    to_state, from_state = event.to_state, event.from_state
    context: dict[str, Any] = {
        "session": facts,
        "agent_name": agent.full_name,
        "state": to_state,
        "reason": event.reason,
    }
    key = f"registration-event:{event.pk}:agent:{agent.pk}"
    sequence = calendar_sequence(session)
    uid = ical.registration_uid(registration.pk)
    builder: IcsBuilder | None = None

    if to_state == State.REQUESTED:
        manager = agent.manager
        if manager is None:
            return []
        context["manager_name"] = manager.full_name
        context["decide_url"] = absolute(reverse("registrations:team"))
        return [
            Notice(
                "approval_requested",
                f"registration-event:{event.pk}:manager:{manager.pk}",
                recipients.for_agent(manager),
                context,
            )
        ]
    if to_state == State.CONFIRMED:
        template = CONFIRMED_TEMPLATES.get(from_state, "registration_confirmed")
        builder = ics_builder(facts, uid=uid, sequence=sequence, method="REQUEST")
    elif to_state == State.WAITLISTED:
        template = (
            "registration_approved" if from_state == State.REQUESTED else "registration_waitlisted"
        )
        context["position"] = capacity.waitlist_position(registration)
    elif to_state == State.OFFERED:
        template = "seat_offered"
        expires = registration.offer_expires_at
        context["offer_expires_at"] = expires.isoformat() if expires else None
    elif to_state == State.DECLINED:
        template = "registration_declined"
    elif to_state == State.CANCELLED:
        template = "registration_cancelled"
        if from_state == State.CONFIRMED:
            builder = ics_builder(facts, uid=uid, sequence=sequence + 1, method="CANCEL")
    elif to_state == State.SESSION_CANCELLED:
        template = "session_cancelled"
        context["reason"] = session.cancellation_reason or event.reason
        if from_state == State.CONFIRMED:
            builder = ics_builder(facts, uid=uid, sequence=sequence, method="CANCEL")
    else:
        return []
    recipient = recipients.for_agent(agent)
    context["has_invitation"] = builder is not None and recipient.channel == Channel.EMAIL
    return [Notice(template, key, recipient, context, ics_builder=builder)]


def registrations_changed(registration_ids: Sequence[int]) -> int:
    """Tell each agent (or their manager) what just happened to their registration."""
    registrations = _registrations(registration_ids)
    if not registrations:
        return 0
    sessions = _facts_by_session(r.session_id for r in registrations)
    latest = _latest_events([r.pk for r in registrations])
    notices: list[Notice] = []
    for registration in registrations:
        event = latest.get(registration.pk)
        if event is None or event.to_state != registration.state:
            continue  # changed again since: the later trigger tells the final state
        session, facts = sessions[registration.session_id]
        notices.extend(_registration_notices(registration, event, session, facts))
    return len(queue(notices))


def _bump_sequence(session_id: int, change_key: str) -> int | None:
    """Raise the session's calendar sequence once per change; None if already announced."""
    with transaction.atomic():
        settings_row, _created = SessionNotificationSettings.objects.get_or_create(
            session_id=session_id
        )
        settings_row = SessionNotificationSettings.objects.select_for_update().get(
            pk=settings_row.pk
        )
        if settings_row.last_change_key == change_key:
            return None
        settings_row.calendar_sequence += 1
        settings_row.last_change_key = change_key[:80]
        settings_row.save(update_fields=["calendar_sequence", "last_change_key"])
        return settings_row.calendar_sequence


def session_changed(session_id: int, change_key: str) -> int:
    """New time or room: every live registrant hears of it; the confirmed get an updated invitation."""
    sequence = _bump_sequence(session_id, change_key)
    if sequence is None:
        return 0
    sessions = _facts_by_session([session_id])
    if session_id not in sessions:
        return 0
    _session, facts = sessions[session_id]
    live = Registration.objects.filter(
        session_id=session_id, state__in=Registration.LIVE_STATES
    ).select_related("agent__user", "agent__manager__user")
    notices = []
    for registration in live:
        agent = registration.agent
        builder = None
        if registration.state == State.CONFIRMED:
            builder = ics_builder(
                facts,
                uid=ical.registration_uid(registration.pk),
                sequence=sequence,
                method="REQUEST",
            )
        recipient = recipients.for_agent(agent)
        notices.append(
            Notice(
                "session_changed",
                f"session-change:{session_id}:{sequence}:agent:{agent.pk}",
                recipient,
                {
                    "session": facts,
                    "agent_name": agent.full_name,
                    "state": registration.state,
                    "has_invitation": builder is not None and recipient.channel == Channel.EMAIL,
                },
                ics_builder=builder,
            )
        )
    return len(queue(notices))


def session_cancelled(session_id: int, registration_ids: Sequence[int]) -> int:
    """The cancellation notice (with METHOD:CANCEL for those who had the invitation)."""
    _bump_sequence(session_id, "cancelled")
    return registrations_changed(registration_ids)


def absences_recorded(registration_ids: Sequence[int]) -> int:
    """Unexcused absences are reported to the agent's line manager."""
    registrations = [r for r in _registrations(registration_ids) if r.agent.manager_id is not None]
    if not registrations:
        return 0
    absences: dict[int, list[Attendance]] = {}
    for attendance in (
        Attendance.objects.filter(
            registration__in=registrations, status=Attendance.Status.UNEXCUSED
        )
        .select_related("part")
        .order_by("part__starts_at")
    ):
        absences.setdefault(attendance.registration_id, []).append(attendance)
    sessions = _facts_by_session(r.session_id for r in registrations)
    notices = []
    for registration in registrations:
        missed = absences.get(registration.pk)
        manager = registration.agent.manager
        if not missed or manager is None:
            continue
        _session, facts = sessions[registration.session_id]
        notices.append(
            Notice(
                "absence_recorded",
                f"absence:{registration.pk}:manager:{manager.pk}",
                recipients.for_agent(manager),
                {
                    "session": facts,
                    "agent_name": registration.agent.full_name,
                    "manager_name": manager.full_name,
                    "missed": [
                        {
                            "date": a.part.date.isoformat(),
                            "start": a.part.start_time.strftime("%H:%M"),
                            "end": a.part.end_time.strftime("%H:%M"),
                        }
                        for a in missed
                    ],
                },
            )
        )
    return len(queue(notices))


def absences_recorded_for_session(session_id: int) -> int:
    registration_ids = list(
        Attendance.objects.filter(part__session_id=session_id, status=Attendance.Status.UNEXCUSED)
        .values_list("registration_id", flat=True)
        .distinct()
    )
    return absences_recorded(registration_ids)
