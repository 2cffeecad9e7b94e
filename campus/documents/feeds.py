"""A feed token's sessions as an iCalendar document, one event per session part."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from campus.core import ical
from campus.notifications.context import (
    calendar_sequence,
    part_place,
    session_title,
    session_url,
)
from campus.notifications.recipients import language_of
from campus.scheduling.models import TrainingSession

from . import selectors
from .models import FeedToken

Kind = FeedToken.Kind


def _name(token: FeedToken) -> str:
    if token.kind == Kind.ROOM and token.room is not None:
        return _("Salle %(room)s") % {"room": token.room}
    if token.kind == Kind.TRAINER:
        return _("Mes animations")
    if token.kind == Kind.AGENT:
        return _("Mes sessions de formation")
    return _("Programme de l'école")


def _events(token: FeedToken, sessions: list[TrainingSession]) -> list[ical.CalendarEvent]:
    events = []
    for session in sessions:
        trainers = [t.full_name for t in session.trainers.all()]
        if session.external_speaker:
            trainers.append(session.external_speaker)
        url = session_url(session)
        lines = []
        if trainers:
            lines.append(_("Animation : %(names)s") % {"names": ", ".join(trainers)})
        if session.status == TrainingSession.Status.CANCELLED:
            lines.append(
                _("Session annulée : %(reason)s") % {"reason": session.cancellation_reason}
            )
        lines.append(url)
        for part in session.parts.all():
            if token.kind == Kind.ROOM and part.room_id != token.room_id:
                continue
            events.append(
                ical.CalendarEvent(
                    uid=ical.part_uid(part.pk),
                    sequence=calendar_sequence(session),
                    summary=session_title(session),
                    starts_at=part.starts_at,
                    ends_at=part.ends_at,
                    location=part_place(part),
                    description="\n".join(lines),
                    url=url,
                    cancelled=session.status == TrainingSession.Status.CANCELLED,
                    stamp=session.updated_at,
                )
            )
    return events


def feed_document(token: FeedToken) -> str:
    """The whole feed, written in its owner's language."""
    with translation.override(language_of(token.owner)):
        sessions = selectors.feed_sessions(token)
        return ical.feed(_events(token, sessions), name=_name(token))
