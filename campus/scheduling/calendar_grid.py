"""Laying parts out on a month grid or a week: pure Python over what the selectors read."""

from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import SessionPart

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


@dataclass
class Day:
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
    """ "2026-W48" → (2026, 48), as in <input type="week">; empty → this week."""
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


def _by_date(parts: Iterable[SessionPart]) -> dict[datetime.date, list[SessionPart]]:
    grouped: dict[datetime.date, list[SessionPart]] = defaultdict(list)
    for part in parts:
        grouped[part.date].append(part)
    return grouped


def month_weeks(
    year: int, month: int, parts: Iterable[SessionPart], today: datetime.date
) -> list[list[Day]]:
    """Weeks (Monday first) covering the month; days of the neighbour months are padding."""
    grouped = _by_date(parts)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                Day(d, d.month == month, d == today, grouped.get(d, []) if d.month == month else [])
                for d in week
            ]
        )
    return weeks


def week_days(
    monday: datetime.date, parts: Iterable[SessionPart], today: datetime.date
) -> list[Day]:
    grouped = _by_date(parts)
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    return [Day(d, True, d == today, grouped.get(d, [])) for d in days]
