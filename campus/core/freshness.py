"""A cheap stamp of "the data has not changed", for caching rendered fragments.

Every write made through a service records an audit entry in its own
transaction (the house rule), and every change made in the Django admin records
a LogEntry. The highest id of the two tables therefore moves with every change
to the school's data, and reading it is one indexed lookup per table, whatever
the data size. A page may keep a rendered fragment under a key built from this
stamp: the first request after a change renders afresh, the others reuse it.

Time also changes what pages show (a session that has started leaves the
catalogue), so keys built here include the current minute as well.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from .models import AuditEntry

# Long enough to matter under load, short enough that a change made behind the
# services' back (a manual SQL fix) shows within minutes.
FRAGMENT_TIMEOUT_S = 300


def data_stamp() -> str:
    """The last audit entry and admin log entry ids, read in one query."""
    audit = connection.ops.quote_name(AuditEntry._meta.db_table)
    admin = connection.ops.quote_name(LogEntry._meta.db_table)
    with connection.cursor() as cursor:
        # Table names come from the models, quoted by the backend: nothing from outside.
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {audit}), (SELECT MAX(id) FROM {admin})")  # noqa: S608
        last_audit, last_admin = cursor.fetchone()
    return f"{last_audit or 0}.{last_admin or 0}"


def fragment_key(name: str, parts: Iterable[object]) -> str:
    """A cache key for fragment `name`: its parts, the language, the minute and the stamp."""
    minute = timezone.now().strftime("%Y%m%d%H%M")
    raw = "|".join([name, translation.get_language() or "", minute, data_stamp(), *map(str, parts)])
    return f"campus:fragment:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def cached_fragment(name: str, parts: Iterable[object], render: Callable[[], str]) -> str:
    """The fragment rendered by `render()`, reused while the data and the minute stay the same.

    `parts` must hold everything the fragment depends on besides the data and the
    language: the query string, the reader's role when it changes the output.
    """
    key = fragment_key(name, parts)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, FRAGMENT_TIMEOUT_S)
    return html
