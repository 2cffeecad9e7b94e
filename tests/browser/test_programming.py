"""A coordinator programmes a weekly series through the form and finds it in the calendar."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from campus.people.models import User
from campus.people.tests.factories import UserFactory
from campus.scheduling.models import SessionPart, TrainingSession
from campus.scheduling.tests.factories import CourseFactory, RoomFactory

from .conftest import axe_serious_violations


def sign_in(page: Any, user: User) -> None:
    """Reuse a Django session instead of the sign-in page, which another change owns."""
    client = Client()
    client.force_login(user)
    host = urlparse(page.base_url).hostname
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )


@pytest.mark.usefixtures("transactional_db")
def test_coordinator_programmes_a_weekly_series(page: Any) -> None:
    coordinator = UserFactory(role=User.Role.COORDINATOR)
    CourseFactory(title="Trello : organiser le travail d'équipe")
    RoomFactory(name="Salle informatique", capacity=12)
    sign_in(page, coordinator)

    start = timezone.localdate() + datetime.timedelta(days=7)
    while start.weekday() != 1:
        start += datetime.timedelta(days=1)
    skipped = start + datetime.timedelta(weeks=1)

    page.goto(f"{page.base_url}/programmation/series/nouvelle/")
    page.select_option("#id_course", label="Trello : organiser le travail d'équipe")
    page.check("#id_frequency_0")
    page.select_option("#id_weekday", value="1")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", (start + datetime.timedelta(weeks=3)).isoformat())
    page.fill("#id_start_time", "12:15")
    page.fill("#id_end_time", "13:00")
    page.fill("#id_skip_dates", skipped.strftime("%d/%m/%Y"))
    page.select_option("#id_room", index=1)
    page.fill("#id_capacity", "12")
    page.check("#id_publish")
    page.get_by_role("button", name="Créer la série").click()

    page.wait_for_url("**/programmation/?mois=*")
    assert "Série programmée : 3 sessions." in page.inner_text(".messages")
    dates = sorted(SessionPart.objects.values_list("date", flat=True))
    assert dates == [
        start,
        start + datetime.timedelta(weeks=2),
        start + datetime.timedelta(weeks=3),
    ]
    assert set(TrainingSession.objects.values_list("status", flat=True)) == {"open"}

    in_first_month = [d for d in dates if d.month == start.month]
    entries = page.locator("table.cal-month .cal-entries li")
    assert entries.count() == len(in_first_month)
    assert "Trello : organiser le travail d'équipe" in entries.first.inner_text()
    assert "Salle informatique" in entries.first.inner_text()

    assert axe_serious_violations(page) == []
