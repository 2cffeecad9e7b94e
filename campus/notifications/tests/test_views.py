"""Notification pages: who may open them, what they change, what they cost in queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campus.core.models import AuditEntry
from campus.notifications.models import NotificationPreference, OutboxMessage
from campus.notifications.outbox import Notice, queue
from campus.notifications.recipients import Recipient
from campus.people.tests.factories import AgentFactory

from .helpers import agent_without_email, programmed_session

pytestmark = pytest.mark.django_db
Channel = OutboxMessage.Channel


def _manual_notices(count: int) -> list[OutboxMessage]:
    notices = []
    for _ in range(count):
        agent = AgentFactory(email="", phone="04 00 00 00 00")
        notices.append(
            Notice(
                "registration_declined",
                f"test:{agent.pk}",
                Recipient(Channel.MANUAL, "fr", agent=agent),
                {
                    "session": {
                        "title": "Atelier",
                        "parts": [],
                        "trainers": "",
                        "url": "http://x/",
                    },
                    "agent_name": agent.full_name,
                    "reason": "Complet",
                },
            )
        )
    return queue(notices)


# --- Preferences -------------------------------------------------------------------------


def test_preferences_need_sign_in(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert reverse("people:login") in response["Location"]


def test_a_person_switches_reminders_off_and_mails_to_english(client, agent_user):
    client.force_login(agent_user)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert 'name="reminders_enabled"' in page.content.decode()
    response = client.post(reverse("notifications:preferences"), {"language": "en"})
    assert response.status_code == 302
    agent_user.refresh_from_db()
    assert agent_user.language == "en"
    assert NotificationPreference.objects.get(user=agent_user).reminders_enabled is False
    assert AuditEntry.objects.filter(action="notification_preference.update").exists()


def test_a_bad_language_is_refused_and_changes_nothing(client, agent_user):
    client.force_login(agent_user)
    response = client.post(
        reverse("notifications:preferences"), {"language": "xx", "reminders_enabled": "on"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    agent_user.refresh_from_db()
    assert agent_user.language == ""
    assert not NotificationPreference.objects.exists()


def test_the_account_page_links_to_notifications_and_calendars(client, agent_user):
    client.force_login(agent_user)
    html = client.get(reverse("people:account")).content.decode()
    assert reverse("notifications:preferences") in html
    assert reverse("documents:feed_links") in html


# --- Agents to inform by other means -----------------------------------------------------


@pytest.mark.parametrize("role", ["agent_user", "hr_viewer", "manager"])
def test_only_the_school_sees_the_list_of_agents_to_inform(
    client, request, role, manager_with_team
):
    user = manager_with_team[0] if role == "manager" else request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(reverse("notifications:offline_notices")).status_code == 403
    [notice] = _manual_notices(1)
    response = client.post(reverse("notifications:notice_informed", args=[notice.pk]))
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.informed_at is None


def test_the_list_says_what_to_tell_whom_and_how(
    client, coordinator, director, manager_with_team, django_capture_on_commit_callbacks
):
    manager, _team = manager_with_team
    via_manager = agent_without_email(manager=manager.agent)
    nobody = agent_without_email()
    session = programmed_session(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        for user in (via_manager, nobody):
            from campus.registrations import services

            services.registration_create(actor=user, session=session, agent=user.agent)
    for viewer in (coordinator, director):
        client.force_login(viewer)
        html = client.get(reverse("notifications:offline_notices")).content.decode()
        assert via_manager.agent.full_name in html
        assert nobody.agent.full_name in html
        assert "Inscription confirmée : Prendre en main Trello" in html
        assert "prochain récapitulatif de " + manager.agent.full_name in html
        assert "À prévenir directement" in html


def test_marking_an_agent_informed_takes_them_off_the_list(client, coordinator):
    [notice] = _manual_notices(1)
    client.force_login(coordinator)
    response = client.post(reverse("notifications:notice_informed", args=[notice.pk]))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.informed_by == coordinator
    assert notice.state == OutboxMessage.State.SENT
    html = client.get(reverse("notifications:offline_notices")).content.decode()
    assert notice.recipient_agent.full_name not in html
    assert client.post(reverse("notifications:notice_informed", args=[99999])).status_code == 404


def test_an_unsafe_return_address_is_ignored(client, coordinator):
    [notice] = _manual_notices(1)
    client.force_login(coordinator)
    response = client.post(
        reverse("notifications:notice_informed", args=[notice.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("notifications:offline_notices")


def test_the_list_costs_the_same_queries_whatever_its_length(
    client, coordinator, django_assert_num_queries
):
    _manual_notices(3)
    client.force_login(coordinator)
    url = reverse("notifications:offline_notices")
    client.get(url)  # warm the session and the school's settings
    with django_assert_num_queries(5) as small:
        client.get(url)
    _manual_notices(30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Agent informé") == 33


# --- A session's reminder ----------------------------------------------------------------


def test_only_coordinators_set_a_sessions_reminder(client, coordinator, agent_user, hr_viewer):
    session = programmed_session(coordinator)
    url = reverse("notifications:session_settings", args=[session.pk])
    for user in (agent_user, hr_viewer):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reminder_days_before": "5"}).status_code == 403
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reminder_days_before": "5"})
    assert response.status_code == 302
    assert session.notification_settings.reminder_days_before == 5
    missing = reverse("notifications:session_settings", args=[999999])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("value", ["-1", "31", "deux"])
def test_a_bad_reminder_delay_is_refused_in_french(client, coordinator, value):
    session = programmed_session(coordinator)
    client.force_login(coordinator)
    url = reverse("notifications:session_settings", args=[session.pk])
    response = client.post(url, {"reminder_days_before": value})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not hasattr(session, "notification_settings") or (
        session.notification_settings.reminder_days_before is None
    )


def test_coordinators_see_the_list_in_the_navigation(client, coordinator, agent_user):
    client.force_login(coordinator)
    url = reverse("notifications:offline_notices")
    assert url in client.get(reverse("people:account")).content.decode()
    client.force_login(agent_user)
    assert url not in client.get(reverse("people:account")).content.decode()
