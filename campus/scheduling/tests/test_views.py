"""Programming pages over HTTP: who may open them, the coordinator's flows, query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus.core.models import AuditEntry
from campus.core.testing import refusal_codes
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.scheduling import services
from campus.scheduling.models import ConflictOverride, SessionPart, TrainingSession

from .factories import (
    CourseFactory,
    RoomFactory,
    VenueFactory,
    future_day,
    make_session,
    part,
    set_status,
)

COORDINATOR_PAGES = [
    ("scheduling:calendar", False),
    ("scheduling:calendar_week", False),
    ("scheduling:session_create", False),
    ("scheduling:series_create", False),
    ("scheduling:room_list", False),
    ("scheduling:venue_create", False),
    ("scheduling:room_create", False),
    ("sessions:detail", True),
    ("sessions:edit", True),
    ("scheduling:session_duplicate", True),
    ("sessions:cancel", True),
]


def session_data(
    course: Any, parts: list[tuple[datetime.date, str, str, Any]], **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "course": course.pk,
        "capacity": 12,
        "min_participants": 0,
        "trainers": "",
        "parts-TOTAL_FORMS": len(parts),
        "parts-INITIAL_FORMS": 0,
        "parts-MIN_NUM_FORMS": 0,
        "parts-MAX_NUM_FORMS": 20,
    }
    for i, (day, start, end, room) in enumerate(parts):
        data[f"parts-{i}-date"] = day.isoformat()
        data[f"parts-{i}-start_time"] = start
        data[f"parts-{i}-end_time"] = end
        data[f"parts-{i}-room"] = room.pk if room else ""
    data.update(extra)
    return data


def month_of(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


# --- Who may open what ------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, coordinator):
    session = make_session(coordinator)
    for name, needs_pk in [
        *COORDINATOR_PAGES,
        ("scheduling:month_programme", False),
        ("sessions:trainer", False),
    ]:
        url = reverse(name, args=[session.pk] if needs_pk else [])
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("people:login")), name


@pytest.mark.django_db
def test_agents_managers_and_hr_are_refused(
    client, coordinator, agent_user, hr_viewer, manager_with_team
):
    session = make_session(coordinator)
    manager, _reports = manager_with_team
    for user in (agent_user, hr_viewer, manager):
        client.force_login(user)
        for name, needs_pk in COORDINATOR_PAGES:
            url = reverse(name, args=[session.pk] if needs_pk else [])
            assert client.get(url).status_code == 403, (user.role, name)
        response = client.post(reverse("sessions:open", args=[session.pk]))
        assert response.status_code == 403
        response = client.post(reverse("sessions:cancel", args=[session.pk]), {"reason": "non"})
        assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.DRAFT


@pytest.mark.django_db
def test_every_signed_in_person_reads_the_month_programme(client, coordinator, agent_user):
    course = CourseFactory(title="Veille juridique : la loi de finances")
    session = make_session(coordinator, course=course, day=future_day(3))
    set_status(session, TrainingSession.Status.OPEN)
    draft = make_session(
        coordinator,
        course=CourseFactory(title="Brouillon secret"),
        day=future_day(3),
        start="14:00",
        end="15:00",
    )
    client.force_login(agent_user)
    response = client.get(
        reverse("scheduling:month_programme"), {"mois": month_of(session.parts.get().date)}
    )
    assert response.status_code == 200
    assert "Veille juridique : la loi de finances" in response.content.decode()
    assert "Brouillon secret" not in response.content.decode()
    assert draft.status == TrainingSession.Status.DRAFT


# --- Coordinator flows --------------------------------------------------------------


@pytest.mark.django_db
def test_create_session_with_two_parts_and_trainer_lines(client, coordinator):
    client.force_login(coordinator)
    course = CourseFactory()
    room = RoomFactory(capacity=8, name="Salle des fêtes")
    trainer = AgentFactory(matricule="004512")
    day = future_day(20)
    data = session_data(
        course,
        [(day, "09:00", "12:30", room), (day, "13:30", "17:00", room)],
        trainers=f"{trainer.organisation.code.upper()}/004512\n",
        capacity=15,
    )
    response = client.post(reverse("scheduling:session_create"), data, follow=True)
    session = TrainingSession.objects.get()
    assert response.redirect_chain[-1][0] == reverse("sessions:detail", args=[session.pk])
    assert session.parts.count() == 2
    assert list(session.trainers.all()) == [trainer]
    page = response.content.decode()
    assert "Salle des fêtes" in page
    assert "8 places pour une session de 15 places" in page  # the capacity warning


@pytest.mark.django_db
def test_bad_part_and_unknown_trainer_are_refused_in_french(client, coordinator):
    client.force_login(coordinator)
    course = CourseFactory()
    day = future_day(20)
    response = client.post(
        reverse("scheduling:session_create"),
        session_data(course, [(day, "13:00", "12:00", None)], trainers="NULLE/999"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "L&#x27;heure de fin doit suivre l&#x27;heure de début." in page
    assert "Aucun agent actif ne correspond à : NULLE/999." in page
    response = client.post(
        reverse("scheduling:session_create"),
        session_data(course, [(day, "09:00", "10:00", None)], capacity=0),
    )
    assert response.status_code == 200
    response = client.post(reverse("scheduling:session_create"), session_data(course, []))
    assert "Indiquez au moins une partie" in response.content.decode()
    assert TrainingSession.objects.count() == 0


@pytest.mark.django_db
def test_conflict_shows_the_other_session_then_override_keeps_it(client, coordinator):
    client.force_login(coordinator)
    room = RoomFactory(name="Salle Jaurès")
    day = future_day(20)
    other = make_session(
        coordinator,
        course=CourseFactory(title="Bizagi"),
        day=day,
        start="12:15",
        end="13:00",
        room=room,
    )
    data = session_data(CourseFactory(), [(day, "12:30", "13:30", room)])
    response = client.post(reverse("scheduling:session_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert refusal_codes(response) == ["session.conflict"]
    # The refusal names the other session and its room.
    assert "Bizagi" in page
    assert "Salle Jaurès" in page
    assert "Je maintiens malgré le conflit" in page
    assert TrainingSession.objects.count() == 1

    response = client.post(
        reverse("scheduling:session_create"), {**data, "override_conflicts": "on"}, follow=True
    )
    created = TrainingSession.objects.exclude(pk=other.pk).get()
    assert response.redirect_chain == [(reverse("sessions:detail", args=[created.pk]), 302)]
    override = ConflictOverride.objects.get(session=created)
    assert override.other_session == other
    assert override.decided_by == coordinator
    page = response.content.decode()
    assert "Conflits maintenus" in page
    assert f"maintenu par {coordinator}" in page


@pytest.mark.django_db
def test_weekly_series_through_the_form(client, coordinator):
    client.force_login(coordinator)
    course = CourseFactory(title="Klaxoon")
    room = RoomFactory()
    start = future_day(15)
    while start.weekday() != 1:
        start += datetime.timedelta(days=1)
    skipped = start + datetime.timedelta(weeks=2)
    response = client.post(
        reverse("scheduling:series_create"),
        {
            "course": course.pk,
            "frequency": "weekly",
            "interval": 1,
            "weekday": 1,
            "monthly_mode": "weekday",
            "monthly_ordinal": 1,
            "monthly_weekday": 3,
            "start_date": start.isoformat(),
            "end_date": (start + datetime.timedelta(weeks=5)).isoformat(),
            "start_time": "12:15",
            "end_time": "13:00",
            "skip_dates": skipped.strftime("%d/%m/%Y"),
            "room": room.pk,
            "capacity": 10,
            "min_participants": 3,
            "publish": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('scheduling:calendar')}?mois={month_of(start)}"
    dates = sorted(SessionPart.objects.values_list("date", flat=True))
    assert len(dates) == 5
    assert skipped not in dates
    assert {d.weekday() for d in dates} == {1}
    assert set(TrainingSession.objects.values_list("status", flat=True)) == {"open"}
    assert TrainingSession.objects.values("series_key").distinct().count() == 1


@pytest.mark.django_db
def test_series_form_refuses_unreadable_skip_dates(client, coordinator):
    client.force_login(coordinator)
    start = future_day(15)
    response = client.post(
        reverse("scheduling:series_create"),
        {
            "course": CourseFactory().pk,
            "frequency": "weekly",
            "interval": 1,
            "weekday": 1,
            "start_date": start.isoformat(),
            "end_date": start.isoformat(),
            "start_time": "12:15",
            "end_time": "13:00",
            "skip_dates": "31/02/2027, demain",
            "capacity": 10,
            "min_participants": 0,
        },
    )
    assert response.status_code == 200
    assert (
        "Dates illisibles (attendu jj/mm/aaaa) : 31/02/2027, demain." in response.content.decode()
    )
    assert TrainingSession.objects.count() == 0


@pytest.mark.django_db
def test_edit_open_duplicate_cancel(client, coordinator):
    client.force_login(coordinator)
    room = RoomFactory()
    day = future_day(20)
    session = make_session(coordinator, day=day, room=room)
    p = session.parts.get()

    response = client.get(reverse("sessions:edit", args=[session.pk]))
    assert response.status_code == 200
    data = session_data(session.course, [(day, "10:00", "12:00", room)], capacity=7)
    data.update({"parts-INITIAL_FORMS": 1, "parts-0-part_id": p.pk})
    response = client.post(reverse("sessions:edit", args=[session.pk]), data)
    assert response.status_code == 302
    p.refresh_from_db()
    session.refresh_from_db()
    assert (p.start_time, session.capacity) == (datetime.time(10, 0), 7)

    client.post(reverse("sessions:open", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.OPEN

    new_day = day + datetime.timedelta(days=7)
    response = client.post(
        reverse("scheduling:session_duplicate", args=[session.pk]),
        {"new_date": new_day.isoformat()},
    )
    copy = TrainingSession.objects.exclude(pk=session.pk).get()
    assert response["Location"] == reverse("sessions:detail", args=[copy.pk])
    assert copy.parts.get().date == new_day

    url = reverse("sessions:cancel", args=[session.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Indiquez le motif de l&#x27;annulation" in response.content.decode()
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.OPEN
    response = client.post(url, {"reason": "Animatrice absente"}, follow=True)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert "Animatrice absente" in response.content.decode()
    # A cancelled session is no longer editable.
    response = client.get(reverse("sessions:edit", args=[session.pk]))
    assert response.status_code == 302
    assert refusal_codes(response) == ["session.cancelled_not_editable"]


@pytest.mark.django_db
def test_venues_and_rooms_pages(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("scheduling:venue_create"),
        {"name": "École Jules-Ferry", "address": "1 rue de l'École"},
    )
    assert response.status_code == 302
    from campus.scheduling.models import Room, Venue

    venue = Venue.objects.get()
    response = client.post(
        reverse("scheduling:room_create"), {"venue": venue.pk, "name": "Salle 1", "capacity": 0}
    )
    assert response.status_code == 200
    assert Room.objects.count() == 0
    response = client.post(
        reverse("scheduling:room_create"),
        {
            "venue": venue.pk,
            "name": "Salle 1",
            "capacity": 14,
            "step_free_access": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    room = Room.objects.get()
    response = client.post(
        reverse("scheduling:room_edit", args=[room.pk]),
        {"venue": venue.pk, "name": "Salle 1", "capacity": 18, "is_active": "on"},
    )
    room.refresh_from_db()
    assert (room.capacity, room.step_free_access) == (18, False)
    assert client.get(reverse("scheduling:room_edit", args=[room.pk])).status_code == 200
    assert client.get(reverse("scheduling:venue_edit", args=[venue.pk])).status_code == 200
    page = client.get(reverse("scheduling:room_list")).content.decode()
    assert "École Jules-Ferry" in page
    assert "Salle 1" in page
    assert AuditEntry.objects.filter(action="room.update").count() == 1


@pytest.mark.django_db
def test_calendar_views_and_filters(client, coordinator):
    client.force_login(coordinator)
    day = future_day(20)
    room_a, room_b = RoomFactory(name="Salle A"), RoomFactory(name="Salle B")
    trainer = AgentFactory()
    make_session(
        coordinator, course=CourseFactory(title="Trello"), day=day, room=room_a, trainers=[trainer]
    )
    make_session(coordinator, course=CourseFactory(title="Elections"), day=day, room=room_b)
    url = reverse("scheduling:calendar")
    page = client.get(url, {"mois": month_of(day)}).content.decode()
    assert "Trello" in page
    assert "Elections" in page
    page = client.get(url, {"mois": month_of(day), "salle": room_b.pk}).content.decode()
    assert "Trello" not in page
    assert "Elections" in page
    reference = f"{trainer.organisation.code.upper()}/{trainer.matricule}"
    page = client.get(url, {"mois": month_of(day), "animateur": reference}).content.decode()
    assert "Trello" in page
    assert "Elections" not in page
    iso = day.isocalendar()
    page = client.get(
        reverse("scheduling:calendar_week"), {"semaine": f"{iso.year}-W{iso.week:02d}"}
    ).content.decode()
    assert "Trello" in page
    assert "Elections" in page
    response = client.get(url, {"mois": "n'importe quoi", "salle": "x"})
    assert response.status_code == 200
    assert "Mois illisible" in response.content.decode()
    response = client.get(reverse("scheduling:calendar_week"), {"semaine": "2026-W99"})
    assert response.status_code == 200
    assert "Semaine illisible" in response.content.decode()


# --- Trainer's own sessions -----------------------------------------------------------


@pytest.mark.django_db
def test_trainer_sees_only_their_sessions(client, coordinator, agent_user):
    mine = make_session(
        coordinator,
        course=CourseFactory(title="Mon atelier"),
        trainers=[agent_user.agent],
        day=future_day(10),
    )
    make_session(
        coordinator,
        course=CourseFactory(title="Atelier d'un collègue"),
        trainers=[AgentFactory()],
        day=future_day(11),
    )
    client.force_login(agent_user)
    response = client.get(reverse("sessions:trainer"))
    page = response.content.decode()
    assert "Mon atelier" in page
    assert "Atelier d&#x27;un collègue" not in page
    assert reverse("sessions:detail", args=[mine.pk]) not in page
    other = UserFactory()
    response = client.get(reverse("sessions:trainer"), {"agent": other.agent_id})
    assert response.status_code == 403
    client.force_login(coordinator)
    response = client.get(reverse("sessions:trainer"), {"agent": agent_user.agent_id})
    assert response.status_code == 200
    assert "Mon atelier" in response.content.decode()


# --- Query counts: the same at N and 10×N -----------------------------------------


def fill_month(actor: Any, first: datetime.date, count: int, start_index: int = 0) -> None:
    """`count` sessions in the month of `first`, two a day, each with a room and a trainer."""
    venue = VenueFactory()
    for i in range(start_index, start_index + count):
        day = first + datetime.timedelta(days=(i // 2) % 27)
        start = "09:00" if i % 2 == 0 else "14:00"
        end = "11:00" if i % 2 == 0 else "16:00"
        result = services.session_create(
            actor=actor,
            course=CourseFactory(),
            parts=[part(day, start, end, RoomFactory(venue=venue))],
            capacity=10,
            trainers=AgentFactory.create_batch(2),
            override_conflicts=True,
        )
        set_status(result.session, TrainingSession.Status.OPEN)


def count_queries(client: Any, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_list_pages_cost_the_same_at_ten_times_the_data(
    client, coordinator, django_assert_num_queries
):
    today = timezone.localdate()
    first = (today.replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    trainer = coordinator.agent
    trainer.last_name = "Calendrier-Unique"  # the name search must find only them
    trainer.save()
    client.force_login(coordinator)
    fill_month(coordinator, first, 3)
    for session in TrainingSession.objects.all():
        session.trainers.add(trainer)
    iso = first.isocalendar()
    pages = [
        (reverse("scheduling:calendar"), {"mois": month_of(first)}),
        (
            reverse("scheduling:calendar"),
            {
                "mois": month_of(first),
                "animateur": f"{trainer.organisation.code}/{trainer.matricule}",
            },
        ),
        (reverse("scheduling:calendar"), {"mois": month_of(first), "animateur": trainer.last_name}),
        (reverse("scheduling:calendar_week"), {"semaine": f"{iso.year}-W{iso.week:02d}"}),
        (reverse("scheduling:month_programme"), {"mois": month_of(first)}),
        (reverse("sessions:trainer"), {}),
        (reverse("scheduling:room_list"), {}),
    ]
    small = [count_queries(client, url, params) for url, params in pages]
    fill_month(coordinator, first, 27, start_index=3)
    for session in TrainingSession.objects.all():
        session.trainers.add(trainer)
    assert SessionPart.objects.count() == 30
    for (url, params), expected in zip(pages, small, strict=True):
        with django_assert_num_queries(expected):
            response = client.get(url, params)
        assert response.status_code == 200


@pytest.mark.django_db
def test_a_link_from_a_course_fills_in_its_usual_trainers(client, coordinator):
    course = CourseFactory()
    trainer = AgentFactory(matricule="T-77")
    course.default_trainers.add(trainer)
    client.force_login(coordinator)
    response = client.get(reverse("scheduling:session_create"), {"formation": course.pk})
    page = response.content.decode()
    assert f"{trainer.organisation.code.upper()}/T-77" in page
    assert f'<option value="{course.pk}" selected>' in page
    response = client.get(reverse("scheduling:session_create"), {"formation": "abc"})
    assert response.status_code == 200
