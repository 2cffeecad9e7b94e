from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "campus.scheduling"
    label = "scheduling"
    verbose_name = _("Programmation")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (declares this app's audit actions)
