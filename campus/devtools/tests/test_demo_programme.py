"""The demo school year: realistic, conflict-free, idempotent and quick."""

from __future__ import annotations

import datetime
import random
import time
from zoneinfo import ZoneInfo

import pytest

from campus.catalog.models import Course, Programme
from campus.devtools.demo.programme import (
    CANCEL_REASON,
    days_off,
    load_demo_programming,
    school_year,
)
from campus.people.tests.factories import AgentFactory
from campus.scheduling.conflicts import Slot, find_conflicts
from campus.scheduling.models import Room, SessionPart, TrainingSession

TODAY = datetime.date(2026, 11, 24)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def loaded(db):
    trainers = AgentFactory.create_batch(20)
    managers = AgentFactory.create_batch(4, is_manager_position=True)
    started = time.monotonic()
    result = load_demo_programming(
        rng=random.Random(7), today=TODAY, trainers=trainers, managers=managers
    )
    result["seconds"] = time.monotonic() - started
    return result, trainers, managers


def test_a_school_year_that_looks_real(loaded):
    result, _trainers, _managers = loaded
    assert result["seconds"] < 10
    assert result["programmes"] == Programme.objects.count() == 5
    assert result["rooms"] == Room.objects.count() == 5
    assert len({r.capacity for r in Room.objects.all()}) == 5
    assert result["sessions"] == TrainingSession.objects.count()
    assert result["sessions"] >= 80
    assert result["parts"] == SessionPart.objects.count()
    assert result["done"] > 0
    assert result["open"] > result["done"]

    first, last = school_year(TODAY)
    assert (first, last) == (datetime.date(2026, 9, 1), datetime.date(2027, 6, 30))
    bounds = TrainingSession.objects.order_by("starts_at")
    assert bounds.first().starts_at.astimezone(PARIS).date() >= first
    assert bounds.last().ends_at.astimezone(PARIS).date() <= last
    now = datetime.datetime.combine(TODAY, datetime.time(), tzinfo=PARIS)
    assert not TrainingSession.objects.filter(status="done", ends_at__gte=now).exists()
    assert not TrainingSession.objects.filter(status="open", ends_at__lt=now).exists()

    cancelled = TrainingSession.objects.get(status="cancelled")
    assert cancelled.cancellation_reason == CANCEL_REASON
    assert Course.objects.exclude(status="published").count() == 0


def test_the_four_kinds_of_series_and_the_management_track(loaded):
    digital = SessionPart.objects.filter(session__course__programme__slug="mardis-du-numerique")
    assert digital.count() > 25
    assert {p.date.weekday() for p in digital} == {1}
    assert {(p.start_time, p.end_time) for p in digital} == {
        (datetime.time(12, 15), datetime.time(13, 0))
    }
    holidays = days_off(*school_year(TODAY))
    assert datetime.date(2026, 10, 20) in holidays
    assert not any(p.date in holidays for p in SessionPart.objects.all())
    titles = set(digital.values_list("session__course__title", flat=True))
    assert {"Trello : organiser le travail d'équipe", "Bizagi : modéliser un processus"} <= titles
    assert (
        TrainingSession.objects.filter(series_key="")
        .exclude(course__programme__slug="parcours-management")
        .count()
        == 0
    )

    exams = Course.objects.filter(programme__slug="preparation-concours")
    assert exams.count() == 4
    assert set(exams.values_list("training_type", flat=True)) == {"concours"}
    assert TrainingSession.objects.filter(course__in=exams).count() == 24

    meetups = TrainingSession.objects.filter(
        course__programme__slug="rencontres-developpement-durable"
    )
    months = {s.starts_at.astimezone(PARIS).month for s in meetups}
    assert len(months) >= 9

    management = Course.objects.filter(programme__slug="parcours-management")
    assert management.count() == 4
    assert all(c.audience_managers_only for c in management)
    assert management.filter(requires_manager_approval=True).exists()
    assert management.filter(training_type="pro_prise_de_poste").count() == 2
    onboarding = TrainingSession.objects.filter(course__format="formation")
    assert onboarding.count() == 3
    assert all(s.parts.count() == 2 for s in onboarding)


def test_generated_programming_has_no_room_or_trainer_conflict(loaded):
    sessions = TrainingSession.objects.exclude(status="cancelled").prefetch_related(
        "parts", "trainers"
    )
    for session in sessions:
        slots = [Slot(p.starts_at, p.ends_at, p.room_id) for p in session.parts.all()]
        clashes = find_conflicts(
            slots=slots,
            trainer_ids=[t.pk for t in session.trainers.all()],
            exclude_session_id=session.pk,
        )
        assert clashes == [], [c.message() for c in clashes]


def test_loading_twice_changes_nothing(loaded):
    result, trainers, managers = loaded
    counts = (TrainingSession.objects.count(), SessionPart.objects.count(), Course.objects.count())
    again = load_demo_programming(
        rng=random.Random(7), today=TODAY, trainers=trainers, managers=managers
    )
    assert again["skipped"] is True
    assert counts == (
        TrainingSession.objects.count(),
        SessionPart.objects.count(),
        Course.objects.count(),
    )
    assert counts[0] == result["sessions"]
