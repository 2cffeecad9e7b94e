"""Writes for people: agents, accounts, roles, first-sign-in codes.

Each service checks permission, validates, writes, records an audit row in the
same transaction and queues mail on commit.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core import data_versions, roles
from campus.core.actors import Actor
from campus.core.audit import audit_record, diff, snapshot
from campus.core.exceptions import DomainError, NotAllowed

from . import policies
from .actors import author, is_account
from .auth_backends import matricule_login
from .models import Agent, Department, FirstSignInCode, Organisation, User

AGENT_FIELDS = [
    "organisation",
    "matricule",
    "last_name",
    "first_name",
    "email",
    "phone",
    "department",
    "job_title",
    "category",
    "status",
    "gender",
    "manager",
    "is_manager_position",
    "manager_position_since",
    "arrival_date",
    "departure_date",
    "is_active",
]

# Letters and digits that cannot be mistaken for one another on paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_CODE_ATTEMPTS = 5


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _check_manager_chain(agent: Agent, manager: Agent | None) -> None:
    if manager is None:
        return
    if manager.pk == agent.pk:
        raise DomainError(
            _("Un agent ne peut pas être son propre responsable."), code="agent.own_manager"
        )
    seen = {agent.pk}
    current: Agent | None = manager
    while current is not None:
        if current.pk in seen:
            raise DomainError(
                _("Ce responsable créerait une boucle hiérarchique (%(name)s).")
                % {"name": manager.full_name},
                code="agent.manager_loop",
            )
        seen.add(current.pk)
        current = current.manager


# --- Organisations and departments --------------------------------------------


def organisation_create(
    *, actor: Actor, name: str, code: str, kind: str = Organisation.Kind.COMMUNE
) -> Organisation:
    _require(policies.can_manage_organisations(actor), _("Vous ne pouvez pas créer de structure."))
    with transaction.atomic():
        if Organisation.objects.filter(code__iexact=code).exists():
            raise DomainError(
                _("Le code « %(code)s » est déjà utilisé.") % {"code": code},
                code="organisation.code_taken",
            )
        org = Organisation.objects.create(name=name, code=code, kind=kind)
        data_versions.changed(data_versions.PEOPLE)
        audit_record(
            actor=actor,
            action="organisation.create",
            obj=org,
            changes=diff({}, snapshot(org, ["name", "code", "kind"])),
        )
    return org


def department_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    parent: Department | None = None,
    code: str = "",
) -> Department:
    _require(policies.can_manage_departments(actor), _("Vous ne pouvez pas créer de service."))
    if parent is not None and parent.organisation_id != organisation.pk:
        raise DomainError(
            _("Le service parent appartient à une autre structure."),
            code="department.parent_in_other_organisation",
        )
    with transaction.atomic():
        dept = Department.objects.create(
            organisation=organisation, name=name, parent=parent, code=code
        )
        data_versions.changed(data_versions.PEOPLE)
        audit_record(
            actor=actor,
            action="department.create",
            obj=dept,
            changes=diff({}, snapshot(dept, ["organisation", "parent", "name", "code"])),
        )
    return dept


# --- Agents -------------------------------------------------------------------


def agent_create(
    *,
    actor: Actor,
    organisation: Organisation,
    matricule: str,
    last_name: str,
    first_name: str,
    **fields: Any,
) -> Agent:
    _require(policies.can_edit_agent(actor), _("Vous ne pouvez pas créer d'agent."))
    unknown = set(fields) - set(AGENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown agent fields: {sorted(unknown)}")
    with transaction.atomic():
        if Agent.objects.filter(organisation=organisation, matricule=matricule).exists():
            raise DomainError(
                _("Le matricule %(matricule)s existe déjà dans %(org)s.")
                % {"matricule": matricule, "org": organisation},
                code="agent.matricule_taken",
            )
        agent = Agent(
            organisation=organisation,
            matricule=matricule,
            last_name=last_name,
            first_name=first_name,
            **fields,
        )
        _check_manager_chain(agent, agent.manager)
        agent.full_clean()
        agent.save()
        data_versions.changed(data_versions.PEOPLE)
        audit_record(
            actor=actor,
            action="agent.create",
            obj=agent,
            changes=diff({}, snapshot(agent, AGENT_FIELDS)),
        )
    return agent


def agent_update(*, actor: Actor, agent: Agent, **fields: Any) -> Agent:
    _require(policies.can_edit_agent(actor, agent), _("Vous ne pouvez pas modifier cet agent."))
    unknown = set(fields) - set(AGENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown agent fields: {sorted(unknown)}")
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        before = snapshot(agent, AGENT_FIELDS)
        for name, value in fields.items():
            setattr(agent, name, value)
        if "manager" in fields:
            _check_manager_chain(agent, agent.manager)
        agent.full_clean()
        changes = diff(before, snapshot(agent, AGENT_FIELDS))
        if changes:
            agent.save()
            if "is_active" in changes:
                # The account follows the agent: a returning agent can sign in again.
                User.objects.filter(agent=agent).update(is_active=agent.is_active)
            data_versions.changed(data_versions.PEOPLE)
            audit_record(actor=actor, action="agent.update", obj=agent, changes=changes)
    return agent


def agent_deactivate(
    *, actor: Actor, agent: Agent, departure_date: datetime.date | None = None, reason: str = ""
) -> Agent:
    """Departed agents are deactivated, never deleted: their training record stays."""
    _require(policies.can_edit_agent(actor, agent), _("Vous ne pouvez pas modifier cet agent."))
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        before = snapshot(agent, ["is_active", "departure_date"])
        if (
            departure_date is not None
            and agent.arrival_date
            and departure_date < agent.arrival_date
        ):
            raise DomainError(
                _("La date de départ ne peut pas précéder la date d'arrivée (%(date)s).")
                % {"date": agent.arrival_date.strftime("%d/%m/%Y")},
                code="agent.departure_before_arrival",
            )
        agent.is_active = False
        if departure_date is not None:
            agent.departure_date = departure_date
        agent.save(update_fields=["is_active", "departure_date", "updated_at"])
        User.objects.filter(agent=agent).update(is_active=False)
        data_versions.changed(data_versions.PEOPLE)
        audit_record(
            actor=actor,
            action="agent.deactivate",
            obj=agent,
            changes=diff(before, snapshot(agent, ["is_active", "departure_date"])),
            message=reason,
        )
    return agent


# --- Accounts -----------------------------------------------------------------


def user_ensure_for_agent(*, actor: Actor, agent: Agent) -> User:
    """The agent's account, created when missing. Login is the e-mail, else ORG/matricule."""
    existing = User.objects.filter(agent=agent).first()
    if existing is not None:
        return existing
    login = (agent.email or matricule_login(agent.organisation.code, agent.matricule)).lower()
    email = agent.email.lower() if agent.email else None
    with transaction.atomic():
        if User.objects.filter(login=login).exists() or (
            email and User.objects.filter(email__iexact=email).exists()
        ):
            login = matricule_login(agent.organisation.code, agent.matricule)
            email = None
        try:
            user = User.objects.create(login=login, email=email, agent=agent)
        except IntegrityError as exc:
            raise DomainError(
                _("Impossible de créer le compte de %(name)s : identifiant déjà pris.")
                % {"name": agent.full_name},
                code="account.login_taken",
            ) from exc
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            changes={"login": {"before": None, "after": login}},
        )
    return user


def user_set_role(*, actor: Actor, user: User, role: str) -> User:
    _require(
        policies.can_set_role(actor, user),
        _("Seule la direction de l'école attribue les rôles."),
    )
    if role not in User.Role.values:
        raise DomainError(
            _("Rôle inconnu : %(role)s.") % {"role": role}, code="account.unknown_role"
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = user.role
        if before != role:
            user.role = role
            user.save(update_fields=["role"])
            audit_record(
                actor=actor,
                action="user.set_role",
                obj=user,
                changes={"role": {"before": before, "after": role}},
            )
    return user


def user_set_language(*, actor: Actor, user: User, language: str) -> User:
    """Store the interface language the person chose; it follows them from device to device."""
    is_self = is_account(actor, user)
    if not is_self and not roles.is_director(actor):
        raise NotAllowed(_("Vous ne pouvez pas modifier ce compte."))
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError(_("Langue non disponible."), code="account.unknown_language")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.language
        if before != language:
            locked.language = language
            locked.save(update_fields=["language"])
            audit_record(
                actor=actor,
                action="user.set_language",
                obj=locked,
                changes={"language": {"before": before, "after": language}},
            )
    user.language = language
    return user


# --- First sign-in codes ------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    """A freshly issued code: the clear text exists only here, to be printed once."""

    code: FirstSignInCode
    clear_text: str
    login_hint: str


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def first_signin_code_issue(*, actor: Actor, agent: Agent) -> IssuedCode:
    """Issue a one-time code for the agent's first sign-in; earlier codes stop working."""
    _require(
        policies.can_issue_first_signin_code(actor, agent),
        _("Vous ne pouvez pas éditer de code de première connexion."),
    )
    with transaction.atomic():
        # Re-read: the page that asked may be stale (agent deactivated in between).
        agent = Agent.objects.select_related("organisation").get(pk=agent.pk)
        if not agent.is_active:
            raise DomainError(
                _("%(name)s n'est plus actif : aucun courrier ne peut être édité.")
                % {"name": agent.full_name},
                code="first_signin.agent_inactive",
            )
        user = user_ensure_for_agent(actor=actor, agent=agent)
        # Locking the account serialises two coordinators printing the same letter,
        # so at most one code is ever live.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise DomainError(
                _("Le compte de %(name)s est désactivé : réactivez-le avant d'éditer un courrier.")
                % {"name": agent.full_name},
                code="first_signin.account_disabled",
            )
        now = timezone.now()
        revoked = FirstSignInCode.objects.filter(
            user=user, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        clear = _new_code()
        code = FirstSignInCode.objects.create(
            user=user,
            code_hash=make_password(clear),
            created_by=author(actor),
            expires_at=now + datetime.timedelta(days=settings.CAMPUS_FIRST_SIGNIN_CODE_DAYS),
        )
        audit_record(
            actor=actor,
            action="first_signin_code.issue",
            obj=agent,
            changes={
                "code": {"before": None, "after": code.pk},
                "expires_at": {"before": None, "after": code.expires_at},
                "revoked_codes": {"before": None, "after": revoked},
            },
        )
    return IssuedCode(
        code=code,
        clear_text=clear,
        login_hint=matricule_login(agent.organisation.code, agent.matricule),
    )


def first_signin_code_issue_many(*, actor: Actor, agents: list[Agent]) -> list[IssuedCode]:
    """Issue codes for a printed batch: all or none, so every printed letter works."""
    _require(
        policies.can_issue_first_signin_code(actor),
        _("Vous ne pouvez pas éditer de code de première connexion."),
    )
    with transaction.atomic():
        return [first_signin_code_issue(actor=actor, agent=agent) for agent in agents]


def first_signin_code_redeem(
    *, organisation_code: str, matricule: str, code: str, new_password: str
) -> User:
    """Check the code, set the chosen password and burn the code. Raises DomainError.

    Every failure about the code gives the same sentence, so the form reveals
    neither which matricules exist nor which of them hold a live code. A weak
    password is reported only after the code was accepted, and burns nothing.
    """
    generic = _(
        "Structure, matricule ou code incorrect, ou code expiré. "
        "Demandez un nouveau courrier au coordinateur de l'école."
    )
    code_ok = False
    with transaction.atomic():
        agent = (
            Agent.objects.select_related("organisation")
            .filter(
                organisation__code__iexact=(organisation_code or "").strip(),
                matricule__iexact=(matricule or "").strip(),
                is_active=True,
            )
            .first()
        )
        user = User.objects.filter(agent=agent).first() if agent else None
        candidate = None
        if user is not None and user.is_active:
            candidate = (
                FirstSignInCode.objects.select_for_update()
                .filter(user=user, used_at__isnull=True, revoked_at__isnull=True)
                .order_by("-created_at")
                .first()
            )
        now = timezone.now()
        if user is None or candidate is None or not candidate.is_usable(now):
            # Hash anyway: the response time must not tell a live code from none.
            make_password(normalize_code(code))
            raise DomainError(generic, code="first_signin.invalid_code")
        code_ok = check_password(normalize_code(code), candidate.code_hash)
        if not code_ok:
            # Counted and committed before the error is raised, so guessing is bounded
            # per code whatever the number of addresses the guesses come from.
            candidate.failed_attempts += 1
            if candidate.failed_attempts >= MAX_CODE_ATTEMPTS:
                candidate.revoked_at = now
                audit_record(
                    actor=None,
                    action="first_signin_code.revoke",
                    obj=user,
                    changes={"code": {"before": candidate.pk, "after": None}},
                    message="too many wrong codes",
                )
            candidate.save(update_fields=["failed_attempts", "revoked_at"])
        else:
            try:
                password_validation.validate_password(new_password, user)
            except ValidationError as exc:
                raise DomainError(
                    " ".join(exc.messages), code="first_signin.weak_password"
                ) from exc
            candidate.used_at = now
            candidate.save(update_fields=["used_at"])
            user.set_password(new_password)
            user.save(update_fields=["password"])
            audit_record(
                actor=user,
                action="first_signin_code.redeem",
                obj=user,
                changes={"code": {"before": candidate.pk, "after": None}},
            )
    if not code_ok:
        raise DomainError(generic, code="first_signin.invalid_code")
    return user


# --- Roles from the agent's page ------------------------------------------------


def agent_set_role(*, actor: Actor, agent: Agent, role: str) -> User:
    """Give the agent's account a role, creating the account first when the agent has none."""
    _require(policies.can_set_role(actor), _("Seule la direction de l'école attribue les rôles."))
    if role not in User.Role.values:
        raise DomainError(
            _("Rôle inconnu : %(role)s.") % {"role": role}, code="account.unknown_role"
        )
    if getattr(actor, "agent_id", None) == agent.pk:
        # Otherwise the only director could demote themselves and lock the school out.
        raise DomainError(
            _(
                "Vous ne pouvez pas modifier votre propre rôle : demandez-le à une autre "
                "personne de la direction de l'école."
            ),
            code="account.own_role",
        )
    if not agent.is_active:
        raise DomainError(_("Cet agent n'est plus actif."), code="agent.inactive")
    with transaction.atomic():
        user = user_ensure_for_agent(actor=actor, agent=agent)
        return user_set_role(actor=actor, user=user, role=role)
