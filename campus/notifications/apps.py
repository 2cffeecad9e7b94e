from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "campus.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401  (declares this app's audit actions)
        from .handlers import subscribe_all

        subscribe_all()
