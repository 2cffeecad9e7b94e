"""Generate a whole school at a given size: `generate(...)`, and `bench_fixtures()` afterwards.

The phases plan rows in Python with their ids assigned up front and hand them
to the bulk loader; everything happens in one transaction, so a failure
leaves the database as it was. The run ends with the invariants checked in
SQL, the sequences moved past the generated ids, and fresh planner statistics.

The reference date stands for "today": sessions before it are past (done or
cancelled, with attendance), sessions after it are open for sign-up. The same
seed and reference date give the same rows (see `GenerationResult.digest`).
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus.catalog.models import Course, Programme, Theme
from campus.core import data_versions
from campus.core.audit import audit_record
from campus.core.exceptions import DomainError
from campus.core.models import AuditEntry, SchoolSettings
from campus.people.models import Agent, Organisation, User
from campus.registrations.models import Registration, RegistrationEvent
from campus.scheduling.models import TrainingSession, Venue

from .catalogue import plan_catalogue
from .loader import Loader, wipe
from .people import plan_people
from .presets import MINIMUM_AGENTS, MINIMUM_COURSES, MINIMUM_SESSIONS, Sizes
from .registrations import plan_registrations
from .scheduling import plan_scheduling
from .verify import check_invariants
from .world import World

AUDIT_ACTION = "datagen.generate"
BENCH_PASSWORD = "bench-password"  # noqa: S105 - published on purpose: generated data only


class GenerationRefused(DomainError):
    """The database holds data the generator must not mix with."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="datagen.database_not_empty")


@dataclass
class GenerationResult:
    sizes: Sizes
    seed: int
    reference: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    phases: list[tuple[str, float]] = field(default_factory=list)
    digest: str = ""
    fixtures: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(seconds for _name, seconds in self.phases)


# What the generator writes, with the French word for the refusal message.
_GUARDED: tuple[tuple[type[models.Model], str], ...] = (
    (Agent, "agents"),
    (User, "comptes"),
    (Organisation, "structures"),
    (Theme, "thèmes"),
    (Programme, "programmes"),
    (Course, "formations"),
    (Venue, "lieux"),
    (TrainingSession, "sessions"),
    (Registration, "inscriptions"),
)


def existing_data(using: str = "default") -> dict[str, int]:
    """Rows already in the tables the generator writes, which it must not mix with its own."""
    counts = {name: model._default_manager.using(using).count() for model, name in _GUARDED}
    return {name: count for name, count in counts.items() if count}


def _check_sizes(sizes: Sizes) -> None:
    problems = []
    if sizes.agents < MINIMUM_AGENTS:
        problems.append(_("au moins %(n)d agents") % {"n": MINIMUM_AGENTS})
    if sizes.sessions < MINIMUM_SESSIONS:
        problems.append(_("au moins %(n)d sessions") % {"n": MINIMUM_SESSIONS})
    if sizes.courses < MINIMUM_COURSES:
        problems.append(_("au moins %(n)d formations") % {"n": MINIMUM_COURSES})
    if sizes.organisations < 1 or sizes.organisations * 20 > sizes.agents:
        problems.append(_("entre 1 structure et une structure pour 20 agents"))
    if sizes.years < 1:
        problems.append(_("au moins une année"))
    if sizes.registrations < 200:
        problems.append(_("au moins 200 inscriptions"))
    if sizes.bench_accounts < 20:
        problems.append(_("au moins 20 comptes de banc d'essai"))
    if problems:
        raise DomainError(
            _("Tailles impossibles : il faut %(list)s.") % {"list": ", ".join(problems)},
            code="datagen.invalid_sizes",
        )


def generate(
    *,
    sizes: Sizes,
    seed: int,
    reference: datetime.date | None = None,
    reset: bool = False,
    using: str = "default",
    progress: Callable[[str, float], None] | None = None,
) -> GenerationResult:
    """Fill the database with a school of `sizes`; refuse a database that already holds people."""
    _check_sizes(sizes)
    reference = reference or timezone.localdate()
    result = GenerationResult(sizes=sizes, seed=seed, reference=reference)
    if not reset:
        found = existing_data(using)
        if found:
            details = ", ".join(f"{count} {name}" for name, count in found.items())
            raise GenerationRefused(
                _(
                    "La base contient déjà des données (%(details)s) : le générateur ne les "
                    "mélange pas avec les siennes. Relancez avec --reset pour tout effacer "
                    "d'abord, ou choisissez une base vide."
                )
                % {"details": details}
            )
    loader = Loader(using=using)
    world = World(
        sizes=sizes, seed=seed, reference=reference, loader=loader, bench_password=BENCH_PASSWORD
    )

    def phase(name: str, work: Callable[[], Any]) -> None:
        started = time.perf_counter()
        work()
        loader.flush_all()
        seconds = time.perf_counter() - started
        result.phases.append((name, seconds))
        if progress:
            progress(name, seconds)

    with loader.fast_session(), transaction.atomic(using=using):
        loader.settle_deferred_checks()
        if reset:
            phase("reset", lambda: wipe(using))
        phase("people", lambda: plan_people(world))
        phase("catalogue", lambda: plan_catalogue(world))
        phase("scheduling", lambda: plan_scheduling(world))
        phase("registrations", lambda: plan_registrations(world))
        phase("indexes", loader.restore_indexes)
        phase("checks", lambda: check_invariants(using))
        phase("sequences", loader.reset_sequences)
        result.counts = loader.counts()
        result.digest = loader.digest()
        world.fixtures["generated"] = {
            "seed": seed,
            "reference": reference.isoformat(),
            "sizes": dataclasses.asdict(sizes),
        }
        result.fixtures = world.fixtures
        # The school's settings row, as a school in use has it: otherwise the first page
        # that reads it also creates it, and the bench would count those queries.
        SchoolSettings.objects.using(using).get_or_create(pk=1)
        # Written in bulk, behind the services: every cached page reads afresh.
        data_versions.changed(*data_versions.KINDS)
        audit_record(
            actor=None,
            action=AUDIT_ACTION,
            object_type="datagen",
            object_id=seed,
            object_label=_("Données générées (graine %(seed)d)") % {"seed": seed},
            changes={
                "sizes": dataclasses.asdict(sizes),
                "seed": seed,
                "reference": reference.isoformat(),
                "digest": result.digest,
                "counts": result.counts,
                "fixtures": world.fixtures,
            },
        )
    if loader.vendor == "postgresql":
        phase("vacuum", loader.vacuum)
    phase("analyze", loader.analyze)
    return result


def bench_fixtures(using: str = "default") -> dict[str, Any]:
    """The ids the benchmark needs, as the last generation recorded them.

    Keys: course_with_many_sessions, session_100_participants, manager_with_team,
    long_history_agent, rush_session, busy_month, coordinator_user_id,
    bench_accounts (user id range and password), registration_totals, and
    generated (seed, reference date, sizes).
    """
    entry = AuditEntry.objects.using(using).filter(action=AUDIT_ACTION).order_by("-id").first()
    if entry is None:
        raise DomainError(
            _("Aucune donnée générée dans cette base : lancez d'abord manage.py generate_data."),
            code="datagen.no_data",
        )
    fixtures: dict[str, Any] = entry.changes["fixtures"]
    return fixtures


def database_size(using: str = "default") -> int:
    """Bytes on disk of the database (for the report)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def rush_session_reset(using: str = "default") -> int:
    """Empty the rush session again so that the benchmark can rerun the rush on the same data.

    A benchmark tool, not a product action: the history rows of the rush's own
    sign-ups go too (the product never deletes history), and nothing else is
    touched. Returns the number of registrations removed.
    """
    session_id = bench_fixtures(using)["rush_session"]["session_id"]
    connection = connections[using]
    events = connection.ops.quote_name(RegistrationEvent._meta.db_table)
    registrations = Registration.objects.using(using).filter(session_id=session_id)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # Raw SQL: the history's own manager refuses deletion, as it should everywhere else.
        cursor.execute(
            f"DELETE FROM {events} WHERE registration_id IN "  # noqa: S608 - name from the model
            f"(SELECT id FROM {connection.ops.quote_name(Registration._meta.db_table)} "
            "WHERE session_id = %s)",
            [session_id],
        )
        removed = registrations.count()
        registrations.delete()
    return removed
