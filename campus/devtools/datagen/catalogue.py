"""Themes, programmes and courses: a few popular courses, a long tail of rare ones."""

from __future__ import annotations

from django.utils.text import slugify

from campus.catalog.models import Course, Programme, Theme
from campus.catalog.search_text import build_search_text

from . import vocab
from .clock import DAY, utc
from .world import CoursePlan, World

DURATION_BY_FORMAT = {
    "atelier": 90,
    "conference": 90,
    "seminaire": 420,
    "debat": 120,
    "formation": 360,
    "codeveloppement": 180,
    "coaching": 60,
    "entretien": 60,
    "concours": 180,
}
# Zipf exponent of course popularity: the first course draws ~1/8 of all demand.
POPULARITY_EXPONENT = 0.9


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _titles(rng_shuffle: list[tuple[int, str, str]], count: int) -> list[tuple[int, str, str]]:
    """`count` (programme index, subject, title) triples; numbered modules past the combinations."""
    chosen: list[tuple[int, str, str]] = []
    module = 2
    while len(chosen) < count:
        for programme, subject, angle in rng_shuffle:
            if len(chosen) >= count:
                break
            title = f"{subject} : {angle}" if angle else subject
            if module > 2:
                title = f"{title} – module {module - 1}"
            chosen.append((programme, subject, title))
        module += 1
    return chosen


def plan_catalogue(world: World) -> None:
    rng = world.rng("catalogue")
    loader = world.loader
    themes = loader.table(Theme, ["id", "name", "slug"])
    theme_ids = {}
    for index, name in enumerate(vocab.THEMES, start=1):
        themes.add((index, name, slugify(name)))
        theme_ids[name] = index
    programmes = loader.table(
        Programme, ["id", "name", "slug", "description", "rhythm", "colour", "is_active"]
    )
    for index, spec in enumerate(vocab.PROGRAMMES, start=1):
        description = f"{spec.name} : {', '.join(_lower_first(s) for s in spec.subjects[:3])}…"
        programmes.add(
            (index, spec.name, slugify(spec.name), description, spec.rhythm, spec.colour, True)
        )

    courses = loader.table(
        Course,
        [
            "id",
            "title",
            "slug",
            "programme_id",
            "summary",
            "objectives",
            "content",
            "format",
            "usual_duration_minutes",
            "external_speaker",
            "audience",
            "audience_managers_only",
            "audience_categories",
            "requires_manager_approval",
            "status",
            "training_type",
            "search_text",
            "created_at",
            "updated_at",
        ],
    )
    course_themes = loader.table(Course.themes.through, ["id", "course_id", "theme_id"])
    course_trainers = loader.table(Course.default_trainers.through, ["id", "course_id", "agent_id"])
    course_organisations = loader.table(
        Course.audience_organisations.through, ["id", "course_id", "organisation_id"]
    )

    combinations = [
        (p, subject, angle)
        for p, spec in enumerate(vocab.PROGRAMMES)
        for subject in spec.subjects
        for angle in vocab.ANGLES
    ]
    rng.shuffle(combinations)
    count = world.sizes.courses
    plans: list[CoursePlan] = []
    theme_link = trainer_link = organisation_link = 0
    for course_id, (p, subject, title) in enumerate(_titles(combinations, count), start=1):
        # Only the core modules of a mandatory curriculum are mandatory, not its variants.
        core_module = title == subject
        spec = vocab.PROGRAMMES[p]
        programme_id = p + 1 if spec.managers_only or rng.random() < 0.9 else None
        fmt = spec.format
        if rng.random() < 0.15 and not spec.managers_only:
            fmt = rng.choice(("atelier", "conference", "formation"))
        draw = rng.random()
        status = "published" if draw < 0.85 else "archived" if draw < 0.95 else "draft"
        categories = ""
        organisation = None
        if spec.managers_only:
            audience_key = "managers"
        else:
            draw = rng.random()
            if draw < 0.06:
                categories = rng.choice(("A", "AB", "BC", "C"))
                audience_key = f"cat:{categories}"
            elif draw < 0.10:
                organisation = rng.choice(world.organisation_ids)
                audience_key = f"org:{organisation}"
            else:
                audience_key = "all"
        needs_approval = not spec.managers_only and rng.random() < 0.2
        names = sorted(
            {rng.choice(spec.themes)}
            | ({rng.choice(vocab.THEMES)} if rng.random() < 0.25 else set())
        )
        label = vocab.FORMAT_LABELS[fmt]
        summary = f"{label} : {_lower_first(subject)}."
        objectives = f"Comprendre et mettre en pratique {_lower_first(subject)} dans son service."
        content = "Apports, exercices et échanges de pratiques entre collègues."
        programme_name = spec.name if programme_id else ""
        search_text = build_search_text(
            [title, summary, objectives, content, programme_name, *names]
        )
        created = utc(world.now - rng.randrange(30, 365 * world.sizes.years + 60) * DAY)
        external = rng.choice(vocab.EXTERNAL_SPEAKERS) if rng.random() < 0.08 else ""
        courses.add(
            (
                course_id,
                title,
                f"{slugify(title)[:180]}-{course_id}",
                programme_id,
                summary,
                objectives,
                content,
                fmt,
                DURATION_BY_FORMAT[fmt],
                external,
                "everyone" if audience_key == "all" else "restricted",
                spec.managers_only,
                categories,
                needs_approval,
                status,
                spec.training_type,
                search_text,
                created,
                created,
            )
        )
        for name in names:
            theme_link += 1
            course_themes.add((theme_link, course_id, theme_ids[name]))
        if organisation is not None:
            organisation_link += 1
            course_organisations.add((organisation_link, course_id, organisation))
        trainers: tuple[int, ...] = ()
        if not external and rng.random() < 0.6:
            trainers = tuple(
                sorted(
                    set(rng.sample(world.trainers, min(len(world.trainers), rng.choice((1, 1, 2)))))
                )
            )
            for agent_id in trainers:
                trainer_link += 1
                course_trainers.add((trainer_link, course_id, agent_id))
        plans.append(
            CoursePlan(
                id=course_id,
                format=fmt,
                popularity=0.0,
                status=status,
                programme=p,
                audience_key=audience_key,
                needs_approval=needs_approval,
                mandatory=spec.mandatory and core_module,
                trainers=trainers,
            )
        )

    # Popularity by rank (Zipf); the first rank goes to a course anyone can take, so the
    # "course with many sessions" of the benchmark is an ordinary, open course.
    open_courses = [
        c
        for c in plans
        if c.status == "published" and c.audience_key == "all" and not c.needs_approval
    ]
    first = open_courses[0] if open_courses else plans[0]
    others = [c for c in plans if c is not first]
    rng.shuffle(others)
    for rank, course in enumerate([first, *others], start=1):
        course.popularity = 1 / rank**POPULARITY_EXPONENT
    world.courses = plans
    world.fixtures["course_with_many_sessions"] = {"course_id": first.id}
