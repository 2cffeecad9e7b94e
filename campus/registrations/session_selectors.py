"""Reads for the programmed session's pages that show seats: the coordinator's, the trainer's."""

from __future__ import annotations

import datetime

from django.db import models

from campus.people.models import Agent
from campus.scheduling.models import ConflictOverride, SessionPart, TrainingSession

from .capacity import with_seats_left


def session_detail(pk: int) -> TrainingSession:
    """One session with everything its coordinator page shows (raises DoesNotExist)."""
    return (
        with_seats_left(TrainingSession.objects.all())
        .select_related("course__programme", "created_by")
        .prefetch_related(
            models.Prefetch("parts", queryset=SessionPart.objects.select_related("room__venue")),
            "trainers__organisation",
            models.Prefetch(
                "conflict_overrides",
                queryset=ConflictOverride.objects.select_related(
                    "other_session__course", "decided_by"
                ).order_by("decided_at"),
            ),
        )
        .get(pk=pk)
    )


def trainer_sessions(
    agent: Agent, *, now: datetime.datetime
) -> tuple[list[TrainingSession], list[TrainingSession]]:
    """The agent's sessions as trainer: (upcoming soonest first, past latest first)."""
    sessions = list(
        with_seats_left(TrainingSession.objects.filter(trainers=agent))
        .select_related("course")
        .prefetch_related(
            models.Prefetch("parts", queryset=SessionPart.objects.select_related("room__venue"))
        )
        .order_by("starts_at", "id")
    )
    upcoming = [s for s in sessions if s.ends_at is not None and s.ends_at >= now]
    past = [s for s in sessions if s.ends_at is None or s.ends_at < now]
    past.reverse()
    return upcoming, past
