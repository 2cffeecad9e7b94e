"""Looking agents up by "ORG/matricule", as the forms type them."""

from __future__ import annotations

from typing import Any

import pytest

from campus.people.selectors import agents_by_references
from campus.people.tests.factories import AgentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_references_are_found_whatever_the_case_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    ville = OrganisationFactory(code="VILLE")
    numeric = AgentFactory(organisation=ville, matricule="100412")
    upper = AgentFactory(organisation=ville, matricule="AB12")
    with django_assert_num_queries(1):
        found = agents_by_references([("ville", "100412"), ("Ville", "ab12")])
    assert found == {("ville", "100412"): numeric, ("ville", "ab12"): upper}


def test_a_mixed_case_matricule_is_still_found_by_the_slower_comparison(
    django_assert_num_queries: Any,
) -> None:
    agent = AgentFactory(organisation=OrganisationFactory(code="CCAS"), matricule="Ab12x")
    with django_assert_num_queries(2):
        found = agents_by_references([("ccas", "aB12X")])
    assert found == {("ccas", "ab12x"): agent}


def test_unknown_and_inactive_references_are_left_out() -> None:
    ville = OrganisationFactory(code="VILLE")
    AgentFactory(organisation=ville, matricule="200", is_active=False)
    assert agents_by_references([("ville", "200"), ("ville", "999"), ("autre", "200")]) == {}
    assert list(agents_by_references([("ville", "200")], active_only=False)) == [("ville", "200")]
