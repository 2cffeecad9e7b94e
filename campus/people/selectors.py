"""Reads for the people pages. Each returns its data in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet

from .hierarchy import MAX_HIERARCHY_DEPTH
from .models import Agent, Department, Organisation, User

AGENT_LIST_PAGE_SIZE = 50

# Filter value meaning "agents without a category" (the stored value is the empty string,
# which a form cannot tell apart from "no filter").
NO_CATEGORY = "-"


def _agent_rows() -> QuerySet[Agent]:
    return Agent.objects.select_related("organisation", "department", "manager")


# --- Agent list ---------------------------------------------------------------


# Choices of the tri-state filters: the filter's value, then what it keeps.
_ACTIVE = {"active": Q(is_active=True), "inactive": Q(is_active=False)}
_MANAGER_POSITION = {"yes": Q(is_manager_position=True), "no": Q(is_manager_position=False)}


def _words(q: str) -> Q:
    """Every word of `q` must match one of the agent's names, matricule or e-mail."""
    condition = Q()
    for word in q.split():
        condition &= (
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(matricule__icontains=word)
            | Q(email__icontains=word)
        )
    return condition


def agent_list(
    *,
    q: str = "",
    organisation: Organisation | None = None,
    department: Department | None = None,
    category: str = "",
    status: str = "",
    active: str = "active",
    manager_position: str = "",
    without_email: bool = False,
    descending: bool = False,
) -> QuerySet[Agent]:
    """Agents matching the filters, sorted by name. Every word of `q` must match a field."""
    condition = _words(q) & _ACTIVE.get(active, Q()) & _MANAGER_POSITION.get(manager_position, Q())
    if organisation is not None:
        condition &= Q(organisation=organisation)
    if department is not None:
        condition &= Q(department=department)
    if category:
        condition &= Q(category="" if category == NO_CATEGORY else category)
    if status:
        condition &= Q(status=status)
    if without_email:
        condition &= Q(email="")
    order = ["last_name", "first_name", "id"]
    if descending:
        order = [f"-{name}" for name in order]
    return _agent_rows().filter(condition).order_by(*order)


def departments_for_choice() -> QuerySet[Department]:
    """Departments with their organisation, for a drop-down list that names both."""
    return Department.objects.select_related("organisation").order_by("organisation__name", "name")


# --- One agent ----------------------------------------------------------------


@dataclass(frozen=True)
class AccountState:
    """What the profile page says about the agent's sign-in account."""

    user: User | None

    @property
    def exists(self) -> bool:
        return self.user is not None

    @property
    def has_signed_in(self) -> bool:
        return self.user is not None and self.user.last_login is not None

    @property
    def has_usable_password(self) -> bool:
        return self.user is not None and self.user.has_usable_password()

    @property
    def role_label(self) -> str:
        return self.user.get_role_display() if self.user is not None else ""


def agent_profile(pk: int) -> Agent:
    """The agent with everything the profile page shows, active reports included.

    Raises Agent.DoesNotExist.
    """
    reports = Prefetch(
        "reports",
        queryset=Agent.objects.filter(is_active=True).select_related("department"),
        to_attr="active_reports",
    )
    return (
        Agent.objects.select_related(
            "organisation", "department", "department__parent", "manager", "user"
        )
        .prefetch_related(reports)
        .get(pk=pk)
    )


def account_state(agent: Agent) -> AccountState:
    try:
        user: User | None = agent.user
    except ObjectDoesNotExist:
        user = None
    return AccountState(user=user)


def agent_summary(pk: int) -> Agent:
    """The agent with the relations the home page shows. Raises Agent.DoesNotExist."""
    return Agent.objects.select_related("organisation", "department", "manager").get(pk=pk)


def direct_reports(manager: Agent) -> list[Agent]:
    return list(Agent.objects.filter(manager=manager, is_active=True).order_by("last_name"))


# --- Teams --------------------------------------------------------------------


@dataclass
class TeamGroup:
    """The reports of one agent below the top manager, at `level` (2 = reports of reports)."""

    manager: Agent
    level: int
    members: list[Agent]


@dataclass
class Team:
    manager: Agent
    direct: list[Agent]
    groups: list[TeamGroup] = field(default_factory=list)
    # Ids of the listed agents who manage someone, to link to their own team page.
    manager_ids: set[int] = field(default_factory=set)
    truncated: bool = False

    @property
    def indirect_count(self) -> int:
        return sum(len(group.members) for group in self.groups)

    @property
    def size(self) -> int:
        return len(self.direct) + self.indirect_count


def team(
    manager: Agent, *, max_depth: int = MAX_HIERARCHY_DEPTH, with_details: bool = True
) -> Team:
    """The manager's active reports, direct and indirect, read one level per query.

    The cost depends on the depth of the hierarchy, never on the number of agents;
    `max_depth` and the `seen` set guard against loops left by bad data. Without
    `with_details`, members come with their organisation only (not their department
    and manager): enough for a list of names and references, and a narrower join.
    """
    rows = _agent_rows() if with_details else Agent.objects.select_related("organisation")
    seen: set[int] = {manager.pk}
    levels: list[list[Agent]] = []
    current_ids = [manager.pk]
    truncated = False
    while current_ids:
        if len(levels) >= max_depth:
            truncated = True
            break
        members = [
            agent
            for agent in rows.filter(manager_id__in=current_ids, is_active=True).order_by(
                "last_name", "first_name", "id"
            )
            if agent.pk not in seen
        ]
        seen.update(agent.pk for agent in members)
        if members:
            levels.append(members)
        current_ids = [agent.pk for agent in members]

    result = Team(manager=manager, direct=levels[0] if levels else [], truncated=truncated)
    for depth, members in enumerate(levels[1:], start=2):
        by_manager: dict[int, list[Agent]] = defaultdict(list)
        for agent in members:
            by_manager[agent.manager_id or 0].append(agent)
        # Groups follow the order of their managers in the level above.
        for above in levels[depth - 2]:
            if above.pk in by_manager:
                result.groups.append(
                    TeamGroup(manager=above, level=depth, members=by_manager[above.pk])
                )
                result.manager_ids.add(above.pk)
    return result


def agents_by_references(
    references: list[tuple[str, str]], *, active_only: bool = True
) -> dict[tuple[str, str], Agent]:
    """Agents typed as (organisation code, matricule), keyed by both lower-cased.

    Forms that accept "ORG/matricule" instead of a select of every agent all look
    agents up here. One query when every reference is found: the matricule as typed,
    upper- or lower-cased, uses the (organisation, matricule) index. A case-insensitive
    comparison cannot use it and reads every agent (~60 ms for 50,000 on SQLite), so it
    is kept for the references not found that way (a mixed-case matricule, or a typo).
    """
    if not references:
        return {}

    def lookup(condition: Q) -> dict[tuple[str, str], Agent]:
        agents = Agent.objects.filter(condition).select_related("organisation")
        if active_only:
            agents = agents.filter(is_active=True)
        return {(a.organisation.code.lower(), a.matricule.lower()): a for a in agents}

    indexed = Q()
    for code, matricule in references:
        spellings = {matricule, matricule.upper(), matricule.lower()}
        indexed |= Q(organisation__code__iexact=code, matricule__in=spellings)
    found = lookup(indexed)
    missing = [(c, m) for c, m in references if (c.lower(), m.lower()) not in found]
    if missing:
        scan = Q()
        for code, matricule in missing:
            scan |= Q(organisation__code__iexact=code, matricule__iexact=matricule)
        found.update(lookup(scan))
    return found
