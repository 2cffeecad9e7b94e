"""The row lock of the writes that count before they write (seats, and later poll slots).

`locked_row(queryset, pk)` opens the transaction, locks one row and yields it:
`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the IMMEDIATE transaction mode
already takes the database's write lock at BEGIN, behind the writers' queue
(`sqlite_writers`). One lock per transaction, taken before anything is counted.

Nobody waits for ever: the wait is bounded by `CAMPUS_LOCK_TIMEOUT_S` (a
PostgreSQL `lock_timeout` for this transaction only; on SQLite the queue's
deadline and a busy timeout of the same length for this transaction). Past it,
`ServiceBusy` is raised: the transaction is rolled back, nothing is half
written, and the person is asked to try again (HTTP 503 with Retry-After).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection, models, transaction

from . import sqlite_writers
from .exceptions import ServiceBusy

M = TypeVar("M", bound=models.Model)

# SQLSTATE lock_not_available: PostgreSQL's answer when lock_timeout runs out.
_PG_LOCK_NOT_AVAILABLE = "55P03"


def lock_timeout_s() -> float:
    return float(getattr(settings, "CAMPUS_LOCK_TIMEOUT_S", 5))


def _is_lock_timeout(exc: OperationalError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE:
        return True
    # SQLite's busy timeout ran out ("database is locked", "database table is locked").
    return connection.vendor == "sqlite" and "is locked" in str(exc)


@contextmanager
def _sqlite_busy_timeout(seconds: float) -> Iterator[None]:
    """A shorter busy timeout for this transaction than the connection's (long) default."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")


@contextmanager
def locked_row(queryset: models.QuerySet[M], pk: object) -> Iterator[M]:
    """Open the transaction, lock the row `pk` of `queryset`'s model, and yield it.

    Raises the model's DoesNotExist when there is no such row, and ServiceBusy
    when the lock could not be had in time.
    """
    timeout = lock_timeout_s()
    try:
        with (
            sqlite_writers.writer_turn(timeout=timeout),
            _sqlite_busy_timeout(timeout),
            transaction.atomic(),
        ):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # For this transaction only: other work keeps the server's default.
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout}s"])
            yield queryset.select_for_update(of=("self",)).get(pk=pk)
    except sqlite_writers.QueueTimeout as exc:
        raise ServiceBusy() from exc
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise ServiceBusy() from exc
        raise
