"""Agent list, profile, team pages and the coordinator's forms, through HTTP."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campus.core.models import AuditEntry
from campus.core.testing import refusal_codes
from campus.people import selectors, services
from campus.people.models import Agent, User
from campus.people.tests.factories import (
    AgentFactory,
    DepartmentFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _names(response: Any) -> set[str]:
    return {agent.matricule for agent in response.context["page"].object_list}


def _text(response: Any) -> str:
    """The page as a person reads it: entities decoded, so quotes compare plainly."""
    return html.unescape(response.content.decode())


def _snapshot() -> tuple[Any, ...]:
    """Everything a refused form must leave untouched."""
    return (
        tuple(Agent.objects.order_by("pk").values_list()),
        AuditEntry.objects.count(),
        tuple(User.objects.order_by("pk").values_list("pk", "role", "is_active")),
    )


# --- Agent list ---------------------------------------------------------------


@pytest.fixture
def staff_client(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


class TestAgentList:
    url = reverse("people:agent_list")

    def test_search_by_name_matricule_and_email(self, staff_client: Client) -> None:
        AgentFactory(last_name="Lefèvre", first_name="Amandine", matricule="A1", email="")
        AgentFactory(last_name="Martin", matricule="B2", email="b.martin@ville.example.fr")
        AgentFactory(last_name="Durand", matricule="Z99", email="")
        assert _names(staff_client.get(self.url, {"q": "lefèvre"})) == {"A1"}
        assert _names(staff_client.get(self.url, {"q": "amandine lef"})) == {"A1"}
        assert _names(staff_client.get(self.url, {"q": "z99"})) == {"Z99"}
        assert _names(staff_client.get(self.url, {"q": "b.martin@"})) == {"B2"}
        assert _names(staff_client.get(self.url, {"q": "personne"})) == set()

    def test_filters(self, staff_client: Client) -> None:
        ville = OrganisationFactory(name="Ville")
        agglo = OrganisationFactory(name="Agglo")
        voirie = DepartmentFactory(organisation=ville, name="Voirie")
        AgentFactory(organisation=ville, matricule="V1", department=voirie, category="A")
        AgentFactory(
            organisation=ville,
            matricule="V2",
            category="",
            email="",
            status=Agent.Status.CONTRACTUEL,
        )
        AgentFactory(organisation=agglo, matricule="G1", is_manager_position=True)
        AgentFactory(organisation=agglo, matricule="G2", is_active=False)
        get = staff_client.get
        assert _names(get(self.url, {"organisation": ville.pk})) == {"V1", "V2"}
        assert _names(get(self.url, {"department": voirie.pk})) == {"V1"}
        assert _names(get(self.url, {"category": "A"})) == {"V1"}
        assert _names(get(self.url, {"category": selectors.NO_CATEGORY})) == {"V2"}
        assert _names(get(self.url, {"status": "contractuel"})) == {"V2"}
        assert _names(get(self.url, {"without_email": "on", "organisation": ville.pk})) == {"V2"}
        assert _names(get(self.url, {"manager_position": "yes"})) == {"G1"}
        assert "G1" not in _names(get(self.url, {"manager_position": "no"}))
        # Active agents by default; inactive ones on request.
        assert "G2" not in _names(get(self.url, {"organisation": agglo.pk}))
        assert _names(get(self.url, {"organisation": agglo.pk, "active": "inactive"})) == {"G2"}
        assert _names(get(self.url, {"organisation": agglo.pk, "active": "all"})) == {"G1", "G2"}

    def test_paginated_by_fifty_and_sorted_by_name(self, staff_client: Client) -> None:
        org = OrganisationFactory()
        for i in range(51):
            AgentFactory(organisation=org, last_name=f"Nom{i:03d}", first_name="Jean")
        first = staff_client.get(self.url, {"organisation": org.pk})
        assert len(first.context["page"].object_list) == 50
        assert first.context["page"].object_list[0].last_name == "Nom000"
        assert "page=2" in _text(first)
        second = staff_client.get(self.url, {"organisation": org.pk, "page": 2})
        assert [a.last_name for a in second.context["page"].object_list] == ["Nom050"]
        reverse_order = staff_client.get(self.url, {"organisation": org.pk, "sort": "-name"})
        assert reverse_order.context["page"].object_list[0].last_name == "Nom050"
        # A page number out of range shows the last page instead of failing.
        assert staff_client.get(self.url, {"page": 999}).status_code == 200

    def test_bad_filter_is_explained_and_lists_nothing(self, staff_client: Client) -> None:
        AgentFactory()
        response = staff_client.get(self.url, {"organisation": "999999", "category": "Z"})
        assert response.status_code == 200
        assert list(response.context["page"].object_list) == []
        content = _text(response)
        assert "Les filtres sont invalides" in content
        assert "Sélectionnez un choix valide" in content


# --- Profile ------------------------------------------------------------------


class TestAgentDetail:
    def test_shows_every_field_in_french(self, client: Client, hr_viewer: User) -> None:
        dept = DepartmentFactory(name="Direction des sports")
        boss = AgentFactory(organisation=dept.organisation, last_name="Chef")
        agent = AgentFactory(
            organisation=dept.organisation,
            department=dept,
            last_name="Petit",
            first_name="Zoé",
            matricule="P42",
            phone="01 02 03 04 05",
            job_title="Éducatrice sportive",
            category="B",
            status=Agent.Status.CONTRACTUEL,
            gender="F",
            manager=boss,
            is_manager_position=True,
            manager_position_since=datetime.date(2021, 3, 1),
            arrival_date=datetime.date(2019, 9, 2),
        )
        report = AgentFactory(organisation=dept.organisation, manager=agent, last_name="Rapport")
        client.force_login(hr_viewer)
        content = _text(client.get(reverse("people:agent_detail", args=[agent.pk])))
        for text in [
            "PETIT",
            "Zoé",
            "P42",
            dept.organisation.name,
            "Direction des sports",
            "Éducatrice sportive",
            "Catégorie B",
            "Contractuel",
            "Femme",
            "01 02 03 04 05",
            "depuis le 1 mars 2021",
            "2 septembre 2019",
            agent.email,
            '<dl class="facts">',
            reverse("people:agent_detail", args=[boss.pk]),
            report.full_name,
            reverse("people:team", args=[agent.pk]),
            "pas de compte",
        ]:
            assert text in content, text
        # HR reads, it does not act.
        assert reverse("people:agent_edit", args=[agent.pk]) not in content
        assert reverse("people:agent_role", args=[agent.pk]) not in content

    def test_account_states(self, client: Client, coordinator: User) -> None:
        client.force_login(coordinator)
        never = UserFactory()
        never.set_unusable_password()
        never.save()
        signed_in = UserFactory(last_login=timezone.now())
        page = _text(client.get(reverse("people:agent_detail", args=[never.agent.pk])))
        assert "ne s'est jamais connecté" in page
        assert "pas encore choisi" in page
        page = _text(client.get(reverse("people:agent_detail", args=[signed_in.agent.pk])))
        assert "Dernière connexion" in page
        assert "jamais connecté" not in page

    def test_actions_by_role(self, client: Client, coordinator: User, director: User) -> None:
        agent = AgentFactory()
        url = reverse("people:agent_detail", args=[agent.pk])
        client.force_login(coordinator)
        page = _text(client.get(url))
        assert reverse("people:agent_edit", args=[agent.pk]) in page
        assert reverse("people:first_signin_letter", args=[agent.pk]) in page
        assert reverse("people:agent_deactivate", args=[agent.pk]) in page
        assert reverse("people:agent_role", args=[agent.pk]) not in page
        client.force_login(director)
        assert reverse("people:agent_role", args=[agent.pk]) in _text(client.get(url))

    def test_agent_sees_own_profile_without_actions(self, client: Client, agent_user: User) -> None:
        client.force_login(agent_user)
        page = client.get(reverse("people:agent_detail", args=[agent_user.agent.pk]))
        assert page.status_code == 200
        assert reverse("people:agent_edit", args=[agent_user.agent.pk]) not in _text(page)


# --- Teams --------------------------------------------------------------------


class TestTeam:
    def test_direct_and_grouped_indirect_reports(self, client: Client) -> None:
        boss = UserFactory()
        org = boss.agent.organisation
        lead_a = AgentFactory(organisation=org, manager=boss.agent, last_name="Alpha")
        lead_b = AgentFactory(organisation=org, manager=boss.agent, last_name="Bravo")
        a1 = AgentFactory(organisation=org, manager=lead_a, job_title="Jardinier", email="")
        b1 = AgentFactory(organisation=org, manager=lead_b)
        deep = AgentFactory(organisation=org, manager=b1)
        AgentFactory(organisation=org, manager=lead_a, is_active=False, last_name="Parti")
        client.force_login(boss)
        response = client.get(reverse("people:my_team"))
        team = response.context["team"]
        assert team.direct == [lead_a, lead_b]
        assert [(g.manager, g.level, g.members) for g in team.groups] == [
            (lead_a, 2, [a1]),
            (lead_b, 2, [b1]),
            (b1, 3, [deep]),
        ]
        assert team.size == 5
        content = _text(response)
        assert "Jardinier" in content
        assert "sans e-mail" in content
        assert "Parti" not in content

    def test_manager_loop_in_data_does_not_hang(self, client: Client, coordinator: User) -> None:
        first = AgentFactory()
        second = AgentFactory(organisation=first.organisation, manager=first)
        # A loop left by bad data: only a raw update can write it.
        Agent.objects.filter(pk=first.pk).update(manager=second)
        team = selectors.team(first)
        assert team.direct == [second]
        assert team.groups == []
        client.force_login(coordinator)
        assert client.get(reverse("people:team", args=[first.pk])).status_code == 200

    def test_depth_bound(self) -> None:
        top = AgentFactory()
        current = top
        for _i in range(4):
            current = AgentFactory(organisation=top.organisation, manager=current)
        team = selectors.team(top, max_depth=2)
        assert team.truncated
        assert team.size == 2

    def test_my_team_without_team_redirects_with_message(
        self, client: Client, agent_user: User
    ) -> None:
        client.force_login(agent_user)
        response = client.get(reverse("people:my_team"), follow=True)
        assert response.redirect_chain == [(reverse("portal:home"), 302)]
        assert "vous n'avez pas d'équipe" in _text(response)


# --- Create and edit ----------------------------------------------------------


def _form_data(agent: Agent | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation": agent.organisation_id if agent else "",
        "matricule": "N100",
        "last_name": "Nouveau",
        "first_name": "Noé",
        "email": "",
        "phone": "",
        "department": "",
        "job_title": "Agent d'accueil",
        "category": "C",
        "status": Agent.Status.TITULAIRE,
        "gender": "",
        "manager_matricule": "",
        "manager_position_since": "",
        "arrival_date": "",
        "departure_date": "",
    }
    if agent is not None:
        data.update(
            matricule=agent.matricule,
            last_name=agent.last_name,
            first_name=agent.first_name,
            email=agent.email,
            category=agent.category,
            status=agent.status,
            manager_matricule=agent.manager.matricule if agent.manager else "",
        )
    data.update(overrides)
    return data


class TestAgentForms:
    def test_create(self, staff_client: Client) -> None:
        org = OrganisationFactory()
        boss = AgentFactory(organisation=org, matricule="CHEF1")
        dept = DepartmentFactory(organisation=org)
        response = staff_client.post(
            reverse("people:agent_create"),
            _form_data(
                organisation=org.pk,
                manager_matricule="chef1",
                department=dept.pk,
                arrival_date="2024-01-15",
            ),
        )
        agent = Agent.objects.get(matricule="N100")
        assert response.status_code == 302
        assert response["Location"] == reverse("people:agent_detail", args=[agent.pk])
        assert agent.manager == boss
        assert agent.department == dept
        assert agent.arrival_date == datetime.date(2024, 1, 15)
        assert AuditEntry.objects.filter(action="agent.create", object_id=str(agent.pk)).exists()

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"manager_matricule": "INCONNU"}, "n'a le matricule « INCONNU »"),
            ({"manager_matricule": "AILLEURS"}, "n'a le matricule « AILLEURS »"),
            ({"manager_matricule": "PARTI"}, "n'est plus actif"),
            ({"matricule": "EXISTE"}, "Le matricule EXISTE existe déjà"),
            (
                {"arrival_date": "2024-05-01", "departure_date": "2024-04-30"},
                "La date de départ ne peut pas précéder la date d'arrivée",
            ),
            ({"department": "OTHER_DEPT"}, "Ce service appartient à"),
            ({"last_name": ""}, "Ce champ est obligatoire"),
            ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide"),
            ({"arrival_date": "31/02/2024"}, "Saisissez une date valide"),
        ],
    )
    def test_create_refuses_bad_input(
        self, staff_client: Client, overrides: dict[str, Any], message: str
    ) -> None:
        org = OrganisationFactory()
        other = OrganisationFactory()
        AgentFactory(organisation=org, matricule="EXISTE")
        AgentFactory(organisation=other, matricule="AILLEURS")
        AgentFactory(organisation=org, matricule="PARTI", is_active=False)
        other_dept = DepartmentFactory(organisation=other)
        if overrides.get("department") == "OTHER_DEPT":
            overrides = {**overrides, "department": other_dept.pk}
        before = _snapshot()
        response = staff_client.post(
            reverse("people:agent_create"), _form_data(organisation=org.pk, **overrides)
        )
        assert response.status_code == 200
        content = _text(response)
        assert message in content
        assert "rien n'a été enregistré" in content
        assert 'aria-invalid="true"' in content
        assert _snapshot() == before

    def test_edit(self, staff_client: Client) -> None:
        agent = AgentFactory(category="C")
        boss = AgentFactory(organisation=agent.organisation)
        response = staff_client.post(
            reverse("people:agent_edit", args=[agent.pk]),
            _form_data(agent, category="B", manager_matricule=boss.matricule),
        )
        assert response.status_code == 302
        agent.refresh_from_db()
        assert (agent.category, agent.manager) == ("B", boss)
        entry = AuditEntry.objects.get(action="agent.update", object_id=str(agent.pk))
        assert entry.changes["category"] == {"before": "C", "after": "B"}

    def test_edit_form_shows_current_values(self, staff_client: Client) -> None:
        boss = AgentFactory(matricule="BOSS7")
        agent = AgentFactory(
            organisation=boss.organisation, manager=boss, arrival_date=datetime.date(2020, 2, 3)
        )
        page = _text(staff_client.get(reverse("people:agent_edit", args=[agent.pk])))
        assert 'value="BOSS7"' in page
        assert 'value="2020-02-03"' in page
        assert f'value="{agent.matricule}"' in page

    @pytest.mark.parametrize(
        ("case", "message"),
        [
            ("self", "Un agent ne peut pas être son propre responsable"),
            ("duplicate", "existe déjà dans"),
            ("departure", "La date de départ ne peut pas précéder"),
        ],
    )
    def test_edit_refuses_bad_input(self, staff_client: Client, case: str, message: str) -> None:
        top = AgentFactory(arrival_date=datetime.date(2020, 1, 1))
        middle = AgentFactory(organisation=top.organisation, manager=top)
        AgentFactory(organisation=top.organisation, manager=middle)  # a chain of three, as ever
        overrides = {
            "self": {"manager_matricule": top.matricule},
            "duplicate": {"matricule": middle.matricule},
            "departure": {"arrival_date": "2020-01-01", "departure_date": "2019-12-31"},
        }[case]
        before = _snapshot()
        response = staff_client.post(
            reverse("people:agent_edit", args=[top.pk]), _form_data(top, **overrides)
        )
        assert response.status_code == 200
        assert message in _text(response)
        assert _snapshot() == before

    def test_edit_refuses_a_manager_loop_naming_the_manager(self, staff_client: Client) -> None:
        # The form checks what one record shows; the service walks the chain of managers.
        top = AgentFactory(arrival_date=datetime.date(2020, 1, 1))
        middle = AgentFactory(organisation=top.organisation, manager=top)
        bottom = AgentFactory(organisation=top.organisation, manager=middle)
        before = _snapshot()
        response = staff_client.post(
            reverse("people:agent_edit", args=[top.pk]),
            _form_data(top, manager_matricule=bottom.matricule),
        )
        assert response.status_code == 200
        assert refusal_codes(response) == ["agent.manager_loop"]
        assert bottom.full_name in _text(response)
        assert _snapshot() == before


class TestDeactivate:
    def test_deactivate_keeps_the_record_and_closes_the_account(self, staff_client: Client) -> None:
        user = UserFactory()
        agent = user.agent
        response = staff_client.post(
            reverse("people:agent_deactivate", args=[agent.pk]),
            {"departure_date": "2025-06-30", "reason": "Mutation"},
        )
        assert response.status_code == 302
        agent.refresh_from_db()
        user.refresh_from_db()
        assert not agent.is_active
        assert not user.is_active
        assert agent.departure_date == datetime.date(2025, 6, 30)
        entry = AuditEntry.objects.get(action="agent.deactivate", object_id=str(agent.pk))
        assert entry.message == "Mutation"
        # A second visit explains instead of offering the form again.
        again = staff_client.get(reverse("people:agent_deactivate", args=[agent.pk]), follow=True)
        assert "est déjà inactif" in _text(again)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"departure_date": "2019-01-01"}, "ne peut pas précéder la date d'arrivée"),
            ({"departure_date": ""}, "Ce champ est obligatoire"),
            ({"departure_date": "hier"}, "Saisissez une date valide"),
        ],
    )
    def test_refuses_bad_dates(
        self, staff_client: Client, data: dict[str, str], message: str
    ) -> None:
        agent = AgentFactory(arrival_date=datetime.date(2020, 1, 1))
        before = _snapshot()
        response = staff_client.post(reverse("people:agent_deactivate", args=[agent.pk]), data)
        assert response.status_code == 200
        assert message in _text(response)
        assert _snapshot() == before


# --- Roles --------------------------------------------------------------------


class TestRole:
    def test_creates_the_account_when_missing(self, client: Client, director: User) -> None:
        agent = AgentFactory(email="")
        client.force_login(director)
        response = client.post(
            reverse("people:agent_role", args=[agent.pk]), {"role": User.Role.COORDINATOR}
        )
        assert response.status_code == 302
        user = User.objects.get(agent=agent)
        assert user.role == User.Role.COORDINATOR
        assert not user.has_usable_password()
        assert set(
            AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True)
        ) == {"user.create", "user.set_role"}

    def test_changes_an_existing_role(self, client: Client, director: User) -> None:
        user = UserFactory(role=User.Role.COORDINATOR)
        client.force_login(director)
        page = client.get(reverse("people:agent_role", args=[user.agent.pk]))
        assert page.context["form"]["role"].value() == User.Role.COORDINATOR
        assert "Rôle actuel : Coordinateur" in _text(page)
        client.post(
            reverse("people:agent_role", args=[user.agent.pk]), {"role": User.Role.HR_VIEWER}
        )
        user.refresh_from_db()
        assert user.role == User.Role.HR_VIEWER

    @pytest.mark.parametrize(
        ("case", "code"), [("own", "account.own_role"), ("inactive", "agent.inactive")]
    )
    def test_refusals(self, client: Client, director: User, case: str, code: str) -> None:
        target = {"own": director.agent, "inactive": AgentFactory(is_active=False)}[case]
        client.force_login(director)
        before = _snapshot()
        response = client.post(
            reverse("people:agent_role", args=[target.pk]), {"role": User.Role.AGENT}
        )
        assert response.status_code == 200
        assert refusal_codes(response) == [code]
        assert _snapshot() == before

    def test_an_unknown_role_is_refused_by_the_form(self, client: Client, director: User) -> None:
        target = AgentFactory()
        client.force_login(director)
        before = _snapshot()
        response = client.post(
            reverse("people:agent_role", args=[target.pk]), {"role": "superviseur"}
        )
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in _text(response)
        assert _snapshot() == before

    def test_service_refuses_non_directors(self, coordinator: User) -> None:
        from campus.core.exceptions import NotAllowed

        agent = AgentFactory()
        with pytest.raises(NotAllowed):
            services.agent_set_role(actor=coordinator, agent=agent, role=User.Role.DIRECTOR)
        assert not User.objects.filter(agent=agent).exists()


# --- Home page ----------------------------------------------------------------


class TestHome:
    url = reverse("portal:home")

    def test_coordinator_sees_the_school_panel(self, client: Client, coordinator: User) -> None:
        ville = OrganisationFactory(name="Ville de Test")
        AgentFactory.create_batch(3, organisation=ville)
        AgentFactory(organisation=ville, is_active=False)
        waiting = AgentFactory(organisation=ville, email="")
        UserFactory(agent=AgentFactory(organisation=ville, email=""), last_login=timezone.now())
        client.force_login(coordinator)
        response = client.get(self.url)
        school = response.context["school"]
        counts = {org.name: org.active_agents for org in school.organisations}
        assert counts["Ville de Test"] == 5
        # Only the agent without e-mail who never signed in is waiting for a letter.
        assert school.without_email_never_signed_in == 1
        page = _text(response)
        assert "1 agent sans adresse e-mail ne s'est jamais connecté" in page
        assert reverse("people:first_signin_letters") in page
        assert reverse("people:import") in page
        assert reverse("core:audit_log") not in page
        assert waiting.full_name not in page

    def test_manager_sees_profile_and_team(self, client: Client, manager_with_team: Any) -> None:
        manager, reports = manager_with_team
        manager.agent.job_title = "Cheffe de service"
        manager.agent.save()
        client.force_login(manager)
        page = _text(client.get(self.url))
        assert "Cheffe de service" in page
        assert manager.agent.organisation.name in page
        assert reverse("people:agent_detail", args=[manager.agent.pk]) in page
        assert "3 agents vous sont directement rattachés" in page
        assert all(report.agent.full_name in page for report in reports)
        assert reverse("people:my_team") in page
        assert "L'école" not in page
        assert f'href="{reverse("people:agent_list")}"' not in page

    def test_hr_viewer_gets_the_agent_list(self, client: Client, hr_viewer: User) -> None:
        client.force_login(hr_viewer)
        response = client.get(self.url)
        page = _text(response)
        assert reverse("people:agent_list") in page
        assert response.context["school"] is None
        assert reverse("people:import") not in page.split("<main")[1]

    def test_director_without_agent(self, client: Client) -> None:
        director = UserFactory(agent=None, login="direction@example.fr", role=User.Role.DIRECTOR)
        client.force_login(director)
        response = client.get(self.url)
        assert response.status_code == 200
        page = _text(response)
        assert "n'est rattaché à aucune fiche d'agent" in page
        assert "Direction de l'école" in page
        assert reverse("core:audit_log") in page
        assert reverse("admin:index") in page
