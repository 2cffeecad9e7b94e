"""manage.py import_agents FICHIER.csv [--dry-run] [--deactivate-missing] [--as LOGIN]"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from campus.core.exceptions import DomainError, NotAllowed
from campus.people.auth_backends import find_user_for_login
from campus.people.importing import ImportRefused, ImportResult, agents_import


class Command(BaseCommand):
    # A plain string: argparse cannot format lazy translations.
    help = (
        "Importe les agents depuis un fichier CSV exporté du logiciel RH "
        "(format décrit dans docs/import-agents.md). Tout ou rien : une ligne fausse "
        "refuse le fichier entier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Chemin du fichier CSV."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Affiche ce qui changerait, sans rien enregistrer."),
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help=_("Désactive les agents des structures du fichier qui n'y figurent plus."),
        )
        parser.add_argument(
            "--as",
            dest="as_login",
            metavar="LOGIN",
            help=_("Identifiant du compte au nom duquel importer (par défaut : le système)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Impossible de lire %(path)s : %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        actor = None
        if options["as_login"]:
            actor = find_user_for_login(options["as_login"])
            if actor is None or not actor.is_active:
                raise CommandError(
                    _("Compte « %(login)s » introuvable ou inactif.")
                    % {"login": options["as_login"]}
                )
        started = time.monotonic()
        try:
            result = agents_import(
                actor=actor,
                content=content,
                filename=path.name,
                dry_run=options["dry_run"],
                deactivate_missing=options["deactivate_missing"],
            )
        except ImportRefused as refused:
            for warning in refused.warnings:
                self.stderr.write(self.style.WARNING(warning))
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(refused.message) from refused
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except NotAllowed as exc:
            raise CommandError(str(exc)) from exc
        self._report(result, verbose=options["dry_run"] or options["verbosity"] >= 2)
        self.stdout.write(_("Durée : %(seconds).1f s") % {"seconds": time.monotonic() - started})

    def _report(self, result: ImportResult, *, verbose: bool) -> None:
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if verbose:
            for line in result.created:
                self.stdout.write(
                    _("+ créé      %(org)s/%(mat)s %(name)s %(note)s")
                    % {
                        "org": line.organisation,
                        "mat": line.matricule,
                        "name": line.full_name,
                        "note": line.note,
                    }
                )
            for title, lines in (
                (_("~ modifié   "), result.updated),
                (_("- désactivé "), result.deactivated),
            ):
                for line in lines:
                    self.stdout.write(
                        f"{title}{line.organisation}/{line.matricule} "
                        f"{line.full_name} {line.note}".rstrip()
                    )
                    for change in line.changes:
                        self.stdout.write(
                            f"      {change.label} : {change.before} → {change.after}"
                        )
            for name in result.departments_created:
                self.stdout.write(_("+ service   %(name)s") % {"name": name})
        counts = result.counts
        summary = (
            _(
                "%(rows)s lignes : %(created)s créé(s), %(updated)s modifié(s), "
                "%(deactivated)s désactivé(s), %(unchanged)s inchangé(s) ; "
                "%(departments_created)s service(s) et %(accounts_created)s compte(s) créés."
            )
            % counts
        )
        if result.dry_run:
            self.stdout.write(self.style.WARNING(_("Simulation : rien n'a été enregistré.")))
            self.stdout.write(summary)
        else:
            self.stdout.write(self.style.SUCCESS(summary))
