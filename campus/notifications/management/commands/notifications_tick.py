"""`manage.py notifications_tick`: reminders, alerts, digests, offers and retries that are due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from campus.notifications import tick


class Command(BaseCommand):
    help = (
        "Expire les places proposées, refuse les demandes restées sans réponse, envoie les "
        "rappels, les alertes de sessions sous le minimum, les récapitulatifs des responsables "
        "et relance les courriels en attente. À lancer toutes les 5 minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = tick.run()
        summary = ", ".join(f"{name}={count}" for name, count in report.counts.items())
        self.stdout.write(summary)
        if report.errors:
            raise CommandError("; ".join(report.errors))
