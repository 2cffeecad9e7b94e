"""Print the demo school's sign-in details (used by `make run`)."""

from typing import Any

from django.core.management.base import BaseCommand

from campus.devtools.demo.people import demo_logins, format_logins_table


class Command(BaseCommand):
    help = "Affiche les identifiants de démonstration."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(format_logins_table(demo_logins()))
