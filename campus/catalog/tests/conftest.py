"""Fixtures of the catalogue's tests."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from campus.core import freshness


@pytest.fixture
def steady_minute(monkeypatch: pytest.MonkeyPatch) -> datetime.datetime:
    """Cached fragments keep their minute for the whole test, which may not cross one.

    Only the fragments' clock stops: sessions still start and end in real time.
    """
    now = timezone.now()
    monkeypatch.setattr(freshness, "timezone", SimpleNamespace(now=lambda: now))
    return now
