"""Print the demo school's sign-in details (used by `make run`)."""

from typing import Any

from django.core.management.base import BaseCommand

from campus.people.demo import demo_logins


class Command(BaseCommand):
    help = "Affiche les identifiants de démonstration."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_logins()
        width = max(len(role) for role, _login, _pw in rows)
        login_width = max(len(login) for _role, login, _pw in rows)
        self.stdout.write("Identifiants de démonstration :")
        for role, login, password in rows:
            self.stdout.write(f"  {role.ljust(width)}  {login.ljust(login_width)}  {password}")
