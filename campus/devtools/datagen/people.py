"""Organisations of very different sizes, their department trees, agents, managers, accounts."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from random import Random

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.utils.crypto import RANDOM_STRING_CHARS

from campus.catalog.search_text import fold
from campus.devtools.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES
from campus.people.auth_backends import matricule_login
from campus.people.models import Agent, Department, Organisation, User

from . import vocab
from .clock import DAY, utc
from .world import World

MANAGER_SHARE = 0.15
SPAN_MIN, SPAN_MAX = 5, 15
TEAM_FIXTURE_SIZE = 12
INACTIVE_SHARE = 0.03
# Staff roles given to the first agents, who are bench accounts.
ROLES_BY_AGENT_ID = {
    1: User.Role.COORDINATOR,
    2: User.Role.COORDINATOR,
    3: User.Role.DIRECTOR,
    4: User.Role.HR_VIEWER,
}
LONG_HISTORY_AGENT_ID = 5

_CODE_PREFIX = {
    "commune": "VILLE",
    "epci": "METRO",
    "ccas": "CCAS",
    "syndicat": "SYND",
    "autre": "ORG",
}
# Manager categories lean to A and B; staff shares are set so that the whole
# workforce is about 15% A, 25% B, 60% C.
_MANAGER_CATEGORIES = (("A", 0.50), ("B", 0.35), ("C", 0.15))
_STAFF_CATEGORIES = (("A", 0.088), ("B", 0.232), ("C", 0.68))
_EMAIL_SHARE = {"A": 1.0, "B": 0.95, "C": 0.68}
_STATUSES = (
    ("titulaire", 0.75),
    ("contractuel", 0.18),
    ("stagiaire", 0.03),
    ("apprenti", 0.02),
    ("autre", 0.02),
)


def organisation_sizes(count: int, agents: int) -> list[int]:
    """Sizes following a power law: one large city, then smaller and smaller structures."""
    weights = [1 / (k + 1) ** 1.2 for k in range(count)]
    total = sum(weights)
    sizes = [max(5, int(agents * w / total)) for w in weights]
    sizes[0] += agents - sum(sizes)
    return sizes


def _pick(rng: Random, table: tuple[tuple[str, float], ...]) -> str:
    draw = rng.random()
    for value, share in table:
        draw -= share
        if draw < 0:
            return value
    return table[-1][0]


def _gendered(title: str, gender: str) -> str:
    masculine, _sep, feminine = title.partition("|")
    return feminine if gender == "F" and feminine else masculine


def _email_part(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def _spans(rng: Random, managers: int, reports: int) -> list[int]:
    """Team sizes summing to `reports`, each within 5..15 when the numbers allow it."""
    base = min(SPAN_MIN, reports // managers)
    spans = [base] * managers
    remaining = reports - base * managers
    room = sum(SPAN_MAX - s for s in spans)
    if remaining > room:  # too few managers for the rule: widen the last team
        spans[-1] += remaining - room
        remaining = room
    while remaining > 0:
        k = rng.randrange(managers)
        if spans[k] < SPAN_MAX:
            spans[k] += 1
            remaining -= 1
    return spans


def _force_team(spans: list[int], order: list[int], bench_limit: int) -> int | None:
    """Give one bench-account manager whose team holds no manager a team of exactly 12.

    The difference is absorbed by the managers after it, which keeps every
    manager's reports after the manager in the breadth-first order (no loops).
    """
    managers = len(spans)
    position = 0
    for k in range(managers - 1):
        if position >= managers - 1 and order[k] <= bench_limit and k > 0:
            delta = spans[k] - TEAM_FIXTURE_SIZE
            spans[k] = TEAM_FIXTURE_SIZE
            j = k + 1
            guard = 0
            while delta != 0 and guard < 100 * managers:
                step = 1 if delta > 0 else -1
                if SPAN_MIN <= spans[j] + step <= SPAN_MAX:
                    spans[j] += step
                    delta -= step
                j = j + 1 if j + 1 < managers else k + 1
                guard += 1
            spans[-1] += delta  # only when the rule could not absorb it all
            return order[k]
        position += spans[k]
    return None


def plan_people(world: World) -> None:
    rng = world.rng("people")
    loader = world.loader
    sizes = world.sizes
    organisations = loader.table(Organisation, ["id", "name", "code", "kind", "siret", "is_active"])
    departments = loader.table(Department, ["id", "organisation_id", "parent_id", "name", "code"])
    agents = loader.table(
        Agent,
        [
            "id",
            "organisation_id",
            "matricule",
            "last_name",
            "first_name",
            "email",
            "phone",
            "department_id",
            "job_title",
            "category",
            "status",
            "gender",
            "manager_id",
            "is_manager_position",
            "manager_position_since",
            "arrival_date",
            "departure_date",
            "is_active",
            "created_at",
            "updated_at",
        ],
    )
    users = loader.table(
        User,
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "login",
            "email",
            "agent_id",
            "role",
            "is_active",
            "language",
            "date_joined",
        ],
    )
    bench_limit = world.bench_limit
    # Hashed once: hashing tens of thousands of passwords with Argon2 would take hours.
    # The salt comes from the seed, so that two runs with one seed have one digest, and
    # is as long as Django's own: a shorter one would be re-hashed at every first sign-in.
    salt_rng = world.rng("password-salt")
    salt = "".join(salt_rng.choice(RANDOM_STRING_CHARS) for _ in range(22))
    bench_hash = make_password(world.bench_password, salt=salt)
    stamp = utc(world.now - 40 * DAY)
    reference = world.reference
    n_total = sizes.agents
    world.agent_org = [0] * (n_total + 1)
    world.agent_manager = [None] * (n_total + 1)
    world.agent_is_manager = [False] * (n_total + 1)
    world.agent_category = [""] * (n_total + 1)
    world.agent_active = [False] * (n_total + 1)
    world.agent_weight = [0.0] * (n_total + 1)

    next_agent = 1
    next_department = 1
    team_manager: int | None = None
    for k, size in enumerate(organisation_sizes(sizes.organisations, n_total)):
        org_id = k + 1
        kind, template = vocab.ORGANISATION_KINDS[k % len(vocab.ORGANISATION_KINDS)]
        town = vocab.TOWNS[k % len(vocab.TOWNS)]
        name = template.format(town=town)
        if k >= len(vocab.TOWNS):
            name = f"{name} ({k // len(vocab.TOWNS) + 1})"
        code = f"{_CODE_PREFIX[kind]}{org_id}"
        siret = "".join(str(rng.randrange(10)) for _ in range(14))
        organisations.add((org_id, name, code, kind, siret, True))
        world.organisation_ids.append(org_id)
        domain = f"{code.lower()}.example.fr"

        ids = list(range(next_agent, next_agent + size))
        next_agent += size
        order = ids[:]
        rng.shuffle(order)
        managers = max(1, round(MANAGER_SHARE * size)) if size > 1 else 1
        spans = _spans(rng, managers, size - 1)
        if k == 0:
            # Preferably a manager who signs in with the bench password.
            team_manager = _force_team(spans, order, bench_limit) or _force_team(
                spans, order, n_total
            )
        manager_of: dict[int, int] = {}
        sequence = order[1:managers] + order[managers:]
        position = 0
        for m in range(managers):
            for child in sequence[position : position + spans[m]]:
                manager_of[child] = order[m]
            position += spans[m]

        # Departments follow the hierarchy: the head holds the root, the managers
        # under them directions, then services, then (in large structures) units.
        depth = {order[0]: 0}
        department_of: dict[int, int] = {}
        used_names: dict[int | None, Counter[str]] = {}

        def new_department(
            parent: int | None,
            label: str,
            org_id: int = org_id,
            used_names: dict[int | None, Counter[str]] = used_names,
        ) -> int:
            nonlocal next_department
            names = used_names.setdefault(parent, Counter())
            names[label] += 1
            final = label if names[label] == 1 else f"{label} {names[label]}"
            dept_id = next_department
            next_department += 1
            departments.add((dept_id, org_id, parent, final, f"D{dept_id:05d}"))
            return dept_id

        department_of[order[0]] = new_department(None, "Direction générale des services")
        directions = list(vocab.DIRECTIONS)
        rng.shuffle(directions)
        for m in range(1, managers):
            agent_id = order[m]
            boss = manager_of[agent_id]
            level = depth[boss] + 1
            depth[agent_id] = level
            parent_dept = department_of[boss]
            if level == 1:
                label = directions[(m - 1) % len(directions)]
                department_of[agent_id] = new_department(parent_dept, label)
            elif level == 2:
                department_of[agent_id] = new_department(parent_dept, rng.choice(vocab.SERVICES))
            elif level == 3 and size > 2000:
                department_of[agent_id] = new_department(parent_dept, rng.choice(vocab.UNITS))
            else:
                department_of[agent_id] = parent_dept

        manager_set = set(order[:managers])
        seen_locals: Counter[str] = Counter()
        for agent_id in ids:
            is_manager = agent_id in manager_set
            line_manager = manager_of.get(agent_id)
            # Managers hold their own department; their reports work in it.
            dept = department_of[agent_id if is_manager or line_manager is None else line_manager]
            gender = "F" if rng.random() < 0.62 else "M"
            first = rng.choice(FEMALE_FIRST_NAMES if gender == "F" else MALE_FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            category = _pick(rng, _MANAGER_CATEGORIES if is_manager else _STAFF_CATEGORIES)
            if is_manager:
                title = vocab.MANAGER_JOBS[min(depth[agent_id], len(vocab.MANAGER_JOBS) - 1)]
            else:
                title = rng.choice(vocab.STAFF_JOBS[category])
            job_title = _gendered(title, gender)
            matricule = f"{100000 + agent_id - ids[0]:06d}"
            email = ""
            if agent_id <= bench_limit or rng.random() < _EMAIL_SHARE[category]:
                local = f"{_email_part(first)}.{_email_part(last)}"
                seen_locals[local] += 1
                if seen_locals[local] > 1:
                    local = f"{local}{seen_locals[local]}"
                email = f"{local}@{domain}"
            phone = f"01 {rng.randrange(10, 100)} {rng.randrange(10, 100)} {rng.randrange(10, 100)} {rng.randrange(10, 100)}"
            arrival = reference - datetime.timedelta(days=rng.randrange(30, 365 * 30))
            since = (
                arrival + datetime.timedelta(days=rng.randrange(0, 3650)) if is_manager else None
            )
            if since is not None and since > reference:
                since = reference
            active = True
            departure = None
            if agent_id > bench_limit and not is_manager and rng.random() < INACTIVE_SHARE:
                active = False
                departure = arrival + datetime.timedelta(
                    days=rng.randrange(1, max(2, (reference - arrival).days))
                )
            agents.add(
                (
                    agent_id,
                    org_id,
                    matricule,
                    last,
                    first,
                    email,
                    phone if rng.random() < 0.5 else "",
                    dept,
                    job_title,
                    category,
                    _pick(rng, _STATUSES),
                    gender,
                    line_manager,
                    is_manager,
                    since,
                    arrival,
                    departure,
                    active,
                    stamp,
                    stamp,
                )
            )
            login = email.lower() if email else matricule_login(code, matricule)
            password = (
                bench_hash
                if agent_id <= bench_limit
                else f"{UNUSABLE_PASSWORD_PREFIX}{rng.getrandbits(160):040x}"
            )
            role = ROLES_BY_AGENT_ID.get(agent_id, User.Role.AGENT)
            users.add(
                (
                    agent_id,
                    password,
                    None,
                    False,
                    login,
                    email.lower() or None,
                    agent_id,
                    role,
                    active,
                    "",
                    stamp,
                )
            )
            world.agent_org[agent_id] = org_id
            world.agent_manager[agent_id] = line_manager
            world.agent_is_manager[agent_id] = is_manager
            world.agent_category[agent_id] = category
            world.agent_active[agent_id] = active
            # A few agents train a lot, most now and then: a heavy-tailed appetite.
            appetite = min(25.0, rng.paretovariate(1.3)) * (1.3 if is_manager else 1.0)
            world.agent_weight[agent_id] = appetite if active else 0.0
        managers_and_staff = [a for a in ids if world.agent_active[a]]
        # About one agent in fifty teaches, mostly categories A and B.
        for agent_id in managers_and_staff:
            if rng.random() < (0.04 if world.agent_category[agent_id] in "AB" else 0.01):
                world.trainers.append(agent_id)

    world.coordinators = [a for a, role in ROLES_BY_AGENT_ID.items() if role == "coordinator"]
    if not world.trainers:
        world.trainers = [LONG_HISTORY_AGENT_ID]
    team_size = sum(1 for boss in world.agent_manager if boss == team_manager)
    world.fixtures["manager_with_team"] = {"agent_id": team_manager, "team_size": team_size}
    world.fixtures["long_history_agent"] = {"agent_id": LONG_HISTORY_AGENT_ID}
    world.fixtures["coordinator_user_id"] = world.coordinators[0]
    world.fixtures["bench_accounts"] = {
        "first_user_id": 1,
        "last_user_id": bench_limit,
        "password": world.bench_password,
    }
