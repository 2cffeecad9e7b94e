"""Controls keep their accessible names now that no translation holds markup.

A control's visible word ("Modifier") and its visually-hidden complement
(« the thing it acts on ») are two translations placed side by side by the
template; a screen reader still announces them as one name, and whatever a
person typed in a name is written as text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.catalog.tests.factories import CourseFactory, ProgrammeFactory
from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory
from campus.registrations import services
from campus.registrations.tests.factories import open_session
from campus.scheduling.tests.factories import RoomFactory, VenueFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<script>x</script>"


class _Controls(HTMLParser):
    """Each link and button as (text, href): the text is the name a screen reader announces."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, str]] = []
        self._open: list[tuple[list[str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "button"):
            self._open.append(([], dict(attrs).get("href") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "button") and self._open:
            parts, href = self._open.pop()
            self.controls.append((" ".join("".join(parts).split()), href))

    def handle_data(self, data: str) -> None:
        for parts, _href in self._open:
            parts.append(data)


def _page(user: User, url: str) -> tuple[str, dict[str, str]]:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    parser = _Controls()
    parser.feed(content)
    return content, dict(parser.controls)


def _assert_no_hostile_markup(content: str) -> None:
    # Names are upper-cased in places: the script is text in any case.
    assert HOSTILE not in content.lower()
    assert "&lt;script&gt;x&lt;/script&gt;" in content.lower()


def test_venue_and_room_actions(coordinator: Any) -> None:
    venue = VenueFactory(name=f"Mairie {HOSTILE}")
    room = RoomFactory(venue=venue, name=f"Salle {HOSTILE}")
    content, controls = _page(coordinator, reverse("scheduling:room_list"))
    _assert_no_hostile_markup(content)
    assert controls[f"Modifier le lieu Mairie {HOSTILE}"] == reverse(
        "scheduling:venue_edit", args=[venue.pk]
    )
    assert controls[f"Ajouter une salle à Mairie {HOSTILE}"].endswith(f"?lieu={venue.pk}")
    assert controls[f"Modifier la salle Salle {HOSTILE}"] == reverse(
        "scheduling:room_edit", args=[room.pk]
    )
    assert '<span class="visually-hidden"> la salle Salle &lt;script&gt;' in content


def test_programme_and_course_edit_links(coordinator: Any) -> None:
    programme = ProgrammeFactory(name=f"Numérique {HOSTILE}")
    course = CourseFactory(title=f"Trello {HOSTILE}", programme=programme)
    content, controls = _page(coordinator, reverse("catalog:programme_list"))
    _assert_no_hostile_markup(content)
    assert controls[f"Modifier « Numérique {HOSTILE} »"] == reverse(
        "catalog:programme_edit", args=[programme.pk]
    )
    content, controls = _page(coordinator, reverse("portal:catalogue_manage"))
    _assert_no_hostile_markup(content)
    assert controls[f"Modifier « Trello {HOSTILE} »"] == reverse(
        "catalog:course_edit", args=[course.pk]
    )


def test_course_form_links_to_the_agent_list(coordinator: Any) -> None:
    content, controls = _page(coordinator, reverse("catalog:course_create"))
    assert controls["Liste des agents"] == reverse("people:agent_list")
    assert "Pour un autre agent, cherchez son matricule dans la liste des agents." in content


def test_team_requests_and_catalogue_link(coordinator: Any) -> None:
    manager = UserFactory()
    member = UserFactory(
        agent=AgentFactory(first_name="Léa", last_name=HOSTILE, manager=manager.agent)
    )
    session = open_session(coordinator, course=CourseFactory(requires_manager_approval=True))
    services.registration_create(actor=member, session=session, agent=member.agent)
    content, controls = _page(manager, reverse("registrations:team"))
    _assert_no_hostile_markup(content)
    name = f"Léa {HOSTILE.upper()}"
    assert f"Accepter la demande de {name}" in controls
    assert f"Refuser la demande de {name}" in controls
    assert controls["Catalogue des formations"] == reverse("portal:catalogue")
