from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "campus.registrations"
    label = "registrations"
    verbose_name = _("Inscriptions")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (declares this app's audit actions)
