from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "campus.documents"
    label = "documents"
    verbose_name = _("Documents et calendriers")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (declares this app's audit actions)
