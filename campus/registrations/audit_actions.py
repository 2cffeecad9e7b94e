"""The audit actions of registrations, sessions' life and attendance (see `campus.core.audit`)."""

from django.utils.translation import gettext_lazy as _

from campus.core.audit import declare_actions

declare_actions(
    {"registration.create": _("Création d'une inscription")},
    change_labels={"mandatory": _("inscription obligatoire")},
)
declare_actions(
    {
        "registration.cancel": _("Annulation d'une inscription"),
        "registration.approve": _("Accord du responsable"),
        "registration.decline": _("Refus du responsable"),
        "registration.auto_decline": _("Demande refusée faute de réponse"),
        "registration.offer_accept": _("Place proposée acceptée"),
        "registration.offer_decline": _("Place proposée refusée"),
    }
)
declare_actions(
    {"session.waitlist_mode": _("Changement du mode de liste d'attente")},
    change_labels={"mode": _("liste d'attente"), "offer_hours": _("durée de l'offre (heures)")},
)
declare_actions(
    {
        "session.open": _("Publication d'une session"),
        "session.cancel": _("Annulation d'une session"),
        "attendance.mark": _("Saisie des présences"),
        "attendance.check_in": _("Émargement par l'agent"),
    }
)
declare_actions(
    {"attendance.close": _("Clôture de l'émargement")},
    change_labels={"filled_unexcused": _("absences non excusées ajoutées")},
)
declare_actions(
    {"attendance.reopen": _("Réouverture de l'émargement")},
    change_labels={"attendance_closed_at": _("émargement clos le")},
)
