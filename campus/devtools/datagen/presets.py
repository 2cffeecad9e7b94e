"""The sizes the generator knows by name, and how explicit counts override them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """How much to generate. `bench_accounts` agents get a known password."""

    organisations: int
    agents: int
    courses: int
    sessions: int
    registrations: int
    years: int
    bench_accounts: int = 2000

    def with_overrides(self, **overrides: int | None) -> Sizes:
        return dataclasses.replace(
            self, **{key: value for key, value in overrides.items() if value is not None}
        )


PRESETS: dict[str, Sizes] = {
    # Small enough for a test, large enough for every bench fixture (100 participants).
    "tiny": Sizes(
        organisations=3,
        agents=320,
        courses=30,
        sessions=120,
        registrations=1500,
        years=2,
        bench_accounts=200,
    ),
    "city": Sizes(
        organisations=6,
        agents=20_000,
        courses=800,
        sessions=10_000,
        registrations=300_000,
        years=6,
    ),
    "metropolis": Sizes(
        organisations=10,
        agents=50_000,
        courses=1_500,
        sessions=25_000,
        registrations=1_000_000,
        years=10,
    ),
}

# Below these the bench fixtures (a 100-seat session, a 13-seat rush) cannot be built.
MINIMUM_AGENTS = 200
MINIMUM_SESSIONS = 20
MINIMUM_COURSES = 10
