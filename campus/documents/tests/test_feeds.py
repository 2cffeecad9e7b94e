"""Subscription feeds: what each shows, private revocable tokens, the page that manages them."""

from __future__ import annotations

import icalendar
import pytest
from django.urls import reverse

from campus.core.exceptions import NotAllowed
from campus.documents import services
from campus.documents.models import FeedToken
from campus.notifications.tests.helpers import programmed_session, signup
from campus.people.models import User
from campus.people.tests.factories import UserFactory
from campus.registrations import lifecycle
from campus.scheduling.tests.factories import RoomFactory, future_day, make_session

pytestmark = pytest.mark.django_db
Kind = FeedToken.Kind


def _read(client, token: FeedToken) -> icalendar.Calendar:
    response = client.get(reverse("documents:feed", args=[token.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _summaries(calendar: icalendar.Calendar) -> list[str]:
    return sorted(str(e["summary"]) for e in calendar.walk("VEVENT"))


def test_an_agents_feed_shows_their_confirmed_sessions_only(client, coordinator, agent_user):
    mine = programmed_session(coordinator)
    programmed_session(coordinator, day=future_day(40))  # someone else's
    signup(agent_user, mine)
    token = services.feed_token_create(actor=agent_user, kind=Kind.AGENT)
    calendar = _read(client, token)
    assert _summaries(calendar) == ["Prendre en main Trello"]
    [event] = calendar.walk("VEVENT")
    part = mine.parts.get()
    assert event["uid"] == f"session-part-{part.pk}@127.0.0.1"
    assert event.decoded("dtstart") == part.starts_at
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Paris"


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled_with_a_higher_sequence(
    client, coordinator, agent_user, django_capture_on_commit_callbacks
):
    session = programmed_session(coordinator)
    signup(agent_user, session)
    token = services.feed_token_create(actor=agent_user, kind=Kind.AGENT)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.session_cancel(actor=coordinator, session=session, reason="Grève")
    [event] = _read(client, token).walk("VEVENT")
    assert event["status"] == "CANCELLED"
    assert event["sequence"] == 1


def test_trainer_room_and_programme_feeds(client, coordinator):
    trainer = UserFactory()
    room = RoomFactory(name="Salle Curie")
    taught = programmed_session(coordinator, trainer=trainer.agent, day=future_day(31))
    in_room = programmed_session(coordinator, room=room, day=future_day(45))
    make_session(coordinator, day=future_day(50), room=room)  # a draft: never in a feed
    trainer_token = services.feed_token_create(actor=trainer, kind=Kind.TRAINER)
    room_token = services.feed_token_create(actor=coordinator, kind=Kind.ROOM, room=room)
    programme_token = services.feed_token_create(actor=UserFactory(), kind=Kind.PROGRAMME)
    assert len(_read(client, trainer_token).walk("VEVENT")) == 1
    room_events = _read(client, room_token).walk("VEVENT")
    assert [str(e["uid"]) for e in room_events] == [
        f"session-part-{in_room.parts.get().pk}@127.0.0.1"
    ]
    programme_uids = {str(e["uid"]) for e in _read(client, programme_token).walk("VEVENT")}
    assert programme_uids == {
        f"session-part-{taught.parts.get().pk}@127.0.0.1",
        f"session-part-{in_room.parts.get().pk}@127.0.0.1",
    }


def test_a_revoked_or_unknown_token_answers_404(client, agent_user):
    token = services.feed_token_create(actor=agent_user, kind=Kind.PROGRAMME)
    url = reverse("documents:feed", args=[token.token])
    assert client.get(url).status_code == 200
    services.feed_token_revoke(actor=agent_user, token=token)
    assert client.get(url).status_code == 404
    assert client.get(reverse("documents:feed", args=["pas-un-jeton"])).status_code == 404


def test_a_feed_closes_when_its_owner_leaves_or_loses_the_right(client, coordinator):
    room_token = services.feed_token_create(actor=coordinator, kind=Kind.ROOM, room=RoomFactory())
    leaver = UserFactory()
    leaver_token = services.feed_token_create(actor=leaver, kind=Kind.PROGRAMME)
    User.objects.filter(pk=coordinator.pk).update(role=User.Role.AGENT)
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    assert client.get(reverse("documents:feed", args=[room_token.token])).status_code == 404
    assert client.get(reverse("documents:feed", args=[leaver_token.token])).status_code == 404


def test_nobody_subscribes_to_what_they_may_not_see(agent_user):
    with pytest.raises(NotAllowed):
        services.feed_token_create(actor=agent_user, kind=Kind.ROOM, room=RoomFactory())
    other = UserFactory()
    token = services.feed_token_create(actor=other, kind=Kind.AGENT)
    with pytest.raises(NotAllowed):
        services.feed_token_revoke(actor=agent_user, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_feed_costs_the_same_queries_whatever_its_size(
    client, coordinator, django_assert_num_queries
):
    token = services.feed_token_create(actor=UserFactory(), kind=Kind.PROGRAMME)
    programmed_session(coordinator, day=future_day(31))
    url = reverse("documents:feed", args=[token.token])
    # The token, the sessions, their parts (with rooms), their trainers.
    with django_assert_num_queries(4) as small:
        client.get(url)
    for offset in range(10):
        programmed_session(coordinator, day=future_day(32 + offset))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 11


# --- The page of links -------------------------------------------------------------------


def test_the_links_page_needs_sign_in(client):
    response = client.get(reverse("documents:feed_links"))
    assert response.status_code == 302
    assert reverse("people:login") in response["Location"]


def test_an_agent_creates_then_revokes_a_link(client, agent_user):
    client.force_login(agent_user)
    page = client.get(reverse("documents:feed_links")).content.decode()
    assert 'value="agent"' in page
    assert 'value="room"' not in page
    response = client.post(reverse("documents:feed_links"), {"kind": "agent"})
    assert response.status_code == 302
    token = FeedToken.objects.get(owner=agent_user)
    page = client.get(reverse("documents:feed_links")).content.decode()
    assert f"/calendrier/flux/{token.token}.ics" in page
    response = client.post(reverse("documents:feed_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.token not in client.get(reverse("documents:feed_links")).content.decode()


def test_the_links_page_refuses_bad_input_in_french(client, agent_user, coordinator):
    client.force_login(agent_user)
    response = client.post(reverse("documents:feed_links"), {"kind": "room"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    client.force_login(coordinator)
    response = client.post(reverse("documents:feed_links"), {"kind": "room"})
    assert "Choisissez la salle" in response.content.decode()
    assert not FeedToken.objects.exists()


def test_nobody_revokes_someone_elses_link_through_the_page(client, agent_user):
    token = services.feed_token_create(actor=UserFactory(), kind=Kind.PROGRAMME)
    client.force_login(agent_user)
    assert client.post(reverse("documents:feed_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
