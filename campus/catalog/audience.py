"""Who may sign up for a course: the one rule, shared by the catalogue and registrations."""

from __future__ import annotations

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from campus.people.models import Agent

from .models import Course


def _categories_label(letters: str) -> str:
    if len(letters) == 1:
        return _("Cette formation est réservée à la catégorie %(letter)s.") % {"letter": letters}
    names = get_text_list(list(letters), _("et"))
    return _("Cette formation est réservée aux catégories %(letters)s.") % {"letters": names}


def audience_refusal(*, course: Course, agent: Agent | None) -> str | None:
    """None when `agent` may sign up for `course`, else the reason, as a French sentence.

    Restrictions add up: an agent must meet every one that is set. The first one
    missed is given, in the order a person would check them. Reads
    `course.audience_organisations.all()`, so prefetch it on lists.
    """
    if course.status == Course.Status.DRAFT:
        return _("Cette formation n'est pas encore publiée.")
    if course.status == Course.Status.ARCHIVED:
        return _("Cette formation est archivée : elle n'accepte plus d'inscriptions.")
    if agent is None:
        return _("Votre compte n'est rattaché à aucune fiche d'agent.")
    if not agent.is_active:
        return _("Votre fiche d'agent est inactive.")
    if course.audience != Course.Audience.RESTRICTED:
        return None
    if course.audience_managers_only and not agent.is_manager_position:
        return _("Cette formation est réservée aux agents occupant un poste d'encadrement.")
    # An agent without a category ("") must not pass: "" is in every string.
    allowed = set(course.audience_categories)
    if allowed and agent.category not in allowed:
        return _categories_label(course.audience_categories)
    organisations = list(course.audience_organisations.all())
    if organisations and agent.organisation_id not in {org.pk for org in organisations}:
        names = ", ".join(org.name for org in sorted(organisations, key=lambda org: org.name))
        return _("Cette formation est réservée aux agents de : %(names)s.") % {"names": names}
    return None
