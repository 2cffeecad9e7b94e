"""Build the bench's school: a fresh database, N signed-in agents, one open session.

Runs inside Django (the caller has configured settings). Agents and accounts are
bulk-inserted: the bench measures sign-ups, not data loading. The session goes
through the scheduling services, as a coordinator would programme it. Signing
1,000 agents in through the login form would take minutes of password hashing,
so their sessions are minted server-side: the same rows `django.contrib.auth.login`
writes (user id, backend, session auth hash).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from campus.catalog.models import Course
from campus.people.models import Agent, Organisation, User
from campus.registrations import lifecycle
from campus.scheduling import services as scheduling_services
from campus.scheduling.models import TrainingSession

from .load import Caller

LOGIN_BACKEND = "campus.people.auth_backends.LoginBackend"
CSRF_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass
class School:
    session: TrainingSession
    callers: list[Caller]


def next_weekday(days_ahead: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@transaction.atomic
def build_school(*, agents: int, seats: int) -> School:
    organisation = Organisation.objects.create(
        name="Ville de Banc-d'Essai", code="bench", kind=Organisation.Kind.COMMUNE
    )
    coordinator_agent = Agent.objects.create(
        organisation=organisation, matricule="C0001", last_name="Coord", first_name="Ina"
    )
    coordinator = User.objects.create(
        login="coordination@bench.example.fr",
        agent=coordinator_agent,
        role=User.Role.COORDINATOR,
        password=make_password(None),  # unusable: nobody signs in with a password here
    )
    Agent.objects.bulk_create(
        Agent(
            organisation=organisation,
            matricule=f"B{i:05d}",
            last_name=f"Agent{i:04d}",
            first_name="Banc",
            email=f"b{i:05d}@bench.example.fr",
        )
        for i in range(agents)
    )
    people = list(Agent.objects.filter(matricule__startswith="B").order_by("matricule"))
    unusable = make_password(None)  # no hashing cost; the sessions are minted below
    User.objects.bulk_create(
        User(login=a.email, email=a.email, agent=a, password=unusable) for a in people
    )
    users = list(User.objects.filter(agent__in=people).order_by("agent__matricule"))

    course = Course.objects.create(
        title="Conférence : la veille juridique",
        slug="banc-essai-veille-juridique",
        status=Course.Status.PUBLISHED,
    )
    day = next_weekday(30)
    created = scheduling_services.session_create(
        actor=coordinator,
        course=course,
        parts=[
            scheduling_services.PartInput(
                date=day,
                start_time=datetime.time(9, 0),
                end_time=datetime.time(12, 0),
            )
        ],
        capacity=seats,
    )
    session = lifecycle.session_open(actor=coordinator, session=created.session)
    return School(session=session, callers=mint_sessions(users))


def mint_sessions(users: list[User]) -> list[Caller]:
    """One signed-in browser per user: a session row and a CSRF secret."""
    expire = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    rows, callers = [], []
    for user in users:
        key = get_random_string(32, CSRF_ALPHABET.lower())
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: LOGIN_BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        callers.append(Caller(session_key=key, csrf_secret=get_random_string(32, CSRF_ALPHABET)))
    Session.objects.bulk_create(rows, batch_size=500)
    return callers
