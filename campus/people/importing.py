"""The HR import of agents: validate a whole CSV file, then apply it in one transaction.

`agents_import` is the write service used by the `import_agents` command and
the coordinator's import page. The file is all-or-nothing: every row is
checked first, and one bad row refuses the file with a French message per
line. A dry run computes the same plan and writes nothing.

Large files (tens of thousands of rows) stay fast because the existing agents,
departments and accounts of the file's organisations are read in a handful of
queries and written back with bulk_create / bulk_update.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core import data_versions
from campus.core.actors import Actor
from campus.core.audit import audit_entry, audit_record_many, diff, snapshot
from campus.core.exceptions import NotAllowed
from campus.core.models import AuditEntry

from . import policies
from .auth_backends import matricule_login
from .hierarchy import MAX_HIERARCHY_DEPTH
from .import_parsing import (
    ImportRefused,
    LineError,
    ParsedFile,
    ParsedRow,
    fold,
    parse_bool,
    parse_category,
    parse_csv,
    parse_date,
    parse_department_path,
    parse_gender,
    parse_status,
)
from .models import Agent, Department, Organisation, User
from .services import AGENT_FIELDS

__all__ = [
    "AgentLine",
    "FieldChange",
    "ImportRefused",
    "ImportResult",
    "LineError",
    "agents_import",
]

# (organisation id, matricule folded): how an agent is found, in the file and in the database.
Key = tuple[int, str]
# (organisation id, folded department names from the root).
DeptKey = tuple[int, tuple[str, ...]]

BATCH_SIZE = 500

# Plain fields: model field -> (column, parser). Department, manager and is_active are derived.
_TEXT_LIMITS = {"last_name": 150, "first_name": 150, "email": 254, "phone": 30, "job_title": 200}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class AgentLine:
    """One agent in the import report."""

    organisation: str
    matricule: str
    full_name: str
    line: int | None = None
    department: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    note: str = ""


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    created: list[AgentLine] = field(default_factory=list)
    updated: list[AgentLine] = field(default_factory=list)
    deactivated: list[AgentLine] = field(default_factory=list)
    unchanged: int = 0
    departments_created: list[str] = field(default_factory=list)
    accounts_created: int = 0
    warnings: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "deactivated": len(self.deactivated),
            "unchanged": self.unchanged,
            "departments_created": len(self.departments_created),
            "accounts_created": self.accounts_created,
        }

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.deactivated or self.departments_created)


def agents_import(
    *,
    actor: Actor,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    deactivate_missing: bool = False,
    today: datetime.date | None = None,
) -> ImportResult:
    """Import agents from an HR CSV file. Raises ImportRefused (nothing written) on any bad row.

    `actor` None means the system (the management command); any other actor
    must be allowed by `policies.can_import_agents`.
    """
    if actor is not None and not policies.can_import_agents(actor):
        raise NotAllowed(_("Vous ne pouvez pas importer d'agents."))
    parsed = parse_csv(content)
    today = today or timezone.localdate()
    if dry_run:
        return _Planner(parsed, filename, today, deactivate_missing).plan().result(dry_run=True)
    try:
        with transaction.atomic():
            plan = _Planner(parsed, filename, today, deactivate_missing).plan()
            return _apply(plan, actor=actor)
    except IntegrityError as exc:
        # Another import or an edit changed the same agents meanwhile.
        raise ImportRefused(
            [
                LineError(
                    None,
                    _("Les données ont changé pendant l'import (%(detail)s). Relancez l'import.")
                    % {"detail": exc},
                )
            ]
        ) from exc


# --- Planning -------------------------------------------------------------------


def _matricule_key(matricule: str) -> str:
    return matricule.strip().casefold()


@dataclass
class _Row:
    line: int
    org: Organisation
    matricule: str
    key: Key
    values: dict[str, Any]
    department: tuple[str, ...] | None = None
    has_department: bool = False
    manager: Key | None = None
    has_manager: bool = False
    manager_label: str = ""


@dataclass
class _PlannedAgent:
    row: _Row
    agent: Agent | None
    desired: dict[str, Any]
    department: int | DeptKey | None
    changes: list[FieldChange]
    # Fixed at planning time: `agent` is filled in once a new agent is inserted.
    is_new: bool = False
    new_login: str = ""
    new_email: str | None = None


@dataclass
class _Plan:
    filename: str
    parsed: ParsedFile
    planned: list[_PlannedAgent]
    missing: list[Agent]
    new_departments: dict[DeptKey, tuple[str, ...]]
    existing_by_key: dict[Key, Agent]
    dept_ids: dict[DeptKey, int]
    dept_labels: dict[int, str]
    org_codes: dict[int, str]

    @property
    def created(self) -> list[_PlannedAgent]:
        return [p for p in self.planned if p.is_new]

    @property
    def changed(self) -> list[_PlannedAgent]:
        return [p for p in self.planned if not p.is_new and p.changes]

    def result(self, *, dry_run: bool) -> ImportResult:
        result = ImportResult(
            filename=self.filename,
            dry_run=dry_run,
            warnings=list(self.parsed.warnings),
            rows=len(self.parsed.rows),
        )
        for p in self.planned:
            row = p.row
            line = AgentLine(
                organisation=row.org.code,
                matricule=row.matricule,
                full_name=_full_name(p.desired),
                line=row.line,
                department=self._department_label(p.department),
                changes=p.changes,
            )
            if p.is_new:
                if not p.desired["is_active"]:
                    line.note = _("départ déjà passé : créé inactif")
                result.created.append(line)
                if p.new_login:
                    result.accounts_created += 1
            elif not p.changes:
                result.unchanged += 1
            elif p.agent is not None and p.agent.is_active and not p.desired["is_active"]:
                line.note = _("date de départ passée")
                result.deactivated.append(line)
            else:
                result.updated.append(line)
        for agent in self.missing:
            result.deactivated.append(
                AgentLine(
                    organisation=self.org_codes[agent.organisation_id],
                    matricule=agent.matricule,
                    full_name=agent.full_name,
                    department=self.dept_labels.get(agent.department_id or 0, ""),
                    changes=[
                        FieldChange("is_active", str(_field_label("is_active")), _("oui"), _("non"))
                    ],
                    note=_("absent du fichier"),
                )
            )
        result.departments_created = [
            f"{self.org_codes[org_id]} : {' > '.join(names)}"
            for (org_id, _folded), names in self.new_departments.items()
        ]
        return result

    def _department_label(self, department: int | DeptKey | None) -> str:
        if department is None:
            return ""
        if isinstance(department, int):
            return self.dept_labels.get(department, "")
        return " > ".join(self.new_departments[department])


def _full_name(values: dict[str, Any]) -> str:
    return f"{values['first_name']} {values['last_name'].upper()}".strip()


def _agent_field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Agent._meta.get_field(name))


def _field_label(name: str) -> str:
    return str(_agent_field(name).verbose_name)


class _Planner:
    """Reads what the file needs from the database in bulk and works out every change."""

    def __init__(
        self, parsed: ParsedFile, filename: str, today: datetime.date, deactivate_missing: bool
    ) -> None:
        self.parsed = parsed
        self.filename = filename
        self.today = today
        self.deactivate_missing = deactivate_missing
        self.columns = parsed.columns
        self.errors: list[LineError] = []

    def error(self, line: int, message: str) -> None:
        self.errors.append(LineError(line, message))

    # The steps, in order -----------------------------------------------------

    def plan(self) -> _Plan:
        self._load_organisations()
        rows = [row for row in (self._read_row(r) for r in self.parsed.rows) if row is not None]
        self._load_agents(rows)
        rows = self._drop_duplicates(rows)
        self._check_managers(rows)
        self._load_departments()
        planned = [self._plan_agent(row) for row in rows]
        self._check_loops(rows)
        self._plan_accounts(planned)
        if self.errors:
            raise ImportRefused(self.errors, self.parsed.warnings)
        return _Plan(
            filename=self.filename,
            parsed=self.parsed,
            planned=planned,
            missing=self._missing(rows),
            new_departments=self.new_departments,
            existing_by_key=self.existing,
            dept_ids=self.dept_ids,
            dept_labels=self.dept_labels,
            org_codes={org.pk: org.code for org in self.orgs_by_code.values()},
        )

    def _load_organisations(self) -> None:
        orgs = list(Organisation.objects.all())
        self.orgs_by_code = {org.code.casefold(): org for org in orgs}
        self.orgs_by_name = {fold(org.name): org for org in orgs}

    def _find_org(self, value: str) -> Organisation | None:
        return self.orgs_by_code.get(value.casefold()) or self.orgs_by_name.get(fold(value))

    def _read_org(self, line: int, value: str) -> Organisation | None:
        if not value:
            self.error(line, _("structure manquante."))
            return None
        org = self._find_org(value)
        if org is None:
            self.error(
                line,
                _("structure « %(value)s » inconnue (code ou nom attendu).") % {"value": value},
            )
        return org

    def _read_identity(self, line: int, cells: dict[str, str]) -> dict[str, Any]:
        """Check the matricule and the names; the names start the row's values."""
        matricule = cells["matricule"]
        if not matricule:
            self.error(line, _("matricule manquant."))
        elif len(matricule) > 40:
            self.error(line, _("matricule trop long (40 caractères au plus)."))
        if not cells["nom"]:
            self.error(line, _("nom manquant."))
        if not cells["prenom"]:
            self.error(line, _("prénom manquant."))
        return {"last_name": cells["nom"], "first_name": cells["prenom"]}

    def _read_row(self, parsed: ParsedRow) -> _Row | None:
        line, cells = parsed.line, parsed.values
        org = self._read_org(line, cells["structure"])
        matricule = cells["matricule"]
        values = self._read_identity(line, cells)
        self._read_values(line, cells, values)
        for name, limit in _TEXT_LIMITS.items():
            if len(values.get(name) or "") > limit:
                self.error(
                    line,
                    _("%(field)s trop long (%(limit)s caractères au plus).")
                    % {"field": _field_label(name), "limit": limit},
                )
        if org is None or not matricule:
            return None
        row = _Row(
            line=line,
            org=org,
            matricule=matricule,
            key=(org.pk, _matricule_key(matricule)),
            values=values,
        )
        if "service" in self.columns:
            row.has_department = True
            row.department = parse_department_path(cells["service"]) or None
            if row.department and any(len(part) > 200 for part in row.department):
                self.error(line, _("nom de service trop long (200 caractères au plus)."))
        if "matricule_responsable" in self.columns:
            row.has_manager = True
            self._read_manager_ref(row, cells)
        return row

    def _read_values(self, line: int, cells: dict[str, str], values: dict[str, Any]) -> None:
        if "email" in self.columns:
            email = cells["email"].lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    self.error(
                        line,
                        _("adresse e-mail « %(value)s » invalide.") % {"value": cells["email"]},
                    )
            values["email"] = email
        simple = {"telephone": "phone", "emploi": "job_title"}
        for column, name in simple.items():
            if column in self.columns:
                values[name] = cells[column]
        parsers: list[tuple[str, str, Any]] = [
            ("categorie", "category", parse_category),
            ("statut", "status", parse_status),
            ("sexe", "gender", parse_gender),
            ("encadrant", "is_manager_position", lambda v: parse_bool(v, _("encadrant"))),
            ("encadrant_depuis", "manager_position_since", parse_date),
            ("date_arrivee", "arrival_date", parse_date),
            ("date_depart", "departure_date", parse_date),
        ]
        for column, name, parser in parsers:
            if column not in self.columns:
                continue
            try:
                value = parser(cells[column])
            except ValueError as exc:
                self.error(line, str(exc))
                continue
            if value is not None or name != "status":
                values[name] = value

    def _read_manager_ref(self, row: _Row, cells: dict[str, str]) -> None:
        matricule = cells["matricule_responsable"]
        if not matricule:
            return
        org: Organisation | None = row.org
        org_value = cells.get("structure_responsable", "")
        if org_value:
            org = self._find_org(org_value)
            if org is None:
                self.error(
                    row.line,
                    _("structure du responsable « %(value)s » inconnue.") % {"value": org_value},
                )
                return
        assert org is not None
        row.manager = (org.pk, _matricule_key(matricule))
        row.manager_label = f"{matricule} ({org.code})" if org.pk != row.org.pk else matricule
        if row.manager == row.key:
            self.error(row.line, _("un agent ne peut pas être son propre responsable."))
            row.manager = None

    def _load_agents(self, rows: list[_Row]) -> None:
        self.file_org_ids = {row.org.pk for row in rows}
        manager_org_ids = {row.manager[0] for row in rows if row.manager is not None}
        self.existing: dict[Key, Agent] = {}
        self.agents_by_id: dict[int, Agent] = {}
        for agent in Agent.objects.filter(organisation_id__in=self.file_org_ids | manager_org_ids):
            self.existing.setdefault(
                (agent.organisation_id, _matricule_key(agent.matricule)), agent
            )
            self.agents_by_id[agent.pk] = agent

    def _drop_duplicates(self, rows: list[_Row]) -> list[_Row]:
        first_line: dict[Key, int] = {}
        kept = []
        for row in rows:
            if row.key in first_line:
                self.error(
                    row.line,
                    _(
                        "matricule « %(matricule)s » en double dans le fichier "
                        "(déjà ligne %(first)s)."
                    )
                    % {"matricule": row.matricule, "first": first_line[row.key]},
                )
                continue
            first_line[row.key] = row.line
            kept.append(row)
        self.file_keys = first_line
        return kept

    def _check_managers(self, rows: list[_Row]) -> None:
        for row in rows:
            if row.manager is None:
                continue
            if row.manager not in self.file_keys and row.manager not in self.existing:
                self.error(
                    row.line,
                    _(
                        "responsable de matricule « %(matricule)s » introuvable, "
                        "ni dans le fichier ni parmi les agents connus."
                    )
                    % {"matricule": row.manager_label},
                )
                row.manager = None

    def _load_departments(self) -> None:
        departments = list(Department.objects.filter(organisation_id__in=self.file_org_ids))
        by_id = {d.pk: d for d in departments}
        self.dept_ids: dict[DeptKey, int] = {}
        self.dept_labels: dict[int, str] = {}
        # Leaf name -> department ids, for files that give only the service's own name.
        self.dept_by_leaf: dict[tuple[int, str], list[int]] = {}
        for dept in departments:
            names: list[str] = []
            current: Department | None = dept
            for _depth in range(MAX_HIERARCHY_DEPTH):
                if current is None:
                    break
                names.append(current.name)
                current = by_id.get(current.parent_id) if current.parent_id else None
            names.reverse()
            self.dept_ids.setdefault((dept.organisation_id, tuple(fold(n) for n in names)), dept.pk)
            self.dept_labels[dept.pk] = " > ".join(names)
            self.dept_by_leaf.setdefault((dept.organisation_id, fold(dept.name)), []).append(
                dept.pk
            )
        self.new_departments: dict[DeptKey, tuple[str, ...]] = {}

    def _resolve_department(self, org_id: int, path: tuple[str, ...]) -> int | DeptKey:
        key: DeptKey = (org_id, tuple(fold(part) for part in path))
        if key in self.dept_ids:
            return self.dept_ids[key]
        if len(path) == 1:
            leaves = self.dept_by_leaf.get((org_id, key[1][0]), [])
            if len(leaves) == 1:
                return leaves[0]
        for depth in range(1, len(path) + 1):
            prefix: DeptKey = (org_id, key[1][:depth])
            if prefix not in self.dept_ids and prefix not in self.new_departments:
                self.new_departments[prefix] = path[:depth]
        return key

    def _plan_agent(self, row: _Row) -> _PlannedAgent:
        agent = self.existing.get(row.key)
        if agent is not None:
            current = {
                name: getattr(agent, name)
                for name in AGENT_FIELDS
                if name not in ("organisation", "department", "manager")
            }
            department: int | DeptKey | None = agent.department_id
        else:
            current = {
                name: _agent_field(name).get_default()
                for name in AGENT_FIELDS
                if name not in ("organisation", "department", "manager")
            }
            current["matricule"] = row.matricule
            department = None
        desired = {**current, **row.values}
        if row.has_department:
            department = (
                self._resolve_department(row.org.pk, row.department) if row.department else None
            )
        departure = desired["departure_date"]
        desired["is_active"] = departure is None or departure >= self.today
        arrival = desired["arrival_date"]
        if departure is not None and arrival is not None and departure < arrival:
            self.error(
                row.line,
                _("la date de départ (%(departure)s) précède la date d'arrivée (%(arrival)s).")
                % {
                    "departure": departure.strftime("%d/%m/%Y"),
                    "arrival": arrival.strftime("%d/%m/%Y"),
                },
            )
        planned = _PlannedAgent(
            row=row,
            agent=agent,
            desired=desired,
            department=department,
            changes=[],
            is_new=agent is None,
        )
        if agent is not None:
            planned.changes = self._changes(planned, current)
        return planned

    def _changes(self, planned: _PlannedAgent, current: dict[str, Any]) -> list[FieldChange]:
        agent, row = planned.agent, planned.row
        assert agent is not None
        changes = []
        for name in AGENT_FIELDS:
            if name in ("organisation", "matricule", "department", "manager"):
                continue
            before, after = current[name], planned.desired[name]
            if before != after:
                changes.append(
                    FieldChange(
                        name,
                        _field_label(name),
                        _display(agent, name, before),
                        _display(agent, name, after),
                    )
                )
        if planned.department != agent.department_id:
            after_label = (
                self.dept_labels.get(planned.department, "")
                if isinstance(planned.department, int)
                else " > ".join(row.department or ())
            )
            changes.append(
                FieldChange(
                    "department",
                    _field_label("department"),
                    self.dept_labels.get(agent.department_id or 0, "") or "—",
                    after_label or "—",
                )
            )
        if row.has_manager and row.manager != self._current_manager_key(agent):
            changes.append(
                FieldChange(
                    "manager",
                    _field_label("manager"),
                    self._manager_label(agent.manager_id),
                    row.manager_label or "—",
                )
            )
        return changes

    def _current_manager_key(self, agent: Agent) -> Key | None:
        if agent.manager_id is None:
            return None
        manager = self.agents_by_id.get(agent.manager_id)
        if manager is None:
            return (-1, str(agent.manager_id))  # outside the loaded organisations: differs
        return (manager.organisation_id, _matricule_key(manager.matricule))

    def _manager_label(self, manager_id: int | None) -> str:
        if manager_id is None:
            return "—"
        manager = self.agents_by_id.get(manager_id)
        if manager is None:
            # A manager in another organisation: rare enough to be read on its own.
            manager = Agent.objects.filter(pk=manager_id).first()
        return f"{manager.matricule} ({manager.full_name})" if manager else "—"

    def _check_loops(self, rows: list[_Row]) -> None:
        """Refuse any line-management loop, including loops closed through database agents."""
        rows_by_key = {row.key: row for row in rows}
        edges: dict[Key, Key | None] = {}
        ids_to_key = {agent.pk: key for key, agent in self.existing.items()}
        pending_ids: dict[Key, int] = {}
        for key, agent in self.existing.items():
            if key not in rows_by_key or not rows_by_key[key].has_manager:
                if agent.manager_id is not None:
                    pending_ids[key] = agent.manager_id
                else:
                    edges[key] = None
        for row in rows:
            if row.has_manager:
                edges[row.key] = row.manager
            elif row.key not in self.existing:
                edges[row.key] = None
        self._resolve_remote_managers(edges, ids_to_key, pending_ids)

        done: set[Key] = set()
        reported: set[Key] = set()
        for start in rows_by_key:
            path: list[Key] = []
            on_path: set[Key] = set()
            node: Key | None = start
            while node is not None and node not in done and node not in on_path:
                path.append(node)
                on_path.add(node)
                node = edges.get(node)
            if node is not None and node in on_path:
                cycle = path[path.index(node) :]
                self._report_loop(cycle, rows_by_key, reported)
            done.update(path)

    def _resolve_remote_managers(
        self, edges: dict[Key, Key | None], ids_to_key: dict[int, Key], pending_ids: dict[Key, int]
    ) -> None:
        # Managers in organisations not loaded yet: fetch them level by level, in bulk.
        for _depth in range(MAX_HIERARCHY_DEPTH):
            missing = {mid for mid in pending_ids.values() if mid not in ids_to_key}
            if missing:
                fetched = Agent.objects.filter(pk__in=missing).values_list(
                    "pk", "organisation_id", "matricule", "manager_id"
                )
                next_pending: dict[Key, int] = {}
                for pk, org_id, matricule, manager_id in fetched:
                    key = (org_id, _matricule_key(matricule))
                    ids_to_key[pk] = key
                    if key not in edges:
                        if manager_id is None:
                            edges[key] = None
                        else:
                            next_pending[key] = manager_id
            else:
                next_pending = {}
            for key, manager_id in pending_ids.items():
                edges[key] = ids_to_key.get(manager_id)
            if not next_pending:
                return
            pending_ids = next_pending

    def _report_loop(
        self, cycle: list[Key], rows_by_key: dict[Key, _Row], reported: set[Key]
    ) -> None:
        labels = []
        for key in [*cycle, cycle[0]]:
            row = rows_by_key.get(key)
            agent = self.existing.get(key)
            labels.append(row.matricule if row else agent.matricule if agent else key[1])
        chain = " → ".join(labels)
        for key in cycle:
            row = rows_by_key.get(key)
            if row is not None and key not in reported:
                reported.add(key)
                self.error(
                    row.line,
                    _(
                        "boucle hiérarchique : %(chain)s. Un agent ne peut pas "
                        "dépendre, même indirectement, de lui-même."
                    )
                    % {"chain": chain},
                )

    def _plan_accounts(self, planned: list[_PlannedAgent]) -> None:
        """Logins for new agents, as `services.user_ensure_for_agent` would choose them."""
        logins: set[str] = set()
        emails: set[str] = set()
        for login, email in User.objects.values_list("login", "email"):
            logins.add(login.lower())
            if email:
                emails.add(email.lower())
        for p in planned:
            if not p.is_new or not p.desired["is_active"]:
                continue
            fallback = matricule_login(p.row.org.code, p.row.matricule)
            email = p.desired["email"] or None
            login = (email or fallback).lower()
            if login in logins or (email and email in emails):
                login, email = fallback, None
            if login in logins:
                self.error(
                    p.row.line,
                    _("l'identifiant de connexion « %(login)s » est déjà pris par un autre compte.")
                    % {"login": login},
                )
                continue
            logins.add(login)
            if email:
                emails.add(email)
            p.new_login, p.new_email = login, email

    def _missing(self, rows: list[_Row]) -> list[Agent]:
        if not self.deactivate_missing:
            return []
        return [
            agent
            for key, agent in self.existing.items()
            if agent.organisation_id in self.file_org_ids
            and agent.is_active
            and key not in self.file_keys
        ]


def _display(agent: Agent, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    choices = dict(_agent_field(name).flatchoices)
    return str(choices.get(value, value))


# --- Applying -------------------------------------------------------------------


def _apply(plan: _Plan, *, actor: Actor) -> ImportResult:
    result = plan.result(dry_run=False)
    message = _("Import RH : %(file)s") % {"file": plan.filename or "—"}
    audits: list[AuditEntry] = []
    dept_ids = _create_departments(plan, actor=actor, message=message, audits=audits)
    key_to_id = {key: agent.pk for key, agent in plan.existing_by_key.items()}
    _insert_new_agents(plan, dept_ids, key_to_id)
    updates = _update_existing_agents(plan, dept_ids, key_to_id)

    users = [
        User(login=p.new_login, email=p.new_email, agent=p.agent, password=_unusable_password())
        for p in plan.created
        if p.new_login
    ]
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    _sync_account_activity(updates)

    for p in plan.created:
        assert p.agent is not None
        audits.append(
            audit_entry(
                actor=actor,
                action="agent.create",
                obj=p.agent,
                message=message,
                changes=diff({}, snapshot(p.agent, AGENT_FIELDS)),
            )
        )
    audits.extend(
        audit_entry(
            actor=actor,
            action="user.create",
            obj=user,
            message=message,
            changes={"login": {"before": None, "after": user.login}},
        )
        for user in users
    )
    audits.extend(
        audit_entry(actor=actor, action=action, obj=agent, changes=changes, message=message)
        for agent, changes, action in updates
    )
    audits.append(
        audit_entry(
            actor=actor,
            action="agents.import",
            object_type="people.import",
            object_label=plan.filename,
            changes=result.counts,
            message=message,
        )
    )
    data_versions.changed(data_versions.PEOPLE)
    audit_record_many(audits)
    return result


def _insert_new_agents(
    plan: _Plan, dept_ids: dict[DeptKey, int], key_to_id: dict[Key, int]
) -> None:
    """Insert new agents managers first, level by level, so every manager id is known."""
    waiting = list(plan.created)
    while waiting:
        ready = [p for p in waiting if p.row.manager is None or p.row.manager in key_to_id]
        # The plan has no loops, so each pass inserts at least one agent.
        assert ready
        ready_ids = {id(p) for p in ready}
        waiting = [p for p in waiting if id(p) not in ready_ids]
        agents = []
        for p in ready:
            p.agent = Agent(
                organisation=p.row.org,
                **_plain_fields(p.desired),
                department_id=_dept_id(p.department, dept_ids),
                manager_id=key_to_id[p.row.manager] if p.row.manager else None,
            )
            agents.append(p.agent)
        Agent.objects.bulk_create(agents, batch_size=BATCH_SIZE)
        for p in ready:
            assert p.agent is not None
            key_to_id[p.row.key] = p.agent.pk


def _update_existing_agents(
    plan: _Plan, dept_ids: dict[DeptKey, int], key_to_id: dict[Key, int]
) -> list[tuple[Agent, dict[str, Any], str]]:
    """Apply the planned changes; returns (agent, audit changes, audit action) per agent."""
    now = timezone.now()
    changed_fields: set[str] = set()
    updates: list[tuple[Agent, dict[str, Any], str]] = []
    for p in plan.changed:
        agent = p.agent
        assert agent is not None
        before = snapshot(agent, AGENT_FIELDS)
        was_active = agent.is_active
        for name, value in _plain_fields(p.desired).items():
            setattr(agent, name, value)
        agent.department_id = _dept_id(p.department, dept_ids)
        if p.row.has_manager:
            agent.manager_id = key_to_id[p.row.manager] if p.row.manager else None
        agent.updated_at = now
        changes = diff(before, snapshot(agent, AGENT_FIELDS))
        changed_fields.update(changes)
        action = "agent.deactivate" if was_active and not agent.is_active else "agent.update"
        updates.append((agent, changes, action))
    for agent in plan.missing:
        before = snapshot(agent, AGENT_FIELDS)
        agent.is_active = False
        agent.updated_at = now
        changed_fields.add("is_active")
        updates.append((agent, diff(before, snapshot(agent, AGENT_FIELDS)), "agent.deactivate"))
    if updates:
        Agent.objects.bulk_update(
            [agent for agent, _c, _a in updates],
            [*sorted(changed_fields), "updated_at"],
            batch_size=BATCH_SIZE,
        )
    return updates


def _plain_fields(desired: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in desired.items() if name in AGENT_FIELDS}


def _dept_id(department: int | DeptKey | None, created: dict[DeptKey, int]) -> int | None:
    if department is None or isinstance(department, int):
        return department
    return created[department]


def _create_departments(
    plan: _Plan, *, actor: Actor, message: str, audits: list[AuditEntry]
) -> dict[DeptKey, int]:
    """Create the missing departments level by level, so each parent exists before its children."""
    ids = dict(plan.dept_ids)
    by_depth = sorted(plan.new_departments.items(), key=lambda item: len(item[0][1]))
    created: list[Department] = []
    depth = 0
    while by_depth:
        depth += 1
        level = [(key, names) for key, names in by_depth if len(key[1]) == depth]
        by_depth = [item for item in by_depth if len(item[0][1]) != depth]
        departments = [
            Department(
                organisation_id=org_id,
                name=names[-1],
                parent_id=ids[(org_id, folded[:-1])] if len(folded) > 1 else None,
            )
            for (org_id, folded), names in level
        ]
        Department.objects.bulk_create(departments)
        for ((org_id, folded), _names), dept in zip(level, departments, strict=True):
            ids[(org_id, folded)] = dept.pk
        created.extend(departments)
    audits.extend(
        audit_entry(
            actor=actor,
            action="department.create",
            obj=dept,
            message=message,
            changes=diff({}, snapshot(dept, ["organisation", "parent", "name", "code"])),
        )
        for dept in created
    )
    return ids


def _unusable_password() -> str:
    # What set_unusable_password() stores, without its slow per-character random draw.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _sync_account_activity(updates: list[tuple[Agent, dict[str, Any], str]]) -> None:
    """Accounts follow their agent: off when the agent leaves, back on when they return."""
    off = [
        agent.pk
        for agent, changes, _a in updates
        if changes.get("is_active", {}).get("after") is False
    ]
    on = [
        agent.pk
        for agent, changes, _a in updates
        if changes.get("is_active", {}).get("after") is True
    ]
    for start in range(0, max(len(off), len(on)), BATCH_SIZE):
        if off[start : start + BATCH_SIZE]:
            User.objects.filter(agent_id__in=off[start : start + BATCH_SIZE]).update(
                is_active=False
            )
        if on[start : start + BATCH_SIZE]:
            User.objects.filter(agent_id__in=on[start : start + BATCH_SIZE]).update(is_active=True)
