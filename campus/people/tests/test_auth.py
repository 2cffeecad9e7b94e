"""Sign-in by e-mail or matricule, lockout, logout, password reset by e-mail, account page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_tasks.signals import task_finished

from campus.core.mail import queue_email
from campus.core.models import AuditEntry
from campus.people.forms_auth import LOGIN_ERROR
from campus.people.models import User
from campus.people.tests.factories import (
    DEFAULT_PASSWORD,
    AgentFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("people:login")
HOME_URL = reverse("portal:home")
OFFICE_IP = "10.1.1.1"
OTHER_IP = "10.2.2.2"


def _sign_in_by_email(
    client: Client, email: str, password: str, ip: str = OFFICE_IP, **extra: Any
) -> Any:
    data = {"method": "email", "email": email, "password": password, **extra}
    return client.post(LOGIN_URL, data, REMOTE_ADDR=ip)


def _sign_in_by_matricule(
    client: Client, org_code: str, matricule: str, password: str, ip: str = OFFICE_IP
) -> Any:
    data = {
        "method": "matricule",
        "organisation": org_code,
        "matricule": matricule,
        "password": password,
    }
    return client.post(LOGIN_URL, data, REMOTE_ADDR=ip)


def _signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def matricule_user(db: None) -> User:
    """An agent without e-mail, signing in with organisation + matricule."""
    agent = AgentFactory(email="", matricule="A-0042")
    return UserFactory(agent=agent)


# --- Sign-in page ---------------------------------------------------------------


def test_login_page_offers_both_ways_with_active_organisations_only(client: Client) -> None:
    OrganisationFactory(name="Ville de Brest", code="brest")
    OrganisationFactory(name="Ancien syndicat", code="ancien", is_active=False)
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Avec mon adresse e-mail" in html
    assert "Avec mon matricule" in html
    assert '<option value="brest">Ville de Brest</option>' in html
    assert "Ancien syndicat" not in html
    # Two forms, each with its own labelled fields (unique ids for both password fields).
    assert 'for="id_email_password"' in html
    assert 'for="id_matricule_password"' in html


def test_sign_in_by_email_is_case_insensitive(client: Client, agent_user: User) -> None:
    response = _sign_in_by_email(client, agent_user.email.upper(), DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert _signed_in_user_id(client) == str(agent_user.pk)


def test_sign_in_by_organisation_and_matricule(client: Client, matricule_user: User) -> None:
    agent = matricule_user.agent
    assert agent is not None
    response = _sign_in_by_matricule(client, agent.organisation.code, "a-0042 ", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(matricule_user.pk)


def test_wrong_password_and_unknown_login_get_the_same_message(
    client: Client, agent_user: User
) -> None:
    wrong = _sign_in_by_email(client, agent_user.email, "pas-le-bon-mot-de-passe")
    unknown = _sign_in_by_email(client, "personne@example.fr", "pas-le-bon-mot-de-passe")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert str(LOGIN_ERROR) in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_inactive_account_is_refused(client: Client, agent_user: User) -> None:
    agent_user.is_active = False
    agent_user.save()
    response = _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert str(LOGIN_ERROR) in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_account_of_departed_agent_is_refused(client: Client, matricule_user: User) -> None:
    agent = matricule_user.agent
    assert agent is not None
    agent.is_active = False
    agent.save()
    response = _sign_in_by_matricule(
        client, agent.organisation.code, agent.matricule, DEFAULT_PASSWORD
    )
    assert response.status_code == 200
    assert str(LOGIN_ERROR) in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_safe_next_is_followed(client: Client, agent_user: User) -> None:
    response = _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD, next="/compte/")
    assert response["Location"] == "/compte/"


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"]
)
def test_unsafe_next_is_ignored(client: Client, agent_user: User, target: str) -> None:
    page = client.get(LOGIN_URL, {"next": target})
    assert target not in page.content.decode()
    response = _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD, next=target)
    assert response["Location"] == HOME_URL


def test_stored_language_applies_on_sign_in(client: Client, agent_user: User) -> None:
    agent_user.language = "en"
    agent_user.save()
    response = _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    home = client.get(HOME_URL)
    assert home.headers["Content-Language"] == "en"


def test_signed_in_person_is_sent_home_from_login_page(client: Client, agent_user: User) -> None:
    client.force_login(agent_user)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302
    assert response["Location"] == HOME_URL


# --- Lockout (django-axes, username + address) -----------------------------------


def _fail_five_times(client: Client, user: User, ip: str = OFFICE_IP) -> list[Any]:
    return [_sign_in_by_email(client, user.email, f"mauvais-{i}", ip=ip) for i in range(5)]


def test_five_failures_lock_the_username_from_that_address(
    client: Client, agent_user: User
) -> None:
    responses = _fail_five_times(client, agent_user)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    sixth = _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD)
    assert sixth.status_code == 429
    assert _signed_in_user_id(client) is None
    html = sixth.content.decode()
    assert "Réessayez dans 15 minutes" in html
    assert "coordinateur de l'école" in html
    # Axes recorded the normalised login, not the form field it came from.
    assert AccessAttempt.objects.filter(username=agent_user.email, ip_address=OFFICE_IP).exists()


def test_lock_counts_the_login_whatever_its_case(client: Client, agent_user: User) -> None:
    upper, title = agent_user.email.upper(), agent_user.email.title()
    for variant in [upper, title, upper, title, upper]:
        _sign_in_by_email(client, variant, "mauvais")
    response = _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD)
    assert response.status_code == 429


def test_matricule_sign_in_is_locked_too(client: Client, matricule_user: User) -> None:
    agent = matricule_user.agent
    assert agent is not None
    for _i in range(5):
        _sign_in_by_matricule(client, agent.organisation.code, agent.matricule, "mauvais")
    response = _sign_in_by_matricule(
        client, agent.organisation.code, agent.matricule, DEFAULT_PASSWORD
    )
    assert response.status_code == 429
    assert _signed_in_user_id(client) is None


def test_another_address_is_not_locked(client: Client, agent_user: User) -> None:
    _fail_five_times(client, agent_user, ip=OFFICE_IP)
    response = _sign_in_by_email(Client(), agent_user.email, DEFAULT_PASSWORD, ip=OTHER_IP)
    assert response.status_code == 302


def test_another_person_at_the_same_address_is_not_locked(
    client: Client, agent_user: User, coordinator: User
) -> None:
    _fail_five_times(client, agent_user)
    response = _sign_in_by_email(client, coordinator.email, DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_lock_ends_after_the_cool_off(client: Client, agent_user: User) -> None:
    _fail_five_times(client, agent_user)
    assert _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD).status_code == 429
    # Move the failures back in time past the 15-minute cool-off.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    response = _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(agent_user.pk)


def test_success_before_the_limit_resets_the_count(client: Client, agent_user: User) -> None:
    for _i in range(4):
        _sign_in_by_email(client, agent_user.email, "mauvais")
    assert _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD).status_code == 302
    client.post(reverse("people:logout"))
    for _i in range(4):
        _sign_in_by_email(client, agent_user.email, "mauvais")
    assert _sign_in_by_email(client, agent_user.email, DEFAULT_PASSWORD).status_code == 302


def test_failed_attempt_log_does_not_keep_the_password(client: Client, agent_user: User) -> None:
    _sign_in_by_email(client, agent_user.email, "secret-tape-par-erreur")
    attempt = AccessAttempt.objects.get()
    assert "secret-tape-par-erreur" not in attempt.post_data


# --- Logout ---------------------------------------------------------------------


def test_logout_requires_post(client: Client, agent_user: User) -> None:
    client.force_login(agent_user)
    response = client.get(reverse("people:logout"))
    assert response.status_code == 405
    assert _signed_in_user_id(client) == str(agent_user.pk)
    response = client.post(reverse("people:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert _signed_in_user_id(client) is None


# --- Password reset by e-mail ------------------------------------------------------


def _without_csrf(content: bytes) -> str:
    # CSRF tokens are masked differently on every page render.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


@pytest.fixture
def finished_tasks() -> Any:
    finished: list[Any] = []

    def receiver(sender: Any, task_result: Any, **kwargs: Any) -> None:
        finished.append(task_result)

    task_finished.connect(receiver)
    yield finished
    task_finished.disconnect(receiver)


def test_password_reset_mails_a_working_link_through_the_task(
    client: Client,
    agent_user: User,
    finished_tasks: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:password_reset"), {"email": agent_user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:password_reset_done")
    assert [t.task.name for t in finished_tasks] == ["send_email_task"]
    assert finished_tasks[0].status == "SUCCESSFUL"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agent_user.email]
    assert "mot de passe" in message.subject
    link = re.search(r"http://testserver(/mot-de-passe/nouveau/\S+/)", message.body)
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert "Choisissez votre nouveau mot de passe" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Un-nouveau-mot-2024", "new_password2": "Un-nouveau-mot-2024"}
    )
    assert done["Location"] == reverse("people:password_reset_complete")
    agent_user.refresh_from_db()
    assert agent_user.check_password("Un-nouveau-mot-2024")
    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert "Ce lien ne fonctionne plus" in again.content.decode()


def test_password_reset_for_unknown_address_looks_the_same_and_sends_nothing(
    client: Client,
    agent_user: User,
    finished_tasks: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(
            reverse("people:password_reset"), {"email": agent_user.email}, follow=True
        )
    mail.outbox.clear()
    finished_tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(
            reverse("people:password_reset"), {"email": "inconnu@example.fr"}, follow=True
        )
    assert unknown.redirect_chain == known.redirect_chain
    assert _without_csrf(unknown.content) == _without_csrf(known.content)
    assert mail.outbox == []
    assert finished_tasks == []


def test_imported_agent_without_password_can_choose_one_by_mail(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:password_reset"), {"email": user.email})
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_no_reset_mail_for_inactive_account(
    client: Client, agent_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    agent_user.is_active = False
    agent_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:password_reset"), {"email": agent_user.email})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_page_tells_agents_without_email_to_ask_for_a_letter(
    client: Client,
) -> None:
    html = client.get(reverse("people:password_reset")).content.decode()
    assert "Vous n&#x27;avez pas d&#x27;adresse e-mail" in html or "pas d'adresse e-mail" in html
    assert "courrier de première connexion" in html


def test_queued_mail_waits_for_the_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            queue_email(to="a@example.fr", subject="Sujet\nsur deux lignes", body="Corps")
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Sujet sur deux lignes"


# --- Account page ------------------------------------------------------------------


def test_account_page_requires_sign_in(client: Client) -> None:
    response = client.get(reverse("people:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_account_page_shows_login_email_and_role(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    html = client.get(reverse("people:account")).content.decode()
    assert coordinator.login in html
    assert coordinator.email in html
    assert "Coordinateur" in html


def test_language_change_is_stored_audited_and_activated(client: Client, agent_user: User) -> None:
    client.force_login(agent_user)
    response = client.post(reverse("people:account"), {"action": "language", "language": "en"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    agent_user.refresh_from_db()
    assert agent_user.language == "en"
    entry = AuditEntry.objects.get(action="user.set_language", object_id=str(agent_user.pk))
    assert entry.actor == agent_user
    assert entry.changes == {"language": {"before": "", "after": "en"}}
    page = client.get(reverse("people:account"))
    assert page.headers["Content-Language"] == "en"


def test_unknown_language_is_refused(client: Client, agent_user: User) -> None:
    client.force_login(agent_user)
    response = client.post(reverse("people:account"), {"action": "language", "language": "de"})
    assert response.status_code == 200
    assert 'id="id_language_error"' in response.content.decode()
    agent_user.refresh_from_db()
    assert agent_user.language == ""
    assert not AuditEntry.objects.filter(action="user.set_language").exists()


def test_password_change_keeps_the_session(client: Client, agent_user: User) -> None:
    client.force_login(agent_user)
    response = client.post(
        reverse("people:account"),
        {
            "action": "password",
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Encore-un-autre-2024",
            "new_password2": "Encore-un-autre-2024",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("people:account")).status_code == 200
    agent_user.refresh_from_db()
    assert agent_user.check_password("Encore-un-autre-2024")


def test_password_change_with_wrong_old_password_changes_nothing(
    client: Client, agent_user: User
) -> None:
    client.force_login(agent_user)
    response = client.post(
        reverse("people:account"),
        {
            "action": "password",
            "old_password": "pas-le-bon",
            "new_password1": "Encore-un-autre-2024",
            "new_password2": "Encore-un-autre-2024",
        },
    )
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in response.content.decode()
    agent_user.refresh_from_db()
    assert agent_user.check_password(DEFAULT_PASSWORD)
