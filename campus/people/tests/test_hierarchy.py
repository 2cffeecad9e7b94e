"""The line-management chain: one query whatever its depth, loops left by bad data bounded."""

from __future__ import annotations

import pytest

from campus.people.hierarchy import is_above
from campus.people.models import Agent
from campus.people.policies import manages
from campus.people.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def _chain(length: int) -> list[Agent]:
    """agents[0] manages agents[1], who manages agents[2]… (the last has no report)."""
    agents = [AgentFactory()]
    for _ in range(length - 1):
        agents.append(AgentFactory(manager=agents[-1]))
    return agents


@pytest.mark.parametrize("depth", [3, 12])
def test_manages_is_one_query_whatever_the_depth(depth: int, django_assert_num_queries) -> None:
    chain = _chain(depth)
    top, bottom = chain[0], chain[-1]
    with django_assert_num_queries(1):
        assert manages(top, bottom)
    with django_assert_num_queries(1):
        assert not manages(bottom, chain[1])
    # The top of the chain has no manager: nobody is above them, no query needed.
    with django_assert_num_queries(0):
        assert not manages(bottom, top)
    # The direct manager needs no query at all.
    with django_assert_num_queries(0):
        assert manages(chain[-2], bottom)


def test_an_agent_outside_the_chain_is_not_above() -> None:
    chain = _chain(4)
    stranger = AgentFactory()
    assert not is_above(stranger.pk, chain[-1].pk)
    assert not manages(stranger, chain[-1])
    assert not manages(chain[-1], chain[-1])


def test_a_loop_left_by_bad_data_ends() -> None:
    a, b, c = AgentFactory(), AgentFactory(), AgentFactory()
    # a -> b -> c -> a, written behind the services' back (the import refuses loops).
    Agent.objects.filter(pk=a.pk).update(manager=c)
    Agent.objects.filter(pk=b.pk).update(manager=a)
    Agent.objects.filter(pk=c.pk).update(manager=b)
    outsider = AgentFactory()
    assert not is_above(outsider.pk, a.pk)
    assert is_above(b.pk, c.pk)
