"""The coordinator's calendar (month and week): what each part shows, the filters, the cost."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.people.models import Agent
from campus.people.tests.factories import AgentFactory
from campus.scheduling import calendar_grid, selectors, services
from campus.scheduling.models import TrainingSession

from .factories import (
    CourseFactory,
    RoomFactory,
    VenueFactory,
    future_day,
    make_session,
    part,
    set_status,
)

# Without a French catalogue gettext applies the English plural rule to zero.
NO_SLOT = re.compile(r"\b0 créneaux? ce mois-ci\.")


def month_of(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def week_of(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def reference(agent: Agent) -> str:
    return f"{agent.organisation.code.upper()}/{agent.matricule}"


def get_page(client: Any, name: str, params: dict[str, Any]) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.fixture
def busy_day(coordinator: Any) -> dict[str, Any]:
    """One day with an open, a draft, a cancelled and a finished session, rooms or not."""
    day = future_day(40)
    room = RoomFactory(name="Salle Jean-Zay")
    trainers = [
        AgentFactory(first_name="Virginie", last_name="Reynaud"),
        AgentFactory(first_name="Éric", last_name="Hervé"),
    ]
    open_ = make_session(
        coordinator,
        course=CourseFactory(title="La signature électronique"),
        title_suffix="groupe 2",
        day=day,
        start="09:00",
        end="12:00",
        room=room,
        trainers=trainers,
    )
    set_status(open_, TrainingSession.Status.OPEN)
    draft = make_session(
        coordinator,
        course=CourseFactory(title="Lire sa fiche de paie"),
        day=day,
        start="14:00",
        end="16:30",
        external_speaker="Cabinet Dupont",
    )
    cancelled = make_session(
        coordinator,
        course=CourseFactory(title="Préparer le concours d'attaché"),
        day=day,
        start="17:30",
        end="19:00",
        room=RoomFactory(name="Grande salle"),
    )
    set_status(cancelled, TrainingSession.Status.CANCELLED, reason="Formateur absent")
    done = make_session(
        coordinator,
        course=CourseFactory(title="<script>alert(1)</script> Trello"),
        day=day,
        start="08:00",
        end="08:45",
    )
    TrainingSession.objects.filter(pk=done.pk).update(status=TrainingSession.Status.DONE)
    return {
        "day": day,
        "room": room,
        "trainers": trainers,
        "open": open_,
        "draft": draft,
        "cancelled": cancelled,
        "done": done,
    }


# --- What a part shows ---------------------------------------------------------------


@pytest.mark.django_db
def test_month_shows_each_part_with_its_status_room_trainers_and_link(
    client: Any, coordinator: Any, busy_day: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    page = get_page(client, "scheduling:calendar", {"mois": month_of(busy_day["day"])})
    open_url = reverse("sessions:detail", args=[busy_day["open"].pk])
    assert (
        f'<li><strong>09:00–12:00</strong> <a href="{open_url}">'
        "La signature électronique – groupe 2</a><br>"
        '<span class="help">Salle Jean-Zay · Éric HERVÉ, Virginie REYNAUD</span></li>'
    ) in page
    draft_url = reverse("sessions:detail", args=[busy_day["draft"].pk])
    assert (
        f'<a href="{draft_url}">Lire sa fiche de paie</a> <span class="badge">brouillon</span>'
        '<br><span class="help">lieu à préciser · Cabinet Dupont</span>'
    ) in page
    cancelled_url = reverse("sessions:detail", args=[busy_day["cancelled"].pk])
    assert (
        f'<li class="entry-cancelled"><strong>17:30–19:00</strong> <a href="{cancelled_url}">'
        "Préparer le concours d&#39;attaché</a> "  # MarkupSafe's entity (Jinja2)
        '<span class="badge badge-off">annulée</span>'
    ) in page
    assert '<span class="badge">terminée</span>' in page
    # Titles are text, never markup.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Trello" in page
    assert "4 créneaux ce mois-ci." in page
    # Parts of a day come in time order.
    assert page.index("08:00–08:45") < page.index("09:00–12:00") < page.index("14:00–16:30")


@pytest.mark.django_db
def test_week_shows_the_same_parts_as_a_table(
    client: Any, coordinator: Any, busy_day: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    page = get_page(client, "scheduling:calendar_week", {"semaine": week_of(busy_day["day"])})
    open_url = reverse("sessions:detail", args=[busy_day["open"].pk])
    assert (
        f'<tr><th scope="row">09:00–12:00</th><td><a href="{open_url}">'
        "La signature électronique – groupe 2</a></td><td>Salle Jean-Zay</td>"
        "<td>Éric HERVÉ, Virginie REYNAUD</td><td>Ouverte</td></tr>"
    ) in page
    assert "<td>Cabinet Dupont</td><td>Brouillon</td>" in page
    assert '<tr class="entry-cancelled">' in page
    assert "<td>Annulée</td>" in page
    assert "4 créneaux cette semaine." in page


@pytest.mark.django_db
def test_a_month_without_sessions(client: Any, coordinator: Any) -> None:
    client.force_login(coordinator)
    page = get_page(client, "scheduling:calendar", {"mois": "2031-02"})
    assert NO_SLOT.search(page)
    assert "cal-entries" not in page
    assert page.count('<td class="cal-out"></td>') == 7  # 5 days of January, 2 of March
    assert 'href="?mois=2031-01"' in page
    assert 'href="?mois=2031-03"' in page


@pytest.mark.django_db
def test_parts_at_the_edges_of_the_month_are_placed_by_their_local_date(
    client: Any, coordinator: Any
) -> None:
    # starts_at narrows the read; the date decides (a part at 00:30 is UTC the day before).
    first = (future_day(60).replace(day=1) + datetime.timedelta(days=40)).replace(day=1)
    last = first - datetime.timedelta(days=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    for day, start, end in (
        (last, "23:00", "23:45"),
        (first, "00:15", "01:00"),
        (following - datetime.timedelta(days=1), "23:00", "23:45"),
        (following, "00:15", "01:00"),
    ):
        make_session(coordinator, day=day, start=start, end=end)
    parts = selectors.calendar_parts(start=first, end=following)
    assert [p.date for p in parts] == [first, following - datetime.timedelta(days=1)]


# --- Filters -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_trainer_filter_is_a_text_field_not_a_select_of_every_trainer(
    client: Any, coordinator: Any, busy_day: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    page = get_page(client, "scheduling:calendar", {"mois": month_of(busy_day["day"])})
    assert '<select name="animateur"' not in page
    assert '<input type="text" name="animateur"' in page
    assert 'aria-describedby="id_animateur-help"' in page
    assert '<select name="salle"' in page
    assert "Salle Jean-Zay (" in page


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["reference", "lower-case reference", "name", "matricule"])
def test_filtering_on_a_trainer_however_typed(
    client: Any, coordinator: Any, busy_day: dict[str, Any], typed: str
) -> None:
    client.force_login(coordinator)
    trainer = busy_day["trainers"][0]
    text = {
        "reference": reference(trainer),
        "lower-case reference": reference(trainer).lower(),
        "name": "virginie REYNAUD",
        "matricule": trainer.matricule,
    }[typed]
    month = month_of(busy_day["day"])
    page = get_page(client, "scheduling:calendar", {"mois": month, "animateur": text})
    assert "La signature électronique" in page
    assert "Lire sa fiche de paie" not in page
    assert "1 créneau ce mois-ci." in page
    ref = reference(trainer)
    # Whatever was typed, the page and its links carry STRUCTURE/matricule.
    assert f'name="animateur" value="{ref}"' in page
    encoded = ref.replace("/", "%2F")
    assert f"&amp;animateur={encoded}" in page
    assert f"Créneaux de Virginie REYNAUD ({ref})." in page
    assert f'href="?mois={month}">Effacer les filtres</a>' in page


@pytest.mark.django_db
def test_room_and_trainer_filters_combine_and_follow_the_period_links(
    client: Any, coordinator: Any, busy_day: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    trainer, room = busy_day["trainers"][1], busy_day["room"]
    params = {"mois": month_of(busy_day["day"]), "salle": room.pk, "animateur": reference(trainer)}
    page = get_page(client, "scheduling:calendar", params)
    assert "La signature électronique" in page
    assert "1 créneau ce mois-ci." in page
    query = f"salle={room.pk}&amp;animateur={reference(trainer).replace('/', '%2F')}"
    assert f"&amp;{query}" in page
    week = get_page(
        client,
        "scheduling:calendar_week",
        {"semaine": week_of(busy_day["day"]), "salle": room.pk, "animateur": reference(trainer)},
    )
    assert "La signature électronique" in week
    assert "1 créneau cette semaine." in week
    assert f"&amp;{query}" in week
    other_room = RoomFactory()
    page = get_page(client, "scheduling:calendar", {**params, "salle": other_room.pk})
    assert NO_SLOT.search(page)


@pytest.mark.django_db
def test_a_name_several_trainers_share_offers_them_as_links(
    client: Any, coordinator: Any, busy_day: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    homonym = AgentFactory(first_name="Jade", last_name="Reynaud")
    make_session(coordinator, day=future_day(90), trainers=[homonym])
    month = month_of(busy_day["day"])
    page = get_page(
        client,
        "scheduling:calendar",
        {"mois": month, "salle": busy_day["room"].pk, "animateur": "Reynaud"},
    )
    assert "Plusieurs animateurs correspondent" in page
    # Shown without filter, as for any filter the page cannot apply.
    assert "4 créneaux ce mois-ci." in page
    for agent in (homonym, busy_day["trainers"][0]):
        ref = reference(agent)
        link = (
            f"?mois={month}&amp;salle={busy_day['room'].pk}&amp;animateur={ref.replace('/', '%2F')}"
        )
        assert f'<a href="{link}">{agent.full_name} ({ref})</a>' in page
    assert 'name="animateur" value="Reynaud"' in page
    assert "Seuls les" not in page


@pytest.mark.django_db
def test_a_long_list_of_namesakes_is_cut_and_says_so(client: Any, coordinator: Any) -> None:
    client.force_login(coordinator)
    day = future_day(30)
    make_session(
        coordinator,
        day=day,
        trainers=[AgentFactory(last_name="Martin") for _ in range(12)],
    )
    page = get_page(client, "scheduling:calendar", {"mois": month_of(day), "animateur": "martin"})
    assert page.count("MARTIN (") == 10
    assert "Seuls les 10 premiers sont proposés" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"animateur": "Personne-Inconnue"}, {"animateur": "NULLE/PART"}, {"salle": "x"}],
)
def test_an_unknown_filter_shows_the_calendar_unfiltered_with_a_message(
    client: Any, coordinator: Any, busy_day: dict[str, Any], params: dict[str, str]
) -> None:
    client.force_login(coordinator)
    month = month_of(busy_day["day"])
    page = get_page(client, "scheduling:calendar", {"mois": month, **params})
    assert "Filtre inconnu : le calendrier est affiché sans filtre." in page
    assert "4 créneaux ce mois-ci." in page
    # The period links do not carry a filter that was not applied.
    nav = page[page.index('<nav class="cal-nav') :]
    nav = nav[: nav.index("</nav>")]
    assert 'href="?mois=' in nav
    assert "animateur=" not in nav
    assert "salle=" not in nav


@pytest.mark.django_db
def test_an_empty_filter_form_is_no_filter(
    client: Any, coordinator: Any, busy_day: dict[str, Any]
) -> None:
    client.force_login(coordinator)
    page = get_page(
        client,
        "scheduling:calendar",
        {"mois": month_of(busy_day["day"]), "salle": "", "animateur": "  "},
    )
    assert "Filtre inconnu" not in page
    assert "4 créneaux ce mois-ci." in page
    assert "Effacer les filtres" not in page


# --- Cost ----------------------------------------------------------------------------


def fill(actor: Any, day: datetime.date, count: int, trainer: Agent) -> None:
    venue = VenueFactory()
    for i in range(count):
        result = services.session_create(
            actor=actor,
            course=CourseFactory(),
            parts=[
                part(
                    day + datetime.timedelta(days=i % 5), "09:00", "11:00", RoomFactory(venue=venue)
                ),
                part(day + datetime.timedelta(days=i % 5), "14:00", "16:00"),
            ],
            capacity=10,
            trainers=[trainer, *AgentFactory.create_batch(2)],
            override_conflicts=True,
        )
        if i % 3 == 0:
            set_status(result.session, TrainingSession.Status.OPEN)


@pytest.mark.django_db
def test_calendar_reads_cost_the_same_at_ten_times_the_parts(coordinator: Any) -> None:
    monday = future_day(60)
    monday -= datetime.timedelta(days=monday.weekday())
    trainer = AgentFactory(last_name="Compteur")
    start, end = monday, monday + datetime.timedelta(days=7)

    def count(**filters: Any) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            parts = selectors.calendar_parts(start=start, end=end, **filters)
            calendar_grid.calendar_week_days(monday, parts, monday)
        return len(ctx), len(parts)

    fill(coordinator, monday, 2, trainer)
    small = [count(), count(trainer_id=trainer.pk)]
    fill(coordinator, monday, 18, trainer)
    large = [count(), count(trainer_id=trainer.pk)]
    assert [n for n, _ in small] == [n for n, _ in large] == [2, 2]
    assert [p for _, p in small] == [4, 4]
    assert [p for _, p in large] == [40, 40]
    with CaptureQueriesContext(connection) as ctx:
        selectors.calendar_trainers_matching("Compteur", limit=11)
        selectors.calendar_trainers_matching(reference(trainer), limit=11)
        selectors.calendar_room_choices()
    assert len(ctx) == 3
