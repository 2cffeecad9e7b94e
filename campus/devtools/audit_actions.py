"""The audit actions of the demo school and the data generator (see `campus.core.audit`)."""

from django.utils.translation import gettext_lazy as _

from campus.core.audit import declare_actions

declare_actions(
    {"demo.load": _("Chargement de l'école de démonstration")},
    change_labels={
        "organisations": _("structures"),
        "departments": _("services"),
        "agents": _("agents"),
        "users": _("comptes"),
    },
)
declare_actions(
    {"scheduling.demo_load": _("Chargement de la programmation de démonstration")},
    change_labels={"sessions": _("sessions"), "parts": _("parties de session")},
)
declare_actions(
    {"datagen.generate": _("Génération de données de test")},
    change_labels={
        "sizes": _("tailles"),
        "seed": _("graine"),
        "reference": _("date de référence"),
        "digest": _("empreinte"),
        "counts": _("lignes écrites"),
        "fixtures": _("repères pour les mesures"),
    },
)
