"""What the generator's phases share: sizes, the clock, the loader, and what earlier phases planned."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from .clock import local_ts
from .loader import Loader
from .presets import Sizes


@dataclass
class CoursePlan:
    id: int
    format: str
    popularity: float
    status: str
    programme: int | None  # index in vocab.PROGRAMMES
    audience_key: str  # which agents may sign up: "all", "managers", "cat:AB", "org:3"
    needs_approval: bool
    mandatory: bool
    trainers: tuple[int, ...]


@dataclass
class PartPlan:
    id: int
    starts: int
    ends: int


@dataclass
class SessionPlan:
    id: int
    course: CoursePlan
    capacity: int
    starts: int
    ends: int
    opens: int
    closes: int
    cancel_deadline: int
    status: str
    cancelled_at: int | None
    cancellation_reason: str
    offer_mode: bool
    offer_hours: int
    parts: list[PartPlan]
    trainers: tuple[int, ...]


@dataclass
class World:
    sizes: Sizes
    seed: int
    reference: datetime.date
    loader: Loader
    bench_password: str
    now: int = 0  # the reference date at midnight in Paris, as epoch seconds
    # People, indexed by agent id (index 0 unused); user ids equal agent ids.
    agent_org: list[int] = field(default_factory=list)
    agent_manager: list[int | None] = field(default_factory=list)
    agent_is_manager: list[bool] = field(default_factory=list)
    agent_category: list[str] = field(default_factory=list)
    agent_active: list[bool] = field(default_factory=list)
    agent_weight: list[float] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    coordinators: list[int] = field(default_factory=list)
    trainers: list[int] = field(default_factory=list)
    courses: list[CoursePlan] = field(default_factory=list)
    sessions: list[SessionPlan] = field(default_factory=list)
    fixtures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.now = local_ts(self.reference, datetime.time(0, 0))

    def rng(self, phase: str) -> random.Random:
        """One generator per phase: changing one phase's sizes leaves the others' draws alone."""
        return random.Random(f"{self.seed}:{phase}")

    @property
    def agent_count(self) -> int:
        return len(self.agent_org) - 1

    @property
    def bench_limit(self) -> int:
        """Agents 1..bench_limit have the bench password."""
        return min(self.sizes.bench_accounts, self.sizes.agents)
