"""The audit-log browser: filters, readable changes, read-only, constant cost."""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campus.core.audit import AuditAction, audit_record, registry
from campus.core.models import AuditEntry
from campus.people import services
from campus.people.models import Agent, User
from campus.people.tests.factories import AgentFactory, DepartmentFactory, UserFactory
from campus.registrations import lifecycle
from campus.scheduling.tests.factories import NOW, TUE, RoomFactory, create, part

pytestmark = pytest.mark.django_db

URL = reverse("core:audit_log")
PARIS = datetime.timezone(datetime.timedelta(hours=1))  # winter time, for the dates below


def _at(moment: datetime.datetime, **kwargs: Any) -> AuditEntry:
    """An entry recorded at `moment` (created_at is set by the database layer on insert)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return audit_record(**kwargs)


def _ids(response: Any) -> list[int]:
    return [row.entry.pk for row in response.context["rows"]]


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def director_client(client: Client, director: User) -> Client:
    client.force_login(director)
    return client


def test_filters_by_action_type_actor_object_and_dates(director_client: Client) -> None:
    coordinator = UserFactory(agent=AgentFactory(last_name="Bernard"), role=User.Role.COORDINATOR)
    agent = AgentFactory(last_name="Rivière")
    jan = datetime.datetime(2025, 1, 10, 9, 0, tzinfo=PARIS)
    created = _at(jan, actor=coordinator, action="agent.create", obj=agent)
    updated = _at(
        jan + datetime.timedelta(days=5),
        actor=None,
        action="agent.update",
        obj=agent,
        changes={"category": {"before": "C", "after": "B"}},
    )
    other = _at(
        jan + datetime.timedelta(days=20),
        actor=coordinator,
        action="user.set_role",
        object_type="people.user",
        object_id=999,
        object_label="quelqu'un",
    )
    get = director_client.get
    assert _ids(get(URL)) == [other.pk, updated.pk, created.pk]
    assert _ids(get(URL, {"action": "agent.update"})) == [updated.pk]
    assert _ids(get(URL, {"object_type": "people.user"})) == [other.pk]
    assert _ids(get(URL, {"actor": "systè"})) == [updated.pk]
    assert _ids(get(URL, {"actor": "bern"})) == [other.pk, created.pk]
    assert _ids(get(URL, {"obj": "rivi"})) == [updated.pk, created.pk]
    assert _ids(get(URL, {"obj": "999"})) == [other.pk]
    assert _ids(get(URL, {"date_from": "2025-01-15"})) == [other.pk, updated.pk]
    assert _ids(get(URL, {"date_to": "2025-01-15"})) == [updated.pk, created.pk]
    assert _ids(get(URL, {"date_from": "2025-01-11", "date_to": "2025-01-29"})) == [updated.pk]
    assert _ids(get(URL, {"action": "agent.create", "obj": "rivi", "date_to": "2025-01-10"})) == [
        created.pk
    ]


def test_dates_are_days_in_paris(director_client: Client) -> None:
    # 23:30 UTC on 1 January is already 2 January in Paris.
    late = _at(
        datetime.datetime(2025, 1, 1, 23, 30, tzinfo=datetime.UTC),
        actor=None,
        action="agent.update",
        object_type="x",
        object_id=1,
    )
    assert _ids(director_client.get(URL, {"date_from": "2025-01-02"})) == [late.pk]
    assert _ids(director_client.get(URL, {"date_to": "2025-01-01"})) == []
    assert "02/01/2025 00:30" in _text(director_client.get(URL))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, "La date de fin ne peut pas"),
        ({"date_from": "pas une date"}, "Saisissez une date valide"),
        ({"action": "action.inventée"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_filters_are_explained(
    director_client: Client, params: dict[str, str], message: str
) -> None:
    _at(timezone.now(), actor=None, action="agent.create", object_type="x", object_id=1)
    response = director_client.get(URL, params)
    assert response.status_code == 200
    assert message in _text(response)
    assert "Les filtres sont invalides" in _text(response)
    assert response.context["rows"] == []


def test_changes_read_as_before_and_after(director_client: Client, coordinator: User) -> None:
    dept = DepartmentFactory(name="Médiathèque")
    old_boss = AgentFactory(organisation=dept.organisation, last_name="Ancien")
    new_boss = AgentFactory(organisation=dept.organisation, last_name="Nouveau")
    agent = AgentFactory(organisation=dept.organisation, manager=old_boss, category="C")
    services.agent_update(
        actor=coordinator,
        agent=agent,
        category="B",
        manager=new_boss,
        department=dept,
        is_manager_position=True,
        arrival_date=datetime.date(2024, 3, 4),
    )
    page = _text(director_client.get(URL, {"action": "agent.update"}))
    assert "Modification d'un agent" in page
    assert "Catégorie C" in page
    assert "Catégorie B" in page
    assert old_boss.full_name in page
    assert new_boss.full_name in page
    assert "Médiathèque" in page
    assert "Non" in page
    assert "Oui" in page
    assert "04/03/2024" in page
    assert reverse("people:agent_detail", args=[agent.pk]) in page
    assert str(coordinator) in page


def test_role_change_and_first_signin_entries_are_readable(
    director_client: Client, director: User
) -> None:
    agent = AgentFactory(email="")
    services.agent_set_role(actor=director, agent=agent, role=User.Role.HR_VIEWER)
    page = _text(director_client.get(URL))
    assert "Changement de rôle" in page
    assert "Création d'un compte" in page


def test_session_entries_read_their_parts_trainers_and_conflicts(
    director_client: Client, coordinator: User
) -> None:
    """Names that are not fields of the session (its parts, the kept conflicts) are labelled.

    The session's "parts" is a reverse relation: the page used to fail on it
    ('ManyToOneRel' object has no attribute 'verbose_name').
    """
    room = RoomFactory(name="Salle Jaurès")
    first: Agent = AgentFactory(last_name="Garnier")
    second: Agent = AgentFactory(last_name="Lemoine")
    session = create(
        coordinator, parts=[part(TUE, "09:00", "12:00", room)], trainers=[first]
    ).session
    create(coordinator, parts=[part(TUE, "09:00", "12:00", room)], override_conflicts=True)
    lifecycle.session_update(
        actor=coordinator,
        session=session,
        parts=[part(TUE, "13:30", "17:00", room)],
        trainers=[first, second],
        capacity=12,
        now=NOW,
    )
    response = director_client.get(URL)
    assert response.status_code == 200
    labels = {change.label for row in response.context["rows"] for change in row.changes}
    assert {"Parties de session", "Animateurs", "Conflits maintenus"} <= labels
    assert not labels & {"parts", "trainers", "conflicts"}
    page = _text(response)
    assert f"{first.full_name}, {second.full_name}" in page
    assert "Création d'une session" in page
    assert "Modification d'une session" in page
    assert "Conflit de planning maintenu" in page


def _declared_entry(action: AuditAction, n: int) -> None:
    audit_record(
        actor=None,
        action=action.code,
        object_type="inconnu",
        object_id=n,
        object_label=f"Objet {n}",
        changes={name: {"before": None, "after": "x"} for name in action.change_labels},
    )


def _table_body(response: Any) -> str:
    """The entries' rows only: the filter's <option value="…"> carries the codes, rightly."""
    match = re.search(r"<tbody>(.*)</tbody>", _text(response), re.S)
    assert match is not None
    return match.group(1)


def test_every_declared_action_reads_as_its_label_at_a_constant_cost(
    director_client: Client, django_assert_num_queries: Any
) -> None:
    actions = registry.all()
    for n, action in enumerate(actions):
        _declared_entry(action, n)
    shown: dict[str, str] = {}
    bodies = []
    for number in range(1, len(actions) // 50 + 2):
        response = director_client.get(URL, {"page": number})
        shown.update({row.entry.action: row.action_label for row in response.context["rows"]})
        bodies.append(_table_body(response))
    body = "\n".join(bodies)
    assert shown == {action.code: str(action.label) for action in actions}
    for action in actions:
        assert str(action.label) in body
        assert action.code not in body
        for label in action.change_labels.values():
            assert str(label)[:1].upper() + str(label)[1:] in body

    with CaptureQueriesContext(connection) as once:
        assert director_client.get(URL).status_code == 200
    for n in range(len(actions), 10 * len(actions)):
        _declared_entry(actions[n % len(actions)], n)
    with django_assert_num_queries(len(once)):
        response = director_client.get(URL)
    assert response.context["page"].paginator.count == 10 * len(actions)
    assert all(row.action_label != row.entry.action for row in response.context["rows"])


def _folded(label: str) -> str:
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def test_the_filter_lists_every_declared_action_by_label_and_the_types_in_the_log(
    director_client: Client,
) -> None:
    agent = AgentFactory()
    audit_record(actor=None, action="agent.update", obj=agent)
    audit_record(actor=None, action="user.set_role", object_type="people.user", object_id=1)
    form = director_client.get(URL).context["form"]
    actions = form.fields["action"].choices[1:]
    # Every declared action, even those the log does not hold yet.
    assert {code for code, _label in actions} == {action.code for action in registry.all()}
    assert dict(actions)["registration.create"] == "Création d'une inscription"
    labels = [label for _code, label in actions]
    assert labels == sorted(labels, key=_folded)
    assert labels[-1] != "Émargement par l'agent"  # accents sort as their letter
    assert form.fields["object_type"].choices[1:] == [
        ("people.agent", "Agent"),
        ("people.user", "Compte"),
    ]


def test_an_older_code_nobody_declares_any_more_still_shows(director_client: Client) -> None:
    # Written before the code was renamed, say: the log is never rewritten.
    AuditEntry.objects.create(action="ancien.code", object_type="x", object_id="1")
    response = director_client.get(URL)
    assert response.status_code == 200
    assert [row.action_label for row in response.context["rows"]] == ["ancien.code"]


def test_is_read_only(director_client: Client) -> None:
    entry = _at(timezone.now(), actor=None, action="agent.create", object_type="x", object_id=1)
    assert director_client.post(URL, {"action": "x"}).status_code == 405
    page = _text(director_client.get(URL))
    # The only forms that post are the site header's language switch and sign-out.
    assert page.count('method="post"') == 2
    entry.refresh_from_db()
    assert entry.action == "agent.create"


def test_paginated_by_fifty(director_client: Client) -> None:
    now = timezone.now()
    for i in range(51):
        _at(
            now + datetime.timedelta(seconds=i),
            actor=None,
            action="agent.update",
            object_type="x",
            object_id=i + 1,
        )
    first = director_client.get(URL)
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0].entry.object_id == "51"
    second = director_client.get(URL, {"page": 2})
    assert [row.entry.object_id for row in second.context["rows"]] == ["1"]


def _fill(count: int, actor: User) -> None:
    org_agents = AgentFactory.create_batch(2)
    for i in range(count):
        agent = AgentFactory(organisation=org_agents[0].organisation)
        audit_record(
            actor=actor,
            action="agent.update",
            obj=agent,
            changes={
                "manager": {"before": org_agents[0].pk, "after": org_agents[1].pk},
                "category": {"before": "C", "after": "A"},
            },
        )
        user = UserFactory(agent=agent)
        audit_record(
            actor=None,
            action="user.set_role",
            obj=user,
            changes={
                "role": {"before": "agent", "after": "coordinator"},
                "agent": {"before": None, "after": agent.pk},
            },
        )
        audit_record(
            actor=actor,
            action=("registration.create", "session.open", "demo.load")[i % 3],
            object_type="inconnu",
            object_id=i,
            changes={"free": "text"},
        )


def test_query_count_does_not_grow_with_the_log(
    director_client: Client, director: User, django_assert_num_queries: Any
) -> None:
    _fill(3, director)
    director_client.get(URL)
    with CaptureQueriesContext(connection) as small:
        assert director_client.get(URL).status_code == 200
    _fill(30, director)
    with django_assert_num_queries(len(small)):
        response = director_client.get(URL)
    assert len(response.context["rows"]) == 50
    assert AuditEntry.objects.count() >= 10 * 3 * 3
