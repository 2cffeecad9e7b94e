"""iCalendar output: invitations sent with mails (iTIP REQUEST / CANCEL) and subscription feeds.

Times are written in the school's time zone (Europe/Paris) with a VTIMEZONE
built from its rules, so that calendars show 9:00 as 9:00 on both sides of a
daylight-saving change.

An invitation is one event per registration, from the first part's start to
the last part's end, whose description lists every part: iTIP allows one UID
per message, and almost every session has a single part. Feeds, which are not
invitations, carry one event per part.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

PRODID = "-//Campus//Ecole interne de formation//FR"
PARIS = "Europe/Paris"


@dataclass(frozen=True)
class CalendarEvent:
    """What one VEVENT says, independent of the models it comes from."""

    uid: str
    sequence: int
    summary: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False
    stamp: datetime.datetime | None = None
    attendees: Sequence[str] = field(default_factory=tuple)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def uid_host() -> str:
    return urlsplit(settings.CAMPUS_BASE_URL).hostname or "campus.invalid"


def registration_uid(registration_id: int) -> str:
    """Stable for the life of a registration: every update replaces the same event."""
    return f"registration-{registration_id}@{uid_host()}"


def part_uid(part_id: int) -> str:
    return f"session-part-{part_id}@{uid_host()}"


def organizer_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "campus@localhost"


def _paris_vtimezone() -> icalendar.Timezone:
    """Europe/Paris with its rule (EU summer time since 1996), not a list of past dates."""
    tz = icalendar.Timezone()
    tz.add("tzid", PARIS)
    tz.add("x-lic-location", PARIS)
    summer = icalendar.TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", datetime.timedelta(hours=1))
    summer.add("tzoffsetto", datetime.timedelta(hours=2))
    # A VTIMEZONE rule starts at a local time (RFC 5545): naive on purpose.
    summer.add("dtstart", datetime.datetime(1996, 3, 31, 2, 0, 0))  # noqa: DTZ001
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = icalendar.TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", datetime.timedelta(hours=2))
    winter.add("tzoffsetto", datetime.timedelta(hours=1))
    winter.add("dtstart", datetime.datetime(1996, 10, 27, 3, 0, 0))  # noqa: DTZ001
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _calendar(*, method: str | None = None, name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _vevent(event: CalendarEvent, *, method: str | None) -> icalendar.Event:
    tz = _tz()
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", (event.stamp or timezone.now()).astimezone(datetime.UTC))
    vevent.add("dtstart", timezone.localtime(event.starts_at, tz))
    vevent.add("dtend", timezone.localtime(event.ends_at, tz))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled or method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if method:
        organizer = icalendar.vCalAddress(f"mailto:{organizer_address()}")
        organizer.params["cn"] = icalendar.vText(settings.SCHOOL_NAME)
        vevent.add("organizer", organizer)
        for address in event.attendees:
            attendee = icalendar.vCalAddress(f"mailto:{address}")
            attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = icalendar.vText("ACCEPTED")
            vevent.add("attendee", attendee)
    return vevent


def _finish(cal: icalendar.Calendar) -> str:
    if settings.TIME_ZONE == PARIS:
        cal.add_component(_paris_vtimezone())
    else:
        cal.add_missing_timezones()
    # VTIMEZONE first: some clients read the calendar in one pass.
    cal.subcomponents.sort(key=lambda c: c.name != "VTIMEZONE")
    return str(cal.to_ical().decode("utf-8"))


def invitation(event: CalendarEvent, *, method: str) -> str:
    """An iTIP message: METHOD:REQUEST to add or update, METHOD:CANCEL to remove."""
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(f"Unsupported iTIP method {method!r}")
    cal = _calendar(method=method)
    cal.add_component(_vevent(event, method=method))
    return _finish(cal)


def feed(events: Iterable[CalendarEvent], *, name: str) -> str:
    """A subscription feed (no METHOD: calendars replace its whole content on each refresh)."""
    cal = _calendar(name=name)
    for event in events:
        cal.add_component(_vevent(event, method=None))
    return _finish(cal)
