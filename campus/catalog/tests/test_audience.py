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
    assert audience_refusal(course=course, agent=AgentFactory()) == (
        "Cette formation n'est pas encore publiée."
    )


def test_archived_course_refuses() -> None:
    course = CourseFactory(status=Course.Status.ARCHIVED)
    reason = audience_refusal(course=course, agent=AgentFactory())
    assert reason == "Cette formation est archivée : elle n'accepte plus d'inscriptions."


def test_inactive_agent_refused() -> None:
    course = CourseFactory()
    assert audience_refusal(course=course, agent=AgentFactory(is_active=False)) == (
        "Votre fiche d'agent est inactive."
    )


def test_account_without_agent_refused() -> None:
    assert audience_refusal(course=CourseFactory(), agent=None) == (
        "Votre compte n'est rattaché à aucune fiche d'agent."
    )


@pytest.mark.parametrize(("is_manager", "allowed"), [(True, True), (False, False)])
def test_managers_only(is_manager: bool, allowed: bool) -> None:
    course = CourseFactory(audience=RESTRICTED, audience_managers_only=True)
    reason = audience_refusal(course=course, agent=AgentFactory(is_manager_position=is_manager))
    if allowed:
        assert reason is None
    else:
        assert reason == (
            "Cette formation est réservée aux agents occupant un poste d'encadrement."
        )


@pytest.mark.parametrize(
    ("categories", "category", "expected"),
    [
        ("AB", "A", None),
        ("AB", "B", None),
        ("AB", "C", "Cette formation est réservée aux catégories A et B."),
        # An agent with no category recorded must not slip through.
        ("AB", "", "Cette formation est réservée aux catégories A et B."),
        ("C", "A", "Cette formation est réservée à la catégorie C."),
        ("ABC", "", "Cette formation est réservée aux catégories A, B et C."),
    ],
)
def test_categories(categories: str, category: str, expected: str | None) -> None:
    course = CourseFactory(audience=RESTRICTED, audience_categories=categories)
    assert audience_refusal(course=course, agent=AgentFactory(category=category)) == expected


def test_organisations() -> None:
    city: Organisation = OrganisationFactory(name="Ville de Lorient", code="ville")
    ccas: Organisation = OrganisationFactory(name="CCAS de Lorient", code="ccas")
    other: Organisation = OrganisationFactory(name="Syndicat des eaux", code="eaux")
    course = CourseFactory(audience=RESTRICTED)
    course.audience_organisations.set([city, ccas])

    assert audience_refusal(course=course, agent=AgentFactory(organisation=city)) is None
    assert audience_refusal(course=course, agent=AgentFactory(organisation=ccas)) is None
    assert audience_refusal(course=course, agent=AgentFactory(organisation=other)) == (
        "Cette formation est réservée aux agents de : CCAS de Lorient, Ville de Lorient."
    )


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
    assert "encadrement" in (
        audience_refusal(course=course, agent=agent(is_manager_position=False)) or ""
    )
    assert audience_refusal(course=course, agent=agent(category="B")) == (
        "Cette formation est réservée à la catégorie A."
    )
    outsider = agent(organisation=OrganisationFactory(name="Autre", code="autre"))
    assert audience_refusal(course=course, agent=outsider) == (
        "Cette formation est réservée aux agents de : Ville de Vannes."
    )
