"""French words the generator draws from: places, services, jobs, courses, reasons.

Written by hand so that generated rows read like a real school's, and fixed so
that a seed always gives the same rows (no Faker at runtime).
"""

from __future__ import annotations

from dataclasses import dataclass

# Fictional towns: organisation names combine them with a kind of structure.
TOWNS: tuple[str, ...] = (
    "Valmont-sur-Loire",
    "Saint-Aubin-des-Prés",
    "Montferrand-le-Haut",
    "Beaulieu-sur-Sèvre",
    "Castelnau-d'Orbieu",
    "Villeneuve-la-Rivière",
    "Port-Sainte-Marie",
    "Roche-Guyon",
    "Les Essarts-le-Vicomte",
    "Belleville-en-Forez",
    "Marcillac-la-Croisille",
    "Fontaine-les-Dijonnais",
)

# (kind, name template) in the order organisations are created: the first is the largest.
ORGANISATION_KINDS: tuple[tuple[str, str], ...] = (
    ("commune", "Ville de {town}"),
    ("epci", "{town} Métropole"),
    ("ccas", "CCAS de {town}"),
    ("syndicat", "Syndicat intercommunal des eaux de {town}"),
    ("commune", "Commune de {town}"),
    ("syndicat", "Syndicat mixte de transport de {town}"),
    ("ccas", "CIAS du pays de {town}"),
    ("autre", "Office de tourisme de {town}"),
)

DIRECTIONS: tuple[str, ...] = (
    "Direction des ressources humaines",
    "Direction des finances",
    "Direction de la commande publique",
    "Direction du numérique",
    "Direction de l'éducation",
    "Direction de la petite enfance",
    "Direction des sports",
    "Direction de la culture",
    "Direction des espaces verts",
    "Direction de la voirie",
    "Direction des bâtiments",
    "Direction de l'urbanisme",
    "Direction de l'action sociale",
    "Direction de la communication",
    "Direction des affaires juridiques",
    "Direction de la population",
    "Direction de la propreté urbaine",
    "Direction de l'eau et de l'assainissement",
    "Direction de la police municipale",
    "Direction des mobilités",
)

SERVICES: tuple[str, ...] = (
    "Service accueil",
    "Service administratif",
    "Service technique",
    "Service études",
    "Service gestion",
    "Service comptabilité",
    "Service exploitation",
    "Service entretien",
    "Service prévention",
    "Service projets",
    "Service qualité",
    "Service logistique",
    "Service des marchés",
    "Service paie",
    "Service carrières",
    "Service formation",
    "Service état civil",
    "Service restauration",
    "Service des ateliers",
    "Service relation aux usagers",
)

UNITS: tuple[str, ...] = (
    "Équipe nord",
    "Équipe sud",
    "Équipe est",
    "Équipe ouest",
    "Équipe centre",
    "Équipe de nuit",
    "Cellule administrative",
    "Pôle instruction",
    "Pôle maintenance",
    "Pôle animation",
)

# Job titles as "masculine|feminine" when the French title varies.
STAFF_JOBS: dict[str, tuple[str, ...]] = {
    "A": (
        "Chargé de mission|Chargée de mission",
        "Juriste",
        "Ingénieur|Ingénieure",
        "Attaché|Attachée",
        "Chef de projet|Cheffe de projet",
        "Psychologue",
        "Conservateur|Conservatrice",
    ),
    "B": (
        "Technicien|Technicienne",
        "Rédacteur|Rédactrice",
        "Animateur|Animatrice",
        "Gestionnaire comptable",
        "Éducateur de jeunes enfants|Éducatrice de jeunes enfants",
        "Assistant de direction|Assistante de direction",
        "Infirmier|Infirmière",
    ),
    "C": (
        "Adjoint administratif|Adjointe administrative",
        "Agent d'entretien|Agente d'entretien",
        "Agent des espaces verts|Agente des espaces verts",
        "ATSEM",
        "Agent de restauration|Agente de restauration",
        "Auxiliaire de puériculture",
        "Agent de voirie|Agente de voirie",
        "Gardien|Gardienne",
        "Agent d'accueil|Agente d'accueil",
        "Agent de propreté urbaine|Agente de propreté urbaine",
    ),
}

MANAGER_JOBS: tuple[str, ...] = (
    "Directeur général des services|Directrice générale des services",
    "Directeur|Directrice",
    "Chef de service|Cheffe de service",
    "Responsable d'équipe",
    "Chef d'équipe|Cheffe d'équipe",
)

THEMES: tuple[str, ...] = (
    "Numérique",
    "Bureautique",
    "Management",
    "Concours et examens",
    "Actualité juridique",
    "Développement durable",
    "Santé et sécurité au travail",
    "Ressources humaines",
    "Finances et commande publique",
    "Accueil et relation aux usagers",
    "Communication",
    "Développement personnel",
    "Action sociale",
    "Urbanisme et technique",
)


@dataclass(frozen=True)
class ProgrammeSpec:
    """A programme, the format and themes of its courses, and the subjects they cover."""

    name: str
    rhythm: str
    colour: str
    format: str
    training_type: str
    themes: tuple[str, ...]
    subjects: tuple[str, ...]
    managers_only: bool = False
    mandatory: bool = False


PROGRAMMES: tuple[ProgrammeSpec, ...] = (
    ProgrammeSpec(
        "Les mardis du numérique",
        "Chaque mardi, de 12 h 15 à 13 h 45",
        "#1f3f8f",
        "atelier",
        "perfectionnement",
        ("Numérique", "Bureautique"),
        (
            "Le tableur",
            "Les tableaux croisés dynamiques",
            "Le traitement de texte",
            "La messagerie et l'agenda",
            "Trello",
            "Klaxoon",
            "Bizagi",
            "Les visioconférences",
            "Le parapheur électronique",
            "La signature électronique",
            "La cybersécurité au quotidien",
            "Les réseaux sociaux de la collectivité",
            "Le partage de fichiers",
            "Les formulaires en ligne",
            "La présentation de diapositives",
            "Le classement numérique",
            "Les outils collaboratifs",
            "L'intelligence artificielle générative",
        ),
    ),
    ProgrammeSpec(
        "École du management",
        "Un cycle par trimestre",
        "#7a2e8f",
        "formation",
        "perfectionnement",
        ("Management", "Ressources humaines"),
        (
            "Conduire l'entretien professionnel annuel",
            "Animer une réunion d'équipe",
            "Déléguer",
            "Gérer les conflits",
            "Conduire le changement",
            "Manager à distance",
            "Prévenir les risques psychosociaux",
            "Fixer des objectifs",
            "Accompagner un agent en difficulté",
            "Le management intergénérationnel",
            "Recruter sans discriminer",
        ),
        managers_only=True,
    ),
    ProgrammeSpec(
        "Prise de poste des encadrants",
        "Cursus de six mois",
        "#8f1f3f",
        "seminaire",
        "pro_prise_de_poste",
        ("Management",),
        (
            "Les fondamentaux du management public",
            "Le statut pour l'encadrant",
            "Le budget pour l'encadrant",
            "Le dialogue social",
            "La santé au travail pour l'encadrant",
            "La responsabilité de l'encadrant",
        ),
        managers_only=True,
        mandatory=True,
    ),
    ProgrammeSpec(
        "Préparation aux concours",
        "De septembre à mars",
        "#2e7d32",
        "concours",
        "concours",
        ("Concours et examens",),
        (
            "Le concours d'ATSEM",
            "Le concours d'attaché",
            "Le concours de rédacteur",
            "Le concours d'animateur",
            "L'examen d'adjoint administratif principal",
            "La note de synthèse",
            "L'oral devant le jury",
            "Les finances publiques pour les concours",
            "Le droit public pour les concours",
        ),
    ),
    ProgrammeSpec(
        "Conférences d'actualité",
        "Un jeudi par mois",
        "#b35900",
        "conference",
        "perfectionnement",
        ("Actualité juridique",),
        (
            "La veille juridique",
            "Les élections",
            "La transition numérique",
            "Le budget de la collectivité",
            "La protection des données personnelles",
            "La réforme des retraites",
            "La laïcité dans le service public",
            "L'égalité entre les femmes et les hommes",
            "La déontologie des agents publics",
        ),
    ),
    ProgrammeSpec(
        "Rendez-vous du développement durable",
        "Le premier lundi du mois",
        "#00796b",
        "debat",
        "personnelle",
        ("Développement durable",),
        (
            "Le tri des déchets au bureau",
            "La sobriété énergétique",
            "Les achats responsables",
            "Les mobilités douces",
            "Le zéro phyto",
            "La biodiversité en ville",
            "Le numérique responsable",
        ),
    ),
    ProgrammeSpec(
        "Santé et sécurité au travail",
        "Toute l'année",
        "#c62828",
        "formation",
        "pro_carriere",
        ("Santé et sécurité au travail",),
        (
            "Les gestes et postures",
            "Sauveteur secouriste du travail",
            "L'habilitation électrique",
            "La prévention des troubles musculosquelettiques",
            "Le travail sur écran",
            "La manipulation des extincteurs",
            "Le travail en hauteur",
        ),
    ),
    ProgrammeSpec(
        "Métiers et expertises",
        "Toute l'année",
        "#455a64",
        "formation",
        "pro_carriere",
        (
            "Finances et commande publique",
            "Accueil et relation aux usagers",
            "Urbanisme et technique",
            "Action sociale",
        ),
        (
            "Lire sa fiche de paie",
            "Le marché public simplifié",
            "L'accueil du public",
            "Rédiger un courrier administratif",
            "La commande publique",
            "Le code de l'urbanisme",
            "L'état civil",
            "L'accueil des publics en difficulté",
            "La comptabilité publique",
            "L'instruction des permis de construire",
            "La gestion des archives",
        ),
    ),
    ProgrammeSpec(
        "Codéveloppement",
        "Toutes les six semaines",
        "#5d4037",
        "codeveloppement",
        "pro_carriere",
        ("Management", "Développement personnel"),
        (
            "Groupe de codéveloppement des encadrants",
            "Analyse de pratiques des agents d'accueil",
            "Retour d'expérience des nouveaux encadrants",
        ),
    ),
    ProgrammeSpec(
        "Développement personnel",
        "Toute l'année",
        "#6a1b9a",
        "atelier",
        "personnelle",
        ("Développement personnel", "Communication"),
        (
            "La gestion du temps",
            "La prise de parole en public",
            "La gestion du stress",
            "La communication bienveillante",
            "L'écrit professionnel",
            "La mémoire et l'attention",
        ),
    ),
)

# Ways a course narrows its subject; "" keeps the subject alone.
ANGLES: tuple[str, ...] = (
    "",
    "initiation",
    "perfectionnement",
    "les bases",
    "pour aller plus loin",
    "atelier pratique",
    "cas pratiques",
    "niveau 2",
    "session express",
    "questions-réponses",
    "méthodes et outils",
    "pour les encadrants",
    "en une heure",
    "retours d'expérience",
)

FORMAT_LABELS: dict[str, str] = {
    "atelier": "Atelier",
    "conference": "Conférence",
    "seminaire": "Séminaire",
    "debat": "Débat",
    "formation": "Formation",
    "codeveloppement": "Atelier de codéveloppement",
    "coaching": "Coaching",
    "entretien": "Entretien individuel",
    "concours": "Préparation",
}

# (minimum, maximum) seats by course format.
CAPACITY_BY_FORMAT: dict[str, tuple[int, int]] = {
    "atelier": (12, 24),
    "conference": (30, 40),
    "seminaire": (20, 30),
    "debat": (20, 40),
    "formation": (15, 25),
    "codeveloppement": (8, 12),
    "coaching": (8, 12),
    "entretien": (8, 8),
    "concours": (15, 30),
}

# venue, address, rooms as (name, capacity, step-free access)
VENUES: tuple[tuple[str, str, tuple[tuple[str, int, bool], ...]], ...] = (
    (
        "École interne – ancienne école Jules-Ferry",
        "12 rue des Écoles",
        (
            ("Salle du préau", 40, True),
            ("Salle Marie-Curie", 24, True),
            ("Salle Jean-Zay", 16, True),
            ("Salle informatique 1", 14, True),
            ("Salle informatique 2", 12, True),
            ("Petite salle de l'étage", 10, False),
        ),
    ),
    (
        "Hôtel de ville",
        "1 place de la République",
        (
            ("Salle du conseil", 60, True),
            ("Salle de réunion 3", 20, True),
            ("Salle des commissions", 16, False),
        ),
    ),
    (
        "Centre technique municipal",
        "48 avenue de l'Industrie",
        (
            ("Salle de formation", 20, True),
            ("Atelier pédagogique", 12, True),
        ),
    ),
    (
        "Maison des associations",
        "5 allée des Tilleuls",
        (
            ("Grande salle", 40, True),
            ("Salle Simone-Veil", 18, True),
        ),
    ),
)

OFF_SITE_NOTES: tuple[str, ...] = (
    "Visioconférence",
    "Dans les locaux du service demandeur",
    "Médiathèque centrale, salle d'animation",
)

SESSION_CANCEL_REASONS: tuple[str, ...] = (
    "Animateur indisponible (arrêt maladie).",
    "Nombre d'inscrits insuffisant.",
    "Salle indisponible : travaux.",
    "Report à la demande de la direction générale.",
    "Intempéries : fermeture des bâtiments.",
    "Mouvement social.",
)

AGENT_CANCEL_REASONS: tuple[str, ...] = (
    "",
    "",
    "Empêchement de service.",
    "Congé maladie.",
    "Réunion importante le même jour.",
    "Formation déjà suivie ailleurs.",
    "Raisons personnelles.",
)

DECLINE_REASONS: tuple[str, ...] = (
    "Charge de travail trop importante sur la période.",
    "Continuité de service à assurer ce jour-là.",
    "Formation à reporter au semestre prochain.",
    "Ce module ne correspond pas aux besoins du poste.",
)

EXTERNAL_SPEAKERS: tuple[str, ...] = (
    "Centre de gestion de la fonction publique territoriale",
    "Cabinet Conseil & Territoires",
    "Association Prévention Santé",
    "Université populaire",
)
