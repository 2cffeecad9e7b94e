"""A queue for SQLite writers, so that a waiting writer goes in as soon as the lock is free.

SQLite lets one writer at a time in, and makes the others poll: a writer that
finds the database locked sleeps 1, 2, 5, 10, 15... ms between attempts. Under a
sign-up rush the lock is held for a few milliseconds at a time, so a worker
often sleeps longer than the lock was held while its core stays idle, and the
one that just left takes the lock again first (measured in bench/RESULTS.md:
about a third more sign-ups a second with the queue).

`writer_turn()` puts the busiest write transactions (the ones that count seats
under `campus.core.locking.locked_row`) in a queue of their own instead: an
exclusive `flock` on a file next to the database, plus a thread lock for threads
of the same process (a `flock` does not separate them). A waiter retries every
fraction of a millisecond, so it goes in right after the holder leaves, and
gives up at its deadline with `QueueTimeout`: nothing has been written yet. It is
taken only around an outermost transaction: a caller already inside one may hold
the database lock, and must not then wait for the queue while the queue's holder
waits for the database.

PostgreSQL needs none of this: its row locks already queue waiters.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_thread_lock = threading.Lock()
_files: dict[str, int] = {}
# The first retries come fast (the lock is usually held a few milliseconds), then
# settle at a millisecond, which is still shorter than SQLite's own busy sleeps.
_FIRST_PAUSE_S = 0.0001
_LONGEST_PAUSE_S = 0.001


class QueueTimeout(Exception):
    """The queue was not free before the deadline; nothing was written."""


def _lock_file(database: str) -> int:
    path = f"{database}-writers"
    fd = _files.get(path)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        _files[path] = fd
    return fd


def _queue_applies() -> bool:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    name = str(connection.settings_dict.get("NAME") or "")
    return bool(name) and name != ":memory:" and "mode=memory" not in name


def _acquire_file(fd: int, deadline: float) -> None:
    pause = _FIRST_PAUSE_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise QueueTimeout from None
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE_S)


@contextmanager
def writer_turn(*, timeout: float) -> Iterator[None]:
    """Wait, at most `timeout` seconds, for this writer's turn on SQLite (a no-op elsewhere)."""
    if not _queue_applies():
        yield
        return
    deadline = time.monotonic() + timeout
    fd = _lock_file(str(connection.settings_dict["NAME"]))
    if not _thread_lock.acquire(timeout=timeout):
        raise QueueTimeout
    try:
        _acquire_file(fd, deadline)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        _thread_lock.release()
