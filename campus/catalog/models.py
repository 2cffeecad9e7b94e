"""What the school offers: programmes (series) and courses, with their audience."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from campus.people.models import Agent, Organisation


class Theme(models.Model):
    """A subject used to browse the catalogue (numérique, management, concours…)."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A series with its own identity and rhythm (weekly workshops, a management track…)."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    rhythm = models.CharField(
        _("rythme"), max_length=200, blank=True, help_text=_("Par exemple : chaque mardi midi.")
    )
    colour = models.CharField(_("couleur"), max_length=7, blank=True, default="#1f3f8f")
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A training offer that sessions deliver."""

    class Format(models.TextChoices):
        WORKSHOP = "atelier", _("Atelier")
        CONFERENCE = "conference", _("Conférence")
        SEMINAR = "seminaire", _("Séminaire")
        DEBATE = "debat", _("Débat")
        TRAINING = "formation", _("Formation")
        CODEVELOPMENT = "codeveloppement", _("Codéveloppement")
        COACHING = "coaching", _("Coaching")
        INTERVIEW = "entretien", _("Entretien individuel")
        EXAM_PREP = "concours", _("Préparation aux concours")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")
        ARCHIVED = "archived", _("Archivée")

    class TrainingType(models.TextChoices):
        """The statutory types counted by the yearly social report (rapport social unique)."""

        INTEGRATION = "integration", _("Formation d'intégration")
        PRO_FIRST_JOB = "pro_premier_emploi", _("Professionnalisation : premier emploi")
        PRO_CAREER = "pro_carriere", _("Professionnalisation : tout au long de la carrière")
        PRO_POST = "pro_prise_de_poste", _("Professionnalisation : prise de poste à responsabilité")
        IMPROVEMENT = "perfectionnement", _("Perfectionnement")
        PERSONAL = "personnelle", _("Formation personnelle")
        EXAM_PREP = "concours", _("Préparation aux concours et examens")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Tous les agents")
        RESTRICTED = "restricted", _("Public restreint")

    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=200, unique=True)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    objectives = models.TextField(_("objectifs"), blank=True)
    content = models.TextField(_("contenu"), blank=True)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.WORKSHOP
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("thèmes"), blank=True, related_name="courses"
    )
    usual_duration_minutes = models.PositiveIntegerField(
        _("durée habituelle (minutes)"), default=60
    )
    default_trainers = models.ManyToManyField(
        Agent, verbose_name=_("animateurs habituels"), blank=True, related_name="default_courses"
    )
    external_speaker = models.CharField(
        _("intervenant extérieur"),
        max_length=200,
        blank=True,
        help_text=_("À renseigner seulement si l'animateur n'est pas un agent."),
    )
    audience = models.CharField(
        _("public"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    audience_managers_only = models.BooleanField(_("réservé aux encadrants"), default=False)
    # Empty strings mean "no restriction" for the two lists below.
    audience_categories = models.CharField(
        _("catégories admises"), max_length=5, blank=True, help_text=_("Par exemple : AB.")
    )
    audience_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("structures admises"), blank=True, related_name="+"
    )
    requires_manager_approval = models.BooleanField(
        _("inscription soumise à l'accord du responsable"), default=False
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    training_type = models.CharField(
        _("type de formation (rapport social)"),
        max_length=30,
        choices=TrainingType.choices,
        default=TrainingType.IMPROVEMENT,
    )
    # Unaccented lower-case copy of the searchable texts (title, summary, objectives,
    # content, programme and theme names), kept up to date by the catalogue services:
    # one `icontains` then matches "écrit" and "ECRIT" alike on SQLite and PostgreSQL.
    search_text = models.TextField(_("texte de recherche"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(usual_duration_minutes__gt=0), name="course_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_label(self) -> str:
        """The usual duration as people say it: "45 min", "2 h", "1 h 30"."""
        hours, minutes = divmod(self.usual_duration_minutes, 60)
        if not hours:
            return f"{minutes} min"
        return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"

    @property
    def is_restricted(self) -> bool:
        return self.audience == self.Audience.RESTRICTED
