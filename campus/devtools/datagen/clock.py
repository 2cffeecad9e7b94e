"""Time for the generator: whole seconds since the epoch while planning, UTC rows when writing.

Planning a million registrations with datetime objects would cost several
times more than with integers; rows get their datetimes only when written.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from dateutil.easter import easter

PARIS = ZoneInfo("Europe/Paris")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
HOUR = 3600
DAY = 86_400


def local_ts(day: datetime.date, time: datetime.time) -> int:
    """Seconds since the epoch of a wall-clock time in Paris."""
    return int(datetime.datetime.combine(day, time, tzinfo=PARIS).timestamp())


_DAY_TEXT: dict[int, str] = {}


def utc(ts: int) -> str:
    """`ts` as the text of a UTC timestamp, "2026-09-01 07:00:00".

    Both engines take it as is: SQLite stores exactly this text for an aware
    datetime (Django writes UTC, without offset), and PostgreSQL parses it in
    the connection's time zone, which Django sets to UTC. Formatting it by hand
    is several times cheaper than building a datetime for each of millions of rows.
    """
    day, rest = divmod(ts, DAY)
    text = _DAY_TEXT.get(day)
    if text is None:
        text = _DAY_TEXT[day] = (_EPOCH + datetime.timedelta(days=day)).strftime("%Y-%m-%d")
    hours, rest = divmod(rest, HOUR)
    minutes, seconds = divmod(rest, 60)
    return f"{text} {hours:02d}:{minutes:02d}:{seconds:02d}"


def utc_date(ts: int) -> datetime.date:
    return (_EPOCH + datetime.timedelta(seconds=ts)).date()


def french_holidays(year: int) -> set[datetime.date]:
    """Public holidays in France (no training on those days)."""
    easter_sunday = easter(year)
    fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    days = {datetime.date(year, month, day) for month, day in fixed}
    days |= {easter_sunday + datetime.timedelta(days=n) for n in (1, 39, 50)}
    return days


def working_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Weekdays from `first` to `last` included, public holidays left out."""
    holidays: set[datetime.date] = set()
    for year in range(first.year, last.year + 1):
        holidays |= french_holidays(year)
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def next_working_day(day: datetime.date) -> datetime.date:
    holidays = french_holidays(day.year) | french_holidays(day.year + 1)
    while day.weekday() >= 5 or day in holidays:
        day += datetime.timedelta(days=1)
    return day
