"""The audit actions of agents, accounts and the HR import (see `campus.core.audit`)."""

from django.utils.translation import gettext_lazy as _

from campus.core.audit import declare_actions

declare_actions(
    {
        "organisation.create": _("Création d'une structure"),
        "department.create": _("Création d'un service"),
        "agent.create": _("Création d'un agent"),
        "agent.update": _("Modification d'un agent"),
        "agent.deactivate": _("Départ d'un agent"),
        "user.create": _("Création d'un compte"),
        "user.set_role": _("Changement de rôle"),
        "user.set_language": _("Changement de langue"),
    }
)
declare_actions(
    {
        "first_signin_code.issue": _("Courrier de première connexion"),
        "first_signin_code.redeem": _("Première connexion"),
        "first_signin_code.revoke": _("Code de première connexion révoqué"),
    },
    change_labels={
        "code": _("code de première connexion"),
        "expires_at": _("valable jusqu'au"),
        "revoked_codes": _("codes précédents révoqués"),
    },
)
# The import's summary entry: its changes are the counts of the result page.
declare_actions(
    {"agents.import": _("Import du fichier RH")},
    change_labels={
        "rows": _("Lignes lues"),
        "created": _("Agents créés"),
        "updated": _("Agents modifiés"),
        "deactivated": _("Agents désactivés"),
        "unchanged": _("Agents inchangés"),
        "accounts_created": _("Comptes de connexion créés"),
        "departments_created": _("Services créés"),
    },
)
