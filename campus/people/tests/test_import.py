"""The HR import of agents: the service, the management command and the page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from campus.core.exceptions import NotAllowed
from campus.core.models import AuditEntry
from campus.core.testing import refusal_codes
from campus.people.importing import ImportRefused, ImportResult, agents_import
from campus.people.models import Agent, Department, Organisation, User
from campus.people.tests.factories import AgentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
HEADER = (
    "structure;matricule;nom;prénom;email;service;statut;catégorie;"
    "matricule_responsable;encadrant;date_arrivee;date_depart"
)


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows]).encode(encoding) + b"\n"


def run(content: bytes, **kwargs: Any) -> ImportResult:
    kwargs.setdefault("actor", None)
    kwargs.setdefault("today", TODAY)
    return agents_import(content=content, filename="agents.csv", **kwargs)


def refused(content: bytes, **kwargs: Any) -> list[str]:
    with pytest.raises(ImportRefused) as info:
        run(content, **kwargs)
    assert info.value.code == "agent_import.refused"
    return [str(error) for error in info.value.errors]


@pytest.fixture
def ville() -> Organisation:
    return OrganisationFactory(code="VILLE", name="Ville de Saint-Étienne")


@pytest.fixture
def ccas() -> Organisation:
    return OrganisationFactory(code="CCAS", name="CCAS de Saint-Étienne")


def agent(org: Organisation, matricule: str) -> Agent:
    return Agent.objects.get(organisation=org, matricule=matricule)


def snapshot_counts() -> tuple[int, int, int, int]:
    return (
        Agent.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
    )


# --- A valid file -------------------------------------------------------------

VALID = csv_bytes(
    # The report comes before the manager: file order must not matter.
    "VILLE;002;Lefèvre;Hélène;helene.lefevre@ville.fr;Direction des services techniques > "
    "Voirie;Titulaire;B;001;non;01/02/2015;",
    "VILLE;001;Martin;Paul;;Direction des services techniques;CDD;A;;oui;2010-01-04;",
    "Ville de Saint-Étienne;003;Durand;Léa;lea.durand@ville.fr;Direction des services "
    "techniques > Voirie;contractuel de droit public;C;002;non;;",
)


def test_valid_file_creates_agents_departments_managers_and_accounts(ville: Organisation) -> None:
    result = run(VALID)

    assert result.counts == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "deactivated": 0,
        "unchanged": 0,
        "departments_created": 2,
        "accounts_created": 3,
    }
    helene, paul, lea = agent(ville, "002"), agent(ville, "001"), agent(ville, "003")
    assert (helene.last_name, helene.first_name, helene.category, helene.status) == (
        "Lefèvre",
        "Hélène",
        "B",
        "titulaire",
    )
    assert helene.manager == paul
    assert lea.manager == helene
    assert paul.manager is None
    assert paul.status == "contractuel"
    assert lea.status == "contractuel"
    assert paul.is_manager_position
    assert not helene.is_manager_position
    assert paul.arrival_date == datetime.date(2010, 1, 4)
    assert helene.arrival_date == datetime.date(2015, 2, 1)
    voirie = helene.department
    assert voirie is not None
    assert voirie.name == "Voirie"
    assert voirie.parent == paul.department
    assert paul.department.parent is None
    assert lea.department == voirie
    assert Department.objects.count() == 2
    # Login is the e-mail, else "orgcode/matricule"; no password until the first sign-in.
    assert User.objects.get(agent=helene).login == "helene.lefevre@ville.fr"
    paul_user = User.objects.get(agent=paul)
    assert paul_user.login == "ville/001"
    assert paul_user.email is None
    assert not paul_user.has_usable_password()
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("agent.create") == 3
    assert actions.count("user.create") == 3
    assert actions.count("department.create") == 2
    summary = AuditEntry.objects.get(action="agents.import")
    assert summary.changes["created"] == 3
    assert "agents.csv" in summary.message
    assert summary.actor is None
    assert summary.actor_label == "système"


def test_reimport_is_idempotent(ville: Organisation) -> None:
    run(VALID)
    before = snapshot_counts()

    result = run(VALID)

    assert result.counts["unchanged"] == 3
    assert not result.has_changes
    agents, departments, users, audits = snapshot_counts()
    assert (agents, departments, users) == before[:3]
    # Only the summary entry of the second import is new.
    assert audits == before[3] + 1
    assert AuditEntry.objects.filter(action="agents.import").count() == 2


def test_changed_field_is_updated_with_an_audit_row(ville: Organisation) -> None:
    run(VALID)
    changed = VALID.replace(b"Titulaire;B", b"Stagiaire;A")

    result = run(changed)

    assert [line.matricule for line in result.updated] == ["002"]
    fields = {c.field: (c.before, c.after) for c in result.updated[0].changes}
    assert fields == {
        "category": ("Catégorie B", "Catégorie A"),
        "status": ("Titulaire", "Stagiaire"),
    }
    helene = agent(ville, "002")
    assert (helene.category, helene.status) == ("A", "stagiaire")
    entry = AuditEntry.objects.get(action="agent.update")
    assert entry.object_id == str(helene.pk)
    assert entry.changes == {
        "category": {"before": "B", "after": "A"},
        "status": {"before": "titulaire", "after": "stagiaire"},
    }


def test_manager_and_department_changes_are_shown_before_and_after(ville: Organisation) -> None:
    run(VALID)
    moved = VALID.replace(
        b"Voirie;contractuel de droit public;C;002",
        b"Espaces verts;contractuel de droit public;C;001",
    )

    result = run(moved, dry_run=True)

    changes = {c.field: (c.before, c.after) for c in result.updated[0].changes}
    assert changes["department"] == (
        "Direction des services techniques > Voirie",
        "Direction des services techniques > Espaces verts",
    )
    assert changes["manager"][0].startswith("002")
    assert changes["manager"][1] == "001"
    assert result.departments_created == [
        "VILLE : Direction des services techniques > Espaces verts"
    ]


def test_columns_absent_from_the_file_are_left_as_they_are(ville: Organisation) -> None:
    boss = AgentFactory(organisation=ville, matricule="900")
    existing = AgentFactory(
        organisation=ville, matricule="001", phone="0102030405", manager=boss, category="A"
    )

    result = run(csv_bytes("VILLE;001;Martin;Paul", header="structure;matricule;nom;prénom"))

    existing.refresh_from_db()
    assert (existing.phone, existing.manager, existing.category) == ("0102030405", boss, "A")
    assert (existing.last_name, existing.first_name) == ("Martin", "Paul")
    assert {c.field for c in result.updated[0].changes} <= {"last_name", "first_name"}


def test_a_manager_in_another_organisation(ville: Organisation, ccas: Organisation) -> None:
    boss = AgentFactory(organisation=ccas, matricule="C1")

    run(
        csv_bytes(
            "VILLE;001;Martin;Paul;C1;ccas",
            header="structure;matricule;nom;prenom;matricule_responsable;structure_responsable",
        )
    )

    assert agent(ville, "001").manager == boss


def test_email_already_used_falls_back_to_the_matricule_login(ville: Organisation) -> None:
    UserFactory(agent=None, login="pris@ville.fr", email="pris@ville.fr")

    run(
        csv_bytes(
            "VILLE;001;Martin;Paul;pris@ville.fr",
            "VILLE;002;Martin;Jeanne;PRIS@ville.fr",
            header="structure;matricule;nom;prenom;email",
        )
    )

    assert User.objects.get(agent=agent(ville, "001")).login == "ville/001"
    assert User.objects.get(agent=agent(ville, "002")).login == "ville/002"


def test_status_category_gender_and_date_variants(ville: Organisation) -> None:
    header = "structure;matricule;nom;prénom;statut;catégorie;sexe;encadrant;encadrant_depuis"
    run(
        csv_bytes(
            "VILLE;1;A;A;fonctionnaire stagiaire;cat. a;Femme;Oui;03/09/2018",
            "VILLE;2;B;B;CDI;b;m;x;2018-09-03",
            "VILLE;3;C;C;Contrat d'apprentissage;;;N;",
            "VILLE;4;D;D;Vacataire;C;F;0;",
            "VILLE;5;E;E;Agent non titulaire;;;;",
            "VILLE;6;F;F;;;;;",
            header=header,
        )
    )
    got = {
        a.matricule: (
            a.status,
            a.category,
            a.gender,
            a.is_manager_position,
            a.manager_position_since,
        )
        for a in Agent.objects.all()
    }
    since = datetime.date(2018, 9, 3)
    assert got == {
        "1": ("stagiaire", "A", "F", True, since),
        "2": ("contractuel", "B", "M", True, since),
        "3": ("apprenti", "", "", False, None),
        "4": ("autre", "C", "F", False, None),
        "5": ("contractuel", "", "", False, None),
        "6": ("titulaire", "", "", False, None),
    }


# --- Encodings, separators and headers ----------------------------------------


def test_semicolon_and_windows_1252(ville: Organisation) -> None:
    content = csv_bytes("VILLE;001;Lefèvre;Hélène;;Propreté;Titulaire;C;;non;;", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    run(content)

    helene = agent(ville, "001")
    assert (helene.last_name, helene.first_name, helene.department.name) == (
        "Lefèvre",
        "Hélène",
        "Propreté",
    )


def test_comma_and_utf8_with_bom(ville: Organisation) -> None:
    content = (
        b"\xef\xbb\xbf"
        + (
            "Structure,Matricule,Nom,Prénom,E-mail\r\n"
            "VILLE,001,Lefèvre,Hélène,helene@ville.fr\r\n"
            '"VILLE","002","Dupont, dit ""Jo""",Jean,\r\n'
        ).encode()
    )

    run(content)

    assert agent(ville, "001").first_name == "Hélène"
    assert agent(ville, "002").last_name == 'Dupont, dit "Jo"'


def test_tab_separator_headers_without_accents_blank_lines_and_spaces(ville: Organisation) -> None:
    content = (
        "\n  STRUCTURE \tMATRICULE\tNOM\tPRENOM\tDate d'arrivée\n"
        "\n"
        "  VILLE \t 001 \t  Martin  \t Paul \t 01/09/2020 \n"
        "\t\t\t\t\n"
    ).encode()

    result = run(content)

    paul = agent(ville, "001")
    assert (paul.last_name, paul.first_name, paul.arrival_date) == (
        "Martin",
        "Paul",
        datetime.date(2020, 9, 1),
    )
    assert result.rows == 1


def test_unknown_columns_are_ignored_with_a_warning(ville: Organisation) -> None:
    result = run(
        csv_bytes("VILLE;001;Martin;Paul;42", header="structure;matricule;nom;prénom;Indice majoré")
    )
    assert result.warnings == ["Colonnes inconnues ignorées : « Indice majoré »."]
    assert Agent.objects.count() == 1


# --- Refused files --------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("INCONNUE;010;Petit;Anne;;;;;;;;", "Ligne 3 : structure « INCONNUE » inconnue"),
        ("VILLE;010;;Anne;;;;;;;;", "Ligne 3 : nom manquant."),
        ("VILLE;010;Petit;;;;;;;;;", "Ligne 3 : prénom manquant."),
        (";010;Petit;Anne;;;;;;;;", "Ligne 3 : structure manquante."),
        ("VILLE;;Petit;Anne;;;;;;;;", "Ligne 3 : matricule manquant."),
        (
            "VILLE;001;Petit;Anne;;;;;;;;",
            "Ligne 3 : matricule « 001 » en double dans le fichier (déjà ligne 2).",
        ),
        ("VILLE;010;Petit;Anne;;;;;;;31/02/2020;", "Ligne 3 : date « 31/02/2020 » invalide"),
        ("VILLE;010;Petit;Anne;;;;;;;12.03.2020;", "Ligne 3 : date « 12.03.2020 » invalide"),
        ("VILLE;010;Petit;Anne;;;;D;;;;", "Ligne 3 : catégorie « D » inconnue"),
        ("VILLE;010;Petit;Anne;;;Bénévole;;;;;", "Ligne 3 : statut « Bénévole » inconnu"),
        ("VILLE;010;Petit;Anne;anne@;;;;;;;", "Ligne 3 : adresse e-mail « anne@ » invalide."),
        (
            "VILLE;010;Petit;Anne;;;;;999;;;",
            "Ligne 3 : responsable de matricule « 999 » introuvable",
        ),
        (
            "VILLE;010;Petit;Anne;;;;;010;;;",
            "Ligne 3 : un agent ne peut pas être son propre responsable.",
        ),
        (
            "VILLE;010;Petit;Anne;;;;;;peut-être;;",
            "Ligne 3 : valeur « peut-être » non reconnue pour encadrant",
        ),
        (
            "VILLE;010;Petit;Anne;;;;;;;01/09/2020;31/08/2020",
            "Ligne 3 : la date de départ (31/08/2020) précède la date d'arrivée (01/09/2020).",
        ),
    ],
)
def test_each_bad_row_refuses_the_file_with_its_line(
    ville: Organisation, row: str, message: str
) -> None:
    before = snapshot_counts()
    content = csv_bytes("VILLE;001;Martin;Paul;;;;;;;;", row)

    errors = refused(content)

    assert len(errors) == 1, errors
    assert errors[0].startswith(message), errors
    assert snapshot_counts() == before


def test_all_errors_are_listed_in_line_order(ville: Organisation) -> None:
    content = csv_bytes(
        "VILLE;001;Martin;Paul;;;;;;;;",
        "VILLE;002;Petit;Anne;;;;Z;;;;",
        "",
        "NULLE;003;Petit;Anne;;;;;;;;",
        "VILLE;004;Petit;;pas-un-mail;;;;;;2020-13-01;",
    )

    errors = refused(content)

    assert [e.split(" : ")[0] for e in errors] == [
        "Ligne 3",
        "Ligne 5",
        "Ligne 6",
        "Ligne 6",
        "Ligne 6",
    ]
    assert Agent.objects.count() == 0


def test_manager_loop_in_the_file(ville: Organisation) -> None:
    content = csv_bytes(
        "VILLE;001;Martin;Paul;;;;;003;;;",
        "VILLE;002;Petit;Anne;;;;;001;;;",
        "VILLE;003;Roux;Marc;;;;;002;;;",
        "VILLE;004;Blanc;Léo;;;;;001;;;",
    )

    errors = refused(content)

    assert [e.split(" : ")[0] for e in errors] == ["Ligne 2", "Ligne 3", "Ligne 4"]
    assert "boucle hiérarchique" in errors[0]
    assert Agent.objects.count() == 0


def test_manager_loop_closed_through_an_agent_of_the_database(ville: Organisation) -> None:
    boss = AgentFactory(organisation=ville, matricule="100")
    AgentFactory(organisation=ville, matricule="200", manager=boss)
    # 200 (in the database, not in the file) reports to 100; the file makes 100 report to 200.
    content = csv_bytes("VILLE;100;Chef;Anne;;;;;200;;;")
    before = snapshot_counts()

    errors = refused(content)

    assert errors == [
        "Ligne 2 : boucle hiérarchique : 100 → 200 → 100. Un agent ne peut pas "
        "dépendre, même indirectement, de lui-même."
    ]
    assert snapshot_counts() == before
    assert Agent.objects.get(pk=boss.pk).manager is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\n \r\n", "Le fichier est vide."),
        (b"structure;matricule;nom;prenom\n", "Le fichier ne contient aucune ligne d'agent."),
        (b"\x00\x01\x02\xff\xfe binary \x00", "Ce fichier n'est pas un fichier texte CSV"),
        (b"PK\x03\x04 xlsx", "Ce fichier est un classeur Excel"),
        (
            b"structure;nom\nVILLE;Martin\n",
            "Ligne 1 : colonne(s) obligatoire(s) absente(s) : matricule, prenom.",
        ),
        (
            b"structure;matricule;nom;prenom;nom\nVILLE;1;A;B;C\n",
            "Ligne 1 : la colonne « nom » apparaît deux fois.",
        ),
        (
            b"structure;matricule;nom;prenom\nVILLE;1;A;B;C;D\n",
            "Ligne 2 : 6 valeurs pour 4 colonnes",
        ),
        (b'structure;matricule;nom;prenom\nVILLE;1;"A;B\n', "Ligne 2 : prénom manquant."),
    ],
)
def test_malformed_files_are_refused_with_a_message(
    ville: Organisation, content: bytes, message: str
) -> None:
    errors = refused(content)

    assert errors[0].startswith(message), errors
    assert Agent.objects.count() == 0


# --- Dry run, departures ------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_the_changes(ville: Organisation) -> None:
    run(VALID)
    AgentFactory(organisation=ville, matricule="OLD")
    changed = (
        VALID.replace(b"Martin;Paul", b"Martin-Roux;Paul")
        + csv_bytes("VILLE;004;Neuf;Nina;;Finances;;;;;;", header="")[1:]
    )
    before = snapshot_counts()

    result = run(changed, dry_run=True, deactivate_missing=True)

    assert snapshot_counts() == before
    assert result.dry_run
    assert [(line.matricule, line.department) for line in result.created] == [("004", "Finances")]
    assert [(c.field, c.before, c.after) for c in result.updated[0].changes] == [
        ("last_name", "Martin", "Martin-Roux")
    ]
    assert [(line.matricule, line.note) for line in result.deactivated] == [
        ("OLD", "absent du fichier")
    ]
    assert result.unchanged == 2
    assert result.departments_created == ["VILLE : Finances"]


def test_past_departure_deactivates_agent_and_account(ville: Organisation) -> None:
    run(VALID)
    departed = VALID.replace(b"oui;2010-01-04;", b"oui;2010-01-04;14/06/2025")

    result = run(departed)

    paul = agent(ville, "001")
    assert not paul.is_active
    assert paul.departure_date == datetime.date(2025, 6, 14)
    assert not User.objects.get(agent=paul).is_active
    assert [(line.matricule, line.note) for line in result.deactivated] == [
        ("001", "date de départ passée")
    ]
    entry = AuditEntry.objects.get(action="agent.deactivate")
    assert entry.changes["is_active"] == {"before": True, "after": False}
    # The report still points at the departed manager: history is kept, nothing is deleted.
    assert agent(ville, "002").manager == paul
    assert Agent.objects.count() == 3


def test_departure_today_or_later_keeps_the_agent_active(ville: Organisation) -> None:
    run(VALID.replace(b"oui;2010-01-04;", b"oui;2010-01-04;15/06/2025"))
    assert agent(ville, "001").is_active


def test_an_agent_back_in_the_file_is_reactivated(ville: Organisation) -> None:
    run(VALID.replace(b"oui;2010-01-04;", b"oui;2010-01-04;01/01/2024"))
    paul = agent(ville, "001")
    assert not paul.is_active
    assert not User.objects.filter(agent=paul).exists()
    helene = agent(ville, "002")
    run(VALID.replace(b"non;01/02/2015;", b"non;01/02/2015;01/01/2024"))
    assert not User.objects.get(agent=helene).is_active

    run(VALID)

    assert agent(ville, "002").is_active
    assert User.objects.get(agent=helene).is_active


def test_deactivate_missing_only_in_the_organisations_of_the_file(
    ville: Organisation, ccas: Organisation
) -> None:
    run(VALID)
    gone = UserFactory(agent=AgentFactory(organisation=ville, matricule="GONE")).agent
    elsewhere = AgentFactory(organisation=ccas, matricule="KEEP")

    without_flag = run(VALID)
    assert without_flag.deactivated == []
    assert agent(ville, "GONE").is_active

    result = run(VALID, deactivate_missing=True)

    assert [line.matricule for line in result.deactivated] == ["GONE"]
    gone.refresh_from_db()
    assert not gone.is_active
    assert not User.objects.get(agent=gone).is_active
    elsewhere.refresh_from_db()
    assert elsewhere.is_active
    assert AuditEntry.objects.filter(action="agent.deactivate", object_id=str(gone.pk)).exists()
    again = run(VALID, deactivate_missing=True)
    assert again.deactivated == []
    assert not again.has_changes


# --- Permission, scale ---------------------------------------------------------------


def test_only_coordinators_or_the_system_may_import(
    ville: Organisation, agent_user: User, hr_viewer: User, coordinator: User
) -> None:
    for actor in (agent_user, hr_viewer):
        with pytest.raises(NotAllowed):
            run(VALID, actor=actor)
    assert Agent.objects.filter(organisation=ville).count() == 0

    run(VALID, actor=coordinator)

    assert AuditEntry.objects.get(action="agents.import").actor == coordinator


def _big_file(count: int) -> bytes:
    # A tree: each agent reports to agent i // 5, listed after its reports.
    rows = [
        f"VILLE;{i:05d};Nom{i};Prénom{i};a{i}@ville.fr;Direction {i % 3} > Service {i % 7};"
        f"Titulaire;C;{(i // 5):05d};non;01/01/2020;"
        if i
        else "VILLE;00000;Chef;Anne;;Direction 0;Titulaire;A;;oui;01/01/2010;"
        for i in reversed(range(count))
    ]
    return csv_bytes(*rows)


def test_a_few_hundred_rows_with_managers_listed_after_their_reports(ville: Organisation) -> None:
    result = run(_big_file(400))

    assert result.counts["created"] == 400
    assert Agent.objects.filter(manager__isnull=False).count() == 399
    assert agent(ville, "00399").manager == agent(ville, "00079")
    assert run(_big_file(400)).counts["unchanged"] == 400


def test_planning_costs_a_fixed_number_of_queries(
    ville: Organisation, django_assert_num_queries: Any
) -> None:
    run(_big_file(30))
    with django_assert_num_queries(4):
        run(_big_file(30), dry_run=True)
    run(_big_file(300))
    with django_assert_num_queries(4):
        run(_big_file(300), dry_run=True)


# --- The management command ------------------------------------------------------------


def write(tmp_path: Any, content: bytes) -> str:
    path = tmp_path / "agents.csv"
    path.write_bytes(content)
    return str(path)


def test_command_imports_and_reports(
    ville: Organisation, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_agents", write(tmp_path, VALID))

    out = capsys.readouterr().out
    assert "3 lignes : 3 créé(s), 0 modifié(s), 0 désactivé(s), 0 inchangé(s)" in out
    assert Agent.objects.count() == 3
    assert AuditEntry.objects.get(action="agents.import").actor is None


def test_command_dry_run_prints_the_changes_and_writes_nothing(
    ville: Organisation, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run(VALID)
    before = snapshot_counts()

    call_command(
        "import_agents", write(tmp_path, VALID.replace(b"Titulaire;B", b"Titulaire;A")), "--dry-run"
    )

    out = capsys.readouterr().out
    assert "Simulation : rien n'a été enregistré." in out
    assert "~ modifié   VILLE/002 Hélène LEFÈVRE" in out
    assert "catégorie : Catégorie B → Catégorie A" in out
    assert snapshot_counts() == before


def test_command_refuses_a_bad_file_with_an_error_status(
    ville: Organisation, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, csv_bytes("VILLE;001;Martin;Paul;;;;;;;;", "VILLE;001;Bis;Paul;;;;;;;;"))

    with pytest.raises(CommandError, match="rien n'a été modifié"):
        call_command("import_agents", path)

    assert "Ligne 3 : matricule « 001 » en double" in capsys.readouterr().err
    assert Agent.objects.count() == 0


def test_command_as_a_login(
    ville: Organisation, tmp_path: Any, coordinator: User, agent_user: User
) -> None:
    path = write(tmp_path, VALID)
    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_agents", path, "--as", "personne@nulle.part")
    with pytest.raises(CommandError, match="importer"):
        call_command("import_agents", path, "--as", agent_user.login)
    assert Agent.objects.filter(organisation=ville).count() == 0

    call_command("import_agents", path, "--as", coordinator.login, "--deactivate-missing")

    assert AuditEntry.objects.get(action="agents.import").actor == coordinator


def test_command_with_a_missing_file() -> None:
    with pytest.raises(CommandError, match="Impossible de lire"):
        call_command("import_agents", "/nonexistent/agents.csv")


# --- The page ---------------------------------------------------------------------------

URL = "/agents/import/"


def upload(client: Client, content: bytes, **extra: Any) -> Any:
    return client.post(
        URL,
        {
            "file": SimpleUploadedFile("agents.csv", content, "text/csv"),
            "action": "preview",
            **extra,
        },
    )


def test_url_name() -> None:
    assert reverse("people:import") == URL


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    for response in (client.get(URL), upload(client, VALID)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))


@pytest.mark.parametrize("role", ["agent_user", "hr_viewer", "manager"])
def test_page_is_refused_to_other_roles(
    client: Client, ville: Organisation, role: str, request: pytest.FixtureRequest
) -> None:
    if role == "manager":
        user = request.getfixturevalue("manager_with_team")[0]
    else:
        user = request.getfixturevalue(role)
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert upload(client, VALID).status_code == 403
    assert client.post(URL, {"action": "confirm", "token": "0" * 64}).status_code == 403
    assert not Agent.objects.filter(organisation=ville).exists()


def test_coordinator_previews_then_confirms(
    client: Client, ville: Organisation, coordinator: User
) -> None:
    client.force_login(coordinator)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    before = snapshot_counts()
    preview = upload(client, VALID)

    html = preview.content.decode()
    assert preview.status_code == 200
    assert snapshot_counts() == before
    assert "Agents créés (3)" in html
    assert "Hélène LEFÈVRE" in html
    assert "Direction des services techniques &gt; Voirie" in html
    token = preview.context["confirm_form"].initial["token"]
    assert "bGVm" not in html  # the file's content stays on the server

    done = client.post(URL, {"action": "confirm", "token": token})

    assert done.status_code == 302
    assert done["Location"] == URL
    assert Agent.objects.filter(organisation=ville).count() == 3
    summary = AuditEntry.objects.get(action="agents.import")
    assert summary.actor == coordinator
    assert summary.object_label == "agents.csv"
    followed = client.get(URL)
    assert "3 agent(s) créé(s)" in followed.content.decode()
    # The same confirmation cannot be replayed.
    replay = client.post(URL, {"action": "confirm", "token": token})
    assert replay.status_code == 302
    assert AuditEntry.objects.filter(action="agents.import").count() == 1


def test_preview_of_updates_shows_before_and_after(
    client: Client, ville: Organisation, coordinator: User
) -> None:
    run(VALID)
    client.force_login(coordinator)

    html = upload(client, VALID.replace(b"Titulaire;B", b"Titulaire;A")).content.decode()

    assert "Agents modifiés (1)" in html
    assert "Catégorie B → Catégorie A" in html
    assert "Agents inchangés</dt><dd>2" in html


def test_confirm_applies_the_previewed_file_only(
    client: Client, ville: Organisation, coordinator: User
) -> None:
    client.force_login(coordinator)
    first = upload(client, VALID).context["confirm_form"].initial["token"]
    upload(client, VALID.replace("Lefèvre".encode(), b"Autre"))

    response = client.post(URL, {"action": "confirm", "token": first}, follow=True)

    assert "Cet aperçu n&#x27;est plus valable" in response.content.decode()
    assert not Agent.objects.filter(organisation=ville).exists()


def test_cancel_drops_the_pending_file(
    client: Client, ville: Organisation, coordinator: User
) -> None:
    client.force_login(coordinator)
    token = upload(client, VALID).context["confirm_form"].initial["token"]

    client.post(URL, {"action": "cancel"})
    client.post(URL, {"action": "confirm", "token": token})

    assert not Agent.objects.filter(organisation=ville).exists()


def test_refused_file_lists_errors_with_line_numbers(
    client: Client, ville: Organisation, coordinator: User
) -> None:
    client.force_login(coordinator)

    response = upload(
        client, csv_bytes("VILLE;001;Martin;Paul;;;;;;;;", "VILLE;002;Petit;Anne;;;;;;;99/99/2020;")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert refusal_codes(response) == ["agent_import.refused"]
    assert "Ligne 3 : date « 99/99/2020 » invalide" in html
    assert not Agent.objects.filter(organisation=ville).exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Le fichier soumis est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "n&#x27;est pas un fichier texte CSV"),
        (HEADER.encode(), "aucune ligne d&#x27;agent"),
        (b"structure;nom\nVILLE;Martin\n", "colonne(s) obligatoire(s) absente(s)"),
        ("é;è\n".encode("utf-16"), "n&#x27;est pas un fichier texte CSV"),
        (b"\x81\x8d\x8f\x90\x9d;x\n", "ni en UTF-8 ni en Windows-1252"),
    ],
)
def test_no_file_breaks_the_page(
    client: Client, ville: Organisation, coordinator: User, content: bytes, expected: str
) -> None:
    client.force_login(coordinator)

    response = upload(client, content)

    assert response.status_code == 200
    assert expected in response.content.decode()


def test_unknown_columns_show_a_warning_in_the_preview(
    client: Client, ville: Organisation, coordinator: User
) -> None:
    client.force_login(coordinator)

    response = upload(
        client, csv_bytes("VILLE;001;Martin;Paul;x", header="structure;matricule;nom;prénom;Grade")
    )

    assert "Colonnes inconnues ignorées : « Grade »." in response.content.decode()


def test_missing_file_field_is_a_form_error(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)

    response = client.post(URL, {"action": "preview"})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_deactivate_missing_from_the_page(
    client: Client, ville: Organisation, coordinator: User
) -> None:
    run(VALID)
    gone = AgentFactory(organisation=ville, matricule="GONE")
    client.force_login(coordinator)

    preview = upload(client, VALID, deactivate_missing="on")
    assert "Agents désactivés (1)" in preview.content.decode()
    client.post(
        URL, {"action": "confirm", "token": preview.context["confirm_form"].initial["token"]}
    )

    gone.refresh_from_db()
    assert not gone.is_active


def test_the_documented_sample_file_imports(ville: Organisation, ccas: Organisation) -> None:
    from django.conf import settings

    content = (settings.BASE_DIR / "docs" / "exemples" / "agents.csv").read_bytes()

    result = run(content, today=datetime.date(2025, 9, 1))

    assert result.counts["created"] == 8
    assert result.counts["rows"] == 8
    assert agent(ville, "E1004").department.parent.name == "Voirie"
    assert agent(ccas, "C2002").manager == agent(ccas, "C2001")
    assert not agent(ville, "E1006").is_active
    assert run(content, today=datetime.date(2025, 9, 1)).counts["unchanged"] == 8
