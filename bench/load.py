"""The load client: N agents POST their sign-up, at most C at a time, over loopback HTTP.

Standard library only (threads + http.client): the client must cost little CPU on
the same two cores as the server, and needs nothing installed. Gunicorn's sync
workers close the connection after each response, so each request opens its own.
"""

from __future__ import annotations

import http.client
import math
import statistics
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

# Any address but loopback is refused: this client only ever loads our own server.
LOOPBACK_PREFIXES = ("127.", "localhost", "[::1]", "::1")


@dataclass(frozen=True)
class Caller:
    """One agent as the server knows them: a session cookie and a CSRF secret."""

    session_key: str
    csrf_secret: str


@dataclass
class Reply:
    index: int
    status: int  # 0 when no HTTP answer came back
    started: float
    ended: float
    error: str = ""

    @property
    def ms(self) -> float:
        return (self.ended - self.started) * 1000


def check_loopback(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not host.startswith(LOOPBACK_PREFIXES):
        raise ValueError(f"The bench only targets a local server, not {base_url!r}.")
    return host, parts.port or 80


def post_form(
    host: str, port: int, path: str, caller: Caller, *, timeout: float
) -> tuple[int, str]:
    body = urlencode({"csrfmiddlewaretoken": caller.csrf_secret})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={caller.session_key}; csrftoken={caller.csrf_secret}",
        "Host": host,
    }
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def get(host: str, port: int, path: str, caller: Caller | None, *, timeout: float) -> int:
    headers = {"Host": host}
    if caller is not None:
        headers["Cookie"] = f"sessionid={caller.session_key}; csrftoken={caller.csrf_secret}"
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def fire(
    base_url: str,
    path: str,
    callers: Sequence[Caller],
    *,
    concurrency: int,
    timeout: float = 60.0,
) -> tuple[list[Reply], float]:
    """POST once per caller, `concurrency` in flight; the replies and the wall time."""
    host, port = check_loopback(base_url)
    replies: list[Reply | None] = [None] * len(callers)
    start_gate = threading.Event()

    def one(index: int) -> None:
        start_gate.wait()
        started = time.perf_counter()
        try:
            status, _location = post_form(host, port, path, callers[index], timeout=timeout)
            replies[index] = Reply(index, status, started, time.perf_counter())
        except (OSError, http.client.HTTPException) as exc:
            replies[index] = Reply(index, 0, started, time.perf_counter(), repr(exc))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, i) for i in range(len(callers))]
        began = time.perf_counter()
        start_gate.set()
        for future in futures:
            future.result(timeout=timeout * 2)
        wall = time.perf_counter() - began
    return [r for r in replies if r is not None], wall


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by the nearest-rank method; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summarise(replies: Sequence[Reply], wall: float) -> dict[str, float | int]:
    """Throughput, latency percentiles, and the split of answers by kind."""
    latencies = [r.ms for r in replies]
    accepted = sum(1 for r in replies if r.status == 302)
    refused = sum(1 for r in replies if r.status == 200)
    errors = sum(1 for r in replies if r.status not in (200, 302))
    return {
        "requests": len(replies),
        "accepted": accepted,
        "refused": refused,
        "errors": errors,
        "duration_s": round(wall, 3),
        "signups_per_s": round(accepted / wall, 1) if wall > 0 else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
    }
