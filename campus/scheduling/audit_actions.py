"""The audit actions of venues, rooms and sessions (see `campus.core.audit`)."""

from django.utils.translation import gettext_lazy as _

from campus.core.audit import declare_actions

declare_actions(
    {
        "venue.create": _("Création d'un lieu"),
        "venue.update": _("Modification d'un lieu"),
        "room.create": _("Création d'une salle"),
        "room.update": _("Modification d'une salle"),
    }
)
# A session's snapshot holds its parts (date, times, room) beside its own fields.
declare_actions(
    {
        "session.create": _("Création d'une session"),
        "session.update": _("Modification d'une session"),
    },
    change_labels={"parts": _("parties de session")},
)
declare_actions(
    {"session.conflict_override": _("Conflit de planning maintenu")},
    change_labels={"conflicts": _("conflits maintenus")},
)
