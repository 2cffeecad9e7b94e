from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """The demo school, the data generator and the bench's floor page.

    Installed by the development, test and bench settings only: production has
    neither its commands nor its pages.
    """

    name = "campus.devtools"
    label = "devtools"
    verbose_name = _("Outils de développement")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (declares this app's audit actions)
