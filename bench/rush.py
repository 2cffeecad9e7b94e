"""`make bench`: the sign-up rush. 1,000 signed-in agents, one 13-seat session, HTTP.

    .venv/bin/python -m bench.rush                 # SQLite (var/bench/rush.sqlite3)
    .venv/bin/python -m bench.rush --db postgres   # PostgreSQL (database campus_bench)

Steps: a fresh database (migrate, collectstatic), the school built in bulk, the
app served as in production (gunicorn, 2 sync workers, production settings, DEBUG
off, whitenoise), a warm-up, then every agent POSTs the sign-up form, 50 at a
time. Then the database is read back: exactly `capacity` confirmed, the rest
waitlisted in the order the lock admitted them, no error. Prints a table and
writes bench/results/latest-<db>.json. Exits non-zero when a correctness check
fails (overbooking, an error, a waitlist out of order); a throughput below the
target is reported, not hidden, and does not fail the run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SQLITE_PATH = ROOT / "var" / "bench" / "rush.sqlite3"
DEFAULT_POSTGRES_URL = "postgres://campus:campus@127.0.0.1:5432/campus"
BENCH_DATABASE = "campus_bench"
TARGET_SIGNUPS_PER_S = 300


# --- Environment: production settings, loosened only where plain HTTP needs it ------------


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    admin = urlsplit(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    return urlunsplit(admin._replace(path=f"/{BENCH_DATABASE}"))


def bench_environment(db: str) -> dict[str, str]:
    """The server's environment: production settings on loopback HTTP.

    No TLS proxy sits in front here, so the redirect to HTTPS and HSTS are off.
    The Secure cookie flag needs no switch: the client sends its cookies itself.
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        DATABASE_URL=database_url(db),
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


def reset_database(db: str) -> None:
    if db == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    admin = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")


# --- The server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    return subprocess.Popen(
        [
            gunicorn,
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
    )


def start_profiler(master: int, db: str) -> subprocess.Popen[bytes]:
    """py-spy (pip install py-spy) samples the workers while the rush runs; the
    collapsed stacks go to var/bench/profile-<db>.txt (bench/profile.py sums them)."""
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    out = SQLITE_PATH.parent / f"profile-{db}.txt"
    proc = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(master),
            "--subprocesses",
            "--format",
            "raw",
            "--rate",
            "250",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # let it attach before the rush starts
    return proc


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_serving(port: int, path: str, caller: Any, timeout: float = 30.0) -> None:
    from bench.load import get

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get("127.0.0.1", port, path, caller, timeout=5) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("The bench server did not answer within 30 s.")


# --- Reading the outcome back ---------------------------------------------------------


def check_outcome(session_id: int, agents: int) -> dict[str, Any]:
    """Seats and queue as the database holds them after the rush.

    "In order" is defined on the server's side: the lock admits sign-ups one at a
    time and each insert takes the next id, so id order is the order of admission.
    It holds when arrival times (queued_at) never go down along that order, the
    first `capacity` admitted hold the seats, and the waitlist is exactly the
    others in that same order (positions 1..N with no gap).
    """
    from campus.registrations import capacity
    from campus.registrations.models import Registration
    from campus.scheduling.models import TrainingSession

    session = TrainingSession.objects.get(pk=session_id)
    regs = list(
        Registration.objects.filter(session=session)
        .order_by("id")
        .values_list("id", "agent_id", "state", "queued_at")
    )
    states = [state for _id, _agent, state, _at in regs]
    confirmed = states.count(Registration.State.CONFIRMED)
    waitlisted = states.count(Registration.State.WAITLISTED)
    seats = session.capacity
    queue = list(capacity.waitlist_queryset(session).values_list("id", flat=True))
    in_order = (
        [at for *_rest, at in regs] == sorted(at for *_rest, at in regs)
        and all(s == Registration.State.CONFIRMED for s in states[:seats])
        and queue == [pk for pk, *_rest in regs[seats:]]
    )
    return {
        "registrations": len(regs),
        "distinct_agents": len({agent for _id, agent, _s, _at in regs}),
        # The product's own tally of held seats (confirmed and offered), as the lock counts it.
        "seats_used": capacity.seats_used(session.pk),
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "waitlist_in_order": in_order and waitlisted == agents - seats,
    }


def machine() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import django

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
    }


def database_version(db: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if db == "sqlite" else "show server_version")
        return f"{db} {cursor.fetchone()[0]}"


# --- The run ------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    env = bench_environment(args.db)
    os.environ.update(env)
    reset_database(args.db)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.urls import reverse

    from bench.load import fire, summarise
    from bench.prepare import build_school

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    school = build_school(agents=args.agents, seats=args.capacity)
    signup_path = reverse("registrations:signup", args=[school.session.pk])
    session_path = reverse("registrations:session", args=[school.session.pk])
    db_version = database_version(args.db)
    connections.close_all()
    prepared_s = time.perf_counter() - t0

    port = free_port()
    server = start_server(env, port, args.workers)
    try:
        wait_until_serving(port, session_path, school.callers[0])
        # Warm-up: both workers load templates, URL patterns and translations.
        for caller in school.callers[: args.workers * 10]:
            wait_until_serving(port, session_path, caller)
        profiler = start_profiler(server.pid, args.db) if args.profile else None
        workers = worker_pids(server.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in workers)
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        replies, wall = fire(
            f"http://127.0.0.1:{port}",
            signup_path,
            school.callers,
            concurrency=args.concurrency,
        )
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu_s = sum(cpu_seconds(pid) for pid in workers) - cpu_before
        client_cpu_s = (client_after.ru_utime + client_after.ru_stime) - (
            client_before.ru_utime + client_before.ru_stime
        )
        rss = [rss_mb(pid) for pid in workers]
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    stats = summarise(replies, wall)
    outcome = check_outcome(school.session.pk, args.agents)
    result = {
        "db": args.db,
        "database": db_version,
        "preset": args.preset,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "server": f"gunicorn config.wsgi, {args.workers} sync workers, config.settings.bench",
        "rush": {
            "agents": args.agents,
            "capacity": args.capacity,
            "concurrency": args.concurrency,
            "signups_per_s": stats["signups_per_s"],
            "duration_s": stats["duration_s"],
            "p50_ms": stats["p50_ms"],
            "p95_ms": stats["p95_ms"],
            "p99_ms": stats["p99_ms"],
            "max_ms": stats["max_ms"],
            "accepted": stats["accepted"],
            "refused": stats["refused"],
            "errors": stats["errors"],
            "confirmed": outcome["confirmed"],
            "seats_used": outcome["seats_used"],
            "waitlisted": outcome["waitlisted"],
            "registrations": outcome["registrations"],
            "waitlist_in_order": outcome["waitlist_in_order"],
            "target_signups_per_s": TARGET_SIGNUPS_PER_S,
            # Where the two cores went during the rush: the workers' CPU per sign-up
            # bounds the throughput at nproc / that figure, whatever the concurrency.
            "server_cpu_ms_per_signup": round(server_cpu_s * 1000 / max(1, len(replies)), 1),
            "client_cpu_s": round(client_cpu_s, 1),
        },
        "worker_rss_mb": max(rss, default=0.0),
        "worker_rss_mb_each": rss,
        "prepare_s": round(prepared_s, 1),
    }
    print_table(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"latest-{args.db}.json"
    # Keep the page figures written by bench.pages; the rush replaces only its own keys.
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    for key in (
        "floor",
        "pages",
        "pages_generated",
        "pages_date",
        "targets",
        "pages_worker_rss_mb",
    ):
        if key in previous:
            result[key] = previous[key]
    # The largest worker of the latest rush and of the latest page run (not of older runs).
    result["worker_rss_mb"] = max(result["worker_rss_mb"], previous.get("pages_worker_rss_mb", 0.0))
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nRésultats écrits dans {out.relative_to(ROOT)}")

    failures = correctness_failures(result["rush"], args)
    for line in failures:
        print(f"ÉCHEC : {line}", file=sys.stderr)
    if stats["signups_per_s"] < TARGET_SIGNUPS_PER_S:
        print(
            f"Sous l'objectif : {stats['signups_per_s']} inscriptions/s "
            f"(objectif {TARGET_SIGNUPS_PER_S}).",
            file=sys.stderr,
        )
    return 1 if failures else 0


def correctness_failures(rush: dict[str, Any], args: argparse.Namespace) -> list[str]:
    failures = []
    if rush["confirmed"] != args.capacity:
        failures.append(f"{rush['confirmed']} confirmées pour {args.capacity} places")
    if rush["seats_used"] > args.capacity:
        failures.append(f"{rush['seats_used']} places occupées pour {args.capacity}")
    if rush["errors"] or rush["refused"]:
        failures.append(f"{rush['errors']} erreurs, {rush['refused']} refus")
    if rush["registrations"] != args.agents:
        failures.append(f"{rush['registrations']} inscriptions pour {args.agents} agents")
    if not rush["waitlist_in_order"]:
        failures.append("liste d'attente hors de l'ordre d'arrivée")
    return failures


def print_table(result: dict[str, Any]) -> None:
    rush = result["rush"]
    rows = [
        ("base de données", result["database"]),
        ("machine", f"{result['machine']['nproc']} cœurs, {result['machine']['cpu']}"),
        ("agents / places", f"{rush['agents']} / {rush['capacity']}"),
        ("requêtes simultanées", rush["concurrency"]),
        ("inscriptions/s", f"{rush['signups_per_s']} (objectif ≥ {rush['target_signups_per_s']})"),
        ("durée", f"{rush['duration_s']} s"),
        ("latence p50/p95/p99", f"{rush['p50_ms']} / {rush['p95_ms']} / {rush['p99_ms']} ms"),
        ("confirmées", rush["confirmed"]),
        ("liste d'attente", rush["waitlisted"]),
        ("erreurs / refus", f"{rush['errors']} / {rush['refused']}"),
        ("CPU serveur par inscription", f"{rush['server_cpu_ms_per_signup']} ms"),
        ("CPU du client de charge", f"{rush['client_cpu_s']} s"),
        ("ordre d'arrivée respecté", "oui" if rush["waitlist_in_order"] else "NON"),
        ("mémoire par worker (RSS)", f"{result['worker_rss_mb_each']} Mo"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"\nRuée sur une session — {result['db']}")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=13)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--preset", default="rush-1000")
    parser.add_argument(
        "--profile", action="store_true", help="sample the workers with py-spy during the rush"
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
