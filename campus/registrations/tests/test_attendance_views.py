"""Attendance pages through the client: who may open them, the tablet sheet, the QR code,
closing and reopening, and the agent's check-in page."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus.core.testing import refusal_codes
from campus.people.models import User
from campus.people.tests.factories import DEFAULT_PASSWORD, DepartmentFactory, UserFactory
from campus.registrations import attendance
from campus.registrations.capacity import session_settings
from campus.registrations.models import Attendance, Registration
from campus.registrations.tests.factories import open_session
from campus.registrations.tests.test_attendance import parts_of, register, two_part_session
from campus.scheduling.models import SessionPart, TrainingSession

Status = Attendance.Status
pytestmark = pytest.mark.django_db


def place_part(
    part: SessionPart, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> SessionPart:
    """Move a part in time (services only programme the future; attendance happens later)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    SessionPart.objects.filter(pk=part.pk).update(
        date=start.date(),
        start_time=start.time(),
        end_time=end.time(),
        starts_at=starts_at,
        ends_at=ends_at,
    )
    session = part.session
    bounds = SessionPart.objects.filter(session=session).order_by("starts_at")
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=bounds.first().starts_at,
        ends_at=bounds.order_by("-ends_at").first().ends_at,
    )
    part.refresh_from_db()
    return part


def running_now(part: SessionPart) -> SessionPart:
    """Today, from a few minutes ago until the end of the day: markable and scannable now."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = now.replace(hour=23, minute=59, second=59, microsecond=0)
    return place_part(part, max(midnight, now - datetime.timedelta(minutes=10)), end_of_day)


def yesterday(part: SessionPart, start: int = 9, end: int = 12) -> SessionPart:
    day = timezone.localtime() - datetime.timedelta(days=1)
    return place_part(
        part,
        day.replace(hour=start, minute=0, second=0, microsecond=0),
        day.replace(hour=end, minute=0, second=0, microsecond=0),
    )


def login(client: Client, user: User | None) -> Client:
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def trainer() -> User:
    return UserFactory()


@pytest.fixture
def world(coordinator, trainer) -> dict[str, Any]:
    session = two_part_session(coordinator, trainers=[trainer.agent])
    people = [UserFactory() for _ in range(2)]
    regs = register(coordinator, session, people)
    morning, afternoon = parts_of(session)
    return {
        "session": session,
        "people": people,
        "regs": regs,
        "morning": morning,
        "afternoon": afternoon,
    }


def _sheet_url(world: dict[str, Any], part: SessionPart | None = None) -> str:
    return reverse("attendance:sheet", args=[world["session"].pk, (part or world["morning"]).pk])


# --- Who may open what --------------------------------------------------------------------


@pytest.fixture
def roles(coordinator, trainer, hr_viewer, manager_with_team, world) -> dict[str, User | None]:
    other_trainer = UserFactory()
    open_session(coordinator, trainers=[other_trainer.agent])
    return {
        "trainer": trainer,
        "coordinator": coordinator,
        "other_trainer": other_trainer,
        "participant": world["people"][0],
        "manager": manager_with_team[0],
        "hr_viewer": hr_viewer,
        "anonymous": None,
    }


EXPECTED = {
    "trainer": 200,
    "coordinator": 200,
    "other_trainer": 403,
    "participant": 403,
    "manager": 403,
    "hr_viewer": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_attendance_pages_by_role(client, world, roles, role):
    session = world["session"]
    urls = [
        _sheet_url(world),
        reverse("attendance:session", args=[session.pk]),
        reverse("attendance:qr", args=[session.pk]),
        reverse("attendance:close", args=[session.pk]),
    ]
    running_now(world["morning"])
    login(client, roles[role])
    for url in urls:
        response = client.get(url)
        assert response.status_code == EXPECTED[role], (role, url)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("people:login"))
    response = client.post(_sheet_url(world), {f"presence-{world['regs'][0].pk}": "present"})
    allowed = EXPECTED[role] == 200
    assert response.status_code == (302 if allowed else EXPECTED[role])
    assert Attendance.objects.exists() == allowed


@pytest.mark.parametrize("role", list(EXPECTED))
def test_only_coordinators_reopen(client, world, roles, role, coordinator):
    session = world["session"]
    yesterday(world["morning"], 9, 12)
    yesterday(world["afternoon"], 14, 17)
    attendance.session_attendance_close(actor=coordinator, session=session)
    login(client, roles[role])
    url = reverse("attendance:reopen", args=[session.pk])
    expected = {"coordinator": 200, "anonymous": 302}.get(role, 403)
    assert client.get(url).status_code == expected
    client.post(url, {"reason": "Essai"})
    assert (session_settings(session).attendance_closed_at is None) == (role == "coordinator")


def test_a_part_of_another_session_is_not_found(client, world, coordinator):
    other_part = parts_of(open_session(coordinator))[0]
    login(client, coordinator)
    url = reverse("attendance:sheet", args=[world["session"].pk, other_part.pk])
    assert client.get(url).status_code == 404


# --- The tablet sheet ------------------------------------------------------------------


def test_sheet_lists_participants_with_three_choices_and_one_submit(client, world, trainer):
    department = DepartmentFactory(organisation=world["people"][0].agent.organisation)
    agent = world["people"][0].agent
    agent.department = department
    agent.save()
    running_now(world["morning"])
    login(client, trainer)
    response = client.get(_sheet_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    for person in world["people"]:
        assert person.agent.full_name in html
    assert department.name in html
    assert agent.organisation.name in html
    assert html.count('type="radio"') == 3 * len(world["people"])
    for label in ("Présent", "Absent excusé", "Absent non excusé"):
        assert label in html
    assert html.count('class="att-form"') == 1
    assert html.count(">Enregistrer</button>") == 1
    assert reverse("attendance:sheet", args=[world["session"].pk, world["afternoon"].pk]) in html


def test_trainer_saves_the_sheet(client, world, trainer):
    running_now(world["morning"])
    first, second = world["regs"]
    login(client, trainer)
    response = client.post(
        _sheet_url(world), {f"presence-{first.pk}": "present", f"presence-{second.pk}": "excused"}
    )
    assert response.status_code == 302
    assert {
        (a.registration_id, a.status) for a in Attendance.objects.filter(part=world["morning"])
    } == {(first.pk, Status.PRESENT), (second.pk, Status.EXCUSED)}
    page = client.get(response["Location"]).content.decode()
    assert "Présences enregistrées" in page
    assert re.search(rf'name="presence-{first.pk}" value="present"[^>]*checked', page)
    assert re.search(rf'name="presence-{second.pk}" value="excused"[^>]*checked', page)
    assert page.count("checked") == 2


def test_an_unknown_answer_is_refused_and_nothing_is_written(client, world, trainer):
    running_now(world["morning"])
    first, second = world["regs"]
    login(client, trainer)
    response = client.post(
        _sheet_url(world), {f"presence-{first.pk}": "present", f"presence-{second.pk}": "maybe"}
    )
    assert response.status_code == 400
    assert "rien n&#x27;a été enregistré" in response.content.decode()
    assert not Attendance.objects.exists()


def test_before_the_parts_day_the_sheet_is_read_only_and_a_post_is_refused(client, world, trainer):
    login(client, trainer)
    html = client.get(_sheet_url(world)).content.decode()
    assert "à partir du jour même" in html
    assert 'type="radio"' not in html
    response = client.post(_sheet_url(world), {f"presence-{world['regs'][0].pk}": "present"})
    assert response.status_code == 400
    assert refusal_codes(response) == ["attendance.too_early"]
    assert not Attendance.objects.exists()


def test_a_closed_sheet_says_so_shows_the_marks_and_refuses_a_post(client, world, trainer):
    yesterday(world["morning"], 9, 12)
    yesterday(world["afternoon"], 14, 17)
    attendance.session_attendance_close(actor=trainer, session=world["session"])
    login(client, trainer)
    html = client.get(_sheet_url(world)).content.decode()
    assert "Émargement clos" in html
    assert 'type="radio"' not in html
    assert html.count("<td>Absent non excusé</td>") == len(world["people"])
    response = client.post(_sheet_url(world), {f"presence-{world['regs'][0].pk}": "present"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert refusal_codes(response) == ["attendance.closed"]
    assert not Attendance.objects.filter(status=Status.PRESENT).exists()


def _grow(session: TrainingSession, n: int) -> None:
    # Straight to the table: the session has begun, so the sign-up service would refuse.
    Registration.objects.bulk_create(
        Registration(
            session=session,
            agent=UserFactory().agent,
            state=Registration.State.CONFIRMED,
            queued_at=timezone.now(),
        )
        for _ in range(n)
    )


def test_sheet_and_overview_cost_the_same_queries_at_ten_times_the_participants(
    client, coordinator, trainer, django_assert_num_queries
):
    session = two_part_session(coordinator, trainers=[trainer.agent], capacity=200)
    morning = parts_of(session)[0]
    _grow(session, 3)
    running_now(morning)
    login(client, trainer)
    sheet = reverse("attendance:sheet", args=[session.pk, morning.pk])
    overview = reverse("attendance:session", args=[session.pk])
    regs = list(session.registrations.values_list("pk", flat=True))
    attendance.attendance_mark_many(actor=trainer, part=morning, statuses={regs[0]: Status.PRESENT})
    client.get(sheet)  # warm the session and the settings row
    with CaptureQueriesContext(connection) as small_sheet:
        assert client.get(sheet).status_code == 200
    with CaptureQueriesContext(connection) as small_overview:
        assert client.get(overview).status_code == 200

    _grow(session, 27)
    regs = list(session.registrations.values_list("pk", flat=True))
    attendance.attendance_mark_many(
        actor=trainer, part=morning, statuses=dict.fromkeys(regs[:10], Status.EXCUSED)
    )
    assert len(small_sheet) <= 12  # 10 today: auth (3), permission, sheet (4), nav
    with django_assert_num_queries(len(small_sheet)):
        response = client.get(sheet)
    assert response.content.decode().count('type="radio"') == 3 * 30
    with django_assert_num_queries(len(small_overview)):
        assert client.get(overview).status_code == 200


# --- Overview, QR code, close, reopen ----------------------------------------------------


def test_overview_shows_the_qr_code_and_the_check_in_address(client, world, trainer):
    login(client, trainer)
    token = session_settings(world["session"]).check_in_token
    html = client.get(reverse("attendance:session", args=[world["session"].pk])).content.decode()
    assert 'src="data:image/svg+xml' in html
    assert f"http://testserver/emargement/presence/{token}/" in html
    assert "pourra être clos après la fin de la dernière partie" in html
    assert _sheet_url(world) in html


def test_qr_view_returns_an_svg(client, world, coordinator):
    login(client, coordinator)
    response = client.get(reverse("attendance:qr", args=[world["session"].pk]))
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.startswith("<?xml")
    assert 'xmlns="http://www.w3.org/2000/svg"' in body


def test_close_page_says_unmarked_become_unexcused_then_closes(client, world, trainer):
    yesterday(world["morning"], 9, 12)
    yesterday(world["afternoon"], 14, 17)
    attendance.attendance_mark(
        actor=trainer,
        part=world["morning"],
        registration=world["regs"][0],
        status=Status.PRESENT,
    )
    login(client, trainer)
    url = reverse("attendance:close", args=[world["session"].pk])
    overview = client.get(reverse("attendance:session", args=[world["session"].pk]))
    assert url in overview.content.decode()
    html = client.get(url).content.decode()
    assert "3 présences ne sont pas renseignées" in html
    assert "« Absent non excusé »" in html
    response = client.post(url)
    assert response.status_code == 302
    world["session"].refresh_from_db()
    assert world["session"].status == TrainingSession.Status.DONE
    assert Attendance.objects.filter(status=Status.UNEXCUSED).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Émargement clos" in page


def test_closing_too_early_is_refused_with_a_sentence(client, world, trainer):
    login(client, trainer)
    response = client.post(reverse("attendance:close", args=[world["session"].pk]))
    assert response.status_code == 400
    assert refusal_codes(response) == ["attendance.close_too_early"]
    assert session_settings(world["session"]).attendance_closed_at is None


def test_reopen_needs_a_reason(client, world, coordinator):
    yesterday(world["morning"], 9, 12)
    yesterday(world["afternoon"], 14, 17)
    attendance.session_attendance_close(actor=coordinator, session=world["session"])
    login(client, coordinator)
    url = reverse("attendance:reopen", args=[world["session"].pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert session_settings(world["session"]).attendance_closed_at is not None
    response = client.post(url, {"reason": "Une présence oubliée"})
    assert response.status_code == 302
    assert session_settings(world["session"]).attendance_closed_at is None


# --- The agent's check-in -----------------------------------------------------------------


def _check_in_url(session: TrainingSession) -> str:
    return reverse("attendance:check_in", args=[session_settings(session).check_in_token])


def test_check_in_asks_anonymous_visitors_to_sign_in_and_come_back(client, world):
    url = _check_in_url(world["session"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('people:login')}?next={quote(url)}"


def test_after_signing_in_the_agent_comes_back_to_the_check_in_page(client, world):
    user, url = world["people"][0], _check_in_url(world["session"])
    login_url = client.get(url)["Location"]
    response = client.post(
        login_url, {"email": user.email, "password": DEFAULT_PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == url


def test_agent_confirms_presence_once(client, world):
    running_now(world["morning"])
    user, url = world["people"][0], _check_in_url(world["session"])
    login(client, user)
    page = client.get(url).content.decode()
    assert "Je suis présent(e)" in page
    assert not Attendance.objects.exists()  # a GET never marks
    done = client.post(url).content.decode()
    assert "Présence enregistrée" in done
    mark = Attendance.objects.get()
    assert (mark.registration_id, mark.method) == (world["regs"][0].pk, Attendance.Method.CHECK_IN)
    assert refusal_codes(client.post(url)) == ["check_in.already_present"]
    assert Attendance.objects.count() == 1
    assert "Je suis présent(e)" not in client.get(url).content.decode()


def test_a_stranger_is_told_plainly_and_nothing_is_marked(client, world):
    running_now(world["morning"])
    url = _check_in_url(world["session"])
    login(client, UserFactory())
    response = client.get(url)
    assert refusal_codes(response) == ["check_in.not_registered"]
    assert "Je suis présent(e)" not in response.content.decode()
    assert refusal_codes(client.post(url)) == ["check_in.not_registered"]
    assert not Attendance.objects.exists()


def test_outside_the_window_the_page_says_when_it_opens(client, world):
    login(client, world["people"][0])
    response = client.get(_check_in_url(world["session"]))
    assert refusal_codes(response) == ["check_in.not_yet_open"]
    assert "Je suis présent(e)" not in response.content.decode()


def test_an_unknown_code_is_explained(client, agent_user):
    login(client, agent_user)
    response = client.get(reverse("attendance:check_in", args=["inconnu"]))
    assert refusal_codes(response) == ["check_in.unknown_token"]


# --- Links from the programming pages ------------------------------------------------


def test_trainer_and_coordinator_pages_link_to_the_attendance(client, world, trainer, coordinator):
    target = reverse("attendance:session", args=[world["session"].pk])
    login(client, trainer)
    assert target in client.get(reverse("sessions:trainer")).content.decode()
    login(client, coordinator)
    detail = reverse("sessions:detail", args=[world["session"].pk])
    assert target in client.get(detail).content.decode()
