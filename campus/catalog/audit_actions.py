"""The audit actions of the catalogue (see `campus.core.audit`)."""

from django.utils.translation import gettext_lazy as _

from campus.core.audit import declare_actions

declare_actions(
    {
        "programme.create": _("Création d'un programme"),
        "programme.update": _("Modification d'un programme"),
        "theme.create": _("Création d'un thème"),
        "course.create": _("Création d'une formation"),
        "course.update": _("Modification d'une formation"),
        "course.publish": _("Publication d'une formation"),
        "course.archive": _("Archivage d'une formation"),
        "course.duplicate": _("Duplication d'une formation"),
    }
)
