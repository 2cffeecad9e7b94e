"""Load the demo school (four organisations, ~600 agents) and print the demo logins."""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.devtools.demo.people import (
    DEFAULT_SEED,
    REFERENCE_DATE,
    demo_load,
    demo_logins,
    format_logins_table,
)
from campus.devtools.demo.programme import load_demo_programming
from campus.people.models import Agent


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
        if not result.skipped:
            self._load_programming(seed=options["seed"])
        self.stdout.write("")
        self.stdout.write(_("Identifiants de démonstration :"))
        self.stdout.write(format_logins_table(demo_logins()))

    def _load_programming(self, *, seed: int) -> None:
        """A school year of sessions around today, so the demo looks alive whenever it runs."""
        active = Agent.objects.filter(is_active=True).order_by("organisation__code", "matricule")
        rng = random.Random(seed)
        # The peer-to-peer school has about 23 regular agent-trainers, mostly with e-mail.
        candidates = list(active.exclude(email="").filter(category__in=["A", "B"]))
        trainers = rng.sample(candidates, k=min(23, len(candidates)))
        managers = list(active.filter(is_manager_position=True)[:20])
        counts = load_demo_programming(
            rng=rng, today=timezone.localdate(), trainers=trainers, managers=managers
        )
        if counts.get("skipped"):
            self.stdout.write(_("Programmation de démonstration déjà présente."))
        else:
            self.stdout.write(
                _("Programmation de démonstration : %(sessions)s sessions.")
                % {"sessions": counts.get("sessions", "?")}
            )
