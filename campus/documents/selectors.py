"""Reads for calendar feeds: the token, the sessions it shows, the person's links."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from campus.core.actors import Actor
from campus.notifications.context import sessions_with_facts
from campus.people.actors import author
from campus.registrations.models import Registration
from campus.scheduling.models import Room, TrainingSession

from . import policies
from .models import FeedToken

Kind = FeedToken.Kind
# Feeds reach back a few months (last term's sessions stay visible), not forever.
FEED_PAST_DAYS = 180


def active_feed_token(token: str) -> FeedToken | None:
    """The token if it still opens its feed: not revoked, owner active and still allowed."""
    if not token or len(token) > 64:
        return None
    found = (
        FeedToken.objects.select_related("owner", "agent", "room__venue")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if found is None or not found.owner.is_active:
        return None
    if not policies.can_subscribe_feed(found.owner, found.kind, agent=found.agent, room=found.room):
        return None
    return found


def feed_sessions(
    token: FeedToken, *, now: datetime.datetime | None = None
) -> list[TrainingSession]:
    """Published (and cancelled) sessions the feed shows, with their parts, in a fixed number of queries."""
    since = (now or timezone.now()) - datetime.timedelta(days=FEED_PAST_DAYS)
    sessions: QuerySet[TrainingSession] = sessions_with_facts().filter(
        starts_at__gte=since,
        status__in=[
            TrainingSession.Status.OPEN,
            TrainingSession.Status.DONE,
            TrainingSession.Status.CANCELLED,
        ],
    )
    if token.kind == Kind.AGENT:
        sessions = sessions.filter(
            registrations__agent=token.agent,
            registrations__state__in=[
                Registration.State.CONFIRMED,
                Registration.State.SESSION_CANCELLED,
            ],
        )
    elif token.kind == Kind.TRAINER:
        sessions = sessions.filter(trainers=token.agent)
    elif token.kind == Kind.ROOM:
        sessions = sessions.filter(parts__room=token.room)
    return list(sessions.distinct().order_by("starts_at", "id"))


def feed_tokens_of(user: Actor) -> list[FeedToken]:
    owner = author(user)
    if owner is None:
        return []
    return list(
        FeedToken.objects.filter(owner=owner, revoked_at__isnull=True)
        .select_related("room__venue")
        .order_by("-created_at", "-id")
    )


def rooms_for_feeds() -> QuerySet[Room]:
    return (
        Room.objects.filter(is_active=True).select_related("venue").order_by("venue__name", "name")
    )
