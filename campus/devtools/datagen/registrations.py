"""Registrations played out session by session, their history, and attendance per part.

Each session replays its sign-ups in time order with the product's rules
(campus/registrations/capacity.py): a newcomer takes a free seat or joins the
waitlist; a freed seat goes to the head of the waitlist, confirmed at once or
offered for a limited time; requests wait for the line manager; a cancelled
session takes every live registration with it. So the states, the arrival
order, the history rows and the seat count always agree, and confirmed plus
offered never exceed the capacity.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from campus.registrations.models import (
    LIVE_STATES,
    SEAT_STATES,
    Attendance,
    Registration,
    RegistrationEvent,
)

from . import vocab
from .clock import DAY, HOUR, utc
from .loader import Table
from .world import SessionPlan, World

CANCEL_SHARE = 0.22
DECLINE_SHARE = 0.12
MANDATORY_SHARE_IN_MANDATORY_COURSES = 0.7
COORDINATOR_SIGNUP_SHARE = 0.08
LONG_HISTORY_SESSIONS = 150
PER_SESSION_CAP = (2, 10)  # at most capacity * 2 + 10 sign-ups to one session
HUNDRED_CANCELLED = 8

State = Registration.State

REASON_CREATED = "Inscription."
REASON_REQUESTED = "Demande transmise au responsable hiérarchique."
REASON_APPROVED = "Accord du responsable."
REASON_AUTO_DECLINED = "Demande sans réponse du responsable à la clôture des inscriptions."
REASON_PROMOTED = "Promu depuis la liste d'attente."
REASON_OFFERED = "Une place s'est libérée."
REASON_OFFER_TAKEN = "Place acceptée."
REASON_OFFER_REFUSED = "Place proposée refusée."
REASON_OFFER_EXPIRED = "Place proposée non acceptée à temps."

# Event kinds, in the order they are handled when two fall on the same second.
SEEK, APPROVE, DECLINE, AUTO_DECLINE, CANCEL, OFFER_TAKE, OFFER_REFUSE, OFFER_EXPIRE = range(8)


@dataclass
class Intent:
    """What one agent will do about one session; the replay decides what actually happens."""

    agent: int
    arrives: int
    creator: int
    mandatory: bool
    decision: tuple[int, int] | None  # (APPROVE | DECLINE | AUTO_DECLINE, when) for requests
    cancels_at: int | None


class Writer:
    """The three tables and their id counters."""

    def __init__(self, world: World) -> None:
        loader = world.loader
        self.registrations: Table = loader.table(
            Registration,
            [
                "id",
                "session_id",
                "agent_id",
                "state",
                "is_mandatory",
                "source",
                "queued_at",
                "offer_expires_at",
                "overlap_acknowledged",
                "note",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
        )
        self.events: Table = loader.table(
            RegistrationEvent,
            ["id", "registration_id", "at", "actor_id", "from_state", "to_state", "reason"],
        )
        self.attendance: Table = loader.table(
            Attendance,
            ["id", "registration_id", "part_id", "status", "method", "marked_by_id", "marked_at"],
        )
        self.next_registration = 1
        self.next_event = 1
        self.next_attendance = 1


def replay(
    plan: SessionPlan,
    intents: list[Intent],
    *,
    world: World,
    writer: Writer,
    rng: Random,
) -> dict[str, int]:
    """Play the intents in time order under the capacity rules; write the rows; count states."""
    n = len(intents)
    base = writer.next_registration
    writer.next_registration += n
    horizon = world.now if plan.starts >= world.now else 2**62
    if plan.cancelled_at is not None:
        horizon = min(horizon, plan.cancelled_at)
    coordinator = world.coordinators[plan.id % len(world.coordinators)]
    managers = world.agent_manager
    capacity = plan.capacity
    offer_seconds = plan.offer_hours * HOUR

    state = [""] * n
    queued = [0] * n
    updated = [0] * n
    offer_expires: list[int | None] = [None] * n
    event_rows = writer.events.rows
    add_event = event_rows.append
    next_event = writer.next_event

    heap: list[tuple[int, int, int, int]] = []
    counter = itertools.count()
    for j, intent in enumerate(intents):
        if intent.decision is None:
            heap.append((intent.arrives, SEEK, next(counter), j))
        else:
            state[j] = State.REQUESTED
            queued[j] = updated[j] = intent.arrives
            add_event(
                (
                    next_event,
                    base + j,
                    utc(intent.arrives),
                    intent.creator,
                    "",
                    State.REQUESTED,
                    REASON_REQUESTED,
                )
            )
            next_event += 1
            kind, when = intent.decision
            heap.append((when, kind, next(counter), j))
        if intent.cancels_at is not None:
            heap.append((intent.cancels_at, CANCEL, next(counter), j))
    heapq.heapify(heap)

    used = 0
    waitlist: deque[int] = deque()

    def move(j: int, to: str, at: int, actor: int | None, reason: str) -> None:
        nonlocal next_event
        add_event((next_event, base + j, utc(at), actor, state[j], to, reason))
        next_event += 1
        state[j] = to
        updated[j] = at
        if to != State.OFFERED:
            offer_expires[j] = None

    def fill(at: int, actor: int | None) -> None:
        nonlocal used
        while used < capacity and waitlist:
            k = waitlist.popleft()
            if state[k] != State.WAITLISTED:
                continue
            used += 1
            if plan.offer_mode:
                move(k, State.OFFERED, at, actor, REASON_OFFERED)
                offer_expires[k] = at + offer_seconds
                draw = rng.random()
                if draw < 0.75:
                    event = (at + int(rng.uniform(0.05, 0.9) * offer_seconds), OFFER_TAKE)
                elif draw < 0.87:
                    event = (at + int(rng.uniform(0.05, 0.9) * offer_seconds), OFFER_REFUSE)
                else:
                    event = (at + offer_seconds, OFFER_EXPIRE)
                heapq.heappush(heap, (event[0], event[1], next(counter), k))
            else:
                move(k, State.CONFIRMED, at, actor, REASON_PROMOTED)

    while heap and heap[0][0] < horizon:
        at, kind, _seq, j = heapq.heappop(heap)
        intent = intents[j]
        current = state[j]
        if kind in (SEEK, APPROVE):
            if kind == APPROVE and current != State.REQUESTED:
                continue
            target = State.CONFIRMED if used < capacity else State.WAITLISTED
            queued[j] = at
            if kind == SEEK:
                state[j] = target
                updated[j] = at
                add_event(
                    (next_event, base + j, utc(at), intent.creator, "", target, REASON_CREATED)
                )
                next_event += 1
            else:
                move(j, target, at, managers[intent.agent], REASON_APPROVED)
            if target == State.CONFIRMED:
                used += 1
            else:
                waitlist.append(j)
        elif kind == DECLINE:
            if current == State.REQUESTED:
                move(
                    j, State.DECLINED, at, managers[intent.agent], rng.choice(vocab.DECLINE_REASONS)
                )
        elif kind == AUTO_DECLINE:
            if current == State.REQUESTED:
                move(j, State.DECLINED, at, None, REASON_AUTO_DECLINED)
        elif kind == CANCEL:
            if current not in LIVE_STATES:
                continue
            by_agent = not intent.mandatory and (
                current != State.CONFIRMED or at < plan.cancel_deadline
            )
            actor = intent.agent if by_agent else coordinator
            move(j, State.CANCELLED, at, actor, rng.choice(vocab.AGENT_CANCEL_REASONS))
            if current in SEAT_STATES:
                used -= 1
                fill(at, actor)
        elif current == State.OFFERED:
            if kind == OFFER_TAKE:
                move(j, State.CONFIRMED, at, intent.agent, REASON_OFFER_TAKEN)
            else:
                refused = kind == OFFER_REFUSE
                move(
                    j,
                    State.CANCELLED,
                    at,
                    intent.agent if refused else None,
                    REASON_OFFER_REFUSED if refused else REASON_OFFER_EXPIRED,
                )
                used -= 1
                fill(at, intent.agent if refused else None)

    if plan.cancelled_at is not None:
        for j in range(n):
            if state[j] in LIVE_STATES:
                move(
                    j,
                    State.SESSION_CANCELLED,
                    plan.cancelled_at,
                    coordinator,
                    plan.cancellation_reason,
                )
    writer.next_event = next_event

    counts: dict[str, int] = {State.CONFIRMED: 0, State.WAITLISTED: 0, State.OFFERED: 0}
    add_registration = writer.registrations.add
    for j, intent in enumerate(intents):
        s = state[j]
        if s in counts:
            counts[s] += 1
        expires = offer_expires[j]
        add_registration(
            (
                base + j,
                plan.id,
                intent.agent,
                s,
                intent.mandatory,
                Registration.Source.SIGNUP,
                utc(queued[j]),
                utc(expires) if expires is not None else None,
                False,
                "",
                intent.creator,
                utc(intent.arrives),
                utc(updated[j]),
            )
        )
    if counts[State.CONFIRMED] + counts[State.OFFERED] > capacity:  # the replay's own guarantee
        raise AssertionError(f"session {plan.id} overbooked")
    if plan.status == "done":
        _attendance(
            plan, [base + j for j in range(n) if state[j] == State.CONFIRMED], world, writer, rng
        )
    if len(writer.events.rows) >= writer.events.chunk:
        writer.events.flush()
    return counts


def _attendance(
    plan: SessionPlan, confirmed: list[int], world: World, writer: Writer, rng: Random
) -> None:
    """Present ~85%, excused ~7%, unexcused ~8%, mostly the same for every part."""
    marker = plan.trainers[0] if plan.trainers else world.coordinators[0]
    add = writer.attendance.rows.append
    next_id = writer.next_attendance
    for registration_id in confirmed:
        draw = rng.random()
        usual = "present" if draw < 0.85 else "excused" if draw < 0.92 else "unexcused"
        for part in plan.parts:
            status = usual
            if len(plan.parts) > 1 and rng.random() < 0.05:
                status = "present" if usual != "present" else rng.choice(("excused", "unexcused"))
            method = "check_in" if status == "present" and rng.random() < 0.2 else "manual"
            add((next_id, registration_id, part.id, status, method, marker, utc(part.ends + 600)))
            next_id += 1
    writer.next_attendance = next_id
    if len(writer.attendance.rows) >= writer.attendance.chunk:
        writer.attendance.flush()


class Pools:
    """Agents allowed on each audience, with cumulative appetite weights for sampling."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cache: dict[str, tuple[list[int], list[float]]] = {}

    def get(self, key: str) -> tuple[list[int], list[float]]:
        if key not in self.cache:
            w = self.world
            test: Callable[[int], bool]
            if key == "managers":
                test = w.agent_is_manager.__getitem__
            elif key.startswith("cat:"):
                allowed = key[4:]
                test = lambda a: w.agent_category[a] in allowed  # noqa: E731
            elif key.startswith("org:"):
                org = int(key[4:])
                test = lambda a: w.agent_org[a] == org  # noqa: E731
            else:
                test = lambda a: True  # noqa: E731
            ids = [a for a in range(1, w.agent_count + 1) if w.agent_weight[a] > 0 and test(a)]
            self.cache[key] = (ids, list(itertools.accumulate(w.agent_weight[a] for a in ids)))
        return self.cache[key]

    def sample(self, rng: Random, key: str, count: int, first: int | None = None) -> list[int]:
        ids, weights = self.get(key)
        count = min(count, len(ids))
        chosen: dict[int, None] = {first: None} if first is not None and count > 0 else {}
        while len(chosen) < count:
            for agent in rng.choices(ids, cum_weights=weights, k=count - len(chosen) + 4):
                chosen[agent] = None
        return list(chosen)[:count]


def _window_end(plan: SessionPlan, now: int) -> int:
    end = min(plan.closes, now)
    if plan.cancelled_at is not None:
        end = min(end, plan.cancelled_at)
    return end


def _intents(plan: SessionPlan, agents: list[int], rng: Random, world: World) -> list[Intent]:
    """Arrivals front-loaded in the window (popular sessions fill early), then each agent's path."""
    end = _window_end(plan, world.now)
    span = end - plan.opens
    arrivals = sorted(plan.opens + int(rng.random() ** 1.6 * span) for _ in agents)
    course = plan.course
    coordinator = world.coordinators[plan.id % len(world.coordinators)]
    intents = []
    for agent, arrives in zip(agents, arrivals, strict=True):
        mandatory = (
            course.mandatory and rng.random() < MANDATORY_SHARE_IN_MANDATORY_COURSES
        ) or rng.random() < 0.004
        by_coordinator = mandatory or rng.random() < COORDINATOR_SIGNUP_SHARE
        decision = None
        if course.needs_approval and not by_coordinator and world.agent_manager[agent]:
            when = arrives + int(rng.uniform(0.2, 6.0) * DAY)
            if when >= plan.closes:
                decision = (AUTO_DECLINE, plan.closes)
            elif rng.random() < DECLINE_SHARE:
                decision = (DECLINE, when)
            else:
                decision = (APPROVE, when)
        cancels_at = None
        if rng.random() < CANCEL_SHARE:
            cancels_at = arrives + int(rng.random() * max(HOUR, plan.starts - arrives))
        intents.append(
            Intent(
                agent,
                arrives,
                coordinator if by_coordinator else agent,
                mandatory,
                decision,
                cancels_at,
            )
        )
    return intents


def _hundred_intents(
    plan: SessionPlan, agents: list[int], world: World, rng: Random
) -> list[Intent]:
    """108 sign-ups to a 100-seat session, then 8 of the first hundred cancel: 100 confirmed."""
    start = world.now - 30 * DAY
    intents = [
        Intent(agent, start + j * 4 * HOUR, agent, False, None, None)
        for j, agent in enumerate(agents)
    ]
    last = intents[-1].arrives
    for k, j in enumerate(sorted(rng.sample(range(HUNDRED_CANCELLED * 4), HUNDRED_CANCELLED))):
        intents[j].cancels_at = last + (k + 1) * HOUR
    return intents


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainders)."""
    weight_sum = sum(weights) or 1.0
    shares = [total * w / weight_sum for w in weights]
    counts = [int(s) for s in shares]
    short = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[:short]:
        counts[i] += 1
    return counts


def plan_registrations(world: World) -> None:
    rng = world.rng("registrations")
    writer = Writer(world)
    pools = Pools(world)
    fixtures = world.fixtures
    hundred_id = fixtures["session_100_participants"]["session_id"]
    rush_id = fixtures["rush_session"]["session_id"]
    now = world.now
    candidates = [
        plan
        for plan in world.sessions
        if plan.status != "draft"
        and plan.id not in (hundred_id, rush_id)
        and _window_end(plan, now) - plan.opens > DAY
    ]
    weights = []
    for plan in candidates:
        elapsed = min(1.0, (_window_end(plan, now) - plan.opens) / (plan.closes - plan.opens))
        appetite = plan.course.popularity**0.2 * rng.lognormvariate(0, 0.4)
        weights.append(appetite * plan.capacity / 20 * elapsed)
    hundred_signups = 100 + HUNDRED_CANCELLED
    wanted = _allocate(max(0, world.sizes.registrations - hundred_signups), weights)

    long_history = fixtures["long_history_agent"]["agent_id"]
    open_to_all = [p.id for p in candidates if p.course.audience_key == "all"]
    history_sessions = set(
        rng.sample(open_to_all, min(LONG_HISTORY_SESSIONS, len(open_to_all) // 4))
    )

    totals = {
        State.CONFIRMED: 0,
        State.WAITLISTED: 0,
        State.OFFERED: 0,
        "sessions_with_waitlist": 0,
    }
    carry = 0
    for plan, count in zip(candidates, wanted, strict=True):
        cap = plan.capacity * PER_SESSION_CAP[0] + PER_SESSION_CAP[1]
        count += carry
        carry = max(0, count - cap)
        count = min(count, cap)
        first = long_history if plan.id in history_sessions else None
        if first is not None:
            count = max(count, 1)
        agents = pools.sample(rng, plan.course.audience_key, count, first)
        carry += count - len(agents)
        if not agents:
            continue
        counts = replay(
            plan, _intents(plan, agents, rng, world), world=world, writer=writer, rng=rng
        )
        for key, value in counts.items():
            totals[key] += value
        totals["sessions_with_waitlist"] += counts[State.WAITLISTED] > 0

    hundred = next(p for p in world.sessions if p.id == hundred_id)
    agents = pools.sample(rng, "all", hundred_signups)
    counts = replay(
        hundred, _hundred_intents(hundred, agents, world, rng), world=world, writer=writer, rng=rng
    )
    if counts[State.CONFIRMED] != 100:
        raise AssertionError(f"the 100-participant session has {counts['confirmed']} confirmed")
    writer.registrations.flush()
    writer.events.flush()
    writer.attendance.flush()
    fixtures["long_history_agent"]["registrations"] = len(history_sessions)
    world.fixtures["registration_totals"] = totals
