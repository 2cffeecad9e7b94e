"""Template context shared by every page: the school's name and the navigation by role."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _

from campus.core import policies as core_policies
from campus.notifications import policies as notifications_policies
from campus.people import policies as people_policies
from campus.scheduling import policies as scheduling_policies


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def _url(name: str) -> str:
    # The navigation's addresses take no argument and never change while the process
    # runs (for a given prefix the site is served under): resolved once, not per page.
    return _reversed(name, get_script_prefix())


@cache
def _reversed(name: str, prefix: str) -> str:
    return reverse(name)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"school_name": settings.SCHOOL_NAME, "nav_items": []}
    if user is None or not user.is_authenticated:
        return context
    entries: list[tuple[str, str]] = [(_("Accueil"), _url("portal:home"))]
    if user.agent_id is not None:
        entries.append((_("Mon profil"), reverse("people:agent_detail", args=[user.agent_id])))
        entries.append((_("Mes formations"), _url("registrations:mine")))
        if people_policies.is_manager(user):
            entries.append((_("Mon équipe"), _url("people:my_team")))
            entries.append((_("Formations de l'équipe"), _url("registrations:team")))
    entries.append((_("Catalogue"), _url("portal:catalogue")))
    entries.append((_("Programme du mois"), _url("scheduling:month_programme")))
    if user.agent_id is not None:
        # Every agent may teach; the page says so when they have no session yet.
        entries.append((_("Mes animations"), _url("sessions:trainer")))
    if scheduling_policies.can_manage_sessions(user):
        entries.append((_("Programmation"), _url("scheduling:calendar")))
    if people_policies.can_list_agents(user):
        entries.append((_("Agents"), _url("people:agent_list")))
    if people_policies.can_import_agents(user):
        entries.append((_("Import RH"), _url("people:import")))
    if core_policies.can_view_audit_log(user):
        entries.append((_("Journal"), _url("core:audit_log")))
    if core_policies.can_use_admin(user):
        entries.append((_("Administration"), _url("admin:index")))
    if notifications_policies.can_view_offline_notices(user):
        entries.append((_("À informer"), _url("notifications:offline_notices")))
    entries.append((_("Mon compte"), _url("people:account")))
    context["nav_items"] = _mark_current(entries, request.path)
    return context


def _mark_current(entries: list[tuple[str, str]], path: str) -> list[NavItem]:
    """Only the most specific entry matching the path is current (/agents/import/ is not "Agents")."""
    matches = [
        url for _label, url in entries if path == url or (url != "/" and path.startswith(url))
    ]
    current = max(matches, key=len) if matches else None
    return [NavItem(label, url, current=(url == current)) for label, url in entries]
