"""Page benchmark: the main pages on generated data, against the floor, as in production.

    python -m bench.pages --db sqlite|postgres [--preset metropolis]

Reuses (or generates) the preset's data, serves it with gunicorn (2 workers,
production settings), and measures each page at 1 connection (p50/p95/p99) and
at 8 connections (requests/s, p99), plus the floor: a tiny template with no
query. Queries per page are counted in-process with the same data. Results are
merged into bench/results/latest-<db>.json next to the rush figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.load import Caller, get, percentile
from bench.rush import (
    DEFAULT_POSTGRES_URL,
    RESULTS,
    ROOT,
    free_port,
    machine,
    rss_mb,
    start_server,
    worker_pids,
)

TARGET_P95_MS = 50.0
TARGET_DASHBOARD_P95_MS = 300.0
TARGET_CATALOGUE_SHARE_OF_FLOOR = 0.25


def database_url(db: str, preset: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{ROOT / 'var' / 'gen' / f'{preset}.sqlite3'}"
    admin = urlsplit(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    return urlunsplit(admin._replace(path=f"/campus_gen_{preset}"))


def server_environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        DATABASE_URL=url,
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


def ensure_database(db: str, url: str) -> None:
    if db != "postgres":
        return
    import psycopg

    admin = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(db: str, preset: str, env: dict[str, str]) -> None:
    """Migrate, and generate the preset's data unless it is already there."""
    ensure_database(db, env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from campus.devtools.datagen.generator import bench_fixtures; bench_fixtures()",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        manage(env, "generate_data", "--preset", preset)


def page_plan() -> tuple[list[tuple[str, str | list[str], Caller | None]], dict[str, Any], Caller]:
    """(name, path, caller) for each page, resolved from the generated fixtures."""
    import django

    django.setup()
    from bench.prepare import mint_sessions
    from campus.catalog.models import Course, Theme
    from campus.devtools.datagen.generator import bench_fixtures
    from campus.people.models import User
    from campus.scheduling.models import TrainingSession

    fx = bench_fixtures()
    coordinator = User.objects.get(pk=fx["coordinator_user_id"])
    learner = User.objects.get(agent_id=fx["long_history_agent"]["agent_id"])
    manager = User.objects.get(agent_id=fx["manager_with_team"]["agent_id"])
    coord_c, learner_c, manager_c = mint_sessions([coordinator, learner, manager])
    course = Course.objects.get(pk=fx["course_with_many_sessions"]["course_id"])
    upcoming = (
        TrainingSession.objects.filter(course=course, status="open").order_by("starts_at").first()
    )
    session_id = upcoming.pk if upcoming else fx["session_100_participants"]["session_id"]
    theme = Theme.objects.order_by("pk").first()
    month = fx["busy_month"]
    word = course.title.split()[0]
    filtered = f"/catalogue/?q={word}" + (f"&theme={theme.pk}" if theme else "")
    plan: list[tuple[str, str | list[str], Caller | None]] = [
        ("catalogue", "/catalogue/", learner_c),
        ("catalogue_search", filtered, learner_c),
        ("course", f"/catalogue/formations/{course.slug}/", learner_c),
        ("session", f"/inscriptions/sessions/{session_id}/", learner_c),
        ("agent_own_page", "/inscriptions/mes-formations/", learner_c),
        ("manager_team", "/inscriptions/equipe/", manager_c),
        (
            "coordinator_session_100",
            f"/inscriptions/sessions/{fx['session_100_participants']['session_id']}/gestion/",
            coord_c,
        ),
        ("calendar_month", f"/programmation/?mois={month['year']}-{month['month']:02d}", coord_c),
        # A different search on every request: the catalogue as it costs when its cached
        # courses cannot be reused (a change to the catalogue or the programming moves
        # their data versions, campus.core.data_versions).
        ("catalogue_search_cold", cold_searches(), learner_c),
    ]
    return plan, fx, coord_c


def cold_searches(limit: int = 400) -> list[str]:
    """Catalogue searches for distinct words of course titles, each a separate cache entry."""
    from campus.catalog.models import Course
    from campus.catalog.search_text import fold_words

    words: list[str] = []
    for title in Course.objects.order_by("pk").values_list("title", flat=True):
        for word in fold_words(title):
            if len(word) >= 5 and word not in words:
                words.append(word)
    return [f"/catalogue/?q={word}" for word in words[:limit]]


def count_queries(plan: list[tuple[str, str | list[str], Caller | None]]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, paths, caller in plan:
        # Counted in this process, whose cache is cold: the cost of a first rendering.
        path = paths if isinstance(paths, str) else paths[0]
        client = Client()
        if caller is not None:
            client.cookies["sessionid"] = caller.session_key
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, secure=False)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {path} answered {response.status_code}")
        counts[name] = len(ctx.captured_queries)
    return counts


def measure(
    port: int, path: str | list[str], caller: Caller | None, *, single: int, parallel: int
) -> dict[str, Any]:
    """Figures for one page; given several paths, each request takes the next one."""
    host = "127.0.0.1"
    paths = [path] if isinstance(path, str) else path
    turn = itertools.count()

    def next_path() -> str:
        return paths[next(turn) % len(paths)]

    for _ in range(5 if len(paths) == 1 else 0):  # warm-up (none when every request differs)
        get(host, port, paths[0], caller, timeout=60)
    latencies: list[float] = []
    errors = 0
    for _ in range(single):
        started = time.perf_counter()
        status = get(host, port, next_path(), caller, timeout=60)
        latencies.append((time.perf_counter() - started) * 1000)
        errors += status != 200
    lock = threading.Lock()
    remaining = [parallel]
    par_latencies: list[float] = []

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
                target = next_path()
            started = time.perf_counter()
            status = get(host, port, target, caller, timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                par_latencies.append(elapsed)
                errors += status != 200

    threads = [threading.Thread(target=worker) for _ in range(8)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "rps_8": round(parallel / wall, 1),
        "p99_8_ms": round(percentile(par_latencies, 99), 1),
        "errors": errors,
    }


def run(args: argparse.Namespace) -> int:
    url = database_url(args.db, args.preset)
    env = server_environment(url)
    prepare(args.db, args.preset, env)
    os.environ.update(env)
    plan, fx, _coord = page_plan()
    queries = count_queries(plan)
    port = free_port()
    server = start_server(env, port, workers=2)
    try:
        _wait(port)
        # The floor answers in about a millisecond: many more requests, for a steady figure.
        floor = measure(
            port, "/_dev/plancher/", None, single=args.requests * 5, parallel=args.requests * 20
        )
        pages: dict[str, Any] = {}
        for name, path, caller in plan:
            figures = measure(port, path, caller, single=args.requests, parallel=args.requests * 2)
            figures["ratio_to_floor"] = (
                round(figures["rps_8"] / floor["rps_8"], 3) if floor["rps_8"] else 0.0
            )
            figures["queries"] = queries[name]
            figures["path"] = path if isinstance(path, str) else f"{path[0]} (+{len(path) - 1})"
            pages[name] = figures
            print(
                f"{name:26} p50 {figures['p50_ms']:7.1f}  p95 {figures['p95_ms']:7.1f}  "
                f"p99 {figures['p99_ms']:7.1f}  rps8 {figures['rps_8']:7.1f}  "
                f"x{figures['ratio_to_floor']:.2f}  q {figures['queries']}",
                flush=True,
            )
        rss = max((rss_mb(pid) for pid in worker_pids(server.pid)), default=0.0)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result_path = RESULTS / f"latest-{'sqlite' if args.db == 'sqlite' else 'postgres'}.json"
    result = json.loads(result_path.read_text()) if result_path.exists() else {}
    result.update(
        db=args.db,
        preset=args.preset,
        machine=machine(),
        floor={"p95_ms": floor["p95_ms"], "rps_8": floor["rps_8"], "p99_8_ms": floor["p99_8_ms"]},
        pages=pages,
        pages_generated=fx["generated"],
        pages_date=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        pages_worker_rss_mb=rss,
        # The largest worker of this page run and of the latest rush (not of older runs).
        worker_rss_mb=max([rss, *result.get("worker_rss_mb_each", [])]),
        targets={
            "page_p95_ms": TARGET_P95_MS,
            "dashboard_p95_ms": TARGET_DASHBOARD_P95_MS,
            "catalogue_share_of_floor_rps_8": TARGET_CATALOGUE_SHARE_OF_FLOOR,
        },
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"floor: p95 {floor['p95_ms']} ms, rps8 {floor['rps_8']}; worker RSS {rss} MB")
    print(f"written: {result_path.relative_to(ROOT)}")
    errors = floor["errors"] + sum(p["errors"] for p in pages.values())
    return 1 if errors else 0


def _wait(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get("127.0.0.1", port, "/_dev/plancher/", None, timeout=5) == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("The bench server did not answer.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--preset", default="metropolis")
    parser.add_argument(
        "--requests", type=int, default=100, help="requests per page at 1 connection"
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
