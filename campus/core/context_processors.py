"""Template context shared by every page: the school's name and the navigation by role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from . import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    context: dict[str, Any] = {"school_name": settings.SCHOOL_NAME, "nav_items": []}
    if user is None or not user.is_authenticated:
        return context
    entries: list[tuple[str, str]] = [(_("Accueil"), reverse("core:home"))]
    if user.agent_id is not None:
        entries.append((_("Mon profil"), reverse("people:agent_detail", args=[user.agent_id])))
        if permissions.is_manager(user):
            entries.append((_("Mon équipe"), reverse("people:my_team")))
    if permissions.can_list_agents(user):
        entries.append((_("Agents"), reverse("people:agent_list")))
    if permissions.can_import_agents(user):
        entries.append((_("Import RH"), reverse("people:import")))
    if permissions.can_view_audit_log(user):
        entries.append((_("Journal"), reverse("core:audit_log")))
    if permissions.can_use_admin(user):
        entries.append((_("Administration"), reverse("admin:index")))
    entries.append((_("Mon compte"), reverse("people:account")))
    path = request.path
    home = reverse("core:home")
    context["nav_items"] = [
        NavItem(label, url, current=(path == url) if url == home else path.startswith(url))
        for label, url in entries
    ]
    return context
