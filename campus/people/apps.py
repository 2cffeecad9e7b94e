from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "campus.people"
    label = "people"
    verbose_name = _("Agents et structures")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (declares this app's audit actions)
