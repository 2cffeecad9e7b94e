"""The line-management hierarchy, each question answered in one query whatever its depth.

Agents point to their manager (`Agent.manager`). Walking the chain one level
per query costs as many queries as there are levels; a recursive common table
expression (supported alike by SQLite and PostgreSQL) walks it in one. The
depth bound only guards against a loop left by bad data: the HR import
refuses loops, and real chains are a handful of levels deep.
"""

from __future__ import annotations

from django.db import connection

from .models import Agent

# Line-management chains are short; the bound only guards against bad data.
MAX_HIERARCHY_DEPTH = 30


def _table() -> str:
    return connection.ops.quote_name(Agent._meta.db_table)


def is_above(manager_id: int, agent_id: int, *, max_depth: int = MAX_HIERARCHY_DEPTH) -> bool:
    """True when `manager_id` is somewhere above `agent_id` in the chain (one query)."""
    table = _table()
    # Table name from the model, quoted by the backend: nothing from outside.
    sql = (
        "WITH RECURSIVE chain(agent_id, depth) AS ("  # noqa: S608
        f" SELECT manager_id, 1 FROM {table} WHERE id = %s AND manager_id IS NOT NULL"
        " UNION"
        f" SELECT a.manager_id, c.depth + 1 FROM {table} a JOIN chain c ON a.id = c.agent_id"
        " WHERE a.manager_id IS NOT NULL AND c.depth < %s"
        ") SELECT 1 FROM chain WHERE agent_id = %s LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agent_id, max_depth, manager_id])
        return cursor.fetchone() is not None


def active_reports_by_depth(manager_id: int, *, max_depth: int) -> dict[int, int]:
    """{agent id: level} of the active agents below `manager_id` (1 = direct reports).

    Levels up to `max_depth + 1`, so that the caller can tell a hierarchy cut
    at `max_depth` from one that ends there. An agent reached twice (bad data)
    keeps its shallowest level; the manager never counts as their own report.
    """
    table = _table()
    sql = (
        "WITH RECURSIVE below(agent_id, depth) AS ("  # noqa: S608
        f" SELECT id, 1 FROM {table} WHERE manager_id = %s AND is_active"
        " UNION"
        f" SELECT a.id, b.depth + 1 FROM {table} a JOIN below b ON a.manager_id = b.agent_id"
        " WHERE a.is_active AND b.depth <= %s"
        ") SELECT agent_id, MIN(depth) FROM below WHERE agent_id <> %s GROUP BY agent_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [manager_id, max_depth, manager_id])
        return {int(agent_id): int(depth) for agent_id, depth in cursor.fetchall()}
