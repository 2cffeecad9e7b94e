"""The invariants the generated data must keep, checked against the database itself."""

from __future__ import annotations

from django.db.models import Count, F, Q

from campus.people.models import Agent
from campus.registrations.models import Attendance, Registration
from campus.scheduling.models import TrainingSession


class InvariantBroken(RuntimeError):
    """The generator wrote data the product could never have produced."""


def overbooked_sessions(using: str = "default") -> list[int]:
    """Sessions with more confirmed + offered registrations than seats."""
    return list(
        TrainingSession.objects.using(using)
        .annotate(
            seats=Count(
                "registrations", filter=Q(registrations__state__in=Registration.SEAT_STATES)
            )
        )
        .filter(seats__gt=F("capacity"))
        .values_list("id", flat=True)[:10]
    )


def misplaced_attendance(using: str = "default") -> int:
    """Attendance rows that are not for a confirmed registration of a done session's part."""
    rows = Attendance.objects.using(using)
    wrong_state = rows.exclude(
        registration__state=Registration.State.CONFIRMED,
        registration__session__status=TrainingSession.Status.DONE,
    )
    wrong_part = rows.exclude(part__session_id=F("registration__session_id"))
    return wrong_state.count() + wrong_part.count()


def manager_loops(using: str = "default") -> list[int]:
    """Agents whose chain of managers comes back to them."""
    manager_of = dict(Agent.objects.using(using).values_list("id", "manager_id"))
    settled: set[int] = set()  # chains known to end at the top
    looping: list[int] = []
    for start in manager_of:
        path: list[int] = []
        seen: set[int] = set()
        current: int | None = start
        while current is not None and current not in settled:
            if current in seen:
                looping.append(start)
                break
            seen.add(current)
            path.append(current)
            current = manager_of.get(current)
        else:
            settled.update(path)
    return looping


def check_invariants(using: str = "default") -> None:
    overbooked = overbooked_sessions(using)
    if overbooked:
        raise InvariantBroken(f"Overbooked sessions: {overbooked}")
    misplaced = misplaced_attendance(using)
    if misplaced:
        raise InvariantBroken(f"{misplaced} attendance rows outside done sessions' confirmed")
    loops = manager_loops(using)
    if loops:
        raise InvariantBroken(f"Manager loops through agents {loops[:10]}")
