"""Rendered fragments are reused while the data, the minute and the language stay the same."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from campus.core import freshness
from campus.core.audit import audit_record
from campus.people.models import User

pytestmark = pytest.mark.django_db


class Renderer:
    """A render callable that counts its calls and says which one produced the fragment."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"rendu n°{self.calls}"


def _fragment(render: Callable[[], str], *parts: object, name: str = "essai") -> str:
    return freshness.cached_fragment(name, parts, render)


def test_the_same_key_renders_once() -> None:
    render = Renderer()
    assert _fragment(render, "q=a", 1) == "rendu n°1"
    assert _fragment(render, "q=a", 1) == "rendu n°1"
    assert render.calls == 1


def test_parts_and_names_make_distinct_fragments() -> None:
    render = Renderer()
    assert _fragment(render, "q=a", 1) == "rendu n°1"
    assert _fragment(render, "q=a", 2) == "rendu n°2"
    assert _fragment(render, "q=b", 1) == "rendu n°3"
    assert _fragment(render, "q=a", 1, name="autre") == "rendu n°4"
    assert _fragment(render, "q=a", 1) == "rendu n°1"


def test_an_audit_entry_renders_afresh(coordinator: User) -> None:
    render = Renderer()
    before = freshness.data_stamp()
    _fragment(render, "x")
    audit_record(actor=coordinator, action="test.change", object_type="test", object_id=1)
    assert freshness.data_stamp() != before
    assert _fragment(render, "x") == "rendu n°2"
    assert _fragment(render, "x") == "rendu n°2"


def test_an_admin_change_renders_afresh(coordinator: User) -> None:
    render = Renderer()
    _fragment(render, "x")
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(coordinator.pk),
        object_repr=str(coordinator),
        action_flag=ADDITION,
    )
    assert _fragment(render, "x") == "rendu n°2"


def test_the_next_minute_renders_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    render = Renderer()
    start = timezone.now().replace(second=5)
    clock: dict[str, Any] = {"now": start}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    _fragment(render, "x")
    clock["now"] = start + datetime.timedelta(seconds=50)
    assert _fragment(render, "x") == "rendu n°1"
    clock["now"] = start + datetime.timedelta(minutes=1)
    assert _fragment(render, "x") == "rendu n°2"


def test_each_language_has_its_own_fragment() -> None:
    render = Renderer()
    with translation.override("fr"):
        assert _fragment(render, "x") == "rendu n°1"
    with translation.override("en"):
        assert _fragment(render, "x") == "rendu n°2"
    with translation.override("fr"):
        assert _fragment(render, "x") == "rendu n°1"


def test_the_stamp_costs_one_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert freshness.data_stamp() == "0.0"
