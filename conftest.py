"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from campus.people.models import User
from campus.people.tests.factories import AgentFactory, UserFactory


@pytest.fixture
def agent_user(db: None) -> User:
    return UserFactory()


@pytest.fixture
def coordinator(db: None) -> User:
    return UserFactory(role=User.Role.COORDINATOR)


@pytest.fixture
def director(db: None) -> User:
    return UserFactory(role=User.Role.DIRECTOR)


@pytest.fixture
def hr_viewer(db: None) -> User:
    return UserFactory(role=User.Role.HR_VIEWER)


@pytest.fixture
def manager_with_team(db: None) -> tuple[User, list[User]]:
    """A manager's account and three accounts of their direct reports."""
    manager = UserFactory()
    reports = [
        UserFactory(
            agent=AgentFactory(organisation=manager.agent.organisation, manager=manager.agent)
        )
        for _ in range(3)
    ]
    return manager, reports


@pytest.fixture(autouse=True)
def _reset_axes_cache(settings: pytest.FixtureRequest) -> None:
    """Lockouts must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove this run's SQLite writers' queue file (campus.core.sqlite_writers)."""
    from pathlib import Path

    from django.conf import settings

    name = str(settings.DATABASES["default"].get("TEST", {}).get("NAME") or "")
    if name:
        Path(f"{name}-writers").unlink(missing_ok=True)
