"""A school year of programming for the demo school: catalogue, one building, sessions.

Written with bulk inserts (a year is ~150 sessions) rather than through the
services: the services refuse the past, and the demo needs past sessions
marked done. The layout below is free of room and trainer conflicts by
construction (each series has its own weekday or week of the month), and a
test checks it with the same conflict finder the services use.
"""

from __future__ import annotations

import datetime
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule
from dateutil.easter import easter
from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from campus.catalog.models import Course, Programme, Theme
from campus.core import data_versions
from campus.core.audit import audit_record
from campus.people.models import Agent
from campus.scheduling.models import Room, SessionPart, TrainingSession, Venue

DEMO_VENUE = "École interne – ancienne école Jules-Ferry"

ROOMS = [
    # name, capacity, step-free, equipment
    ("Salle du préau", 40, True, "Vidéoprojecteur, sonorisation, 40 chaises"),
    ("Salle Marie-Curie", 20, True, "Écran interactif, tables en îlots"),
    ("Salle Jean-Zay", 16, True, "Vidéoprojecteur, tableau blanc"),
    ("Salle informatique", 12, True, "12 postes, vidéoprojecteur"),
    ("Petite salle de l'étage", 8, False, "Table ronde, paperboard (accès par escalier)"),
]

THEMES = [
    ("Numérique", "numerique"),
    ("Actualité et veille", "actualite"),
    ("Concours et examens", "concours"),
    ("Développement durable", "developpement-durable"),
    ("Management", "management"),
]

# programme name, slug, theme slug, rhythm, colour
PROGRAMMES = [
    (
        "Les mardis du numérique",
        "mardis-du-numerique",
        "numerique",
        "Chaque mardi, de 12 h 15 à 13 h",
        "#1f3f8f",
    ),
    (
        "Conférences d'actualité",
        "conferences-actualite",
        "actualite",
        "Le deuxième jeudi du mois, à midi",
        "#6b2c91",
    ),
    (
        "Préparation aux concours",
        "preparation-concours",
        "concours",
        "Cycles de six mercredis après-midi",
        "#8a5300",
    ),
    (
        "Rencontres développement durable",
        "rencontres-developpement-durable",
        "developpement-durable",
        "Le premier jeudi du mois, à midi",
        "#17683a",
    ),
    (
        "Parcours management",
        "parcours-management",
        "management",
        "Prise de poste, codéveloppement et séminaires",
        "#b3261e",
    ),
]

DIGITAL = [
    "Trello : organiser le travail d'équipe",
    "Klaxoon : animer une réunion participative",
    "Bizagi : modéliser un processus",
    "Tableur : les tableaux croisés dynamiques",
    "Visioconférence sans stress",
    "Messagerie et agenda partagés",
    "Mots de passe et sécurité numérique",
]
CONFERENCES = [
    "Veille juridique : ce qui change cette année",
    "Élections : tenir un bureau de vote",
    "Transition numérique des services publics",
    "Lire sa fiche de paie",
    "Protection des données personnelles au quotidien",
]
EXAMS = [
    "Préparation au concours d'ATSEM",
    "Préparation au concours d'attaché territorial",
    "Préparation au concours de rédacteur territorial",
    "Préparation au concours d'animateur territorial",
]
MEETUP = "Rencontre développement durable"
ONBOARDING = "Prise de poste : les fondamentaux de l'encadrement"
CODEV = "Atelier de codéveloppement entre encadrants"
SEMINARS = [
    "Séminaire des encadrants : conduire le changement",
    "Séminaire des encadrants : qualité de vie au travail",
]
CANCEL_REASON = "Intervenante indisponible : la conférence est reportée au mois suivant."


@dataclass
class CourseSpec:
    title: str
    programme: str
    fmt: str
    training_type: str
    duration: int
    summary: str
    managers_only: bool = False
    approval: bool = False


def _course_specs() -> list[CourseSpec]:
    t, f = Course.TrainingType, Course.Format
    specs = [
        CourseSpec(
            title,
            "mardis-du-numerique",
            f.WORKSHOP,
            t.IMPROVEMENT,
            45,
            "Trois quarts d'heure pour prendre en main un outil, sur son propre poste.",
        )
        for title in DIGITAL
    ]
    specs += [
        CourseSpec(
            title,
            "conferences-actualite",
            f.CONFERENCE,
            t.PRO_CAREER,
            75,
            "Une heure pour faire le point, un quart d'heure pour les questions.",
        )
        for title in CONFERENCES
    ]
    specs += [
        CourseSpec(
            title,
            "preparation-concours",
            f.EXAM_PREP,
            t.EXAM_PREP,
            180,
            "Méthodologie, épreuves écrites et entraînement à l'oral.",
            approval=True,
        )
        for title in EXAMS
    ]
    specs.append(
        CourseSpec(
            MEETUP,
            "rencontres-developpement-durable",
            f.DEBATE,
            t.PERSONAL,
            60,
            "Partager les gestes et projets durables des services.",
        )
    )
    specs.append(
        CourseSpec(
            ONBOARDING,
            "parcours-management",
            f.TRAINING,
            t.PRO_POST,
            420,
            "Le parcours obligatoire des nouveaux encadrants.",
            managers_only=True,
        )
    )
    specs.append(
        CourseSpec(
            CODEV,
            "parcours-management",
            f.CODEVELOPMENT,
            t.PRO_POST,
            150,
            "Confronter ce qui a été appris à la réalité du terrain.",
            managers_only=True,
        )
    )
    specs += [
        CourseSpec(
            title,
            "parcours-management",
            f.SEMINAR,
            t.IMPROVEMENT,
            420,
            "Une journée entre encadrants des quatre structures.",
            managers_only=True,
            approval=True,
        )
        for title in SEMINARS
    ]
    return specs


@dataclass
class Planned:
    course: str
    parts: list[tuple[datetime.date, datetime.time, datetime.time, str]]
    capacity: int
    trainers: list[Agent]
    series: str = ""
    external_speaker: str = ""
    min_participants: int = 0
    cancelled: bool = False
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def school_year(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """September to June of the school year `today` belongs to (July and August: the next)."""
    start_year = today.year if today.month >= 7 else today.year - 1
    return datetime.date(start_year, 9, 1), datetime.date(start_year + 1, 6, 30)


def days_off(first: datetime.date, last: datetime.date) -> set[datetime.date]:
    """School holidays (approximate, zone-free) and public holidays of the school year."""
    y1, y2 = first.year, last.year
    ranges = [
        (datetime.date(y1, 10, 19), datetime.date(y1, 11, 2)),  # Toussaint
        (datetime.date(y1, 12, 20), datetime.date(y2, 1, 4)),  # Noël
        (datetime.date(y2, 2, 14), datetime.date(y2, 3, 1)),  # hiver
        (datetime.date(y2, 4, 11), datetime.date(y2, 4, 26)),  # printemps
    ]
    off: set[datetime.date] = set()
    for start, end in ranges:
        day = start
        while day <= end:
            off.add(day)
            day += datetime.timedelta(days=1)
    easter_day = easter(y2)
    off |= {
        datetime.date(y1, 11, 1),
        datetime.date(y1, 11, 11),
        datetime.date(y2, 5, 1),
        datetime.date(y2, 5, 8),
        easter_day + datetime.timedelta(days=1),
        easter_day + datetime.timedelta(days=39),
        easter_day + datetime.timedelta(days=50),
    }
    return off


def _dates(rule: rrule.rrule, off: set[datetime.date]) -> list[datetime.date]:
    return [d.date() for d in rule if d.date() not in off]


def _time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def _plan(
    first: datetime.date,
    last: datetime.date,
    trainers: Sequence[Agent],
    managers: Sequence[Agent],
    rng: random.Random,
) -> list[Planned]:
    """The year's sessions. Each series keeps to its own weekday or week of the month."""
    off = days_off(first, last)
    start = datetime.datetime.combine(first, datetime.time())
    until = datetime.datetime.combine(last, datetime.time())
    if not trainers:
        raise ValueError("The demo programming needs at least one trainer.")
    pool = list(trainers)
    rng.shuffle(pool)
    # Series never share a weekday and time slot, so a small school may reuse its trainers.
    rotation = itertools.cycle(pool)

    def take(n: int) -> list[Agent]:
        return [next(rotation) for _ in range(n)]

    digital_trainers = take(5)
    conference_trainers = take(4)
    exam_trainers = take(4)
    meetup_trainers = take(2)
    management_trainers = list(managers[:3]) or take(2)
    plan: list[Planned] = []

    # Weekly digital workshops: Tuesdays 12:15–13:00, in the computer room.
    series = uuid.uuid4().hex
    tuesdays = _dates(
        rrule.rrule(rrule.WEEKLY, dtstart=start, until=until, byweekday=rrule.TU), off
    )
    for i, day in enumerate(tuesdays):
        plan.append(
            Planned(
                DIGITAL[i % len(DIGITAL)],
                [(day, _time("12:15"), _time("13:00"), "Salle informatique")],
                12,
                [digital_trainers[i % len(digital_trainers)]],
                series=series,
                min_participants=3,
            )
        )

    # Topical conferences: second Thursday, 12:15–13:30, under the covered playground.
    series = uuid.uuid4().hex
    thursdays = _dates(
        rrule.rrule(rrule.MONTHLY, dtstart=start, until=until, byweekday=rrule.TH(2)), off
    )
    for i, day in enumerate(thursdays):
        title = CONFERENCES[i % len(CONFERENCES)]
        payslip = title == "Lire sa fiche de paie"
        plan.append(
            Planned(
                title,
                [(day, _time("12:15"), _time("13:30"), "Salle du préau")],
                40,
                [conference_trainers[i % len(conference_trainers)]],
                series=series,
                min_participants=8,
                notes="Animée par le service des ressources humaines." if payslip else "",
            )
        )

    # Exam preparation: cycles of six Wednesday afternoons, one exam after another.
    wednesdays = _dates(
        rrule.rrule(rrule.WEEKLY, dtstart=start, until=until, byweekday=rrule.WE), off
    )
    for i, title in enumerate(EXAMS):
        series = uuid.uuid4().hex
        cycle = wednesdays[i * 7 : i * 7 + 6]
        for number, day in enumerate(cycle, start=1):
            plan.append(
                Planned(
                    title,
                    [(day, _time("14:00"), _time("17:00"), "Salle Jean-Zay")],
                    14,
                    [exam_trainers[i % len(exam_trainers)]],
                    series=series,
                    min_participants=4,
                    extra={"suffix": f"séance {number}/6"},
                )
            )

    # Sustainable-development meetup: first Thursday, 12:30–13:30.
    series = uuid.uuid4().hex
    first_thursdays = _dates(
        rrule.rrule(rrule.MONTHLY, dtstart=start, until=until, byweekday=rrule.TH(1)), off
    )
    for i, day in enumerate(first_thursdays):
        plan.append(
            Planned(
                MEETUP,
                [(day, _time("12:30"), _time("13:30"), "Salle Marie-Curie")],
                20,
                [meetup_trainers[i % len(meetup_trainers)]],
                series=series,
            )
        )

    # Management track. Taking up a post: full days (two parts) on the second free
    # Monday of October, January and April; co-development on the third Friday morning of each
    # month; seminars on the first Friday of December and of March.
    all_mondays = _dates(
        rrule.rrule(rrule.WEEKLY, dtstart=start, until=until, byweekday=rrule.MO), off
    )
    mondays = []
    for month in (10, 1, 4):
        # The second Monday of the month that is not a holiday (holidays move every year).
        candidates = [d for d in all_mondays if d.month == month]
        if candidates:
            mondays.append(candidates[min(1, len(candidates) - 1)])
    for i, day in enumerate(mondays):
        plan.append(
            Planned(
                ONBOARDING,
                [
                    (day, _time("09:00"), _time("12:30"), "Salle Marie-Curie"),
                    (day, _time("13:30"), _time("17:00"), "Salle Marie-Curie"),
                ],
                16,
                management_trainers[:2],
                min_participants=6,
                extra={"suffix": f"promotion {i + 1}"},
            )
        )
    series = uuid.uuid4().hex
    fridays = _dates(
        rrule.rrule(rrule.MONTHLY, dtstart=start, until=until, byweekday=rrule.FR(3)), off
    )
    for day in fridays:
        plan.append(
            Planned(
                CODEV,
                [(day, _time("09:30"), _time("12:00"), "Petite salle de l'étage")],
                8,
                management_trainers[-1:],
                series=series,
                min_participants=5,
            )
        )
    seminar_days = _dates(
        rrule.rrule(
            rrule.MONTHLY, dtstart=start, until=until, byweekday=rrule.FR(1), bymonth=(12, 3)
        ),
        off,
    )
    for title, day in zip(SEMINARS, seminar_days, strict=False):
        plan.append(
            Planned(
                title,
                [
                    (day, _time("09:00"), _time("12:30"), "Salle du préau"),
                    (day, _time("13:30"), _time("17:00"), "Salle du préau"),
                ],
                35,
                [],
                external_speaker="Psychologue du travail de la collectivité",
                min_participants=10,
            )
        )
    return plan


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def load_demo_programming(
    *,
    rng: random.Random,
    today: datetime.date,
    trainers: list[Agent],
    managers: list[Agent],
) -> dict[str, Any]:
    """Create the demo catalogue, building and school year of sessions, once.

    Returns counts; {"skipped": True, ...} when the demo building already exists.
    `trainers` should hold at least 15 agents, `managers` a few encadrants.
    """
    if Venue.objects.filter(name=DEMO_VENUE).exists():
        return {"skipped": True, "sessions": TrainingSession.objects.count()}
    tz = _tz()
    first, last = school_year(today)
    with transaction.atomic():
        themes = {
            slug: Theme.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for name, slug in THEMES
        }
        programmes = {}
        for name, slug, _theme_slug, rhythm, colour in PROGRAMMES:
            programmes[slug] = Programme.objects.get_or_create(
                slug=slug, defaults={"name": name, "rhythm": rhythm, "colour": colour}
            )[0]
        theme_of_programme = {slug: theme_slug for _n, slug, theme_slug, _r, _c in PROGRAMMES}
        courses: dict[str, Course] = {}
        for spec in _course_specs():
            course, created = Course.objects.get_or_create(
                slug=slugify(spec.title)[:200],
                defaults={
                    "title": spec.title,
                    "programme": programmes[spec.programme],
                    "format": spec.fmt,
                    "training_type": spec.training_type,
                    "usual_duration_minutes": spec.duration,
                    "summary": spec.summary,
                    "status": Course.Status.PUBLISHED,
                    "audience": Course.Audience.RESTRICTED
                    if spec.managers_only
                    else Course.Audience.EVERYONE,
                    "audience_managers_only": spec.managers_only,
                    "requires_manager_approval": spec.approval,
                },
            )
            if created:
                course.themes.add(themes[theme_of_programme[spec.programme]])
            courses[spec.title] = course

        venue = Venue.objects.create(
            name=DEMO_VENUE,
            address="12 rue des Tilleuls\n00000 Villeneuve-sur-Campus",
            access_notes="Entrée par la cour ; ascenseur côté préau. Bus ligne 4, arrêt Écoles.",
        )
        rooms = {
            name: Room.objects.create(
                venue=venue,
                name=name,
                capacity=capacity,
                step_free_access=step_free,
                equipment=equipment,
            )
            for name, capacity, step_free, equipment in ROOMS
        }

        plan = _plan(first, last, trainers, managers, rng)
        now = datetime.datetime.combine(today, datetime.time(), tzinfo=tz)
        sessions = []
        future_conferences = []
        for planned in plan:
            bounds = [
                (
                    datetime.datetime.combine(d, s, tzinfo=tz),
                    datetime.datetime.combine(d, e, tzinfo=tz),
                )
                for d, s, e, _room in planned.parts
            ]
            starts_at = min(b[0] for b in bounds)
            ends_at = max(b[1] for b in bounds)
            status = TrainingSession.Status.DONE if ends_at < now else TrainingSession.Status.OPEN
            session = TrainingSession(
                course=courses[planned.course],
                title_suffix=planned.extra.get("suffix", ""),
                external_speaker=planned.external_speaker,
                capacity=planned.capacity,
                min_participants=planned.min_participants,
                registration_opens_at=starts_at - datetime.timedelta(days=30),
                registration_closes_at=starts_at - datetime.timedelta(days=1),
                cancellation_deadline=starts_at - datetime.timedelta(days=2),
                status=status,
                starts_at=starts_at,
                ends_at=ends_at,
                series_key=planned.series,
                notes=planned.notes,
            )
            sessions.append(session)
            if planned.course in CONFERENCES and starts_at > now:
                future_conferences.append(session)
        if future_conferences:
            cancelled = future_conferences[min(1, len(future_conferences) - 1)]
            cancelled.status = TrainingSession.Status.CANCELLED
            cancelled.cancellation_reason = CANCEL_REASON
        TrainingSession.objects.bulk_create(sessions)
        if any(s.pk is None for s in sessions):  # pragma: no cover - both backends return ids
            raise RuntimeError("The database did not return the ids of the demo sessions.")

        parts = [
            SessionPart(
                session=session,
                date=d,
                start_time=s,
                end_time=e,
                room=rooms[room_name],
                starts_at=datetime.datetime.combine(d, s, tzinfo=tz),
                ends_at=datetime.datetime.combine(d, e, tzinfo=tz),
            )
            for session, planned in zip(sessions, plan, strict=True)
            for d, s, e, room_name in planned.parts
        ]
        SessionPart.objects.bulk_create(parts)
        through = TrainingSession.trainers.through
        through.objects.bulk_create(
            [
                through(trainingsession_id=session.pk, agent_id=agent.pk)
                for session, planned in zip(sessions, plan, strict=True)
                for agent in planned.trainers
            ]
        )
        default_trainers = Course.default_trainers.through
        pairs = {
            (courses[planned.course].pk, agent.pk) for planned in plan for agent in planned.trainers
        }
        default_trainers.objects.bulk_create(
            [default_trainers(course_id=c, agent_id=a) for c, a in sorted(pairs)],
            ignore_conflicts=True,
        )
        # Written in bulk, behind the services: every cached page reads afresh.
        data_versions.changed(*data_versions.KINDS)
        audit_record(
            actor=None,
            action="scheduling.demo_load",
            object_type="scheduling.venue",
            object_id=venue.pk,
            object_label=venue.name,
            changes={"sessions": len(sessions), "parts": len(parts)},
        )
    statuses = Counter(s.status for s in sessions)
    return {
        "skipped": False,
        "themes": len(themes),
        "programmes": len(programmes),
        "courses": len(courses),
        "rooms": len(rooms),
        "sessions": len(sessions),
        "parts": len(parts),
        "open": statuses[TrainingSession.Status.OPEN],
        "done": statuses[TrainingSession.Status.DONE],
        "cancelled": statuses[TrainingSession.Status.CANCELLED],
    }
