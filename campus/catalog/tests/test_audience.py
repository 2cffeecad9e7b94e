"""The sign-up audience rule, branch by branch."""

from __future__ import annotations

import pytest

from campus.catalog.audience import audience_refusal
from campus.catalog.models import Course
from campus.catalog.tests.factories import CourseFactory
from campus.people.models import Agent, Organisation
from campus.people.tests.factories import AgentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

RESTRICTED = Course.Audience.RESTRICTED


def test_everyone_may_sign_up_for_a_published_open_course() -> None:
    course = CourseFactory()
    assert audience_refusal(course=course, agent=AgentFactory(category="")) is None


def test_restrictions_are_ignored_when_the_audience_is_everyone() -> None:
    course = CourseFactory(audience_managers_only=True, audience_categories="A")
    assert audience_refusal(course=course, agent=AgentFactory(category="C")) is None


def test_draft_course_refuses() -> None:
    course = CourseFactory(status=Course.Status.DRAFT)
    refusal = audience_refusal(course=course, agent=AgentFactory())
    assert refusal is not None
    assert refusal.code == "audience.course_not_published"


def test_archived_course_refuses() -> None:
    course = CourseFactory(status=Course.Status.ARCHIVED)
    refusal = audience_refusal(course=course, agent=AgentFactory())
    assert refusal is not None
    assert refusal.code == "audience.course_archived"


def test_inactive_agent_refused() -> None:
    course = CourseFactory()
    refusal = audience_refusal(course=course, agent=AgentFactory(is_active=False))
    assert refusal is not None
    assert refusal.code == "audience.agent_inactive"


def test_account_without_agent_refused() -> None:
    refusal = audience_refusal(course=CourseFactory(), agent=None)
    assert refusal is not None
    assert refusal.code == "audience.no_agent"


@pytest.mark.parametrize(("is_manager", "allowed"), [(True, True), (False, False)])
def test_managers_only(is_manager: bool, allowed: bool) -> None:
    course = CourseFactory(audience=RESTRICTED, audience_managers_only=True)
    refusal = audience_refusal(course=course, agent=AgentFactory(is_manager_position=is_manager))
    if allowed:
        assert refusal is None
    else:
        assert refusal is not None
        assert refusal.code == "audience.managers_only"


@pytest.mark.parametrize(
    ("categories", "category", "named"),
    [
        ("AB", "A", None),
        ("AB", "B", None),
        ("AB", "C", "A et B"),
        # An agent with no category recorded must not slip through.
        ("AB", "", "A et B"),
        ("C", "A", "C"),
        ("ABC", "", "A, B et C"),
    ],
)
def test_categories(categories: str, category: str, named: str | None) -> None:
    course = CourseFactory(audience=RESTRICTED, audience_categories=categories)
    refusal = audience_refusal(course=course, agent=AgentFactory(category=category))
    if named is None:
        assert refusal is None
    else:
        assert refusal is not None
        assert refusal.code == "audience.category"
        # The sentence names the categories allowed, as a French list.
        assert refusal.message.endswith(f" {named}.")


def test_organisations() -> None:
    city: Organisation = OrganisationFactory(name="Ville de Lorient", code="ville")
    ccas: Organisation = OrganisationFactory(name="CCAS de Lorient", code="ccas")
    other: Organisation = OrganisationFactory(name="Syndicat des eaux", code="eaux")
    course = CourseFactory(audience=RESTRICTED)
    course.audience_organisations.set([city, ccas])

    assert audience_refusal(course=course, agent=AgentFactory(organisation=city)) is None
    assert audience_refusal(course=course, agent=AgentFactory(organisation=ccas)) is None
    refusal = audience_refusal(course=course, agent=AgentFactory(organisation=other))
    assert refusal is not None
    assert refusal.code == "audience.organisation"
    # The organisations allowed, in alphabetical order.
    assert refusal.message.endswith(" CCAS de Lorient, Ville de Lorient.")


def test_restrictions_add_up_and_the_first_missed_is_given() -> None:
    city: Organisation = OrganisationFactory(name="Ville de Vannes", code="vannes")
    course = CourseFactory(
        audience=RESTRICTED, audience_managers_only=True, audience_categories="A"
    )
    course.audience_organisations.set([city])

    def agent(**kwargs: object) -> Agent:
        defaults: dict[str, object] = {
            "organisation": city,
            "category": "A",
            "is_manager_position": True,
        }
        defaults.update(kwargs)
        return AgentFactory(**defaults)

    assert audience_refusal(course=course, agent=agent()) is None

    def code(refused: Agent) -> str | None:
        refusal = audience_refusal(course=course, agent=refused)
        return refusal.code if refusal else None

    assert code(agent(is_manager_position=False)) == "audience.managers_only"
    by_category = audience_refusal(course=course, agent=agent(category="B"))
    assert by_category is not None
    assert by_category.code == "audience.category"
    assert by_category.message.endswith(" A.")
    outsider = agent(organisation=OrganisationFactory(name="Autre", code="autre"))
    by_organisation = audience_refusal(course=course, agent=outsider)
    assert by_organisation is not None
    assert by_organisation.code == "audience.organisation"
    assert by_organisation.message.endswith(" Ville de Vannes.")
