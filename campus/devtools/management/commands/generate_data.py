"""Generate a synthetic school at benchmark scale (see campus/devtools/datagen)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campus.core.exceptions import DomainError
from campus.devtools.datagen.generator import database_size, generate
from campus.devtools.datagen.presets import PRESETS

DEFAULT_SEED = 20260901

PHASE_LABELS = {
    "reset": "effacement des données existantes",
    "people": "structures, services, agents, comptes",
    "catalogue": "thèmes, programmes, formations",
    "scheduling": "lieux, salles, sessions, parties",
    "registrations": "inscriptions, historique, présences",
    "indexes": "reconstruction des index",
    "checks": "vérification des invariants",
    "sequences": "séquences d'identifiants",
    "vacuum": "VACUUM (PostgreSQL)",
    "analyze": "ANALYZE",
}


def _reference(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("Date de référence invalide : %(value)s (AAAA-MM-JJ).") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = (
        "Génère une école fictive à grande échelle pour le banc d'essai : structures, agents, "
        "formations, sessions, inscriptions et présences. Refuse une base qui contient déjà "
        "des données, sauf avec --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--preset",
            choices=sorted(PRESETS),
            default="tiny",
            help="Taille de départ : tiny (tests), city (20 000 agents), metropolis (50 000 agents).",
        )
        for name, help_text in (
            ("organisations", "nombre de structures membres"),
            ("agents", "nombre d'agents"),
            ("courses", "nombre de formations"),
            ("sessions", "nombre de sessions"),
            ("registrations", "nombre d'inscriptions"),
            ("years", "nombre d'années couvertes"),
            ("bench-accounts", "nombre de comptes de banc d'essai au mot de passe connu"),
        ):
            parser.add_argument(
                f"--{name}", type=int, help=f"{help_text.capitalize()} (remplace le préréglage)."
            )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Graine du générateur.")
        parser.add_argument(
            "--reference-date",
            type=_reference,
            help="Date qui tient lieu d'aujourd'hui (par défaut : aujourd'hui).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Efface d'abord toutes les données de l'école (structures, agents, comptes, "
                "formations, sessions, inscriptions, journal d'audit…) ; seuls les réglages "
                "de l'école sont gardés."
            ),
        )
        parser.add_argument("--json", action="store_true", help="Affiche le résumé en JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = PRESETS[options["preset"]].with_overrides(
            organisations=options["organisations"],
            agents=options["agents"],
            courses=options["courses"],
            sessions=options["sessions"],
            registrations=options["registrations"],
            years=options["years"],
            bench_accounts=options["bench_accounts"],
        )
        quiet = options["json"] or options["verbosity"] == 0

        def progress(name: str, seconds: float) -> None:
            if not quiet:
                self.stdout.write(f"  {PHASE_LABELS.get(name, name)} : {seconds:.1f} s")

        if not quiet:
            self.stdout.write(
                _("Génération (%(preset)s, graine %(seed)d)…")
                % {"preset": options["preset"], "seed": options["seed"]}
            )
        try:
            result = generate(
                sizes=sizes,
                seed=options["seed"],
                reference=options["reference_date"],
                reset=options["reset"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        size = database_size()
        summary = {
            "preset": options["preset"],
            "seed": result.seed,
            "reference": result.reference.isoformat(),
            "seconds": round(result.seconds, 1),
            "phases": {name: round(seconds, 2) for name, seconds in result.phases},
            "counts": result.counts,
            "database_bytes": size,
            "digest": result.digest,
            "fixtures": result.fixtures,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Terminé en %(seconds).1f s ; base de %(size).0f Mo.")
                % {"seconds": result.seconds, "size": size / 1e6}
            )
        )
        self.stdout.write(_("Lignes créées :"))
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<45} {count:>10,}".replace(",", " "))
        fixtures = result.fixtures
        accounts = fixtures["bench_accounts"]
        self.stdout.write(_("Repères pour le banc d'essai (bench_fixtures()) :"))
        for key, value in fixtures.items():
            self.stdout.write(f"  {key} : {json.dumps(value, ensure_ascii=False)}")
        self.stdout.write(
            _(
                "Comptes de banc d'essai : utilisateurs %(first)d à %(last)d, mot de passe "
                "« %(password)s »."
            )
            % {
                "first": accounts["first_user_id"],
                "last": accounts["last_user_id"],
                "password": accounts["password"],
            }
        )
        self.stdout.write(_("Empreinte des données : %(digest)s") % {"digest": result.digest})
