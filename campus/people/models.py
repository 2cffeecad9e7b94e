"""Organisations sharing the school, their departments, their agents, and sign-in accounts."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A member structure of the school: a city, its EPCI, its CCAS, a syndicate."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("Agglomération / EPCI")
        CCAS = "ccas", _("CCAS / CIAS")
        SYNDICATE = "syndicat", _("Syndicat intercommunal")
        OTHER = "autre", _("Autre")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    # Short code used in HR files and on the matricule sign-in form (e.g. "VILLE").
    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("structure membre")
        verbose_name_plural = _("structures membres")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A service or direction of an organisation; departments nest as a tree."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("rattaché à"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("service / direction")
        verbose_name_plural = _("services et directions")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="department_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["organisation", "code"],
                condition=~models.Q(code=""),
                name="department_unique_code_in_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="department_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A person employed by a member organisation. Every agent may learn and teach."""

    class Category(models.TextChoices):
        A = "A", _("Catégorie A")
        B = "B", _("Catégorie B")
        C = "C", _("Catégorie C")
        NONE = "", _("Sans catégorie")

    class Status(models.TextChoices):
        TITULAIRE = "titulaire", _("Titulaire")
        STAGIAIRE = "stagiaire", _("Stagiaire")
        CONTRACTUEL = "contractuel", _("Contractuel")
        APPRENTI = "apprenti", _("Apprenti")
        OTHER = "autre", _("Autre")

    class Gender(models.TextChoices):
        FEMALE = "F", _("Femme")
        MALE = "M", _("Homme")
        UNKNOWN = "", _("Non renseigné")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("structure"), on_delete=models.PROTECT, related_name="agents"
    )
    matricule = models.CharField(_("matricule"), max_length=40)
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agents",
    )
    job_title = models.CharField(_("emploi / fonction"), max_length=200, blank=True)
    category = models.CharField(
        _("catégorie"), max_length=1, choices=Category.choices, blank=True, default=""
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.TITULAIRE
    )
    gender = models.CharField(
        _("sexe (selon le SIRH)"), max_length=1, choices=Gender.choices, blank=True, default=""
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("responsable hiérarchique"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_manager_position = models.BooleanField(_("occupe un poste d'encadrement"), default=False)
    manager_position_since = models.DateField(_("encadrant depuis"), null=True, blank=True)
    arrival_date = models.DateField(_("date d'arrivée"), null=True, blank=True)
    departure_date = models.DateField(_("date de départ"), null=True, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "matricule"], name="agent_unique_matricule_in_organisation"
            ),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")), name="agent_not_own_manager"
            ),
            models.CheckConstraint(
                condition=models.Q(departure_date__isnull=True)
                | models.Q(arrival_date__isnull=True)
                | models.Q(departure_date__gte=models.F("arrival_date")),
                name="agent_departure_after_arrival",
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["manager", "is_active"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    @property
    def has_email(self) -> bool:
        return bool(self.email)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, login: str, password: str | None = None, **extra: Any) -> User:
        if not login:
            raise ValueError("A login is required.")
        email = extra.pop("email", None) or None
        user = self.model(login=self.normalize_login(login), email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", User.Role.DIRECTOR)
        extra.setdefault("is_superuser", True)
        if "@" in login:
            extra.setdefault("email", login)
        return self.create_user(login, password, **extra)

    @staticmethod
    def normalize_login(login: str) -> str:
        return login.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A sign-in account, usually tied to one agent.

    `login` is what the person types: their e-mail address, or for agents
    without e-mail "<organisation code>/<matricule>" built by the sign-in form
    from the two fields they fill in. Both are stored lower-case.
    """

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        COORDINATOR = "coordinator", _("Coordinateur")
        DIRECTOR = "director", _("Direction de l'école")
        HR_VIEWER = "hr_viewer", _("Ressources humaines (lecture)")

    login = models.CharField(_("identifiant"), max_length=254, unique=True)
    email = models.EmailField(_("adresse e-mail"), null=True, blank=True)
    agent = models.OneToOneField(
        Agent,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.AGENT)
    is_active = models.BooleanField(_("actif"), default=True)
    language = models.CharField(_("langue"), max_length=8, blank=True, default="")
    date_joined = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_unique_email_ci"),
        ]

    def __str__(self) -> str:
        if self.agent_id is not None and self.agent is not None:
            return self.agent.full_name
        return self.login

    @property
    def is_staff(self) -> bool:
        # Only the school's director reaches the Django admin, for data repair.
        return self.is_active and (self.is_superuser or self.role == self.Role.DIRECTOR)

    @property
    def is_coordinator(self) -> bool:
        return self.role in (self.Role.COORDINATOR, self.Role.DIRECTOR)

    @property
    def is_director(self) -> bool:
        return self.role == self.Role.DIRECTOR or self.is_superuser

    @property
    def is_hr_viewer(self) -> bool:
        return self.role == self.Role.HR_VIEWER


class FirstSignInCode(models.Model):
    """A one-time code printed on a letter so an agent without e-mail can choose a password."""

    user = models.ForeignKey(
        User, verbose_name=_("compte"), on_delete=models.CASCADE, related_name="first_signin_codes"
    )
    # Only a hash is stored: a leaked database must not let anyone sign in.
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("code de première connexion")
        verbose_name_plural = _("codes de première connexion")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now
