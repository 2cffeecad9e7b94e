"""Laying parts out on a month grid or a week, with every label and link computed once here."""

from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _

from .models import SessionPart, TrainingSession
from .selectors import CalendarPart

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One part as printed in the calendar, every label and link computed once here.

    Templates then only place strings: a filter, a tag or an include per part
    costs more than the rest of the page on a busy month. `badge_class` is the
    class of the status badge, `details` the place and trainers on one line.
    """

    url: str
    time: str
    title: str
    status: str
    status_label: str
    badge: str
    badge_class: str
    place: str
    trainers: str
    details: str

    @property
    def cancelled(self) -> bool:
        return self.status == TrainingSession.Status.CANCELLED


@dataclass(slots=True)
class CalendarDay:
    date: datetime.date
    label: str
    in_range: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Day:
    """A day of the printed month programme, which still reads parts as models."""

    date: datetime.date
    in_range: bool
    is_today: bool
    parts: list[SessionPart] = field(default_factory=list)


def parse_month(value: str | None, today: datetime.date) -> tuple[int, int] | None:
    """ "2026-11" → (2026, 11); empty → this month; anything else → None (a 404 for the view)."""
    if not value:
        return today.year, today.month
    match = MONTH_RE.match(value)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return year, month


def parse_week(value: str | None, today: datetime.date) -> tuple[int, int] | None:
    """ "2026-W48" → (2026, 48), as an input of type week writes it; empty → this week."""
    if not value:
        iso = today.isocalendar()
        return iso.year, iso.week
    match = WEEK_RE.match(value)
    if not match:
        return None
    year, week = int(match[1]), int(match[2])
    if not 2000 <= year <= 2100:
        return None
    try:
        datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return year, week


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def week_key(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def neighbour_months(year: int, month: int) -> tuple[str, str]:
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return month_key(*previous), month_key(*following)


def _session_url_maker() -> Callable[[int], str]:
    """The session page address for a pk, without one `reverse` per part."""
    marker = 987654321
    head, _sep, tail = reverse("sessions:detail", args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def entries_by_date(parts: Iterable[CalendarPart]) -> dict[datetime.date, list[Entry]]:
    """Calendar entries grouped by day, in the order the parts come."""
    session_url = _session_url_maker()
    badges = {
        TrainingSession.Status.DRAFT.value: _("brouillon"),
        TrainingSession.Status.CANCELLED.value: _("annulée"),
        TrainingSession.Status.DONE.value: _("terminée"),
    }
    badge_classes = {TrainingSession.Status.CANCELLED.value: "badge badge-off"}
    labels = {value: str(label) for value, label in TrainingSession.Status.choices}
    unknown_place = _("lieu à préciser")
    grouped: dict[datetime.date, list[Entry]] = defaultdict(list)
    # A school uses a handful of slot times: format each once (strftime shows on a busy month).
    times: dict[tuple[datetime.time, datetime.time], str] = {}
    for part in parts:
        slot = (part.start_time, part.end_time)
        time = times.get(slot)
        if time is None:
            time = times[slot] = f"{part.start_time:%H:%M}–{part.end_time:%H:%M}"
        title = part.course_title
        if part.title_suffix:
            title = f"{title} – {part.title_suffix}"
        place = part.room_name or part.location_note or unknown_place
        trainers = ", ".join(part.trainers) or part.external_speaker
        grouped[part.date].append(
            Entry(
                url=session_url(part.session_id),
                time=time,
                title=title,
                status=part.status,
                status_label=labels.get(part.status, part.status),
                badge=badges.get(part.status, ""),
                badge_class=badge_classes.get(part.status, "badge"),
                place=place,
                trainers=trainers,
                details=f"{place} · {trainers}" if trainers else place,
            )
        )
    return grouped


def _day_labeller(
    today: datetime.date,
) -> Callable[[datetime.date, bool, list[Entry]], CalendarDay]:
    # "lundi 3 mars", as the date filter's "l j F" spells it, without a formatter per day.
    weekdays = [str(WEEKDAYS[i]) for i in range(7)]
    months = {k: str(v) for k, v in MONTHS.items()}

    def make(day: datetime.date, in_range: bool, entries: list[Entry]) -> CalendarDay:
        label = f"{weekdays[day.weekday()]} {day.day} {months[day.month]}"
        return CalendarDay(day, label, in_range, day == today, entries)

    return make


def calendar_month_weeks(
    year: int, month: int, parts: Iterable[CalendarPart], today: datetime.date
) -> list[list[CalendarDay]]:
    """Weeks (Monday first) covering the month; days of the neighbour months are padding."""
    grouped = entries_by_date(parts)
    make_day = _day_labeller(today)
    return [
        [
            make_day(d, d.month == month, grouped.get(d, []) if d.month == month else [])
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


def calendar_week_days(
    monday: datetime.date, parts: Iterable[CalendarPart], today: datetime.date
) -> list[CalendarDay]:
    grouped = entries_by_date(parts)
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    make_day = _day_labeller(today)
    return [make_day(d, True, grouped.get(d, [])) for d in days]


def month_weeks(
    year: int, month: int, parts: Iterable[SessionPart], today: datetime.date
) -> list[list[Day]]:
    """Weeks of the month with the parts as models (the printed programme)."""
    grouped: dict[datetime.date, list[SessionPart]] = defaultdict(list)
    for part in parts:
        grouped[part.date].append(part)
    return [
        [
            Day(d, d.month == month, d == today, grouped.get(d, []) if d.month == month else [])
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
