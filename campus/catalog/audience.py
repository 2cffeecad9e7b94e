"""Who may sign up for a course: the one rule, shared by the catalogue and registrations."""

from __future__ import annotations

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from campus.core.exceptions import Refusal
from campus.people.models import Agent

from .models import Course


def _categories_label(letters: str) -> str:
    if len(letters) == 1:
        return _("Cette formation est réservée à la catégorie %(letter)s.") % {"letter": letters}
    names = get_text_list(list(letters), _("et"))
    return _("Cette formation est réservée aux catégories %(letters)s.") % {"letters": names}


def audience_refusal(*, course: Course, agent: Agent | None) -> Refusal | None:
    """None when `agent` may sign up for `course`, else the reason (its code and sentence).

    Restrictions add up: an agent must meet every one that is set. The first one
    missed is given, in the order a person would check them. Reads
    `course.audience_organisations.all()`, so prefetch it on lists.
    """
    if course.status == Course.Status.DRAFT:
        return Refusal(
            _("Cette formation n'est pas encore publiée."), code="audience.course_not_published"
        )
    if course.status == Course.Status.ARCHIVED:
        return Refusal(
            _("Cette formation est archivée : elle n'accepte plus d'inscriptions."),
            code="audience.course_archived",
        )
    if agent is None:
        return Refusal(
            _("Votre compte n'est rattaché à aucune fiche d'agent."), code="audience.no_agent"
        )
    if not agent.is_active:
        return Refusal(_("Votre fiche d'agent est inactive."), code="audience.agent_inactive")
    if course.audience != Course.Audience.RESTRICTED:
        return None
    if course.audience_managers_only and not agent.is_manager_position:
        return Refusal(
            _("Cette formation est réservée aux agents occupant un poste d'encadrement."),
            code="audience.managers_only",
        )
    # An agent without a category ("") must not pass: "" is in every string.
    allowed = set(course.audience_categories)
    if allowed and agent.category not in allowed:
        return Refusal(_categories_label(course.audience_categories), code="audience.category")
    organisations = list(course.audience_organisations.all())
    if organisations and agent.organisation_id not in {org.pk for org in organisations}:
        names = ", ".join(org.name for org in sorted(organisations, key=lambda org: org.name))
        return Refusal(
            _("Cette formation est réservée aux agents de : %(names)s.") % {"names": names},
            code="audience.organisation",
        )
    return None
