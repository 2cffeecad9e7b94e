"""Reads for sessions. Each returns a queryset whose cost does not grow with the data."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Greatest

from .models import TrainingSession


def seats_taken_expression() -> models.Expression:
    """Seats in use by a session: the one definition every page and service shares.

    Until registrations exist no seat is taken; the registrations app replaces
    this with a subquery counting confirmed registrations.
    """
    return models.Value(0, output_field=models.IntegerField())


def with_seats_left(queryset: models.QuerySet[TrainingSession]) -> models.QuerySet[TrainingSession]:
    """Annotate `seats_taken` and `seats_left` (never below zero)."""
    return queryset.annotate(seats_taken=seats_taken_expression()).annotate(
        seats_left=Greatest(models.F("capacity") - models.F("seats_taken"), models.Value(0))
    )
