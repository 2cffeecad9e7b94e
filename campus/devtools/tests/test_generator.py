"""The data generator: determinism, the product's invariants, the bench fixtures, the command."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from campus.catalog.models import Course
from campus.catalog.search_text import build_search_text
from campus.core.exceptions import DomainError
from campus.devtools.datagen.generator import (
    BENCH_PASSWORD,
    GenerationRefused,
    bench_fixtures,
    generate,
    rush_session_reset,
)
from campus.devtools.datagen.presets import PRESETS
from campus.devtools.datagen.verify import manager_loops, misplaced_attendance, overbooked_sessions
from campus.people.models import Agent, Department, Organisation, User
from campus.people.tests.factories import AgentFactory
from campus.registrations import services
from campus.registrations.models import Attendance, Registration, RegistrationEvent
from campus.scheduling.models import SessionPart, TrainingSession

pytestmark = pytest.mark.django_db

REFERENCE = datetime.date(2026, 9, 1)
TINY = PRESETS["tiny"]
State = Registration.State


def _tiny(seed: int = 11, *, reset: bool = False, reference: datetime.date = REFERENCE):
    return generate(sizes=TINY, seed=seed, reference=reference, reset=reset)


def _registration_rows() -> list[tuple]:
    return list(
        Registration.objects.order_by("id").values_list(
            "id", "session_id", "agent_id", "state", "queued_at", "is_mandatory"
        )
    )


# --- Determinism --------------------------------------------------------------


def test_same_seed_gives_the_same_rows_and_digest():
    first = _tiny(seed=11)
    rows = _registration_rows()
    agents = list(Agent.objects.order_by("id").values_list("last_name", "manager_id", "email"))
    second = _tiny(seed=11, reset=True)
    assert second.digest == first.digest
    assert _registration_rows() == rows
    assert (
        list(Agent.objects.order_by("id").values_list("last_name", "manager_id", "email")) == agents
    )


def test_another_seed_gives_other_rows():
    first = _tiny(seed=11)
    rows = _registration_rows()
    second = _tiny(seed=12, reset=True)
    assert second.digest != first.digest
    assert _registration_rows() != rows


# --- What the product relies on -------------------------------------------------


def test_counts_follow_the_preset():
    result = _tiny()
    assert Organisation.objects.count() == TINY.organisations
    assert Agent.objects.count() == TINY.agents
    assert User.objects.filter(agent__isnull=False).count() == TINY.agents
    assert Course.objects.count() == TINY.courses
    assert TrainingSession.objects.count() == TINY.sessions
    assert Registration.objects.count() == TINY.registrations
    assert result.counts["registrations.registration"] == TINY.registrations


def test_no_session_holds_more_seats_than_its_capacity():
    _tiny()
    assert overbooked_sessions() == []
    worst = (
        TrainingSession.objects.annotate(
            seats=Count(
                "registrations", filter=Q(registrations__state__in=Registration.SEAT_STATES)
            )
        )
        .order_by("-seats")
        .values_list("seats", "capacity")
    )
    assert all(seats <= capacity for seats, capacity in worst)
    # Popular sessions are full with a waitlist: the rule is exercised, not avoided.
    assert Registration.objects.filter(state=State.WAITLISTED).exists()


def test_at_most_one_live_registration_per_agent_and_session():
    _tiny()
    duplicates = (
        Registration.objects.filter(state__in=Registration.LIVE_STATES)
        .values("session_id", "agent_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()


def test_the_hierarchy_has_no_loops_and_plausible_teams():
    _tiny()
    assert manager_loops() == []
    agents = Agent.objects.count()
    managers = Agent.objects.filter(is_manager_position=True).count()
    assert 0.12 <= managers / agents <= 0.18
    spans = list(
        Agent.objects.filter(manager__isnull=False)
        .values("manager_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert all(5 <= span <= 15 for span in spans)
    # Exactly one head per organisation.
    heads = (
        Agent.objects.filter(manager__isnull=True).values("organisation_id").annotate(n=Count("id"))
    )
    assert {row["n"] for row in heads} == {1}
    assert (
        Agent.objects.exclude(organisation_id=F("manager__organisation_id"))
        .filter(manager__isnull=False)
        .count()
        == 0
    )


def test_departments_are_trees_inside_their_organisation():
    _tiny()
    assert Department.objects.filter(parent__isnull=True).count() == TINY.organisations
    assert (
        not Department.objects.exclude(organisation_id=F("parent__organisation_id"))
        .filter(parent__isnull=False)
        .exists()
    )
    assert not Agent.objects.exclude(organisation_id=F("department__organisation_id")).exists()


def test_population_mix():
    _tiny()
    categories = Counter(Agent.objects.values_list("category", flat=True))
    total = sum(categories.values())
    assert 0.08 <= categories["A"] / total <= 0.25
    assert 0.15 <= categories["B"] / total <= 0.35
    assert 0.50 <= categories["C"] / total <= 0.70
    without_email = Agent.objects.filter(email="").count() / total
    assert 0.05 <= without_email <= 0.35
    # Agents without e-mail sign in with their organisation code and matricule.
    user = User.objects.filter(agent__email="").select_related("agent__organisation").first()
    assert user.login == f"{user.agent.organisation.code}/{user.agent.matricule}".lower()


def test_bench_accounts_share_one_known_password_and_the_others_cannot_sign_in():
    _tiny()
    limit = TINY.bench_accounts
    shared = User.objects.get(pk=1).password
    # Checking must not re-hash (a weak salt would): sign-ins stay cheap during the bench.
    assert User.objects.get(pk=1).check_password(BENCH_PASSWORD)
    assert User.objects.get(pk=1).password == shared
    assert User.objects.get(pk=limit).check_password(BENCH_PASSWORD)
    assert len(set(User.objects.filter(pk__lte=limit).values_list("password", flat=True))) == 1
    outsider = User.objects.get(pk=limit + 1)
    assert not outsider.has_usable_password()
    assert User.objects.get(pk=1).role == User.Role.COORDINATOR


def test_every_registration_has_a_history_that_ends_in_its_state():
    _tiny()
    registrations = dict(Registration.objects.values_list("id", "state"))
    events: dict[int, list[tuple[str, str]]] = {}
    for registration_id, from_state, to_state in RegistrationEvent.objects.order_by(
        "at", "id"
    ).values_list("registration_id", "from_state", "to_state"):
        events.setdefault(registration_id, []).append((from_state, to_state))
    assert set(events) == set(registrations)
    for registration_id, history in events.items():
        assert history[0][0] == ""
        for (_before, after), (before, _after) in itertools.pairwise(history):
            assert after == before
        assert history[-1][1] == registrations[registration_id]


def test_attendance_only_for_confirmed_registrations_of_done_sessions_one_per_part():
    _tiny()
    assert misplaced_attendance() == 0
    done_confirmed = Registration.objects.filter(
        state=State.CONFIRMED, session__status=TrainingSession.Status.DONE
    )
    expected = sum(
        SessionPart.objects.filter(session_id=session_id).count()
        for session_id in done_confirmed.values_list("session_id", flat=True)
    )
    assert Attendance.objects.count() == expected
    statuses = Counter(Attendance.objects.values_list("status", flat=True))
    assert statuses["present"] / sum(statuses.values()) > 0.7
    assert statuses["excused"]
    assert statuses["unexcused"]


def test_sessions_past_and_future_with_parts_bounds_and_course_search_text():
    _tiny()
    now = timezone.make_aware(datetime.datetime.combine(REFERENCE, datetime.time()))
    assert not TrainingSession.objects.filter(starts_at__lt=now, status="open").exists()
    assert not TrainingSession.objects.filter(starts_at__gte=now, status="done").exists()
    assert (
        TrainingSession.objects.filter(status="cancelled").exclude(cancellation_reason="").exists()
    )
    for session in TrainingSession.objects.prefetch_related("parts")[:30]:
        parts = list(session.parts.all())
        assert session.starts_at == min(p.starts_at for p in parts)
        assert session.ends_at == max(p.ends_at for p in parts)
        local = timezone.localtime(parts[0].starts_at)
        assert (local.date(), local.time()) == (parts[0].date, parts[0].start_time)
    course = Course.objects.select_related("programme").prefetch_related("themes").first()
    assert course.search_text == build_search_text(
        [
            course.title,
            course.summary,
            course.objectives,
            course.content,
            course.programme.name if course.programme else "",
            *(theme.name for theme in course.themes.all()),
        ]
    )


def test_no_room_is_booked_twice_at_the_same_time():
    _tiny()
    parts = list(
        SessionPart.objects.filter(room__isnull=False).values_list(
            "room_id", "starts_at", "ends_at"
        )
    )
    by_room: dict[int, list[tuple]] = {}
    for room_id, starts_at, ends_at in parts:
        by_room.setdefault(room_id, []).append((starts_at, ends_at))
    for slots in by_room.values():
        slots.sort()
        for (_start, end), (next_start, _end) in itertools.pairwise(slots):
            assert end <= next_start
    assert SessionPart.objects.filter(room__isnull=True).exclude(location_note="").count() == (
        SessionPart.objects.filter(room__isnull=True).count()
    )


def test_the_database_accepts_ordinary_inserts_afterwards():
    _tiny()
    connection.check_constraints()
    before = Agent.objects.aggregate(Max("id"))["id__max"]
    organisation = Organisation.objects.first()
    agent = Agent.objects.create(
        organisation=organisation, matricule="NEW-1", last_name="Nouveau", first_name="Agent"
    )
    assert agent.pk > before
    user = User.objects.create_user("nouvel.agent@example.fr", "un-mot-de-passe-long", agent=agent)
    assert user.pk > TINY.agents
    session = TrainingSession.objects.get(pk=bench_fixtures()["rush_session"]["session_id"])
    registration = Registration.objects.create(
        session=session, agent=agent, state=State.WAITLISTED, queued_at=timezone.now()
    )
    assert registration.pk > TINY.registrations
    event = RegistrationEvent.objects.create(registration=registration, to_state=State.WAITLISTED)
    assert event.pk > RegistrationEvent.objects.exclude(pk=event.pk).aggregate(Max("id"))["id__max"]


# --- Bench fixtures --------------------------------------------------------------


def test_bench_fixtures_point_at_what_the_benchmark_needs():
    result = _tiny()
    fixtures = bench_fixtures()
    assert fixtures == result.fixtures
    now = timezone.make_aware(datetime.datetime.combine(REFERENCE, datetime.time()))

    hundred = TrainingSession.objects.get(pk=fixtures["session_100_participants"]["session_id"])
    assert hundred.status == TrainingSession.Status.OPEN
    assert hundred.starts_at > now
    assert hundred.registrations.filter(state=State.CONFIRMED).count() == 100
    assert hundred.registrations.filter(state__in=[State.WAITLISTED, State.OFFERED]).count() == 0

    rush = TrainingSession.objects.get(pk=fixtures["rush_session"]["session_id"])
    assert rush.capacity == 13
    assert rush.status == TrainingSession.Status.OPEN
    assert not rush.registrations.exists()
    assert rush.registration_opens_at <= now < rush.registration_closes_at < rush.starts_at
    assert rush.course.audience == Course.Audience.EVERYONE
    assert not rush.course.requires_manager_approval

    manager = fixtures["manager_with_team"]
    assert 10 <= Agent.objects.filter(manager_id=manager["agent_id"]).count() <= 14
    assert manager["agent_id"] <= fixtures["bench_accounts"]["last_user_id"]

    history = Registration.objects.filter(agent_id=fixtures["long_history_agent"]["agent_id"])
    assert history.count() >= fixtures["long_history_agent"]["registrations"] >= 10
    assert history.values("session__starts_at__year").distinct().count() >= 2

    course_id = fixtures["course_with_many_sessions"]["course_id"]
    most = (
        TrainingSession.objects.values("course_id").annotate(n=Count("id")).order_by("-n").first()
    )
    assert TrainingSession.objects.filter(course_id=course_id).count() >= most["n"] / 2

    month = fixtures["busy_month"]
    in_month = TrainingSession.objects.filter(
        starts_at__year=month["year"], starts_at__month=month["month"]
    ).exclude(status="draft")
    assert in_month.count() == month["sessions"] > 0


def test_the_rush_session_takes_sign_ups_through_the_product_services():
    generate(sizes=TINY, seed=3, reference=timezone.localdate())
    fixtures = bench_fixtures()
    rush = TrainingSession.objects.get(pk=fixtures["rush_session"]["session_id"])
    users = User.objects.filter(pk__gt=10, pk__lte=25, is_active=True).select_related("agent")
    states = [
        services.registration_create(actor=user, session=rush, agent=user.agent).registration.state
        for user in users
    ]
    assert states.count(State.CONFIRMED) == 13
    assert set(states[13:]) == {State.WAITLISTED}
    assert fixtures["generated"]["reference"] == timezone.localdate().isoformat()

    # The benchmark reruns the rush on the same data after emptying the session.
    assert rush_session_reset() == len(states)
    assert not rush.registrations.exists()
    assert not RegistrationEvent.objects.filter(registration__session=rush).exists()
    again = services.registration_create(actor=users[0], session=rush, agent=users[0].agent)
    assert again.registration.state == State.CONFIRMED


def test_bench_fixtures_without_generated_data_is_a_clear_error():
    with pytest.raises(DomainError) as excinfo:
        bench_fixtures()
    assert excinfo.value.code == "datagen.no_data"
    assert "generate_data" in excinfo.value.message


# --- Refusal, reset, the command ------------------------------------------------


def test_generation_refuses_a_database_that_holds_agents():
    AgentFactory()
    with pytest.raises(GenerationRefused) as excinfo:
        _tiny()
    assert excinfo.value.code == "datagen.database_not_empty"
    assert "--reset" in excinfo.value.message
    assert Agent.objects.count() == 1
    assert not TrainingSession.objects.exists()


def test_command_refuses_in_french_and_changes_nothing():
    AgentFactory()
    with pytest.raises(CommandError, match="La base contient déjà des données"):
        call_command("generate_data", "--preset", "tiny", stdout=StringIO())
    assert Agent.objects.count() == 1


def test_command_reset_replaces_existing_data_and_reports_phases():
    existing = AgentFactory()
    out = StringIO()
    call_command(
        "generate_data",
        "--preset",
        "tiny",
        "--reset",
        "--seed",
        "5",
        "--reference-date",
        "2026-09-01",
        stdout=out,
    )
    text = out.getvalue()
    assert not Organisation.objects.filter(code=existing.organisation.code).exists()
    assert Agent.objects.count() == TINY.agents
    for label in (
        "inscriptions, historique, présences",
        "ANALYZE",
        "registrations.registration",
        "bench-password",
        "session_100_participants",
    ):
        assert label in text


def test_command_explicit_counts_override_the_preset():
    call_command(
        "generate_data",
        "--preset",
        "tiny",
        "--agents",
        "250",
        "--sessions",
        "60",
        "--registrations",
        "900",
        "--organisations",
        "2",
        "--reference-date",
        "2026-09-01",
        stdout=StringIO(),
    )
    assert Agent.objects.count() == 250
    assert Organisation.objects.count() == 2
    assert TrainingSession.objects.count() == 60
    assert Registration.objects.count() == 900


def test_command_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="Tailles impossibles"):
        call_command("generate_data", "--preset", "tiny", "--agents", "50", stdout=StringIO())
    with pytest.raises(CommandError, match="comptes de banc d'essai"):
        call_command("generate_data", "--bench-accounts", "3", stdout=StringIO())
    with pytest.raises(CommandError, match="Date de référence invalide"):
        call_command("generate_data", "--reference-date", "demain", stdout=StringIO())
    assert not Agent.objects.exists()
