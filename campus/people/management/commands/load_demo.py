"""Load the demo school (four organisations, ~600 agents) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from campus.people.demo import (
    DEFAULT_SEED,
    REFERENCE_DATE,
    demo_load,
    demo_logins,
    format_logins_table,
)


class Command(BaseCommand):
    help = (
        "Charge l'école de démonstration (ville, agglomération, CCAS, syndicat ; environ "
        "600 agents). Peut être relancée sans risque : rien n'est dupliqué."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne rien charger si la base contient déjà des structures ou des agents.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=(
                f"Graine du générateur (par défaut {DEFAULT_SEED}). Une autre graine donne "
                "d'autres personnes : à utiliser sur une base vide."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(seed=options["seed"], if_empty=options["if_empty"])
        if result.skipped:
            self.stdout.write(
                _(
                    "La base contient déjà des données : école de démonstration non chargée "
                    "(--if-empty)."
                )
            )
        elif result.changed:
            created, updated = result.created, result.updated
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "École de démonstration chargée en %(seconds).1f s (dates relatives au "
                        "%(reference)s)."
                    )
                    % {"seconds": result.seconds, "reference": REFERENCE_DATE.strftime("%d/%m/%Y")}
                )
            )
            self.stdout.write(
                _(
                    "Créés : %(orgs)d structures, %(depts)d services, %(agents)d agents, "
                    "%(users)d comptes. Mis à jour : %(u_agents)d agents, %(u_users)d comptes."
                )
                % {
                    "orgs": created["organisations"],
                    "depts": created["departments"],
                    "agents": created["agents"],
                    "users": created["users"],
                    "u_agents": updated["agents"],
                    "u_users": updated["users"],
                }
            )
        else:
            self.stdout.write(
                _("L'école de démonstration est déjà à jour : rien à changer (%(seconds).1f s).")
                % {"seconds": result.seconds}
            )
        self.stdout.write("")
        self.stdout.write(_("Identifiants de démonstration :"))
        self.stdout.write(format_logins_table(demo_logins()))
