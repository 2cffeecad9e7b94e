"""Private calendar subscription links."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campus.people.models import Agent
from campus.scheduling.models import Room


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """A secret address that lets a calendar application read some sessions without signing in.

    Anyone holding the address reads the feed, so it can be revoked at any time;
    a revoked token answers 404, as an unknown one does.
    """

    class Kind(models.TextChoices):
        AGENT = "agent", _("Mes sessions")
        TRAINER = "trainer", _("Mes animations")
        ROOM = "room", _("Une salle")
        PROGRAMME = "programme", _("Tout le programme")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("titulaire"),
        on_delete=models.CASCADE,
        related_name="feed_tokens",
    )
    kind = models.CharField(_("contenu"), max_length=12, choices=Kind.choices)
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien d'abonnement de calendrier")
        verbose_name_plural = _("liens d'abonnement de calendrier")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["agent", "trainer"], agent__isnull=False, room__isnull=True)
                    | models.Q(kind="room", room__isnull=False, agent__isnull=True)
                    | models.Q(kind="programme", room__isnull=True, agent__isnull=True)
                ),
                name="feed_token_target_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.owner})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
