"""The rush bench's code path at toy size, without a server: the school it builds,
the sessions it mints, the form it posts, and how it reads the outcome back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bench.load import Reply, check_loopback, percentile, summarise
from bench.prepare import build_school
from bench.rush import check_outcome


@pytest.mark.django_db
def test_minted_sessions_sign_up_through_the_real_form_with_csrf_checked():
    school = build_school(agents=4, seats=2)
    path = reverse("registrations:signup", args=[school.session.pk])

    statuses = []
    for caller in school.callers:
        client = Client(enforce_csrf_checks=True)
        client.cookies["sessionid"] = caller.session_key
        client.cookies["csrftoken"] = caller.csrf_secret
        statuses.append(client.post(path, {"csrfmiddlewaretoken": caller.csrf_secret}).status_code)

    assert statuses == [302, 302, 302, 302]
    outcome = check_outcome(school.session.pk, agents=4)
    assert outcome["confirmed"] == 2
    assert outcome["waitlisted"] == 2
    assert outcome["distinct_agents"] == 4
    assert outcome["waitlist_in_order"] is True


@pytest.mark.django_db
def test_a_wrong_csrf_secret_is_refused_not_counted_as_a_sign_up():
    school = build_school(agents=1, seats=1)
    caller = school.callers[0]
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = caller.session_key
    client.cookies["csrftoken"] = caller.csrf_secret
    response = client.post(
        reverse("registrations:signup", args=[school.session.pk]),
        {"csrfmiddlewaretoken": "x" * 32},
    )
    assert response.status_code == 403
    assert check_outcome(school.session.pk, agents=1)["confirmed"] == 0


def test_the_load_client_only_targets_loopback():
    assert check_loopback("http://127.0.0.1:8123") == ("127.0.0.1", 8123)
    for url in ("http://10.0.0.5:80", "http://example.org", "https://127.0.0.1:8000"):
        with pytest.raises(ValueError, match="local server"):
            check_loopback(url)


def test_summary_counts_answers_by_kind_and_uses_nearest_rank_percentiles():
    replies = [Reply(i, 302, 0.0, (i + 1) / 1000) for i in range(98)]
    replies += [Reply(98, 200, 0.0, 0.5), Reply(99, 0, 0.0, 1.0, "ConnectionResetError()")]
    summary = summarise(replies, wall=2.0)
    assert (summary["accepted"], summary["refused"], summary["errors"]) == (98, 1, 1)
    assert summary["signups_per_s"] == 49.0
    assert summary["p50_ms"] == 50.0
    assert summary["p99_ms"] == 500.0
    assert summary["max_ms"] == 1000.0
    assert percentile([], 99) == 0.0
