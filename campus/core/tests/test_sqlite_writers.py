"""The SQLite writers' queue: one writer at a time, no queue inside a transaction, a deadline."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from campus.core import sqlite_writers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The writers' queue is for SQLite only; PostgreSQL's row locks queue.")


def _in_threads(target, count: int) -> None:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)


def test_writers_take_turns_and_nested_transactions_do_not_queue() -> None:
    spans: list[tuple[float, float]] = []

    def writer() -> None:
        with sqlite_writers.writer_turn(timeout=5):
            started = time.monotonic()
            time.sleep(0.15)
            spans.append((started, time.monotonic()))

    _in_threads(writer, 3)
    spans.sort()
    assert len(spans) == 3
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(2)), "writers overlapped"
    # Inside a transaction the caller may already hold SQLite's lock: no queue then.
    with transaction.atomic():
        assert not sqlite_writers._queue_applies()
    assert sqlite_writers._queue_applies()


def test_a_writer_gives_up_at_its_deadline() -> None:
    outcomes: list[str] = []
    first_in = threading.Event()

    def holder() -> None:
        with sqlite_writers.writer_turn(timeout=5):
            first_in.set()
            time.sleep(1.0)
        outcomes.append("held")

    def waiter() -> None:
        assert first_in.wait(timeout=5)
        started = time.monotonic()
        try:
            with sqlite_writers.writer_turn(timeout=0.2):
                outcomes.append("entered")
        except sqlite_writers.QueueTimeout:
            outcomes.append(f"gave up after {time.monotonic() - started:.1f}")

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert "held" in outcomes
    assert "gave up after 0.2" in outcomes or "gave up after 0.3" in outcomes
