"""A DomainError no view caught becomes the refusal page (409, or 503 when busy), never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from campus.core.exceptions import DomainError, ServiceBusy
from campus.core.testing import refusal_codes
from campus.people.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.refusal_urls")]


@pytest.fixture
def client_in(agent_user: User) -> Client:
    # The test client re-raises what reaches Django's 500 handler: a 500 fails the test.
    client = Client(raise_request_exception=True)
    client.force_login(agent_user)
    return client


def test_an_uncaught_domain_error_is_a_409_page_with_its_sentence_and_code(
    client_in: Client,
) -> None:
    response = client_in.post("/_test/refus/")

    assert response.status_code == 409
    assert response.templates[0].name == "core/refused.html"
    page = response.content.decode()
    assert "Cette session est déjà annulée." in page
    assert 'data-error-code="session.already_cancelled"' in page
    assert refusal_codes(response) == ["session.already_cancelled"]
    assert response.context["error"].code == "session.already_cancelled"
    assert "Traceback" not in page
    # The normal site page: the header and the navigation are there.
    assert 'class="site-header"' in page


def test_the_page_links_back_to_the_page_of_this_site_the_person_came_from(
    client_in: Client,
) -> None:
    came_from = "http://testserver" + reverse("registrations:mine")
    response = client_in.post("/_test/refus/", HTTP_REFERER=came_from)

    assert response.status_code == 409
    assert response.context["back_url"] == came_from
    assert f'href="{came_from}"' in response.content.decode()


@pytest.mark.parametrize("referer", ["", "https://ailleurs.example/piege/"])
def test_without_a_referer_of_this_site_the_page_links_home(
    client_in: Client, referer: str
) -> None:
    response = client_in.get("/_test/refus/", HTTP_REFERER=referer)

    assert response.status_code == 409
    assert response.context["back_url"] == reverse("portal:home")
    assert "ailleurs.example" not in response.content.decode()


def test_anonymous_visitors_get_the_same_page() -> None:
    response = Client(raise_request_exception=True).get("/_test/refus/")

    assert response.status_code == 409
    assert refusal_codes(response) == ["session.already_cancelled"]


def test_service_busy_is_a_503_with_retry_after(client_in: Client) -> None:
    response = client_in.post("/_test/occupe/")

    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert refusal_codes(response) == ["service.busy"]
    assert "réessayez dans quelques secondes" in response.content.decode()


def test_service_busy_is_not_a_refusal_views_could_catch_and_has_a_default_delay() -> None:
    busy = ServiceBusy()

    assert not isinstance(busy, DomainError)
    assert busy.code == "service.busy"
    assert busy.retry_after == 5
    assert busy.message == (
        "Trop de personnes font la même chose en ce moment : réessayez dans quelques secondes."
    )


def test_not_allowed_stays_a_403(client_in: Client) -> None:
    response = client_in.get("/_test/interdit/")

    assert response.status_code == 403
    assert "Réservé aux coordinateurs." in response.content.decode()
