"""factory_boy factories for the catalogue."""

from __future__ import annotations

from typing import Any

import factory

from campus.catalog.models import Course, Programme, Theme
from campus.catalog.search_text import build_search_text


class ThemeFactory(factory.django.DjangoModelFactory[Theme]):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    """A published course open to everyone; its search text is filled as the services do."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Formation {n}")
    slug = factory.Sequence(lambda n: f"formation-{n}")
    summary = "Une formation de test."
    status = Course.Status.PUBLISHED

    @factory.post_generation
    def themes(obj: Course, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.themes.set(extracted)

    @factory.post_generation
    def search(obj: Course, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        obj.search_text = build_search_text(
            [
                obj.title,
                obj.summary,
                obj.objectives,
                obj.content,
                obj.programme.name if obj.programme else "",
                *(theme.name for theme in obj.themes.all()),
            ]
        )
        Course.objects.filter(pk=obj.pk).update(search_text=obj.search_text)
