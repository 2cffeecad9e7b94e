"""First sign-in for agents without e-mail: printed letters, one-time codes, the form."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from campus.core.exceptions import DomainError, NotAllowed
from campus.core.models import AuditEntry
from campus.core.testing import refusal_codes
from campus.people import services
from campus.people.models import Agent, FirstSignInCode, User
from campus.people.tests.factories import (
    AgentFactory,
    DepartmentFactory,
    OrganisationFactory,
    UserFactory,
)
from campus.people.views_auth import LETTERS_PAGE_SIZE

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Ma-bibliotheque-2024"
LETTERS_URL = reverse("people:first_signin_letters")
FIRST_SIGNIN_URL = reverse("people:first_signin")


@pytest.fixture
def paper_agent(db: None) -> Agent:
    """An agent without e-mail and without an account yet, as the HR import leaves them."""
    return AgentFactory(
        email="",
        matricule="T-0107",
        organisation=OrganisationFactory(name="Ville de Quimper", code="quimper"),
    )


def _redeem(agent: Agent, code: str, password: str = GOOD_PASSWORD) -> User:
    return services.first_signin_code_redeem(
        organisation_code=agent.organisation.code,
        matricule=agent.matricule,
        code=code,
        new_password=password,
    )


def _letter_url(agent: Agent) -> str:
    return reverse("people:first_signin_letter", args=[agent.pk])


def _codes_in(html: str) -> list[str]:
    return re.findall(r'<span class="letter-code">([A-Z0-9 ]+)</span>', html)


def _paris_day(moment: datetime.datetime) -> str:
    with translation.override("fr"):
        return date_format(timezone.localtime(moment, ZoneInfo("Europe/Paris")), "l j F Y")


# --- Issuing codes (service) ------------------------------------------------------


def test_issue_creates_the_account_and_stores_only_a_hash(
    coordinator: User, paper_agent: Agent
) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    assert len(issued.clear_text) == services.CODE_LENGTH
    assert set(issued.clear_text) <= set(services.CODE_ALPHABET)
    assert issued.code.code_hash != issued.clear_text
    assert issued.clear_text not in issued.code.code_hash
    assert issued.login_hint == "quimper/t-0107"
    user = User.objects.get(agent=paper_agent)
    assert user.login == "quimper/t-0107"
    assert not user.has_usable_password()
    expected_expiry = timezone.now() + datetime.timedelta(
        days=settings.CAMPUS_FIRST_SIGNIN_CODE_DAYS
    )
    assert abs(issued.code.expires_at - expected_expiry) < datetime.timedelta(minutes=1)
    entry = AuditEntry.objects.get(action="first_signin_code.issue")
    assert entry.actor == coordinator
    assert entry.object_id == str(paper_agent.pk)
    assert issued.clear_text not in str(entry.changes)


@pytest.mark.parametrize("role", ["agent_user", "hr_viewer", "manager"])
def test_only_the_school_issues_codes(
    role: str, request: pytest.FixtureRequest, paper_agent: Agent
) -> None:
    actor = (
        request.getfixturevalue("manager_with_team")[0]
        if role == "manager"
        else request.getfixturevalue(role)
    )
    with pytest.raises(NotAllowed):
        services.first_signin_code_issue(actor=actor, agent=paper_agent)
    assert not FirstSignInCode.objects.exists()


def test_no_code_for_a_departed_agent_or_a_disabled_account(coordinator: User) -> None:
    departed = AgentFactory(email="", is_active=False)
    with pytest.raises(DomainError) as excinfo:
        services.first_signin_code_issue(actor=coordinator, agent=departed)
    assert excinfo.value.code == "first_signin.agent_inactive"
    disabled = UserFactory(agent=AgentFactory(email=""), is_active=False)
    assert disabled.agent is not None
    with pytest.raises(DomainError) as excinfo:
        services.first_signin_code_issue(actor=coordinator, agent=disabled.agent)
    assert excinfo.value.code == "first_signin.account_disabled"
    assert not FirstSignInCode.objects.exists()


# --- Redeeming codes (service) ----------------------------------------------------


def test_code_works_once(coordinator: User, paper_agent: Agent) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    user = _redeem(paper_agent, issued.clear_text)
    assert user.check_password(GOOD_PASSWORD)
    issued.code.refresh_from_db()
    assert issued.code.used_at is not None
    entry = AuditEntry.objects.get(action="first_signin_code.redeem")
    assert entry.actor == user
    with pytest.raises(DomainError) as excinfo:
        _redeem(paper_agent, issued.clear_text, password="Un-autre-mot-2024")
    assert excinfo.value.code == "first_signin.invalid_code"
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


def test_code_is_forgiving_about_case_and_spaces(coordinator: User, paper_agent: Agent) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    typed = " ".join([issued.clear_text[:5], issued.clear_text[5:]]).lower()
    assert _redeem(paper_agent, typed).check_password(GOOD_PASSWORD)


def test_code_expires(coordinator: User, paper_agent: Agent, monkeypatch: Any) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    later = issued.code.expires_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(DomainError) as excinfo:
        _redeem(paper_agent, issued.clear_text)
    assert excinfo.value.code == "first_signin.invalid_code"
    assert not User.objects.get(agent=paper_agent).has_usable_password()


def test_new_code_revokes_the_previous_one(coordinator: User, paper_agent: Agent) -> None:
    first = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    second = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    first.code.refresh_from_db()
    assert first.code.revoked_at is not None
    with pytest.raises(DomainError) as excinfo:
        _redeem(paper_agent, first.clear_text)
    assert excinfo.value.code == "first_signin.invalid_code"
    assert _redeem(paper_agent, second.clear_text).check_password(GOOD_PASSWORD)


def test_five_wrong_codes_revoke_the_code(coordinator: User, paper_agent: Agent) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    for _i in range(services.MAX_CODE_ATTEMPTS):
        with pytest.raises(DomainError) as excinfo:
            _redeem(paper_agent, "AAAAAAAAAA")
        assert excinfo.value.code == "first_signin.invalid_code"
    issued.code.refresh_from_db()
    assert issued.code.failed_attempts == services.MAX_CODE_ATTEMPTS
    assert issued.code.revoked_at is not None
    with pytest.raises(DomainError) as excinfo:
        _redeem(paper_agent, issued.clear_text)
    assert excinfo.value.code == "first_signin.invalid_code"
    assert AuditEntry.objects.filter(action="first_signin_code.revoke").count() == 1


def test_four_wrong_codes_leave_the_code_usable(coordinator: User, paper_agent: Agent) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    for _i in range(services.MAX_CODE_ATTEMPTS - 1):
        with pytest.raises(DomainError):
            _redeem(paper_agent, "AAAAAAAAAA")
    assert _redeem(paper_agent, issued.clear_text).check_password(GOOD_PASSWORD)


def test_weak_password_is_refused_and_the_code_kept(coordinator: User, paper_agent: Agent) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    with pytest.raises(DomainError) as excinfo:
        _redeem(paper_agent, issued.clear_text, password="court1")
    assert excinfo.value.code == "first_signin.weak_password"
    assert "trop court" in excinfo.value.message
    issued.code.refresh_from_db()
    assert issued.code.used_at is None
    assert issued.code.failed_attempts == 0
    assert not AuditEntry.objects.filter(action="first_signin_code.redeem").exists()
    assert _redeem(paper_agent, issued.clear_text).check_password(GOOD_PASSWORD)


def test_every_failure_gives_the_same_sentence(coordinator: User, paper_agent: Agent) -> None:
    services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    no_code = AgentFactory(email="", organisation=paper_agent.organisation)
    messages, codes = [], set()
    for org, matricule in [
        ("quimper", "inconnu"),
        ("autre", paper_agent.matricule),
        ("quimper", no_code.matricule),
        ("quimper", paper_agent.matricule),
    ]:
        with pytest.raises(DomainError) as caught:
            services.first_signin_code_redeem(
                organisation_code=org,
                matricule=matricule,
                code="AAAAAAAAAA",
                new_password=GOOD_PASSWORD,
            )
        messages.append(caught.value.message)
        codes.add(caught.value.code)
    assert len(set(messages)) == 1
    assert codes == {"first_signin.invalid_code"}


# --- First sign-in page -----------------------------------------------------------


def _form_data(
    agent: Agent, code: str, password: str = GOOD_PASSWORD, confirm: str | None = None
) -> dict[str, str]:
    return {
        "organisation": agent.organisation.code,
        "matricule": agent.matricule,
        "code": code,
        "new_password1": password,
        "new_password2": password if confirm is None else confirm,
    }


def test_first_signin_page_signs_the_agent_in_and_welcomes_them(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    page = client.get(FIRST_SIGNIN_URL)
    assert page.status_code == 200
    assert 'for="id_code"' in page.content.decode()
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    response = client.post(
        FIRST_SIGNIN_URL, _form_data(paper_agent, issued.clear_text), follow=True
    )
    assert response.redirect_chain == [(reverse("portal:home"), 302)]
    assert "Bienvenue sur Campus" in response.content.decode()
    assert client.session["_auth_user_id"] == str(User.objects.get(agent=paper_agent).pk)
    # Next time, the matricule sign-in works with the chosen password.
    client.post(reverse("people:logout"))
    again = client.post(
        reverse("people:login"),
        {
            "method": "matricule",
            "organisation": "quimper",
            "matricule": paper_agent.matricule,
            "password": GOOD_PASSWORD,
        },
    )
    assert again.status_code == 302


def test_first_signin_page_shows_the_validator_message_and_keeps_the_code(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    response = client.post(FIRST_SIGNIN_URL, _form_data(paper_agent, issued.clear_text, "12345"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce mot de passe est trop court" in html
    assert "Ce mot de passe est entièrement numérique" in html
    issued.code.refresh_from_db()
    assert issued.code.used_at is None
    assert issued.code.failed_attempts == 0
    assert "_auth_user_id" not in client.session


def test_first_signin_page_refuses_mismatched_passwords(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    response = client.post(
        FIRST_SIGNIN_URL, _form_data(paper_agent, issued.clear_text, confirm="Autre-chose-2024")
    )
    assert "Les deux mots de passe ne sont pas identiques" in response.content.decode()
    issued.code.refresh_from_db()
    assert issued.code.used_at is None


def test_first_signin_page_wrong_code_gives_the_generic_error_and_counts(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    issued = services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    response = client.post(FIRST_SIGNIN_URL, _form_data(paper_agent, "ZZZZZZZZZZ"))
    assert response.status_code == 200
    assert refusal_codes(response) == ["first_signin.invalid_code"]
    issued.code.refresh_from_db()
    assert issued.code.failed_attempts == 1
    assert "_auth_user_id" not in client.session


# --- One letter from the agent's page --------------------------------------------


@pytest.mark.parametrize("role", ["agent_user", "hr_viewer", "manager"])
def test_letter_page_is_forbidden_outside_the_school(
    client: Client, role: str, request: pytest.FixtureRequest, paper_agent: Agent
) -> None:
    if role == "manager":
        manager, reports = request.getfixturevalue("manager_with_team")
        actor, target = manager, reports[0].agent
    else:
        actor, target = request.getfixturevalue(role), paper_agent
    client.force_login(actor)
    assert client.get(_letter_url(target)).status_code == 403
    assert client.post(_letter_url(target)).status_code == 403
    assert client.get(reverse("people:first_signin_letter", args=[999999])).status_code == 403
    assert not FirstSignInCode.objects.exists()


def test_letter_page_needs_sign_in(client: Client, paper_agent: Agent) -> None:
    response = client.get(_letter_url(paper_agent))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_letter_get_asks_for_confirmation_without_issuing(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    client.force_login(coordinator)
    response = client.get(_letter_url(paper_agent))
    assert response.status_code == 200
    assert "annule" in response.content.decode()
    assert not FirstSignInCode.objects.exists()
    services.first_signin_code_issue(actor=coordinator, agent=paper_agent)
    html = client.get(_letter_url(paper_agent)).content.decode()
    assert "un courrier a déjà été édité" in html


@pytest.mark.parametrize("role", ["coordinator", "director"])
def test_letter_post_prints_a_working_code_and_its_expiry(
    client: Client, role: str, request: pytest.FixtureRequest, paper_agent: Agent
) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.post(_letter_url(paper_agent))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    code = FirstSignInCode.objects.get()
    assert "http://testserver/premiere-connexion/" in html
    assert "Ville de Quimper" in html
    assert "T-0107" in html
    assert _paris_day(code.expires_at) in html
    assert "css/letters.css" in html
    [printed] = _codes_in(html)
    assert re.fullmatch(r"[A-Z0-9]{5} [A-Z0-9]{5}", printed)
    assert _redeem(paper_agent, printed).check_password(GOOD_PASSWORD)


def test_letter_for_a_departed_agent_is_refused_with_a_message(
    client: Client, coordinator: User
) -> None:
    departed = AgentFactory(email="", is_active=False)
    client.force_login(coordinator)
    response = client.post(_letter_url(departed), follow=True)
    assert response.status_code == 200
    assert refusal_codes(response) == ["first_signin.agent_inactive"]
    assert departed.full_name in unescape(response.content.decode())
    assert not FirstSignInCode.objects.exists()


# --- Batch letters ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent_user", "hr_viewer", "manager"])
def test_batch_page_is_forbidden_outside_the_school(
    client: Client, role: str, request: pytest.FixtureRequest, paper_agent: Agent
) -> None:
    actor = (
        request.getfixturevalue("manager_with_team")[0]
        if role == "manager"
        else request.getfixturevalue(role)
    )
    client.force_login(actor)
    assert client.get(LETTERS_URL).status_code == 403
    assert client.post(LETTERS_URL, {"agents": [paper_agent.pk]}).status_code == 403
    assert not FirstSignInCode.objects.exists()


def test_batch_page_lists_agents_waiting_for_a_letter(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    with_email = AgentFactory()
    departed = AgentFactory(email="", is_active=False)
    signed_in = UserFactory(agent=AgentFactory(email=""), last_login=timezone.now())
    never_signed_in = UserFactory(agent=AgentFactory(email=""))
    client.force_login(coordinator)
    html = client.get(LETTERS_URL).content.decode()
    assert f'value="{paper_agent.pk}"' in html
    assert f'value="{never_signed_in.agent.pk}"' in html
    for absent in (with_email, departed, signed_in.agent):
        assert f'id="agent-{absent.pk}"' not in html


def test_batch_page_filters_by_organisation_and_department(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    dept = DepartmentFactory(organisation=paper_agent.organisation)
    in_dept = AgentFactory(email="", organisation=paper_agent.organisation, department=dept)
    elsewhere = AgentFactory(email="")
    client.force_login(coordinator)
    by_org = client.get(LETTERS_URL, {"organisation": paper_agent.organisation.pk})
    html = by_org.content.decode()
    assert f'id="agent-{paper_agent.pk}"' in html
    assert f'id="agent-{in_dept.pk}"' in html
    assert f'id="agent-{elsewhere.pk}"' not in html
    by_dept = client.get(LETTERS_URL, {"department": dept.pk}).content.decode()
    assert f'id="agent-{in_dept.pk}"' in by_dept
    assert f'id="agent-{paper_agent.pk}"' not in by_dept
    # A bad filter value is ignored, never a 500.
    assert client.get(LETTERS_URL, {"organisation": "abc"}).status_code == 200


def _populate_waiting_agents(count: int, coordinator: User) -> None:
    org = OrganisationFactory()
    dept = DepartmentFactory(organisation=org)
    for i in range(count):
        agent = AgentFactory(email="", organisation=org, department=dept if i % 2 else None)
        if i % 3 == 0:
            services.first_signin_code_issue(actor=coordinator, agent=agent)


def test_batch_page_query_count_does_not_grow_with_the_data(
    client: Client, coordinator: User, django_assert_num_queries: Any
) -> None:
    client.force_login(coordinator)
    _populate_waiting_agents(5, coordinator)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LETTERS_URL).status_code == 200
    _populate_waiting_agents(50, coordinator)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(LETTERS_URL)
    html = response.content.decode()
    assert "55 agents attendent un courrier" in html
    assert html.count('name="agents"') == min(55, LETTERS_PAGE_SIZE)


def test_batch_prints_one_letter_per_ticked_agent(client: Client, coordinator: User) -> None:
    agents = [AgentFactory(email="") for _ in range(3)]
    untouched = AgentFactory(email="")
    client.force_login(coordinator)
    response = client.post(
        LETTERS_URL,
        {
            "scope": "selected",
            "agents": [a.pk for a in agents[:2]],
            "page_agents": [a.pk for a in [*agents, untouched]],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<article class="letter"') == 2
    codes = _codes_in(html)
    assert len(codes) == 2
    for agent, code in zip(agents[:2], codes, strict=True):
        assert agent.matricule in html
        assert _redeem(agent, code).check_password(GOOD_PASSWORD)
    assert not FirstSignInCode.objects.filter(user__agent__in=[agents[2], untouched]).exists()
    assert AuditEntry.objects.filter(action="first_signin_code.issue").count() == 2


def test_batch_prints_every_agent_of_the_page(client: Client, coordinator: User) -> None:
    agents = [AgentFactory(email="") for _ in range(3)]
    client.force_login(coordinator)
    response = client.post(LETTERS_URL, {"scope": "page", "page_agents": [a.pk for a in agents]})
    assert response.content.decode().count('<article class="letter"') == 3
    assert FirstSignInCode.objects.count() == 3


def test_batch_refuses_an_agent_who_needs_no_letter(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    with_email = AgentFactory()
    client.force_login(coordinator)
    response = client.post(
        LETTERS_URL, {"scope": "selected", "agents": [paper_agent.pk, with_email.pk]}
    )
    assert response.status_code == 200
    assert "ne peut plus recevoir de courrier" in response.content.decode()
    assert not FirstSignInCode.objects.exists()


def test_batch_with_nothing_ticked_says_so(
    client: Client, coordinator: User, paper_agent: Agent
) -> None:
    client.force_login(coordinator)
    response = client.post(LETTERS_URL, {"scope": "selected", "page_agents": [paper_agent.pk]})
    assert "Cochez au moins un agent" in response.content.decode()
    assert not FirstSignInCode.objects.exists()


def test_batch_is_capped_to_keep_the_request_short(client: Client, coordinator: User) -> None:
    agents = [AgentFactory(email="") for _ in range(LETTERS_PAGE_SIZE + 1)]
    client.force_login(coordinator)
    response = client.post(LETTERS_URL, {"scope": "selected", "agents": [a.pk for a in agents]})
    assert response.status_code == 200
    assert f"Pas plus de {LETTERS_PAGE_SIZE} courriers à la fois" in response.content.decode()
    assert not FirstSignInCode.objects.exists()
