from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "campus.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (declares this app's audit actions)
