"""Venues and rooms, and sessions spread over the school years, each in one or more parts."""

from __future__ import annotations

import datetime
import itertools
from bisect import bisect_left
from collections import Counter
from random import Random

from campus.registrations.models import SessionRegistrationSettings
from campus.scheduling.models import Room, SessionPart, TrainingSession, Venue

from . import vocab
from .clock import DAY, HOUR, french_holidays, local_ts, utc, utc_date, working_days
from .world import CoursePlan, PartPlan, SessionPlan, World

T = datetime.time
SLOTS: dict[str, tuple[datetime.time, datetime.time]] = {
    "M": (T(9, 0), T(12, 0)),
    "A": (T(14, 0), T(17, 0)),
    "L": (T(12, 15), T(13, 45)),
    "E": (T(17, 30), T(19, 0)),
}
# The rush session's slot, which no generated session uses: the thousand agents who
# sign up to it meet no overlap warning.
RUSH_SLOT = (T(19, 30), T(21, 0))
# Fewer sessions in summer and around Christmas.
MONTH_WEIGHTS = {
    1: 1.0,
    2: 0.9,
    3: 1.1,
    4: 0.9,
    5: 0.8,
    6: 1.0,
    7: 0.3,
    8: 0.05,
    9: 1.2,
    10: 1.2,
    11: 1.1,
    12: 0.6,
}
FUTURE_DAYS = 150  # how far ahead the programme is published
OPENS_BEFORE_DAYS = 75
CLOSES_BEFORE_DAYS = 2
CANCEL_DEADLINE_DAYS = 7
HUNDRED_SEATS = 100
RUSH_SEATS = 13


def _single_slot(rng: Random, fmt: str) -> str:
    if fmt == "atelier":
        return "L" if rng.random() < 0.6 else rng.choice("MA")
    if fmt in ("conference", "debat"):
        return "E" if rng.random() < 0.4 else rng.choice("MA")
    return rng.choice("MA")


class _Calendar:
    """Working days, and which room is taken in which slot of which day."""

    def __init__(self, first: datetime.date, last: datetime.date, rooms: list[tuple[int, int]]):
        self.holidays: set[datetime.date] = set()
        for year in range(first.year, last.year + 2):
            self.holidays |= french_holidays(year)
        self.rooms = sorted(rooms, key=lambda r: (r[1], r[0]))  # smallest fitting room first
        self.taken: dict[tuple[datetime.date, str], set[int]] = {}

    def working(self, day: datetime.date) -> datetime.date:
        while day.weekday() >= 5 or day in self.holidays:
            day += datetime.timedelta(days=1)
        return day

    def book(self, day: datetime.date, slot: str, seats: int) -> int | None:
        taken = self.taken.setdefault((day, slot), set())
        for room_id, capacity in self.rooms:
            if capacity >= seats and room_id not in taken:
                taken.add(room_id)
                return room_id
        return None


def plan_scheduling(world: World) -> None:
    rng = world.rng("scheduling")
    loader = world.loader
    venues = loader.table(Venue, ["id", "name", "address", "access_notes"])
    rooms_table = loader.table(
        Room, ["id", "venue_id", "name", "capacity", "step_free_access", "equipment", "is_active"]
    )
    rooms: list[tuple[int, int]] = []
    room_id = 0
    for venue_id, (name, address, venue_rooms) in enumerate(vocab.VENUES, start=1):
        venues.add((venue_id, name, address, ""))
        for room_name, capacity, step_free in venue_rooms:
            room_id += 1
            rooms_table.add((room_id, venue_id, room_name, capacity, step_free, "", True))
            rooms.append((room_id, capacity))

    reference = world.reference
    first = reference - datetime.timedelta(days=365 * world.sizes.years)
    last = reference + datetime.timedelta(days=FUTURE_DAYS)
    calendar = _Calendar(first, last, rooms)
    days = working_days(first, last)
    day_weights = list(itertools.accumulate(MONTH_WEIGHTS[d.month] for d in days))
    archive_cutoff = reference - datetime.timedelta(days=180)
    past_days = days[: bisect_left(days, archive_cutoff)] or days[:1]

    eligible = [c for c in world.courses if c.status != "draft"] or world.courses
    regular = world.sizes.sessions - 2
    picked_courses = rng.choices(eligible, weights=[c.popularity**0.8 for c in eligible], k=regular)
    picked_days = rng.choices(days, cum_weights=day_weights, k=regular)
    drafts: list[tuple[datetime.date, int, CoursePlan]] = []
    for index, (course, day) in enumerate(zip(picked_courses, picked_days, strict=True)):
        if course.status == "archived" and day >= archive_cutoff:
            day = rng.choice(past_days)
        drafts.append((day, index, course))
    drafts.sort(key=lambda d: (d[0], d[1]))

    writer = _SessionWriter(world, rng, calendar)
    now = world.now
    for session_id, (day, _index, course) in enumerate(drafts, start=1):
        draw = rng.random()
        if draw < 0.7:
            layout = [(day, _single_slot(rng, course.format))]
        elif draw < 0.9:
            if rng.random() < 0.6:
                layout = [(day, "M"), (day, "A")]  # a full day, signed per half-day
            else:
                layout = [(day, "M"), (calendar.working(day + datetime.timedelta(days=7)), "M")]
        else:
            slot = rng.choice("MA")
            layout = [
                (calendar.working(day + datetime.timedelta(days=7 * week)), slot)
                for week in range(rng.randint(3, 5))
            ]
        low, high = vocab.CAPACITY_BY_FORMAT[course.format]
        capacity = rng.randint(low, high)
        first_start = local_ts(layout[0][0], SLOTS[layout[0][1]][0])
        if first_start < now:
            status = "cancelled" if rng.random() < 0.08 else "done"
        else:
            draw = rng.random()
            status = "draft" if draw < 0.05 else "cancelled" if draw < 0.08 else "open"
        plan = writer.new_plan(session_id, course, capacity, first_start, status)
        if status == "cancelled":
            plan.cancelled_at = min(first_start - rng.randint(1, 20) * DAY, now - HOUR)
            plan.cancellation_reason = rng.choice(vocab.SESSION_CANCEL_REASONS)
        plan.offer_mode = rng.random() < 0.15
        plan.offer_hours = rng.choice((24, 24, 48))
        external = ""
        if course.trainers and rng.random() < 0.8:
            plan.trainers = course.trainers
        elif rng.random() < 0.12:
            external = rng.choice(vocab.EXTERNAL_SPEAKERS)
        else:
            count = min(len(world.trainers), rng.choice((1, 1, 1, 2)))
            plan.trainers = tuple(sorted(set(rng.sample(world.trainers, count))))
        writer.write(
            plan,
            layout=[(d, *SLOTS[s], s) for d, s in layout],
            suffix="groupe 2" if rng.random() < 0.04 else "",
            external=external,
            min_participants=0 if rng.random() < 0.6 else min(capacity, rng.randint(4, 6)),
        )

    _plan_fixture_sessions(world, calendar, writer, regular)
    world.fixtures["busy_month"] = _busy_month(world)


class _SessionWriter:
    """Rows of a session: the session, its parts in booked rooms, trainers, settings."""

    def __init__(self, world: World, rng: Random, calendar: _Calendar) -> None:
        loader = world.loader
        self.world = world
        self.rng = rng
        self.calendar = calendar
        self.sessions = loader.table(
            TrainingSession,
            [
                "id",
                "course_id",
                "title_suffix",
                "external_speaker",
                "capacity",
                "min_participants",
                "registration_opens_at",
                "registration_closes_at",
                "cancellation_deadline",
                "status",
                "cancellation_reason",
                "starts_at",
                "ends_at",
                "series_key",
                "notes",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
        )
        self.parts = loader.table(
            SessionPart,
            [
                "id",
                "session_id",
                "date",
                "start_time",
                "end_time",
                "room_id",
                "location_note",
                "starts_at",
                "ends_at",
            ],
        )
        self.trainers = loader.table(
            TrainingSession.trainers.through, ["id", "trainingsession_id", "agent_id"]
        )
        self.settings = loader.table(
            SessionRegistrationSettings,
            [
                "id",
                "session_id",
                "waitlist_mode",
                "offer_hours",
                "check_in_token",
                "attendance_closed_at",
                "attendance_closed_by_id",
            ],
        )
        self.next_part = 1
        self.next_trainer = 1
        self.tokens: set[str] = set()

    @staticmethod
    def new_plan(
        session_id: int, course: CoursePlan, capacity: int, first_start: int, status: str
    ) -> SessionPlan:
        return SessionPlan(
            id=session_id,
            course=course,
            capacity=capacity,
            starts=first_start,
            ends=first_start,
            opens=first_start - OPENS_BEFORE_DAYS * DAY,
            closes=first_start - CLOSES_BEFORE_DAYS * DAY,
            cancel_deadline=first_start - CANCEL_DEADLINE_DAYS * DAY,
            status=status,
            cancelled_at=None,
            cancellation_reason="",
            offer_mode=False,
            offer_hours=24,
            parts=[],
            trainers=(),
        )

    def write(
        self,
        plan: SessionPlan,
        *,
        layout: list[tuple[datetime.date, datetime.time, datetime.time, str]],
        suffix: str,
        external: str,
        min_participants: int,
        location_note: str = "",
    ) -> None:
        rng = self.rng
        coordinators = self.world.coordinators
        coordinator = coordinators[plan.id % len(coordinators)]
        for day, start, end, slot in layout:
            starts, ends = local_ts(day, start), local_ts(day, end)
            room = self.calendar.book(day, slot, plan.capacity) if not location_note else None
            note = location_note or ("" if room else rng.choice(vocab.OFF_SITE_NOTES))
            self.parts.add(
                (
                    self.next_part,
                    plan.id,
                    day,
                    start.isoformat(),
                    end.isoformat(),
                    room,
                    note,
                    utc(starts),
                    utc(ends),
                )
            )
            plan.parts.append(PartPlan(self.next_part, starts, ends))
            self.next_part += 1
        plan.starts = plan.parts[0].starts
        plan.ends = max(p.ends for p in plan.parts)
        created = utc(plan.starts - (OPENS_BEFORE_DAYS + 10) * DAY)
        self.sessions.add(
            (
                plan.id,
                plan.course.id,
                suffix,
                external,
                plan.capacity,
                min_participants,
                utc(plan.opens),
                utc(plan.closes),
                utc(plan.cancel_deadline),
                plan.status,
                plan.cancellation_reason,
                utc(plan.starts),
                utc(plan.ends),
                "",
                "",
                coordinator,
                created,
                utc(plan.cancelled_at) if plan.cancelled_at else created,
            )
        )
        for agent_id in plan.trainers:
            self.trainers.add((self.next_trainer, plan.id, agent_id))
            self.next_trainer += 1
        token = f"{rng.getrandbits(192):048x}"
        while token in self.tokens:
            token = f"{rng.getrandbits(192):048x}"
        self.tokens.add(token)
        closed = plan.status == "done"
        self.settings.add(
            (
                plan.id,
                plan.id,
                "offer" if plan.offer_mode else "automatic",
                plan.offer_hours,
                token,
                utc(plan.ends + 2 * DAY) if closed else None,
                coordinator if closed else None,
            )
        )
        self.world.sessions.append(plan)


def _plan_fixture_sessions(
    world: World, calendar: _Calendar, writer: _SessionWriter, regular: int
) -> None:
    """The 100-participant session and the empty 13-seat session of the rush, both ahead."""
    reference = world.reference
    by_popularity = sorted(world.courses, key=lambda c: -c.popularity)
    open_courses = [
        c
        for c in by_popularity
        if c.status == "published" and c.audience_key == "all" and not c.needs_approval
    ] or by_popularity
    conference = next((c for c in open_courses if c.format == "conference"), open_courses[0])
    day = calendar.working(reference + datetime.timedelta(days=21))
    hundred = writer.new_plan(
        regular + 1, conference, HUNDRED_SEATS, local_ts(day, SLOTS["A"][0]), "open"
    )
    hundred.trainers = tuple(world.trainers[:1])
    writer.write(
        hundred,
        layout=[(day, *SLOTS["A"], "A")],
        suffix="grand format",
        external="",
        min_participants=0,
        location_note="Amphithéâtre de l'hôtel de ville",
    )
    rush_course = open_courses[0]
    day = calendar.working(reference + datetime.timedelta(days=30))
    rush = writer.new_plan(
        regular + 2, rush_course, RUSH_SEATS, local_ts(day, RUSH_SLOT[0]), "open"
    )
    rush.opens = world.now - DAY
    rush.closes = rush.starts - DAY
    rush.trainers = tuple(world.trainers[:1])
    writer.write(rush, layout=[(day, *RUSH_SLOT, "R")], suffix="", external="", min_participants=0)
    world.fixtures["session_100_participants"] = {"session_id": hundred.id, "confirmed": 100}
    world.fixtures["rush_session"] = {"session_id": rush.id, "capacity": RUSH_SEATS}


def _busy_month(world: World) -> dict[str, int]:
    """The busiest month among the current one and the next three, for the calendar page."""
    reference = world.reference
    months = set()
    year, month = reference.year, reference.month
    for _ in range(4):
        months.add((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    counts: Counter[tuple[int, int]] = Counter()
    for plan in world.sessions:
        day = utc_date(plan.starts)
        if (day.year, day.month) in months and plan.status != "draft":
            counts[(day.year, day.month)] += 1
    (year, month), sessions = max(
        sorted(counts.items()),
        key=lambda item: item[1],
        default=((reference.year, reference.month), 0),
    )
    return {"year": year, "month": month, "sessions": sessions}
