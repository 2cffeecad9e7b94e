"""The demo school: shape, realism, accounts, determinism and idempotence.

The demo is loaded once for the module, inside a transaction that is rolled
back at the end, so other test modules never see it; each test then runs in
its own savepoint and may wipe or change the data freely.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import transaction
from django.test import RequestFactory
from pytest_django import DjangoDbBlocker

from campus.core.models import AuditEntry
from campus.devtools.demo.names import (
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    OLDER_NAMES,
    RECENT_NAMES,
)
from campus.devtools.demo.people import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    NO_EMAIL_MATRICULE,
    NO_EMAIL_ORGANISATION,
    ORGANISATIONS,
    REFERENCE_DATE,
    LoadResult,
    demo_load,
    demo_logins,
    demo_plan,
)
from campus.people import services
from campus.people.models import Agent, Department, Organisation, User
from campus.people.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

EXPECTED_SIZES = {"VILLE": (360, 400), "AGGLO": (140, 160), "CCAS": (45, 55), "SIEV": (18, 22)}
FIELD_DEPARTMENTS = {"VOIRIE", "EV", "ECOLES", "SAD", "COLLECTE", "PROP", "RESTO", "BAT", "PE"}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[LoadResult]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        result = demo_load()
    yield result
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _agents() -> list[Agent]:
    return list(Agent.objects.select_related("organisation", "department", "manager"))


def _digest(*, with_ids: bool = False) -> str:
    """A fingerprint of every agent and account; ids and timestamps only when asked."""
    users = {u.agent_id: u for u in User.objects.all()}
    rows = []
    for a in Agent.objects.select_related("organisation", "department", "manager").order_by(
        "organisation__code", "matricule"
    ):
        user = users[a.pk]
        row = [
            a.organisation.code,
            a.matricule,
            a.last_name,
            a.first_name,
            a.gender,
            a.email,
            a.department.code if a.department else "",
            a.job_title,
            a.category,
            a.status,
            a.manager.matricule if a.manager else "",
            a.is_manager_position,
            a.manager_position_since,
            a.arrival_date,
            a.departure_date,
            a.is_active,
            user.login,
            user.email,
            user.role,
            user.is_active,
        ]
        if with_ids:
            row += [a.pk, a.updated_at, user.pk, user.password]
        rows.append(repr(row))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _wipe_people() -> None:
    User.objects.all().delete()
    Agent.objects.all().delete()
    # Departments protect their children: remove the leaves first.
    while Department.objects.exists():
        Department.objects.filter(children__isnull=True).delete()
    Organisation.objects.all().delete()


def _login(username: str, password: str) -> User | None:
    request = RequestFactory().post("/connexion/")
    return authenticate(request, username=username, password=password)


# --- Shape of the school ------------------------------------------------------


def test_four_organisations_of_the_expected_sizes(demo: LoadResult) -> None:
    orgs = {o.code: o for o in Organisation.objects.all()}
    assert set(orgs) == {"VILLE", "AGGLO", "CCAS", "SIEV"}
    assert orgs["VILLE"].name == "Ville de Valmont-sur-Loire"
    assert orgs["VILLE"].kind == Organisation.Kind.COMMUNE
    assert orgs["AGGLO"].kind == Organisation.Kind.EPCI
    assert orgs["CCAS"].kind == Organisation.Kind.CCAS
    assert orgs["SIEV"].kind == Organisation.Kind.SYNDICATE
    sizes = Counter(Agent.objects.values_list("organisation__code", flat=True))
    for code, (low, high) in EXPECTED_SIZES.items():
        assert low <= sizes[code] <= high, (code, sizes[code])
    assert 580 <= sum(sizes.values()) <= 620


def test_departments_form_one_tree_per_organisation(demo: LoadResult) -> None:
    departments = list(Department.objects.select_related("parent", "organisation"))
    roots = Counter(d.organisation.code for d in departments if d.parent is None)
    assert roots == {"VILLE": 1, "AGGLO": 1, "CCAS": 1, "SIEV": 1}
    for dept in departments:
        if dept.parent is not None:
            assert dept.parent.organisation_id == dept.organisation_id
    formation = Department.objects.get(organisation__code="VILLE", code="FORM")
    assert formation.name == "Service formation"
    assert formation.parent is not None
    assert formation.parent.name == ("Direction des ressources humaines")
    assert formation.parent.parent is not None
    assert formation.parent.parent.name == ("Direction générale des services")
    techniques = Department.objects.get(organisation__code="VILLE", code="DST")
    assert {"Voirie", "Espaces verts", "Bâtiments"} <= {c.name for c in techniques.children.all()}
    # Every agent sits in a department of their own organisation.
    for agent in _agents():
        assert agent.department is not None
        assert agent.department.organisation_id == agent.organisation_id


def test_about_a_quarter_of_agents_have_no_email_mostly_field_staff(demo: LoadResult) -> None:
    agents = _agents()
    without = [a for a in agents if not a.email]
    assert 0.20 <= len(without) / len(agents) <= 0.30
    in_the_field = [a for a in without if a.department and a.department.code in FIELD_DEPARTMENTS]
    assert len(in_the_field) / len(without) >= 0.8
    assert not [a for a in without if a.category == Agent.Category.A]


def test_emails_are_unique_valid_and_on_example_domains(demo: LoadResult) -> None:
    emails = [a.email for a in _agents() if a.email]
    assert len(emails) == len(set(emails))
    for email in emails:
        validate_email(email)
        assert email.endswith(".example.fr")
        assert email == email.lower()
    assert "lea.dubois@valmont.example.fr" in emails


def test_gender_matches_first_name(demo: LoadResult) -> None:
    for agent in _agents():
        if agent.gender == Agent.Gender.FEMALE:
            assert agent.first_name in FEMALE_FIRST_NAMES
        else:
            assert agent.gender == Agent.Gender.MALE
            assert agent.first_name in MALE_FIRST_NAMES


def test_first_names_fit_the_generation(demo: LoadResult) -> None:
    # The named demo people are exempt: their first names are fixed by hand.
    named = set(
        User.objects.filter(
            login__in=[login.lower() for _role, login, _pw in demo_logins()]
        ).values_list("agent_id", flat=True)
    )
    agents = [a for a in _agents() if a.pk not in named]
    veterans = [a for a in agents if (REFERENCE_DATE - a.arrival_date).days >= 12 * 365]
    assert len(veterans) > 100
    assert not [a for a in veterans if a.first_name in RECENT_NAMES]
    juniors = [a for a in agents if a.status == Agent.Status.APPRENTI]
    assert juniors
    assert not [a for a in juniors if a.first_name in OLDER_NAMES]


def test_categories_and_statuses_have_a_realistic_mix(demo: LoadResult) -> None:
    agents = _agents()
    categories = Counter(a.category for a in agents)
    assert 0.10 <= categories["A"] / len(agents) <= 0.20
    assert 0.17 <= categories["B"] / len(agents) <= 0.32
    assert 0.55 <= categories["C"] / len(agents) <= 0.72
    statuses = Counter(a.status for a in agents)
    assert statuses[Agent.Status.TITULAIRE] / len(agents) >= 0.75
    assert statuses[Agent.Status.CONTRACTUEL] > statuses[Agent.Status.STAGIAIRE] > 0
    assert statuses[Agent.Status.APPRENTI] > 0


# --- Hierarchy ----------------------------------------------------------------


def test_every_agent_but_the_tops_has_a_manager_in_the_same_organisation(
    demo: LoadResult,
) -> None:
    tops = [a for a in _agents() if a.manager is None]
    assert sorted(a.organisation.code for a in tops) == ["AGGLO", "CCAS", "SIEV", "VILLE"]
    assert all(a.is_manager_position and a.is_active for a in tops)
    for agent in _agents():
        if agent.manager is not None:
            assert agent.manager.organisation_id == agent.organisation_id


def test_no_manager_chain_loops(demo: LoadResult) -> None:
    manager_of = dict(Agent.objects.values_list("pk", "manager_id"))
    longest = 0
    for start in manager_of:
        seen, current = set(), start
        while current is not None:
            assert current not in seen, f"loop through agent {current}"
            seen.add(current)
            current = manager_of[current]
        longest = max(longest, len(seen))
    assert 4 <= longest <= 8


def test_management_positions_are_a_plausible_share_with_teams(demo: LoadResult) -> None:
    agents = _agents()
    managers = [a for a in agents if a.is_manager_position]
    assert 0.15 <= len(managers) / len(agents) <= 0.25
    with_reports = set(
        Agent.objects.filter(is_active=True, manager__isnull=False).values_list(
            "manager_id", flat=True
        )
    )
    assert {a.pk for a in managers} == with_reports
    for manager in managers:
        assert manager.manager_position_since is not None
        assert manager.arrival_date is not None
        assert manager.arrival_date <= manager.manager_position_since <= REFERENCE_DATE
    assert not [a for a in agents if not a.is_manager_position and a.manager_position_since]
    # Some were appointed recently: the "prise de poste" curriculum has its public.
    recent = [m for m in managers if (REFERENCE_DATE - m.manager_position_since).days < 365]
    assert len(recent) >= 5


def test_dates_spread_over_thirty_years_and_a_few_agents_left(demo: LoadResult) -> None:
    agents = _agents()
    arrivals = [a.arrival_date for a in agents if a.arrival_date]
    assert len(arrivals) == len(agents)
    assert max(arrivals) <= REFERENCE_DATE
    assert (REFERENCE_DATE - min(arrivals)).days >= 25 * 365
    assert (REFERENCE_DATE - max(arrivals)).days <= 365
    departed = [a for a in agents if not a.is_active]
    assert 0.01 <= len(departed) / len(agents) <= 0.04
    for agent in departed:
        assert agent.departure_date is not None
        assert agent.arrival_date is not None
        assert agent.arrival_date <= agent.departure_date <= REFERENCE_DATE
        assert not agent.is_manager_position
        assert not User.objects.get(agent=agent).is_active
    assert not [a for a in agents if a.is_active and a.departure_date]


# --- Accounts -----------------------------------------------------------------


def test_every_agent_has_an_account_built_like_the_service_builds_it(demo: LoadResult) -> None:
    users = {u.agent_id: u for u in User.objects.select_related("agent__organisation")}
    agents = _agents()
    assert len(users) == len(agents)
    for agent in agents:
        user = users[agent.pk]
        if agent.email:
            assert (user.login, user.email) == (agent.email.lower(), agent.email.lower())
        else:
            assert user.login == f"{agent.organisation.code}/{agent.matricule}".lower()
            assert user.email is None


@pytest.mark.parametrize("with_email", [True, False])
def test_accounts_match_what_user_ensure_for_agent_creates(
    demo: LoadResult, with_email: bool
) -> None:
    agents = Agent.objects.filter(is_active=True, user__role=User.Role.AGENT).order_by("matricule")
    agent = (agents.exclude(email="") if with_email else agents.filter(email="")).first()
    assert agent is not None
    loaded = User.objects.get(agent=agent)
    expected = (loaded.login, loaded.email)
    loaded.delete()
    made = services.user_ensure_for_agent(actor=None, agent=agent)
    assert (made.login, made.email) == expected


def test_only_demo_accounts_have_a_usable_password(demo: LoadResult) -> None:
    demo_logins_set = {login.lower() for _role, login, _pw in demo_logins()}
    usable = [u.login for u in User.objects.all() if u.has_usable_password()]
    assert set(usable) == demo_logins_set


@pytest.mark.parametrize("index", range(7))
def test_each_demo_login_signs_in(demo: LoadResult, index: int) -> None:
    _role, login, password = demo_logins()[index]
    assert password == DEMO_PASSWORD
    user = _login(login, password)
    assert user is not None
    assert user.is_active
    assert user.agent is not None
    assert user.agent.is_active
    assert _login(login, "mauvais-mot-de-passe") is None


def test_demo_roles(demo: LoadResult) -> None:
    coordinators = User.objects.filter(role=User.Role.COORDINATOR).select_related(
        "agent__organisation"
    )
    assert sorted(u.agent.organisation.code for u in coordinators if u.agent) == ["AGGLO", "VILLE"]
    assert User.objects.filter(role=User.Role.DIRECTOR).count() == 1
    assert User.objects.filter(role=User.Role.HR_VIEWER).count() == 1
    assert User.objects.exclude(role=User.Role.AGENT).count() == 4

    # demo_logins() order: two coordinators, director, HR viewer, manager, agent, no e-mail.
    signed_in = [_login(login, password) for _role, login, password in demo_logins()]
    assert [u.role if u else None for u in signed_in] == [
        User.Role.COORDINATOR,
        User.Role.COORDINATOR,
        User.Role.DIRECTOR,
        User.Role.HR_VIEWER,
        User.Role.AGENT,
        User.Role.AGENT,
        User.Role.AGENT,
    ]
    manager, agent = signed_in[4], signed_in[5]
    assert manager is not None
    assert agent is not None
    assert manager.role == agent.role == User.Role.AGENT
    assert manager.agent is not None
    assert agent.agent is not None
    team = Agent.objects.filter(manager=manager.agent, is_active=True)
    assert team.count() >= 5
    assert agent.agent.manager_id == manager.agent.pk
    assert agent.email
    assert not Agent.objects.filter(manager=agent.agent).exists()


def test_agent_without_email_signs_in_with_organisation_and_matricule(demo: LoadResult) -> None:
    agent = Agent.objects.get(
        organisation__code=NO_EMAIL_ORGANISATION, matricule=NO_EMAIL_MATRICULE
    )
    assert agent.email == ""
    assert agent.is_active
    user = _login(f"{NO_EMAIL_ORGANISATION}/{NO_EMAIL_MATRICULE}", DEMO_PASSWORD)
    assert user is not None
    assert user.agent_id == agent.pk
    assert user.email is None
    assert demo_logins()[-1].login == f"{NO_EMAIL_ORGANISATION}/{NO_EMAIL_MATRICULE}"


# --- Determinism, idempotence, speed, audit -----------------------------------


def test_load_is_fast_and_writes_one_summary_audit_entry(demo: LoadResult) -> None:
    assert demo.seconds < 20
    assert demo.created["agents"] == Agent.objects.count()
    entries = list(AuditEntry.objects.filter(action="demo.load"))
    assert len(entries) == 1
    assert entries[0].actor is None
    assert entries[0].changes["agents"] == {"before": 0, "after": Agent.objects.count()}
    assert AuditEntry.objects.count() == 1


def test_second_run_changes_nothing(demo: LoadResult) -> None:
    before = _digest(with_ids=True)
    counts = (
        Organisation.objects.count(),
        Department.objects.count(),
        Agent.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
    )
    result = demo_load()
    assert not result.changed
    assert (
        Organisation.objects.count(),
        Department.objects.count(),
        Agent.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert _digest(with_ids=True) == before


def test_second_run_repairs_what_was_changed_without_duplicating(demo: LoadResult) -> None:
    before = _digest()
    agent = Agent.objects.get(organisation__code="VILLE", matricule=NO_EMAIL_MATRICULE)
    Agent.objects.filter(pk=agent.pk).update(job_title="Autre chose", manager=None)
    User.objects.filter(login="lea.dubois@valmont.example.fr").update(role=User.Role.DIRECTOR)
    User.objects.filter(agent__email="", agent__is_active=True).exclude(
        agent=agent
    ).first().delete()
    result = demo_load()
    assert result.updated["agents"] == 1
    assert result.created["users"] == 1
    assert result.updated["users"] == 1
    assert _digest() == before
    assert AuditEntry.objects.filter(action="demo.load").count() == 2


def test_two_loads_into_empty_databases_give_the_same_school(demo: LoadResult) -> None:
    first = _digest()
    _wipe_people()
    assert not Agent.objects.exists()
    demo_load()
    assert _digest() == first


def test_plan_is_deterministic_and_depends_on_the_seed(demo: LoadResult) -> None:
    def names(seed: int) -> list[tuple[str, str, str, str]]:
        return [
            (a.org_code, a.matricule, a.first_name, a.last_name) for a in demo_plan(seed).agents
        ]

    assert names(DEFAULT_SEED) == names(DEFAULT_SEED)
    assert names(DEFAULT_SEED) != names(DEFAULT_SEED + 1)
    loaded = set(
        Agent.objects.values_list("organisation__code", "matricule", "first_name", "last_name")
    )
    assert loaded == set(names(DEFAULT_SEED))
    assert [spec.code for spec in ORGANISATIONS] == ["VILLE", "AGGLO", "CCAS", "SIEV"]


# --- The command --------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _assert_prints_logins(output: str) -> None:
    assert "Identifiant" in output
    assert "Mot de passe" in output
    for _role, login, password in demo_logins():
        line = next(line for line in output.splitlines() if login in line)
        assert password in line


def test_command_if_empty_skips_when_data_exists_but_prints_logins(demo: LoadResult) -> None:
    before = _digest(with_ids=True)
    output = _run("--if-empty")
    assert "non chargée" in output
    _assert_prints_logins(output)
    assert _digest(with_ids=True) == before


def test_command_if_empty_leaves_other_data_alone(demo: LoadResult) -> None:
    _wipe_people()
    AgentFactory()
    output = _run("--if-empty")
    assert "non chargée" in output
    assert Agent.objects.count() == 1


def test_command_loads_an_empty_database_and_prints_logins(demo: LoadResult) -> None:
    _wipe_people()
    output = _run("--if-empty", "--seed", str(DEFAULT_SEED))
    assert "chargée en" in output
    _assert_prints_logins(output)
    assert Agent.objects.count() == demo.created["agents"]
    assert "rien à changer" in _run()
