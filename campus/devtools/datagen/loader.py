"""Bulk writes for the generator: many rows per statement, one transaction, no ORM objects.

The generator assigns every primary key itself, so nothing is read back. Rows
are plain tuples in the order of the field names given to `Loader.table`;
datetimes are naive and in UTC (what Django stores when USE_TZ is on: SQLite
keeps the text, PostgreSQL reads it in the connection's UTC time zone).

SQLite receives `executemany` on the raw connection; PostgreSQL receives
`COPY ... FROM STDIN` through psycopg 3, an order of magnitude faster than
INSERTs for a million rows.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, models

Row = tuple[Any, ...]

# Apps whose rows are configuration rather than the school's data: a reset keeps them.
_KEPT_APPS = {"contenttypes", "auth"}
_KEPT_MODELS = {"core.schoolsettings"}


class Table:
    """Rows waiting to be written to one table, flushed in chunks."""

    def __init__(
        self, loader: Loader, model: type[models.Model], fields: Sequence[str], chunk: int
    ) -> None:
        self.loader = loader
        self.model = model
        self.chunk = chunk
        self.rows: list[Row] = []
        self.count = 0
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in fields if name not in by_attname]
        if unknown:
            raise ValueError(f"{model._meta.label}: unknown fields {unknown}")
        columns = [str(by_attname[name].column) for name in fields]
        # Fields added to a model after this generator was written get their default,
        # so that an additive model change does not break the benchmark.
        self.constants: Row = ()
        for field in model._meta.concrete_fields:
            if field.attname in fields:
                continue
            if field.has_default() and not field.unique:
                value = field.get_db_prep_save(field.get_default(), loader.connection)
            elif field.null:
                value = None
            else:
                raise ValueError(f"{model._meta.label}.{field.name} needs a value")
            columns.append(str(field.column))
            self.constants += (value,)
        self.columns = columns

    def add(self, row: Row) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows = self.rows
        if self.constants:
            rows = [row + self.constants for row in rows]
        self.loader.write(self.model._meta.db_table, self.columns, rows)
        self.count += len(rows)
        self.rows = []


class Loader:
    """Writes tables in bulk on one database connection and keeps a digest of what it wrote."""

    def __init__(self, *, using: str = "default", chunk: int = 50_000) -> None:
        self.using = using
        self.connection = connections[using]
        self.chunk = chunk
        self.tables: dict[str, Table] = {}
        self._dropped_indexes: list[str] = []
        self._dropped_constraints: list[str] = []
        self._digest = hashlib.blake2b(digest_size=16)

    @property
    def vendor(self) -> str:
        return self.connection.vendor

    def table(self, model: type[models.Model], fields: Sequence[str]) -> Table:
        label = model._meta.label_lower
        if label not in self.tables:
            self._drop_indexes(model._meta.db_table)
            self.tables[label] = Table(self, model, fields, self.chunk)
        return self.tables[label]

    def _drop_indexes(self, db_table: str) -> None:
        """Drop the secondary indexes of a table about to be filled; `restore_indexes` rebuilds them.

        Building an index once over sorted rows is several times cheaper than
        updating it row by row. Indexes behind constraints (primary keys, unique
        columns) stay. The DDL is part of the load's transaction on both engines,
        so a failed load leaves the indexes as they were.
        """
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                    "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
                    "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
                    [db_table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [db_table],
                )
            for name, sql in cursor.fetchall():
                cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")
                self._dropped_indexes.append(sql)
            if self.vendor == "postgresql":
                # Deferred foreign keys would queue one check per row until the commit;
                # adding the constraint back checks the whole table in one join.
                table = self.connection.ops.quote_name(db_table)
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    quoted = self.connection.ops.quote_name(name)
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
                    self._dropped_constraints.append(
                        f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {definition}"
                    )

    def restore_indexes(self) -> None:
        """Rebuild what `_drop_indexes` dropped: indexes first, then foreign keys that use them."""
        with self.connection.cursor() as cursor:
            for sql in self._dropped_indexes + self._dropped_constraints:
                cursor.execute(sql)
        self._dropped_indexes = []
        self._dropped_constraints = []

    def flush_all(self) -> None:
        for table in self.tables.values():
            table.flush()

    def digest(self) -> str:
        return self._digest.hexdigest()

    def counts(self) -> dict[str, int]:
        return {label: table.count for label, table in self.tables.items()}

    def written_models(self) -> list[type[models.Model]]:
        return [table.model for table in self.tables.values()]

    def write(self, db_table: str, columns: list[str], rows: list[Row]) -> None:
        # Pickle is deterministic for these plain values and far cheaper than repr().
        self._digest.update(db_table.encode())
        self._digest.update(pickle.dumps(rows, protocol=5))
        quoted_table = self.connection.ops.quote_name(db_table)
        quoted_columns = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        self.connection.ensure_connection()
        raw = self.connection.connection
        if self.vendor == "postgresql":
            with raw.cursor() as cursor:
                sql = f"COPY {quoted_table} ({quoted_columns}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            placeholders = ", ".join("?" for _ in columns)
            cursor = raw.cursor()
            try:
                cursor.executemany(
                    f"INSERT INTO {quoted_table} ({quoted_columns}) VALUES ({placeholders})",  # noqa: S608 - names from the models
                    rows,
                )
            finally:
                cursor.close()

    # --- Around the load ---------------------------------------------------------

    @contextmanager
    def fast_session(self) -> Iterator[None]:
        """Loosen durability for the load only, and put it back afterwards.

        On SQLite the foreign keys are checked by the generator's own invariants
        and its tests instead (the pragma cannot change inside a transaction, so
        under a test's transaction they stay on); the journal is not synced.
        """
        connection = self.connection
        connection.ensure_connection()
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET maintenance_work_mem = '256MB'")
            yield
            return
        with connection.cursor() as cursor:
            saved = {}
            for pragma in ("foreign_keys", "synchronous", "cache_size", "temp_store"):
                cursor.execute(f"PRAGMA {pragma}")
                saved[pragma] = cursor.fetchone()[0]
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
            cursor.execute("PRAGMA temp_store = MEMORY")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for pragma, value in saved.items():
                    cursor.execute(f"PRAGMA {pragma} = {int(value)}")

    def settle_deferred_checks(self) -> None:
        """Run the foreign-key checks already queued in this transaction (PostgreSQL).

        PostgreSQL refuses to truncate or alter a table with checks pending; there
        are some only when the generation runs inside a larger transaction (tests).
        """
        if self.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def reset_sequences(self) -> None:
        """Make the next ORM insert pick an id above the generated ones (PostgreSQL)."""
        if self.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest id written.
        statements = self.connection.ops.sequence_reset_sql(no_style(), self.written_models())
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def analyze(self) -> None:
        """Refresh the planner's statistics now that the tables hold their real sizes."""
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                names = ", ".join(
                    self.connection.ops.quote_name(m._meta.db_table) for m in self.written_models()
                )
                cursor.execute(f"ANALYZE {names}")
            else:
                cursor.execute("ANALYZE")

    def vacuum(self) -> None:
        """PostgreSQL: set the visibility map so that index-only scans work from the start."""
        if self.vendor != "postgresql" or self.connection.in_atomic_block:
            return
        with self.connection.cursor() as cursor:
            for model in self.written_models():
                cursor.execute(f"VACUUM {self.connection.ops.quote_name(model._meta.db_table)}")


def school_data_models() -> list[type[models.Model]]:
    """Every table that holds the school's data (what `--reset` empties), children first."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in _KEPT_APPS
        and model._meta.label_lower not in _KEPT_MODELS
        and model._meta.managed
        and not model._meta.proxy
    ]
    ordered: list[type[models.Model]] = []
    remaining = list(chosen)
    while remaining:
        referenced = {
            field.related_model
            for model in remaining
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is not model
        }
        leaves = [model for model in remaining if model not in referenced]
        if not leaves:  # a cycle between tables: deferred constraints settle it
            leaves = remaining
        ordered.extend(leaves)
        remaining = [model for model in remaining if model not in leaves]
    return ordered


def wipe(using: str = "default") -> None:
    """Empty every school-data table (see `school_data_models`)."""
    connection = connections[using]
    tables = [model._meta.db_table for model in school_data_models()]
    existing = set(connection.introspection.table_names())
    tables = [name for name in tables if name in existing]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE"
            )
        else:
            for name in tables:
                cursor.execute(f"DELETE FROM {quote(name)}")  # noqa: S608 - names from the models
