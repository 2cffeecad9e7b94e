"""The outbox: write each message once, send it in the background, retry what fails.

A message is a row before it is a mail. Rows are written by `queue` (after the
action that caused them has committed); sending happens in a django-tasks task
that first *claims* the row with one conditional UPDATE, so that two workers,
or a worker and the timer, never send the same row twice. An SMTP failure puts
the row back to pending with a doubling delay; after CAMPUS_MAIL_MAX_ATTEMPTS
the row is marked failed and stays in the table, with its last error.

The one window where a mail could leave twice is a worker dying between the
SMTP server's acceptance and the row's update: such a row, stuck in "sending",
is retried after STALE_SENDING (a duplicate is better than a lost convocation).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage
from .recipients import Recipient
from .rendering import render_message

logger = logging.getLogger(__name__)

Channel = OutboxMessage.Channel
State = OutboxMessage.State

STALE_SENDING = datetime.timedelta(minutes=30)
# A pending row never attempted after this long lost its task (worker queue wiped, crash).
LOST_ENQUEUE = datetime.timedelta(minutes=5)
MAX_BACKOFF = datetime.timedelta(hours=6)


@dataclass
class Notice:
    """A message to queue. `dedup_key` names the event and the recipient."""

    template: str
    dedup_key: str
    recipient: Recipient
    context: dict[str, Any]
    ics_builder: Any = None  # callable(language) -> (method, ics text), run while rendering
    extra: dict[str, Any] = field(default_factory=dict)


def _build(notice: Notice) -> OutboxMessage:
    recipient = notice.recipient
    rendered = render_message(notice.template, notice.context, recipient.language)
    ics_method, ics = "", ""
    if notice.ics_builder is not None and recipient.channel == Channel.EMAIL:
        ics_method, ics = notice.ics_builder(recipient)
    return OutboxMessage(
        template=notice.template,
        dedup_key=notice.dedup_key[:200],
        channel=recipient.channel,
        recipient_user=recipient.user,
        recipient_agent=recipient.agent,
        email=recipient.email,
        digest_manager=recipient.digest_manager,
        language=recipient.language,
        context=notice.context,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        ics=ics,
        ics_method=ics_method,
    )


def queue(notices: Iterable[Notice]) -> list[OutboxMessage]:
    """Write the notices not already queued; e-mails are handed to the worker on commit.

    A notice whose key exists is skipped: that is how a second trigger of the
    same event, or a second run of the timer, sends nothing new.
    """
    pending: dict[str, Notice] = {}
    for notice in notices:
        pending.setdefault(notice.dedup_key[:200], notice)
    if not pending:
        return []
    created: list[OutboxMessage] = []
    with transaction.atomic():
        existing = set(
            OutboxMessage.objects.filter(dedup_key__in=list(pending)).values_list(
                "dedup_key", flat=True
            )
        )
        for key, notice in pending.items():
            if key in existing:
                continue
            message = _build(notice)
            try:
                # A savepoint per row: a concurrent writer's duplicate fails alone.
                with transaction.atomic():
                    message.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(message)
        email_ids = [m.pk for m in created if m.channel == Channel.EMAIL]
        if email_ids:
            transaction.on_commit(partial(enqueue_sends, email_ids))
    return created


def enqueue_sends(message_ids: Sequence[int]) -> None:
    from .tasks import send_outbox_message

    for message_id in message_ids:
        try:
            send_outbox_message.enqueue(message_id=message_id)
        except Exception:
            # The row is safe in the table; the timer hands it to the worker later.
            logger.exception("Could not enqueue outbox message %s", message_id)


def backoff(attempts: int) -> datetime.timedelta:
    delay = datetime.timedelta(
        seconds=settings.CAMPUS_MAIL_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    )
    return min(delay, MAX_BACKOFF)


def _claim(message_id: int, now: datetime.datetime) -> bool:
    """One conditional UPDATE: whoever changes pending to sending owns the message.

    The retry time is not checked here: it decides when a task is enqueued
    (run_after, or the timer), and exclusivity is all the claim is for.
    """
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, channel=Channel.EMAIL, state=State.PENDING
        ).update(state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.email],
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    if message.ics:
        method = message.ics_method or "PUBLISH"
        mail.attach(
            "invitation.ics" if method != "CANCEL" else "annulation.ics",
            message.ics,
            f"text/calendar; method={method}",
        )
    return mail


def send(*, message_id: int, now: datetime.datetime | None = None) -> str:
    """Send one message if it is ours to send; retry later on failure."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _email(message).send(fail_silently=False)
    except Exception as exc:
        # Any failure of the mail backend (SMTP refused, network down, timeout)
        # keeps the row: it is retried, never dropped.
        return _failed(message, exc, now)
    OutboxMessage.objects.filter(pk=message_id, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _failed(message: OutboxMessage, exc: Exception, now: datetime.datetime) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= settings.CAMPUS_MAIL_MAX_ATTEMPTS:
        OutboxMessage.objects.filter(pk=message.pk).update(
            state=State.FAILED, last_error=error, next_attempt_at=None
        )
        logger.error("Outbox message %s failed for good: %s", message.pk, error)
        return "failed"
    retry_at = now + backoff(message.attempts)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.PENDING, last_error=error, next_attempt_at=retry_at
    )
    logger.warning("Outbox message %s will be retried at %s: %s", message.pk, retry_at, error)
    _schedule_retry(message.pk, retry_at)
    return "retry"


def _schedule_retry(message_id: int, retry_at: datetime.datetime) -> None:
    """Ask the worker to come back at `retry_at`; backends that cannot defer wait for the timer."""
    from .tasks import send_outbox_message

    if not send_outbox_message.get_backend().supports_defer:
        return
    try:
        send_outbox_message.using(run_after=retry_at).enqueue(message_id=message_id)
    except Exception:
        logger.exception("Could not schedule the retry of outbox message %s", message_id)


def release_due(*, now: datetime.datetime | None = None) -> int:
    """Hand the worker every e-mail that is due: retries, lost tasks, interrupted sends."""
    now = now or timezone.now()
    OutboxMessage.objects.filter(
        channel=Channel.EMAIL, state=State.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(state=State.PENDING, next_attempt_at=now)
    due = list(
        OutboxMessage.objects.filter(channel=Channel.EMAIL, state=State.PENDING)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - LOST_ENQUEUE)
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:500]
    )
    enqueue_sends(due)
    return len(due)
