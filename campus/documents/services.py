"""Writes for calendar subscription links."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.core import roles
from campus.core.actors import Actor
from campus.core.audit import audit_record
from campus.core.exceptions import DomainError, NotAllowed
from campus.people.actors import author
from campus.scheduling.models import Room

from . import policies
from .models import FeedToken

Kind = FeedToken.Kind


def feed_token_create(*, actor: Actor, kind: str, room: Room | None = None) -> FeedToken:
    """A new private link; the person may hold several (phone, office calendar…)."""
    if kind not in Kind.values:
        raise DomainError(_("Type de calendrier inconnu."), code="feed.unknown_kind")
    agent = None
    if kind in (Kind.AGENT, Kind.TRAINER):
        agent = getattr(actor, "agent", None)
        if agent is None:
            raise DomainError(
                _("Votre compte n'est rattaché à aucun agent : ce calendrier est vide."),
                code="feed.no_agent",
            )
    if kind == Kind.ROOM and room is None:
        raise DomainError(
            _("Choisissez la salle dont vous voulez le calendrier."), code="feed.room_required"
        )
    if kind != Kind.ROOM:
        room = None
    owner = author(actor)
    if owner is None or not policies.can_subscribe_feed(actor, kind, agent=agent, room=room):
        raise NotAllowed(_("Vous ne pouvez pas vous abonner à ce calendrier."))
    with transaction.atomic():
        token = FeedToken.objects.create(owner=owner, kind=kind, agent=agent, room=room)
        audit_record(
            actor=actor,
            action="feed_token.create",
            obj=token,
            changes={"kind": kind, "agent": agent, "room": room},
        )
    return token


def feed_token_revoke(*, actor: Actor, token: FeedToken) -> FeedToken:
    """The link stops working at once (404), for whoever holds it."""
    if token.owner_id != getattr(actor, "pk", None) and not roles.is_director(actor):
        raise NotAllowed(_("Ce lien de calendrier ne vous appartient pas."))
    with transaction.atomic():
        token = FeedToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="feed_token.revoke", obj=token)
    return token
