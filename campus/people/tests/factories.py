"""factory_boy factories for people. Import them in any app's tests."""

from __future__ import annotations

from typing import Any

import factory

from campus.people.models import Agent, Department, Organisation, User

DEFAULT_PASSWORD = "motdepasse-de-test-1"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Commune {n}")
    code = factory.Sequence(lambda n: f"org{n}")
    kind = Organisation.Kind.COMMUNE


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class AgentFactory(factory.django.DjangoModelFactory[Agent]):
    class Meta:
        model = Agent

    organisation = factory.SubFactory(OrganisationFactory)
    matricule = factory.Sequence(lambda n: f"M{n:05d}")
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    email = factory.LazyAttribute(
        lambda a: f"{a.matricule.lower()}@{a.organisation.code}.example.fr"
    )
    category = Agent.Category.C
    status = Agent.Status.TITULAIRE


class UserFactory(factory.django.DjangoModelFactory[User]):
    """An account tied to a fresh agent; pass role=... for coordinators and others."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    agent = factory.SubFactory(AgentFactory)
    login = factory.LazyAttribute(
        lambda u: (
            (u.agent.email or f"{u.agent.organisation.code}/{u.agent.matricule}").lower()
            if u.agent
            else f"user{id(u)}@example.fr"
        )
    )
    email = factory.LazyAttribute(
        lambda u: u.agent.email.lower() if u.agent and u.agent.email else None
    )
    role = User.Role.AGENT

    @factory.post_generation
    def password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])
