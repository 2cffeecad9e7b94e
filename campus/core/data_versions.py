"""Explicit versions of the school's data, for pages that keep what they read in a cache.

Each kind of data has a counter (`DataVersion`). A service that changes data of
that kind calls `changed(KIND)` inside its transaction; the counter moves when
the transaction commits (never for a change rolled back). A page that caches
what it reads builds its cache key from the counters of the data it shows
(`cached`), so the first request after a change reads afresh, in every worker
and on every server, and the others reuse the copy. The counters are read in
one query per request; the copies live in Django's cache.

Kinds of data (each app moves the counter of the data it owns):

- CATALOG: courses, programmes, themes, audiences (campus.catalog);
- PROGRAMMING: sessions, their parts, rooms and venues, and a session's life
  (campus.scheduling, campus.registrations.lifecycle);
- PEOPLE: agents' names and organisations (campus.people).

Seats change with every sign-up: no page caches them, they are read live.
Time also changes what pages show (a session that starts leaves the catalogue),
so keys carry the current minute as well.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from .models import DataVersion

CATALOG = "catalog"
PROGRAMMING = "programming"
PEOPLE = "people"
KINDS = (CATALOG, PROGRAMMING, PEOPLE)

# Long enough to matter under load; a change made behind the services' back (a
# manual SQL fix) shows at the latest after this delay.
TIMEOUT_S = 300

T = TypeVar("T")


def _increment(name: str) -> None:
    if DataVersion.objects.filter(name=name).update(version=F("version") + 1):
        return
    try:
        with transaction.atomic():
            DataVersion.objects.create(name=name, version=1)
    except IntegrityError:
        # Created meanwhile by another commit: move it on from there.
        DataVersion.objects.filter(name=name).update(version=F("version") + 1)


def changed(*names: str) -> None:
    """The data of these kinds changed in the current transaction: move their counters on commit."""
    for name in names:
        if name not in KINDS:
            raise ValueError(f"Unknown kind of data: {name!r}")
        transaction.on_commit(partial(_increment, name))


def current(names: Iterable[str]) -> tuple[int, ...]:
    """The counters of these kinds, in the order given (0 for one never moved): one query."""
    wanted = list(names)
    found = dict(DataVersion.objects.filter(name__in=wanted).values_list("name", "version"))
    return tuple(found.get(name, 0) for name in wanted)


def cached(
    name: str,
    *,
    depends_on: Sequence[str],
    parts: Iterable[object],
    compute: Callable[[], T],
) -> T:
    """What `compute()` returns, kept in the cache until the data it depends on changes.

    `parts` holds everything else the result depends on (the query string, the
    page number, an object's id); the language and the current minute are added.
    """
    versions = current(depends_on)
    minute = timezone.now().strftime("%Y%m%d%H%M")
    raw = "|".join(
        [name, *map(str, versions), translation.get_language() or "", minute, *map(str, parts)]
    )
    key = f"campus:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_S)
    return value
