"""The audit actions of calendar links (see `campus.core.audit`)."""

from django.utils.translation import gettext_lazy as _

from campus.core.audit import declare_actions

declare_actions(
    {
        "feed_token.create": _("Création d'un lien de calendrier"),
        "feed_token.revoke": _("Révocation d'un lien de calendrier"),
    },
    # FeedToken's agent and room have no verbose name of their own.
    change_labels={"agent": _("agent"), "room": _("salle")},
)
