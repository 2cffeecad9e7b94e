"""Invitations and feeds parse back with icalendar: METHOD, UID, SEQUENCE, Paris times."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar

from campus.core import ical

PARIS = ZoneInfo("Europe/Paris")


def _event(**overrides):
    values = {
        "uid": ical.registration_uid(42),
        "sequence": 3,
        "summary": "Préparation au concours d'attaché",
        "starts_at": datetime.datetime(2027, 7, 1, 9, 0, tzinfo=PARIS),
        "ends_at": datetime.datetime(2027, 7, 1, 12, 30, tzinfo=PARIS),
        "location": "Salle Jaurès, Ancienne école",
        "description": "Animation : Claire MARTIN",
        "url": "http://127.0.0.1:8000/inscriptions/sessions/7/",
        "attendees": ("agent@ville.example.fr",),
    }
    values.update(overrides)
    return ical.CalendarEvent(**values)


def test_an_invitation_is_a_request_with_its_uid_sequence_and_paris_times():
    calendar = icalendar.Calendar.from_ical(ical.invitation(_event(), method="REQUEST"))
    assert calendar["method"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert event["uid"] == "registration-42@127.0.0.1"
    assert event["sequence"] == 3
    assert event["status"] == "CONFIRMED"
    start = event.decoded("dtstart")
    assert start == datetime.datetime(2027, 7, 1, 9, 0, tzinfo=PARIS)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert start.utcoffset() == datetime.timedelta(hours=2)  # summer time
    assert str(event["attendee"]) == "mailto:agent@ville.example.fr"
    assert str(event["organizer"]).startswith("mailto:")
    assert event["location"] == "Salle Jaurès, Ancienne école"


def test_the_vtimezone_describes_paris_summer_and_winter_rules():
    calendar = icalendar.Calendar.from_ical(ical.invitation(_event(), method="REQUEST"))
    [timezone] = calendar.walk("VTIMEZONE")
    assert timezone["tzid"] == "Europe/Paris"
    daylight = timezone.walk("DAYLIGHT")[0]
    standard = timezone.walk("STANDARD")[0]
    assert daylight["tzoffsetto"].td == datetime.timedelta(hours=2)
    assert standard["tzoffsetto"].td == datetime.timedelta(hours=1)
    assert daylight["rrule"]["BYMONTH"] == [3]
    assert standard["rrule"]["BYMONTH"] == [10]
    # The time zone comes before the events that use it.
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]


def test_a_winter_session_keeps_its_wall_clock_time():
    winter = _event(
        starts_at=datetime.datetime(2027, 1, 12, 9, 0, tzinfo=PARIS),
        ends_at=datetime.datetime(2027, 1, 12, 12, 0, tzinfo=PARIS),
    )
    text = ical.invitation(winter, method="REQUEST")
    assert "DTSTART;TZID=Europe/Paris:20270112T090000" in text
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert event.decoded("dtstart").utcoffset() == datetime.timedelta(hours=1)


def test_a_cancellation_is_a_cancel_with_the_same_uid():
    calendar = icalendar.Calendar.from_ical(ical.invitation(_event(sequence=4), method="CANCEL"))
    assert calendar["method"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert event["uid"] == "registration-42@127.0.0.1"
    assert event["sequence"] == 4
    assert event["status"] == "CANCELLED"


def test_only_itip_methods_are_accepted():
    import pytest

    with pytest.raises(ValueError, match="PUBLISH"):
        ical.invitation(_event(), method="PUBLISH")


def test_a_feed_has_no_method_and_names_itself():
    text = ical.feed(
        [_event(uid="a@x"), _event(uid="b@x", cancelled=True)], name="Programme de l'école"
    )
    calendar = icalendar.Calendar.from_ical(text)
    assert "method" not in calendar
    assert calendar["x-wr-calname"] == "Programme de l'école"
    statuses = {str(e["uid"]): str(e["status"]) for e in calendar.walk("VEVENT")}
    assert statuses == {"a@x": "CONFIRMED", "b@x": "CANCELLED"}
    assert all("attendee" not in e for e in calendar.walk("VEVENT"))
