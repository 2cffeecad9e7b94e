from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The home page, the navigation and the pages that compose several apps."""

    name = "campus.portal"
    label = "portal"
    verbose_name = _("Portail")
