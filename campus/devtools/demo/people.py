"""The demo school: four member organisations, their departments, ~600 agents.

`demo_plan(seed)` describes the school as plain data, with no database access;
`demo_load(seed=...)` writes it, upserting by organisation code + matricule so
that a second run changes nothing. `demo_logins()` lists the accounts whose
password is known, for `make run`, the README and the browser tests.

Dates are relative to a fixed reference, REFERENCE_DATE (the start of the
2026-2027 school year), never to "today": the same seed gives the same rows
whatever the day, which is what makes a second run a no-op.

Loading the demo is a system action run from the command line: it has no
actor to check permissions for, and it writes one summary audit entry
("demo.load") rather than one per agent.
"""

from __future__ import annotations

import datetime
import random
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core import data_versions
from campus.core.audit import audit_record, diff
from campus.core.exceptions import DomainError
from campus.people.auth_backends import matricule_login
from campus.people.models import Agent, Department, Organisation, User

from .names import (
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    OLDER_NAMES,
    RECENT_NAMES,
)

DEMO_PASSWORD = "campus-demo"  # noqa: S105 - published on purpose: demo data only
DEFAULT_SEED = 20260901
REFERENCE_DATE = datetime.date(2026, 9, 1)

# The agent without e-mail signs in with these two fields.
NO_EMAIL_ORGANISATION = "VILLE"
NO_EMAIL_MATRICULE = "100412"

F = Agent.Gender.FEMALE
M = Agent.Gender.MALE


# --- The shape of the school --------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A job title with its usual category, and who typically holds it.

    Written positionally in the charts below: Job(title, category, weight,
    female, email). `title` is "masculine|feminine" when the French title
    varies with gender; `weight` is the job's share of its department's staff;
    `female` the share of women in it; `email` the share of holders with a
    mailbox (field staff often have none).
    """

    title: str
    category: str
    weight: int = 1
    female: float = 0.6
    email: float = 1.0

    def title_for(self, gender: str) -> str:
        masculine, _sep, feminine = self.title.partition("|")
        return feminine if gender == F and feminine else masculine


@dataclass(frozen=True)
class Unit:
    """A department: its head, its staff (split in teams when it has team leaders).

    `staff` counts the agents besides the head and the team leaders; with a
    `team_leader`, there is one team leader per `team_size` agents.
    """

    name: str
    code: str
    head: Job
    staff: int = 0
    jobs: tuple[Job, ...] = ()
    team_leader: Job | None = None
    team_size: int = 8
    children: tuple[Unit, ...] = ()


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    domain: str
    matricule_base: int
    root: Unit


# The organisation charts, laid out by hand as tables: one job per line.
# fmt: off
CITY = OrgSpec(
    code="VILLE", name="Ville de Valmont-sur-Loire", kind=Organisation.Kind.COMMUNE,
    domain="valmont.example.fr", matricule_base=100000,
    root=Unit(
        "Direction générale des services", "DGS",
        head=Job("Directeur général des services|Directrice générale des services", "A", 1, 0.4),
        staff=4,
        jobs=(
            Job("Assistant de direction|Assistante de direction", "B", 2, 0.9),
            Job("Chargé de mission contrôle de gestion|"
                "Chargée de mission contrôle de gestion", "A", 1, 0.6),
            Job("Chargé de mission politique de la ville|"
                "Chargée de mission politique de la ville", "A", 1, 0.6),
        ),
        children=(
            Unit(
                "Direction des ressources humaines", "DRH",
                head=Job("Directeur des ressources humaines|"
                         "Directrice des ressources humaines", "A", 1, 0.7),
                staff=2,
                jobs=(
                    Job("Assistant RH|Assistante RH", "C", 1, 0.85),
                ),
                children=(
                    Unit(
                        "Service formation", "FORM",
                        head=Job(
                            "Responsable du service formation et de l'école interne", "A", 1, 0.6,
                        ),
                        staff=4,
                        jobs=(
                            Job("Chargé de formation|Chargée de formation", "B", 2, 0.75),
                            Job("Assistant formation|Assistante formation", "C", 1, 0.85),
                        ),
                    ),
                    Unit(
                        "Service carrières et paie", "PAIE",
                        head=Job("Responsable carrières et paie", "A", 1, 0.8),
                        staff=10,
                        jobs=(
                            Job("Gestionnaire carrière et paie", "C", 1, 0.85),
                            Job("Gestionnaire carrière et paie confirmé|"
                                "Gestionnaire carrière et paie confirmée", "B", 1, 0.8),
                        ),
                    ),
                    Unit(
                        "Service santé et qualité de vie au travail", "QVT",
                        head=Job("Responsable santé et qualité de vie au travail", "A", 1, 0.6),
                        staff=3,
                        jobs=(
                            Job("Conseiller en prévention|Conseillère en prévention", "B", 1, 0.4),
                            Job("Psychologue du travail", "A", 1, 0.8),
                            Job("Assistant social du personnel|"
                                "Assistante sociale du personnel", "A", 1, 0.9),
                        ),
                    ),
                ),
            ),
            Unit(
                "Direction des finances et de la commande publique", "FIN",
                head=Job("Directeur des finances|Directrice des finances", "A", 1, 0.5),
                staff=10,
                jobs=(
                    Job("Gestionnaire comptable", "C", 3, 0.85),
                    Job("Gestionnaire budgétaire", "B", 2, 0.7),
                    Job("Acheteur public|Acheteuse publique", "B", 2, 0.6),
                    Job("Analyste financier|Analyste financière", "A", 1, 0.5),
                ),
            ),
            Unit(
                "Direction du numérique", "DNUM",
                head=Job("Directeur du numérique|Directrice du numérique", "A", 1, 0.3),
                staff=12,
                jobs=(
                    Job("Technicien support|Technicienne support", "C", 3, 0.2),
                    Job("Administrateur systèmes et réseaux|"
                        "Administratrice systèmes et réseaux", "B", 2, 0.15),
                    Job("Chef de projet numérique|Cheffe de projet numérique", "A", 2, 0.4),
                    Job("Développeur|Développeuse", "B", 2, 0.3),
                ),
            ),
            Unit(
                "Affaires juridiques et assemblées", "JUR",
                head=Job("Responsable des affaires juridiques", "A", 1, 0.7),
                staff=5,
                jobs=(
                    Job("Juriste", "A", 2, 0.7),
                    Job("Rédacteur des assemblées|Rédactrice des assemblées", "B", 2, 0.8),
                    Job("Agent du courrier|Agente du courrier", "C", 1, 0.6),
                ),
            ),
            Unit(
                "Direction de la communication", "COM",
                head=Job("Directeur de la communication|"
                         "Directrice de la communication", "A", 1, 0.7),
                staff=4,
                jobs=(
                    Job("Chargé de communication|Chargée de communication", "B", 2, 0.7),
                    Job("Graphiste", "B", 1, 0.6),
                    Job("Webmestre", "B", 1, 0.4),
                ),
            ),
            Unit(
                "Direction de l'aménagement et de l'urbanisme", "URBA",
                head=Job("Directeur de l'urbanisme|Directrice de l'urbanisme", "A", 1, 0.5),
                staff=7,
                jobs=(
                    Job("Instructeur des autorisations d'urbanisme|"
                        "Instructrice des autorisations d'urbanisme", "B", 3, 0.7),
                    Job("Chargé d'études urbanisme|Chargée d'études urbanisme", "A", 1, 0.5),
                    Job("Agent d'accueil urbanisme|Agente d'accueil urbanisme", "C", 1, 0.85),
                ),
            ),
            Unit(
                "Police municipale", "PM",
                head=Job("Chef de service de police municipale|"
                         "Cheffe de service de police municipale", "B", 1, 0.2),
                staff=14, team_size=6,
                team_leader=Job("Brigadier-chef principal|"
                                "Brigadière-cheffe principale", "C", 1, 0.25),
                jobs=(
                    Job("Gardien-brigadier|Gardienne-brigadière", "C", 3, 0.3),
                    Job("Agent de surveillance de la voie publique|"
                        "Agente de surveillance de la voie publique", "C", 1, 0.45, 0.9),
                ),
            ),
            Unit(
                "Direction des services techniques", "DST",
                head=Job("Directeur des services techniques|"
                         "Directrice des services techniques", "A", 1, 0.2),
                staff=3,
                jobs=(
                    Job("Assistant administratif|Assistante administrative", "C", 2, 0.85),
                    Job("Technicien bureau d'études|Technicienne bureau d'études", "B", 1, 0.3),
                ),
                children=(
                    Unit(
                        "Voirie", "VOIRIE",
                        head=Job("Responsable du service voirie", "B", 1, 0.1),
                        staff=26, team_size=6,
                        team_leader=Job("Chef d'équipe voirie|"
                                        "Cheffe d'équipe voirie", "C", 1, 0.05, 0.75),
                        jobs=(
                            Job("Agent de voirie|Agente de voirie", "C", 4, 0.05, 0.35),
                            Job("Conducteur d'engins|Conductrice d'engins", "C", 1, 0.05, 0.3),
                        ),
                    ),
                    Unit(
                        "Espaces verts", "EV",
                        head=Job("Responsable du service espaces verts", "B", 1, 0.3),
                        staff=28, team_size=6,
                        team_leader=Job("Chef d'équipe espaces verts|"
                                        "Cheffe d'équipe espaces verts", "C", 1, 0.2, 0.75),
                        jobs=(
                            Job("Jardinier|Jardinière", "C", 4, 0.3, 0.35),
                            Job("Élagueur|Élagueuse", "C", 1, 0.1, 0.3),
                        ),
                    ),
                    Unit(
                        "Bâtiments", "BAT",
                        head=Job("Responsable du service bâtiments", "B", 1, 0.2),
                        staff=22, team_size=8,
                        team_leader=Job("Chef d'équipe bâtiment|"
                                        "Cheffe d'équipe bâtiment", "C", 1, 0.05),
                        jobs=(
                            Job("Électricien|Électricienne", "C", 2, 0.05, 0.8),
                            Job("Plombier-chauffagiste|Plombière-chauffagiste", "C", 2, 0.05, 0.8),
                            Job("Menuisier|Menuisière", "C", 1, 0.05, 0.8),
                            Job("Peintre en bâtiment", "C", 1, 0.2, 0.8),
                            Job("Agent polyvalent du bâtiment|"
                                "Agente polyvalente du bâtiment", "C", 2, 0.1, 0.7),
                            Job("Technicien bâtiment|Technicienne bâtiment", "B", 1, 0.3),
                        ),
                    ),
                    Unit(
                        "Propreté urbaine", "PROP",
                        head=Job("Responsable de la propreté urbaine", "B", 1, 0.2),
                        staff=12, team_size=8,
                        team_leader=Job("Chef d'équipe propreté|"
                                        "Cheffe d'équipe propreté", "C", 1, 0.2),
                        jobs=(
                            Job("Agent de propreté urbaine|"
                                "Agente de propreté urbaine", "C", 1, 0.25, 0.6),
                        ),
                    ),
                ),
            ),
            Unit(
                "Direction générale adjointe Services à la population", "DGA-POP",
                head=Job("Directeur général adjoint|Directrice générale adjointe", "A", 1, 0.6),
                staff=2,
                jobs=(
                    Job("Assistant de direction|Assistante de direction", "B", 1, 0.9),
                    Job("Chargé de mission projet éducatif|"
                        "Chargée de mission projet éducatif", "B", 1, 0.7),
                ),
                children=(
                    Unit(
                        "Direction de l'enfance", "ENF",
                        head=Job("Directeur de l'enfance|Directrice de l'enfance", "A", 1, 0.8),
                        staff=2,
                        jobs=(
                            Job("Coordinateur périscolaire|"
                                "Coordinatrice périscolaire", "B", 1, 0.7),
                            Job("Assistant administratif|Assistante administrative", "C", 1, 0.9),
                        ),
                        children=(
                            Unit(
                                "Écoles", "ECOLES",
                                head=Job("Responsable des affaires scolaires", "B", 1, 0.8),
                                staff=40, team_size=8,
                                team_leader=Job("Référent ATSEM|Référente ATSEM", "C", 1, 0.97),
                                jobs=(
                                    Job("ATSEM", "C", 3, 0.97, 0.35),
                                    Job("Agent d'entretien des écoles|"
                                        "Agente d'entretien des écoles", "C", 1, 0.85, 0.7),
                                ),
                            ),
                            Unit(
                                "Petite enfance", "PE",
                                head=Job("Responsable petite enfance", "A", 1, 0.95),
                                staff=26, team_size=8,
                                team_leader=Job("Directeur de crèche|"
                                                "Directrice de crèche", "A", 1, 0.95),
                                jobs=(
                                    Job("Auxiliaire de puériculture", "C", 3, 0.97, 0.8),
                                    Job("Éducateur de jeunes enfants|"
                                        "Éducatrice de jeunes enfants", "A", 1, 0.95),
                                    Job("Agent social petite enfance|"
                                        "Agente sociale petite enfance", "C", 1, 0.95, 0.7),
                                ),
                            ),
                            Unit(
                                "Restauration scolaire", "RESTO",
                                head=Job("Responsable de la restauration scolaire", "B", 1, 0.5),
                                staff=15, team_size=8,
                                team_leader=Job("Chef de cuisine|Cheffe de cuisine", "C", 1, 0.4),
                                jobs=(
                                    Job("Agent de restauration|"
                                        "Agente de restauration", "C", 3, 0.85, 0.8),
                                    Job("Cuisinier|Cuisinière", "C", 1, 0.5, 0.8),
                                ),
                            ),
                        ),
                    ),
                    Unit(
                        "Direction de la culture", "CULT",
                        head=Job("Directeur de la culture|Directrice de la culture", "A", 1, 0.6),
                        staff=1,
                        jobs=(
                            Job("Chargé de programmation|Chargée de programmation", "B", 1, 0.6),
                        ),
                        children=(
                            Unit(
                                "Médiathèque", "MEDIA",
                                head=Job("Responsable de la médiathèque", "A", 1, 0.7),
                                staff=14,
                                jobs=(
                                    Job("Assistant de conservation|"
                                        "Assistante de conservation", "B", 1, 0.75),
                                    Job("Bibliothécaire", "A", 1, 0.8),
                                    Job("Adjoint du patrimoine|"
                                        "Adjointe du patrimoine", "C", 2, 0.75),
                                ),
                            ),
                            Unit(
                                "Conservatoire de musique", "CONS",
                                head=Job("Directeur du conservatoire|"
                                         "Directrice du conservatoire", "A", 1, 0.4),
                                staff=18,
                                jobs=(
                                    Job("Professeur d'enseignement artistique|"
                                        "Professeure d'enseignement artistique", "A", 1, 0.5),
                                    Job("Assistant d'enseignement artistique|"
                                        "Assistante d'enseignement artistique", "B", 2, 0.5),
                                    Job("Agent d'accueil|Agente d'accueil", "C", 1, 0.8, 0.8),
                                ),
                            ),
                        ),
                    ),
                    Unit(
                        "Animation jeunesse", "JEUNESSE",
                        head=Job("Responsable de l'animation jeunesse", "A", 1, 0.6),
                        staff=14, team_size=7,
                        team_leader=Job("Directeur d'accueil de loisirs|"
                                        "Directrice d'accueil de loisirs", "B", 1, 0.7),
                        jobs=(
                            Job("Animateur|Animatrice", "C", 3, 0.7, 0.8),
                            Job("Animateur principal|Animatrice principale", "B", 1, 0.6),
                        ),
                    ),
                    Unit(
                        "Vie associative et événements", "VIEASSO",
                        head=Job("Responsable de la vie associative", "B", 1, 0.6),
                        staff=4,
                        jobs=(
                            Job("Chargé de la vie associative|"
                                "Chargée de la vie associative", "B", 2, 0.7),
                            Job("Régisseur événementiel|Régisseuse événementielle", "C", 1, 0.3),
                        ),
                    ),
                    Unit(
                        "Sports", "SPORTS",
                        head=Job("Responsable du service des sports", "A", 1, 0.3),
                        staff=12, team_size=6,
                        team_leader=Job("Responsable d'équipement sportif", "B", 1, 0.2),
                        jobs=(
                            Job("Éducateur des activités physiques et sportives|"
                                "Éducatrice des activités physiques et sportives", "B", 1, 0.4),
                            Job("Agent d'entretien des équipements sportifs|"
                                "Agente d'entretien des équipements sportifs", "C", 2, 0.2, 0.6),
                        ),
                    ),
                    Unit(
                        "Population et état civil", "ETATCIVIL",
                        head=Job("Responsable population et état civil", "B", 1, 0.85),
                        staff=8,
                        jobs=(
                            Job("Agent d'accueil et d'état civil|"
                                "Agente d'accueil et d'état civil", "C", 1, 0.85),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

AGGLO = OrgSpec(
    code="AGGLO", name="Valmont Agglomération", kind=Organisation.Kind.EPCI,
    domain="agglo-valmont.example.fr", matricule_base=200000,
    root=Unit(
        "Direction générale des services", "DGS",
        head=Job("Directeur général des services|Directrice générale des services", "A", 1, 0.3),
        staff=2,
        jobs=(
            Job("Assistant de direction|Assistante de direction", "B", 1, 0.9),
        ),
        children=(
            Unit(
                "Direction des ressources", "RES",
                head=Job("Directeur des ressources|Directrice des ressources", "A", 1, 0.6),
                staff=1,
                jobs=(
                    Job("Assistant de direction|Assistante de direction", "C", 1, 0.9),
                ),
                children=(
                    Unit(
                        "Ressources humaines", "RH",
                        head=Job("Responsable des ressources humaines", "A", 1, 0.75),
                        staff=7,
                        jobs=(
                            Job("Gestionnaire ressources humaines", "C", 3, 0.85),
                            Job("Chargé de formation|Chargée de formation", "B", 1, 0.7),
                            Job("Chargé de recrutement|Chargée de recrutement", "B", 1, 0.75),
                        ),
                    ),
                    Unit(
                        "Finances et commande publique", "FIN",
                        head=Job("Responsable finances et commande publique", "A", 1, 0.6),
                        staff=6,
                        jobs=(
                            Job("Gestionnaire comptable", "C", 2, 0.8),
                            Job("Gestionnaire budgétaire", "B", 1, 0.7),
                            Job("Acheteur public|Acheteuse publique", "B", 1, 0.6),
                        ),
                    ),
                    Unit(
                        "Systèmes d'information", "SI",
                        head=Job("Responsable des systèmes d'information", "A", 1, 0.2),
                        staff=4,
                        jobs=(
                            Job("Technicien informatique|Technicienne informatique", "B", 1, 0.2),
                            Job("Administrateur systèmes et réseaux|"
                                "Administratrice systèmes et réseaux", "B", 1, 0.2),
                        ),
                    ),
                ),
            ),
            Unit(
                "Direction de la communication", "COM",
                head=Job("Responsable de la communication", "A", 1, 0.7),
                staff=3,
                jobs=(
                    Job("Chargé de communication|Chargée de communication", "B", 1, 0.7),
                ),
            ),
            Unit(
                "Direction du développement économique", "ECO",
                head=Job("Directeur du développement économique|"
                         "Directrice du développement économique", "A", 1, 0.5),
                staff=7,
                jobs=(
                    Job("Chargé de mission développement économique|"
                        "Chargée de mission développement économique", "A", 2, 0.5),
                    Job("Chargé d'accueil des entreprises|"
                        "Chargée d'accueil des entreprises", "B", 1, 0.7),
                ),
            ),
            Unit(
                "Direction de l'aménagement et des mobilités", "MOB",
                head=Job("Directeur de l'aménagement|Directrice de l'aménagement", "A", 1, 0.4),
                staff=8,
                jobs=(
                    Job("Chargé d'études mobilité|Chargée d'études mobilité", "A", 1, 0.5),
                    Job("Technicien transports|Technicienne transports", "B", 1, 0.3),
                    Job("Instructeur du droit des sols|"
                        "Instructrice du droit des sols", "B", 1, 0.7),
                ),
            ),
            Unit(
                "Tourisme", "TOUR",
                head=Job("Responsable du tourisme", "A", 1, 0.7),
                staff=5,
                jobs=(
                    Job("Conseiller en séjour|Conseillère en séjour", "C", 2, 0.8),
                    Job("Chargé de promotion touristique|"
                        "Chargée de promotion touristique", "B", 1, 0.7),
                ),
            ),
            Unit(
                "Direction de l'habitat", "HAB",
                head=Job("Directeur de l'habitat|Directrice de l'habitat", "A", 1, 0.6),
                staff=4,
                jobs=(
                    Job("Chargé de mission habitat|Chargée de mission habitat", "A", 1, 0.6),
                    Job("Conseiller habitat|Conseillère habitat", "B", 1, 0.7),
                ),
            ),
            Unit(
                "Direction de l'environnement", "ENV",
                head=Job("Directeur de l'environnement|Directrice de l'environnement", "A", 1, 0.3),
                staff=2,
                jobs=(
                    Job("Chargé de mission transition écologique|"
                        "Chargée de mission transition écologique", "A", 1, 0.6),
                    Job("Assistant administratif|Assistante administrative", "C", 1, 0.9),
                ),
                children=(
                    Unit(
                        "Collecte des déchets", "COLLECTE",
                        head=Job("Responsable de la collecte", "B", 1, 0.1),
                        staff=34, team_size=6,
                        team_leader=Job("Chef d'équipe collecte|"
                                        "Cheffe d'équipe collecte", "C", 1, 0.05, 0.7),
                        jobs=(
                            Job("Ripeur|Ripeuse", "C", 3, 0.05, 0.3),
                            Job("Chauffeur poids lourd|Chauffeuse poids lourd", "C", 2, 0.05, 0.6),
                        ),
                    ),
                    Unit(
                        "Déchèteries", "DECHETERIES",
                        head=Job("Responsable des déchèteries", "B", 1, 0.2),
                        staff=10, team_size=5,
                        team_leader=Job("Gardien-chef de déchèterie|"
                                        "Gardienne-cheffe de déchèterie", "C", 1, 0.15),
                        jobs=(
                            Job("Agent de déchèterie|Agente de déchèterie", "C", 1, 0.15, 0.7),
                        ),
                    ),
                    Unit(
                        "Assainissement", "ASST",
                        head=Job("Responsable de l'assainissement", "B", 1, 0.2),
                        staff=14, team_size=7,
                        team_leader=Job("Chef d'équipe assainissement|"
                                        "Cheffe d'équipe assainissement", "C", 1, 0.1),
                        jobs=(
                            Job("Agent d'assainissement|Agente d'assainissement", "C", 3, 0.1, 0.7),
                            Job("Technicien assainissement|"
                                "Technicienne assainissement", "B", 1, 0.3),
                        ),
                    ),
                ),
            ),
            Unit(
                "Piscine communautaire", "PISCINE",
                head=Job("Responsable de la piscine communautaire", "B", 1, 0.3),
                staff=16, team_size=8,
                team_leader=Job("Chef de bassin|Cheffe de bassin", "B", 1, 0.4),
                jobs=(
                    Job("Maître-nageur sauveteur|Maître-nageuse sauveteuse", "B", 2, 0.4, 0.8),
                    Job("Agent d'accueil et d'entretien|"
                        "Agente d'accueil et d'entretien", "C", 1, 0.7, 0.7),
                ),
            ),
        ),
    ),
)

CCAS = OrgSpec(
    code="CCAS", name="CCAS de Valmont", kind=Organisation.Kind.CCAS,
    domain="ccas-valmont.example.fr", matricule_base=300000,
    root=Unit(
        "Direction du CCAS", "DIR",
        head=Job("Directeur du CCAS|Directrice du CCAS", "A", 1, 0.75),
        staff=3,
        jobs=(
            Job("Assistant de direction|Assistante de direction", "C", 1, 0.9),
            Job("Gestionnaire comptable", "C", 2, 0.8),
        ),
        children=(
            Unit(
                "Action sociale", "ACTSOC",
                head=Job("Responsable de l'action sociale", "A", 1, 0.8),
                staff=8,
                jobs=(
                    Job("Travailleur social|Travailleuse sociale", "A", 3, 0.85),
                    Job("Conseiller en économie sociale et familiale|"
                        "Conseillère en économie sociale et familiale", "A", 1, 0.95),
                    Job("Agent d'accueil social|Agente d'accueil social", "C", 2, 0.85),
                ),
            ),
            Unit(
                "Maintien à domicile", "SAD",
                head=Job("Responsable du service d'aide à domicile", "B", 1, 0.9),
                staff=28, team_size=9,
                team_leader=Job("Responsable de secteur", "B", 1, 0.9),
                jobs=(
                    Job("Aide à domicile", "C", 3, 0.95, 0.1),
                    Job("Auxiliaire de vie sociale", "C", 1, 0.9, 0.3),
                ),
            ),
            Unit(
                "Résidence autonomie Les Tilleuls", "RESID",
                head=Job("Responsable de la résidence autonomie", "B", 1, 0.8),
                staff=4,
                jobs=(
                    Job("Agent social|Agente sociale", "C", 1, 0.85, 0.7),
                ),
            ),
        ),
    ),
)

SYNDICATE = OrgSpec(
    code="SIEV", name="Syndicat intercommunal des eaux du Val", kind=Organisation.Kind.SYNDICATE,
    domain="eaux-du-val.example.fr", matricule_base=400000,
    root=Unit(
        "Direction du syndicat", "DIR",
        head=Job("Directeur du syndicat|Directrice du syndicat", "A", 1, 0.3),
        children=(
            Unit(
                "Exploitation", "EXPL",
                head=Job("Responsable d'exploitation", "B", 1, 0.1),
                staff=12, team_size=6,
                team_leader=Job("Chef d'équipe réseaux|Cheffe d'équipe réseaux", "C", 1, 0.05),
                jobs=(
                    Job("Agent d'exploitation eau potable|"
                        "Agente d'exploitation eau potable", "C", 3, 0.1, 0.7),
                    Job("Électromécanicien|Électromécanicienne", "C", 1, 0.05, 0.7),
                    Job("Technicien qualité de l'eau|Technicienne qualité de l'eau", "B", 1, 0.5),
                ),
            ),
            Unit(
                "Administration", "ADM",
                head=Job("Responsable administratif et financier|"
                         "Responsable administrative et financière", "B", 1, 0.7),
                staff=3,
                jobs=(
                    Job("Gestionnaire facturation", "C", 2, 0.85),
                    Job("Assistant administratif|Assistante administrative", "C", 1, 0.9),
                ),
            ),
        ),
    ),
)
# fmt: on

ORGANISATIONS: tuple[OrgSpec, ...] = (CITY, AGGLO, CCAS, SYNDICATE)


# --- The people with a known password -----------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    """A named agent whose account gets DEMO_PASSWORD.

    With `head` the person heads `unit_code`; otherwise they take one staff
    place there, with `job` as their job.
    """

    org_code: str
    unit_code: str
    first_name: str
    last_name: str
    gender: str
    role: str
    head: bool = False
    job: Job | None = None
    has_email: bool = True
    matricule: str = ""


class DemoLogin(NamedTuple):
    role: str
    login: str
    password: str


def _demo_people() -> list[tuple[str, DemoPerson]]:
    """(role label, person), in the order the logins are printed."""
    return [
        (
            _("Coordinatrice de l'école (Ville)"),
            DemoPerson(
                "VILLE",
                "FORM",
                "Sophie",
                "Marchand",
                F,
                User.Role.COORDINATOR,
                job=Job("Chargée de mission école interne", "A"),
            ),
        ),
        (
            _("Coordinateur de l'école (Agglomération)"),
            DemoPerson(
                "AGGLO",
                "RH",
                "Julien",
                "Faure",
                M,
                User.Role.COORDINATOR,
                job=Job("Chargé de formation – école de management", "B"),
            ),
        ),
        (
            _("Direction de l'école"),
            DemoPerson("VILLE", "FORM", "Isabelle", "Garnier", F, User.Role.DIRECTOR, head=True),
        ),
        (
            _("Ressources humaines (lecture seule)"),
            DemoPerson("VILLE", "DRH", "Nathalie", "Bertin", F, User.Role.HR_VIEWER, head=True),
        ),
        (
            _("Encadrant avec une équipe (médiathèque)"),
            DemoPerson("VILLE", "MEDIA", "Olivier", "Lambert", M, User.Role.AGENT, head=True),
        ),
        (
            _("Agent avec e-mail (médiathèque)"),
            DemoPerson(
                "VILLE",
                "MEDIA",
                "Léa",
                "Dubois",
                F,
                User.Role.AGENT,
                job=Job("Assistante de conservation", "B"),
            ),
        ),
        (
            _("Agent sans e-mail (structure %(org)s, matricule %(matricule)s)")
            % {"org": NO_EMAIL_ORGANISATION, "matricule": NO_EMAIL_MATRICULE},
            DemoPerson(
                NO_EMAIL_ORGANISATION,
                "VOIRIE",
                "Nicolas",
                "Petit",
                M,
                User.Role.AGENT,
                job=Job("Agent de voirie", "C"),
                has_email=False,
                matricule=NO_EMAIL_MATRICULE,
            ),
        ),
    ]


def _org_spec(code: str) -> OrgSpec:
    return next(spec for spec in ORGANISATIONS if spec.code == code)


def email_local_part(text: str) -> str:
    """The e-mail form of a name: Anne-Sophie -> anne-sophie, Le Gall -> le-gall, Élodie -> elodie."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text.lower()).split()
    return "-".join(words)


def demo_email(person: DemoPerson) -> str:
    spec = _org_spec(person.org_code)
    return (
        f"{email_local_part(person.first_name)}.{email_local_part(person.last_name)}@{spec.domain}"
    )


def demo_logins() -> list[DemoLogin]:
    """(role label, login, password) for each demo account, in a stable order."""
    rows = []
    for label, person in _demo_people():
        login = demo_email(person) if person.has_email else f"{person.org_code}/{person.matricule}"
        rows.append(DemoLogin(label, login, DEMO_PASSWORD))
    return rows


def format_logins_table(rows: Sequence[tuple[str, str, str]]) -> str:
    """The logins as an aligned plain-text table, for terminals and the README."""
    headers = (_("Rôle"), _("Identifiant"), _("Mot de passe"))
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# --- The plan: the school as data ---------------------------------------------


@dataclass
class PlannedDepartment:
    org_code: str
    code: str
    name: str
    parent_code: str | None


@dataclass(eq=False)
class PlannedAgent:
    org_code: str
    department_code: str
    first_name: str
    last_name: str
    gender: str
    job_title: str
    category: str
    depth: int
    manager: PlannedAgent | None = None
    email: str = ""
    status: str = Agent.Status.TITULAIRE
    is_manager_position: bool = False
    manager_position_since: datetime.date | None = None
    arrival_date: datetime.date | None = None
    departure_date: datetime.date | None = None
    is_active: bool = True
    matricule: str = ""
    role: str = User.Role.AGENT
    demo: DemoPerson | None = None
    has_email: bool = True

    def fields(self) -> dict[str, Any]:
        """The Agent field values this plan stands for, except the keys and the manager."""
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "gender": self.gender,
            "email": self.email,
            "job_title": self.job_title,
            "category": self.category,
            "status": self.status,
            "is_manager_position": self.is_manager_position,
            "manager_position_since": self.manager_position_since,
            "arrival_date": self.arrival_date,
            "departure_date": self.departure_date,
            "is_active": self.is_active,
        }


@dataclass
class DemoPlan:
    seed: int
    departments: list[PlannedDepartment] = field(default_factory=list)
    agents: list[PlannedAgent] = field(default_factory=list)


def _days_ago(days: int) -> datetime.date:
    return REFERENCE_DATE - datetime.timedelta(days=days)


def _share_out(total: int, jobs: Sequence[Job]) -> list[Job]:
    """`total` places split between jobs in proportion to their weight (largest remainder).

    Exact shares rather than random draws keep the category and e-mail mix the
    same whatever the seed.
    """
    if total <= 0 or not jobs:
        return []
    weight_sum = sum(job.weight for job in jobs)
    exact = [total * job.weight / weight_sum for job in jobs]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(jobs)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [job for job, count in zip(jobs, counts, strict=True) for _i in range(count)]


class _Builder:
    """Walks the organisation trees and invents the people, from one random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.plan = DemoPlan(seed=seed)
        self.people = [person for _label, person in _demo_people()]
        self.used_emails = {demo_email(p) for p in self.people if p.has_email}

    def build(self) -> DemoPlan:
        for spec in ORGANISATIONS:
            org_agents: list[PlannedAgent] = []
            self._unit(spec, spec.root, None, None, 0, org_agents)
            # Names come once dates are known, so that a first name fits the agent's generation.
            for agent in org_agents:
                if agent.demo is None:
                    self._name(agent, spec.domain)
            self._assign_matricules(spec, org_agents)
            self.plan.agents.extend(org_agents)
        self._depart_a_few()
        return self.plan

    # People

    def _invent(
        self,
        spec: OrgSpec,
        unit: Unit,
        job: Job,
        depth: int,
        manager: PlannedAgent | None,
        with_email: bool,
    ) -> PlannedAgent:
        gender = F if self.rng.random() < job.female else M
        return PlannedAgent(
            org_code=spec.code,
            department_code=unit.code,
            first_name="",
            last_name="",
            gender=gender,
            job_title=job.title_for(gender),
            category=job.category,
            depth=depth,
            manager=manager,
            has_email=with_email,
        )

    def _name(self, agent: PlannedAgent, domain: str) -> None:
        names = FEMALE_FIRST_NAMES if agent.gender == F else MALE_FIRST_NAMES
        seniority = (REFERENCE_DATE - (agent.arrival_date or REFERENCE_DATE)).days / 365
        if seniority >= 12:
            names = tuple(n for n in names if n not in RECENT_NAMES)
        elif agent.status in (Agent.Status.APPRENTI, Agent.Status.STAGIAIRE):
            names = tuple(n for n in names if n not in OLDER_NAMES)
        agent.first_name = self.rng.choice(names)
        agent.last_name = self.rng.choice(LAST_NAMES)
        if agent.has_email:
            agent.email = self._unique_email(agent.first_name, agent.last_name, domain)

    def _from_person(
        self,
        spec: OrgSpec,
        unit: Unit,
        person: DemoPerson,
        job: Job,
        depth: int,
        manager: PlannedAgent | None,
    ) -> PlannedAgent:
        return PlannedAgent(
            org_code=spec.code,
            department_code=unit.code,
            first_name=person.first_name,
            last_name=person.last_name,
            gender=person.gender,
            job_title=job.title_for(person.gender),
            category=job.category,
            depth=depth,
            manager=manager,
            email=demo_email(person) if person.has_email else "",
            has_email=person.has_email,
            role=person.role,
            demo=person,
            matricule=person.matricule,
        )

    def _unique_email(self, first: str, last: str, domain: str) -> str:
        # Homonyms get a number, as mail administrators usually do: jean.martin2@...
        local = f"{email_local_part(first)}.{email_local_part(last)}"
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.used_emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.used_emails.add(candidate)
        return candidate

    def _email_flags(self, places: Sequence[Job]) -> list[bool]:
        """Who among these places has a mailbox: exactly round(share × count) per job."""
        flags = [True] * len(places)
        for job in dict.fromkeys(places):
            indexes = [i for i, place in enumerate(places) if place is job]
            without = round(len(indexes) * (1 - job.email))
            for i in self.rng.sample(indexes, without):
                flags[i] = False
        return flags

    # Dates and statuses

    def _seniority_days(self, max_years: float, mode_years: float) -> int:
        return max(20, int(self.rng.triangular(0, max_years, mode_years) * 365))

    def _date_staff(self, agent: PlannedAgent) -> None:
        rng = self.rng
        draw = rng.random()
        if agent.demo is not None or draw >= 0.21:
            agent.status = Agent.Status.TITULAIRE
            agent.arrival_date = _days_ago(self._seniority_days(30, 4))
        elif draw < 0.04:
            # A stagiaire is in their first year, before being made titulaire.
            agent.status = Agent.Status.STAGIAIRE
            agent.arrival_date = _days_ago(rng.randint(20, 360))
        elif draw < 0.065:
            agent.status = Agent.Status.APPRENTI
            agent.category = Agent.Category.NONE
            agent.arrival_date = _days_ago(rng.randint(20, 700))
        else:
            agent.status = Agent.Status.CONTRACTUEL
            agent.arrival_date = _days_ago(self._seniority_days(8, 1))

    def _date_manager(self, agent: PlannedAgent) -> None:
        rng = self.rng
        agent.is_manager_position = True
        if agent.category == Agent.Category.A and agent.depth > 0 and rng.random() < 0.1:
            agent.status = Agent.Status.CONTRACTUEL
        arrival_days = rng.randint(2 * 365, 30 * 365)
        agent.arrival_date = _days_ago(arrival_days)
        if rng.random() < 0.2:
            # Newly appointed managers: the ones the "prise de poste" curriculum is for.
            since_days = rng.randint(20, 330)
        else:
            since_days = rng.randint(365, max(365, arrival_days))
        agent.manager_position_since = _days_ago(min(since_days, arrival_days))

    # Tree walk

    def _unit(
        self,
        spec: OrgSpec,
        unit: Unit,
        parent: Unit | None,
        manager: PlannedAgent | None,
        depth: int,
        out: list[PlannedAgent],
    ) -> None:
        self.plan.departments.append(
            PlannedDepartment(
                org_code=spec.code,
                code=unit.code,
                name=unit.name,
                parent_code=parent.code if parent else None,
            )
        )
        here = [p for p in self.people if p.org_code == spec.code and p.unit_code == unit.code]
        head_person = next((p for p in here if p.head), None)
        if head_person is not None:
            head = self._from_person(spec, unit, head_person, unit.head, depth, manager)
        else:
            head = self._invent(spec, unit, unit.head, depth, manager, with_email=True)
        self._date_manager(head)
        out.append(head)

        leaders: list[PlannedAgent] = []
        if unit.team_leader is not None and unit.staff:
            count = max(1, round(unit.staff / unit.team_size))
            leader_places = [unit.team_leader] * count
            for with_email in self._email_flags(leader_places):
                leader = self._invent(spec, unit, unit.team_leader, depth + 1, head, with_email)
                self._date_manager(leader)
                leaders.append(leader)
            out.extend(leaders)

        staff_people = [p for p in here if not p.head]
        places = _share_out(unit.staff - len(staff_people), unit.jobs)
        staff = [
            self._from_person(spec, unit, p, p.job or unit.jobs[0], depth + 1, head)
            for p in staff_people
        ]
        staff += [
            self._invent(spec, unit, job, depth + 1, head, with_email)
            for job, with_email in zip(places, self._email_flags(places), strict=True)
        ]
        self.rng.shuffle(staff)
        for index, agent in enumerate(staff):
            if leaders:
                agent.manager = leaders[index % len(leaders)]
                agent.depth = depth + 2
            self._date_staff(agent)
        out.extend(staff)

        for child in unit.children:
            self._unit(spec, child, unit, head, depth + 1, out)

    def _assign_matricules(self, spec: OrgSpec, agents: list[PlannedAgent]) -> None:
        # HR systems number agents as they arrive, and leavers leave gaps.
        reserved = {a.matricule for a in agents if a.matricule}
        number = spec.matricule_base
        order = sorted(range(len(agents)), key=lambda i: (agents[i].arrival_date, i))
        for i in order:
            if agents[i].matricule:
                continue
            number += self.rng.randint(1, 3)
            while f"{number}" in reserved:
                number += 1
            agents[i].matricule = f"{number}"

    def _depart_a_few(self) -> None:
        """About 2% of the staff have left: inactive, with a departure date, never a manager."""
        managers = {id(a.manager) for a in self.plan.agents if a.manager is not None}
        candidates = [
            a
            for a in self.plan.agents
            if a.demo is None
            and not a.is_manager_position
            and id(a) not in managers
            and a.arrival_date is not None
            and a.arrival_date <= _days_ago(600)
        ]
        for agent in self.rng.sample(candidates, round(len(self.plan.agents) * 0.02)):
            agent.is_active = False
            agent.departure_date = _days_ago(self.rng.randint(15, 540))


def demo_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    """The whole demo school for this seed, as data. Pure: no database access."""
    return _Builder(seed).build()


# --- Loading: upsert by organisation code + matricule -------------------------


@dataclass
class LoadResult:
    skipped: bool = False
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "departments": Department.objects.count(),
        "agents": Agent.objects.count(),
        "users": User.objects.count(),
    }


def demo_load(*, seed: int = DEFAULT_SEED, if_empty: bool = False) -> LoadResult:
    """Write the demo school, or bring an existing one back to the plan. Idempotent.

    With `if_empty`, does nothing when any organisation or agent already exists,
    so that `make run` never mixes demo people into real data.
    """
    started = time.perf_counter()
    result = LoadResult()
    if if_empty and (Organisation.objects.exists() or Agent.objects.exists()):
        result.skipped = True
        return result
    plan = demo_plan(seed)
    with transaction.atomic():
        before = _counts()
        orgs = _upsert_organisations(result)
        departments = _upsert_departments(plan.departments, orgs, result)
        agent_ids = _upsert_agents(plan.agents, orgs, departments, result)
        _ensure_accounts(plan.agents, agent_ids, result)
        if result.changed:
            # Written in bulk, behind the services: every cached page reads afresh.
            data_versions.changed(*data_versions.KINDS)
            audit_record(
                actor=None,
                action="demo.load",
                object_type="demo",
                object_id=seed,
                object_label=_("École de démonstration"),
                changes=diff(before, _counts()),
                message=_("Chargement de l'école de démonstration (graine %(seed)s).")
                % {"seed": seed},
            )
    result.seconds = time.perf_counter() - started
    return result


def _upsert_organisations(result: LoadResult) -> dict[str, Organisation]:
    existing = {
        o.code: o
        for o in Organisation.objects.filter(code__in=[spec.code for spec in ORGANISATIONS])
    }
    created = updated = 0
    for spec in ORGANISATIONS:
        org = existing.get(spec.code)
        if org is None:
            existing[spec.code] = Organisation.objects.create(
                code=spec.code, name=spec.name, kind=spec.kind
            )
            created += 1
        elif (org.name, org.kind, org.is_active) != (spec.name, spec.kind, True):
            org.name, org.kind, org.is_active = spec.name, spec.kind, True
            org.save(update_fields=["name", "kind", "is_active"])
            updated += 1
    result.created["organisations"] = created
    result.updated["organisations"] = updated
    return existing


def _upsert_departments(
    planned: Iterable[PlannedDepartment], orgs: dict[str, Organisation], result: LoadResult
) -> dict[tuple[str, str], Department]:
    """Departments keyed by (organisation code, department code); parents come first."""
    by_id = {o.pk: code for code, o in orgs.items()}
    departments = {
        (by_id[d.organisation_id], d.code): d
        for d in Department.objects.filter(organisation__in=orgs.values()).exclude(code="")
    }
    created = updated = 0
    for item in planned:
        parent = departments[(item.org_code, item.parent_code)] if item.parent_code else None
        parent_id = parent.pk if parent else None
        dept = departments.get((item.org_code, item.code))
        if dept is None:
            departments[(item.org_code, item.code)] = Department.objects.create(
                organisation=orgs[item.org_code], code=item.code, name=item.name, parent=parent
            )
            created += 1
        elif (dept.name, dept.parent_id) != (item.name, parent_id):
            dept.name, dept.parent_id = item.name, parent_id
            dept.save(update_fields=["name", "parent"])
            updated += 1
    result.created["departments"] = created
    result.updated["departments"] = updated
    return departments


def _upsert_agents(
    planned: list[PlannedAgent],
    orgs: dict[str, Organisation],
    departments: dict[tuple[str, str], Department],
    result: LoadResult,
) -> dict[int, int]:
    """Create or correct every planned agent; returns {id(plan): agent pk}.

    Created depth by depth, top first, so that each manager has a primary key
    before their reports point to it.
    """
    existing = {
        (a.organisation_id, a.matricule): a
        for a in Agent.objects.filter(organisation__in=orgs.values())
    }
    ids: dict[int, int] = {}
    to_update: list[Agent] = []
    changed_fields: set[str] = set()
    created = 0
    now = timezone.now()
    for depth in sorted({a.depth for a in planned}):
        to_create: list[tuple[PlannedAgent, Agent]] = []
        for item in (a for a in planned if a.depth == depth):
            org = orgs[item.org_code]
            wanted = item.fields()
            wanted["department_id"] = departments[(item.org_code, item.department_code)].pk
            wanted["manager_id"] = ids[id(item.manager)] if item.manager is not None else None
            agent = existing.get((org.pk, item.matricule))
            if agent is None:
                to_create.append(
                    (item, Agent(organisation=org, matricule=item.matricule, **wanted))
                )
                continue
            ids[id(item)] = agent.pk
            stale = [name for name, value in wanted.items() if getattr(agent, name) != value]
            if stale:
                for name in stale:
                    setattr(agent, name, wanted[name])
                agent.updated_at = now
                changed_fields.update(stale)
                to_update.append(agent)
        Agent.objects.bulk_create([agent for _item, agent in to_create], batch_size=500)
        for item, agent in to_create:
            ids[id(item)] = agent.pk
        created += len(to_create)
    if to_update:
        Agent.objects.bulk_update(
            to_update, [*sorted(changed_fields), "updated_at"], batch_size=500
        )
    result.created["agents"] = created
    result.updated["agents"] = len(to_update)
    return ids


def _ensure_accounts(
    planned: list[PlannedAgent],
    ids: dict[int, int],
    result: LoadResult,
) -> None:
    """Every agent gets an account, built as `services.user_ensure_for_agent` builds it.

    In bulk for speed: the login is the e-mail, or "<org code>/<matricule>"
    when there is none or when the e-mail is already taken; the password is
    unusable except for the demo accounts.
    """
    users = {u.agent_id: u for u in User.objects.filter(agent_id__in=ids.values())}
    candidates = {(a.email or matricule_login(a.org_code, a.matricule)).lower() for a in planned}
    taken_logins = set(User.objects.filter(login__in=candidates).values_list("login", flat=True))
    emails = {a.email.lower() for a in planned if a.email}
    taken_emails = set(
        User.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci__in=emails)
        .values_list("email_ci", flat=True)
    )
    unusable = make_password(None)
    to_create: list[User] = []
    to_update: list[User] = []
    for item in planned:
        agent_id = ids[id(item)]
        user = users.get(agent_id)
        if user is None:
            fallback = matricule_login(item.org_code, item.matricule)
            login = (item.email or fallback).lower()
            email = item.email.lower() or None
            if login in taken_logins or (email and email in taken_emails):
                login, email = fallback, None
            if login in taken_logins:
                raise DomainError(
                    _("Impossible de créer le compte de %(name)s : identifiant déjà pris.")
                    % {"name": f"{item.first_name} {item.last_name}"},
                    code="account.login_taken",
                )
            taken_logins.add(login)
            if email:
                taken_emails.add(email)
            user = User(
                login=login,
                email=email,
                agent_id=agent_id,
                password=unusable,
                is_active=item.is_active,
            )
            to_create.append(user)
            users[agent_id] = user
        elif user.is_active != item.is_active:
            # A departed agent's account is closed, as agent_deactivate does.
            user.is_active = item.is_active
            to_update.append(user)
    User.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        User.objects.bulk_update(to_update, ["is_active"], batch_size=500)
    demo_items = [item for item in planned if item.demo is not None]
    touched = _set_demo_accounts([users[ids[id(item)]] for item in demo_items], demo_items)
    fresh = {id(user) for user in to_create}
    result.created["users"] = len(to_create)
    result.updated["users"] = len(to_update) + len([u for u in touched if id(u) not in fresh])


def _set_demo_accounts(users: list[User], items: list[PlannedAgent]) -> list[User]:
    """Give the demo accounts their role and DEMO_PASSWORD; returns those it had to change.

    Hashing is deliberately slow (Argon2), so the password is hashed once and
    shared, and each distinct stored hash is checked once.
    """
    verdicts: dict[str, bool] = {}
    shared_hash = ""
    touched = []
    for user, item in zip(users, items, strict=True):
        fields = []
        if user.role != item.role:
            user.role = item.role
            fields.append("role")
        if user.password not in verdicts:
            verdicts[user.password] = check_password(DEMO_PASSWORD, user.password)
        if not verdicts[user.password]:
            shared_hash = shared_hash or make_password(DEMO_PASSWORD)
            user.password = shared_hash
            fields.append("password")
        if fields:
            user.save(update_fields=fields)
            touched.append(user)
    return touched
