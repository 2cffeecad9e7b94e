"""Timed work, run every few minutes by `manage.py notifications_tick` (a systemd timer).

Each step is idempotent: the outbox keys make a second run in the same
window queue nothing new, so the timer may run late, twice, or in parallel.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from campus.people.models import Agent, User
from campus.registrations import services as registration_services
from campus.registrations.models import Registration
from campus.scheduling.models import TrainingSession

from . import recipients
from .context import absolute, session_facts, sessions_with_facts
from .models import NotificationPreference, OutboxMessage, SessionNotificationSettings
from .outbox import Notice, queue, release_due

logger = logging.getLogger(__name__)

Channel = OutboxMessage.Channel
OutboxState = OutboxMessage.State


def reminder_days(session: TrainingSession) -> int:
    try:
        days = session.notification_settings.reminder_days_before
    except SessionNotificationSettings.DoesNotExist:
        days = None
    return settings.CAMPUS_REMINDER_DAYS_BEFORE if days is None else days


def reminders_queue(*, now: datetime.datetime) -> int:
    """A reminder to each confirmed registrant once the session is N days away (or closer)."""
    horizon = now + datetime.timedelta(days=SessionNotificationSettings.MAX_REMINDER_DAYS)
    sessions = {
        s.pk: s
        for s in sessions_with_facts().filter(
            status=TrainingSession.Status.OPEN, starts_at__gt=now, starts_at__lte=horizon
        )
        if reminder_days(s) > 0 and s.starts_at - datetime.timedelta(days=reminder_days(s)) <= now  # type: ignore[operator]
    }
    if not sessions:
        return 0
    opted_out = NotificationPreference.objects.filter(reminders_enabled=False).values("user__agent")
    registrations = (
        Registration.objects.filter(
            session_id__in=list(sessions), state=Registration.State.CONFIRMED
        )
        .exclude(agent_id__in=opted_out)
        .select_related("agent__user", "agent__manager__user")
    )
    facts = {pk: session_facts(s) for pk, s in sessions.items()}
    notices = []
    for registration in registrations:
        session = sessions[registration.session_id]
        agent = registration.agent
        assert session.starts_at is not None
        notices.append(
            Notice(
                "session_reminder",
                f"reminder:{registration.pk}:{session.starts_at:%Y%m%dT%H%M}:agent:{agent.pk}",
                recipients.for_agent(agent),
                {"session": facts[session.pk], "agent_name": agent.full_name},
            )
        )
    return len(queue(notices))


def _coordinators() -> list[User]:
    users = list(
        User.objects.filter(is_active=True, role=User.Role.COORDINATOR).select_related("agent")
    )
    if not users:
        users = list(
            User.objects.filter(is_active=True)
            .filter(Q(role=User.Role.DIRECTOR) | Q(is_superuser=True))
            .select_related("agent")
        )
    return users


def under_minimum_alerts(*, now: datetime.datetime) -> int:
    """Coordinators hear of open sessions still under their minimum N days before the start."""
    horizon = now + datetime.timedelta(days=settings.CAMPUS_MIN_PARTICIPANTS_ALERT_DAYS)
    sessions = list(
        sessions_with_facts()
        .filter(
            status=TrainingSession.Status.OPEN,
            min_participants__gt=0,
            starts_at__gt=now,
            starts_at__lte=horizon,
        )
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__state=Registration.State.CONFIRMED)
            )
        )
    )
    sessions = [s for s in sessions if s.confirmed < s.min_participants]
    if not sessions:
        return 0
    coordinators = [(u, recipients.for_user(u)) for u in _coordinators()]
    notices = []
    for session in sessions:
        assert session.starts_at is not None
        context = {
            "session": session_facts(session),
            "confirmed": session.confirmed,
            "min_participants": session.min_participants,
            "manage_url": absolute(reverse("sessions:detail", args=[session.pk])),
            "cancel_url": absolute(reverse("sessions:cancel", args=[session.pk])),
        }
        for user, recipient in coordinators:
            if recipient is None:
                continue
            notices.append(
                Notice(
                    "under_minimum",
                    f"under-minimum:{session.pk}:{session.starts_at:%Y%m%dT%H%M}:user:{user.pk}",
                    recipient,
                    context,
                )
            )
    return len(queue(notices))


def digests_send(*, now: datetime.datetime) -> int:
    """One mail a day to each manager, listing the messages meant for their team without e-mail.

    Sent from CAMPUS_DIGEST_HOUR (Paris time); messages arriving after a
    manager's digest of the day wait for the next day's.
    """
    local = timezone.localtime(now)
    if local.hour < settings.CAMPUS_DIGEST_HOUR:
        return 0
    day = local.date()
    items = list(
        OutboxMessage.objects.filter(channel=Channel.DIGEST, state=OutboxState.PENDING)
        .select_related("recipient_agent", "digest_manager__user", "digest_manager__manager")
        .order_by("digest_manager_id", "created_at", "id")
    )
    by_manager: dict[int, list[OutboxMessage]] = {}
    for item in items:
        if item.digest_manager_id is not None:
            by_manager.setdefault(item.digest_manager_id, []).append(item)
    sent = 0
    for manager_items in by_manager.values():
        manager = manager_items[0].digest_manager
        assert manager is not None
        sent += _digest_for(manager, manager_items, day=day, now=now)
    return sent


def _digest_for(
    manager: Agent, items: list[OutboxMessage], *, day: datetime.date, now: datetime.datetime
) -> int:
    key = f"digest:{manager.pk}:{day.isoformat()}"
    if OutboxMessage.objects.filter(dedup_key=key).exists():
        return 0
    recipient = recipients.for_agent(manager)
    ids = [item.pk for item in items]
    with transaction.atomic():
        if recipient.channel != Channel.EMAIL:
            # The manager lost their address since: the coordinator passes the messages on.
            OutboxMessage.objects.filter(pk__in=ids).update(channel=Channel.MANUAL)
            return 0
        context = {
            "manager_name": manager.full_name,
            "day": day.isoformat(),
            "items": [
                {
                    "agent_name": item.recipient_agent.full_name if item.recipient_agent else "",
                    "subject": item.subject,
                    "text": item.body_text,
                }
                for item in items
            ],
            "team_url": absolute(reverse("registrations:team")),
        }
        created = queue([Notice("manager_digest", key, recipient, context)])
        if not created:
            return 0
        OutboxMessage.objects.filter(pk__in=ids, state=OutboxState.PENDING).update(
            state=OutboxState.SENT, sent_at=now, digest=created[0]
        )
    return 1


@dataclass
class TickReport:
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def run(*, now: datetime.datetime | None = None) -> TickReport:
    """Every timed step, each on its own: one failing does not stop the others."""
    now = now or timezone.now()
    steps: list[tuple[str, Callable[[], int]]] = [
        ("offers_expired", lambda: registration_services.offers_expire(now=now)),
        (
            "requests_declined",
            lambda: registration_services.pending_requests_decline_after_close(now=now),
        ),
        ("reminders", lambda: reminders_queue(now=now)),
        ("under_minimum", lambda: under_minimum_alerts(now=now)),
        ("digests", lambda: digests_send(now=now)),
        ("released", lambda: release_due(now=now)),
    ]
    report = TickReport()
    for name, step in steps:
        try:
            report.counts[name] = step()
        except Exception as exc:
            logger.exception("notifications tick: step %s failed", name)
            report.errors.append(f"{name}: {exc}")
    return report
