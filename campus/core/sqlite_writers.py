"""A queue for SQLite writers, so that a waiting writer wakes as soon as the lock is free.

SQLite lets one writer at a time in, and makes the others poll: a writer that
finds the database locked sleeps 1, 2, 5, 10, 15... ms between attempts. Under a
sign-up rush the lock is held for a few milliseconds at a time, so a worker
often sleeps longer than the lock was held while its core stays idle, and the
one that just left takes the lock again first.

`writer_turn()` puts the busiest write transactions (the seat-counting ones)
in a queue in the kernel instead: an exclusive `flock` on a file next to the
database, plus a thread lock for threads of the same process (a `flock` does
not separate them). Whoever waits is woken when the holder releases it. It is
taken only around an outermost transaction: a caller already inside one may
hold the database lock, and must not then wait for the queue while the queue's
holder waits for the database.

PostgreSQL needs none of this: its row locks already queue waiters.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_thread_lock = threading.Lock()
_files: dict[str, int] = {}


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


@contextmanager
def writer_turn() -> Iterator[None]:
    """Wait for this process's turn to write to the SQLite database (a no-op elsewhere)."""
    if not _queue_applies():
        yield
        return
    fd = _lock_file(str(connection.settings_dict["NAME"]))
    with _thread_lock:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
