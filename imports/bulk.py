"""Set-based inserts and updates of plain tuples or typed frames, for steps that write
many rows, and ``CopyPipeline``, which lets PostgreSQL store one batch while Python
derives the next.

``bulk_create`` and ``bulk_update`` build a model instance per row and, for updates, one
``CASE`` per field per row; on 200,000 derived rows that costs minutes of Python and of
PostgreSQL. These helpers take tuples instead:

- **PostgreSQL**: inserts go by ``COPY`` (the importer's ``imports.upsert.copy_rows``);
  updates ``COPY`` the new values into a temporary table and run one
  ``UPDATE … FROM`` it, keyed on the primary key.
- **SQLite 3.33+**: ``bulk_create`` inserts and ``UPDATE … FROM (VALUES …)``.
- **Anything else**: ``bulk_create`` / ``bulk_update``.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl
from django.db import connection, models

from imports.upsert import _q, copy_rows, temp_table_create

UPDATE_CHUNK_ROWS = 5000
_INSERT_CHUNK_ROWS = 50_000
_SWITCH_INTERVAL = 0.0002  # seconds
_SQLITE_MAX_PARAMS = 32_000  # SQLite 3.32+ allows 32,766 bound parameters


def polars_dtype(field: models.Field) -> pl.DataType:
    """The polars type that ``COPY`` text of this model field round-trips through."""
    if isinstance(field, models.BooleanField):
        return pl.Boolean()
    if isinstance(field, models.DateTimeField):
        return pl.Datetime(time_zone="UTC")
    if isinstance(field, models.DateField):
        return pl.Date()
    if isinstance(field, models.DecimalField):
        return pl.Decimal(field.max_digits, field.decimal_places)
    if isinstance(field, models.FloatField):
        return pl.Float64()
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return pl.Int64()
    return pl.String()


def rows_frame(
    model: type[models.Model], columns: Sequence[str], rows: list[tuple]
) -> pl.DataFrame:
    """Tuples in ``columns`` order as a frame typed like the model's fields."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    schema = [(name, polars_dtype(fields[name])) for name in columns]
    as_json = [i for i, name in enumerate(columns) if isinstance(fields[name], models.JSONField)]
    if as_json:  # COPY reads JSON as its text
        rows = [
            tuple(json.dumps(v) if i in as_json else v for i, v in enumerate(row)) for row in rows
        ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _defaults(model: type[models.Model], columns: Sequence[str]) -> dict[str, Any]:
    """Model defaults of the columns not given (the primary key is the database's)."""
    pk = model._meta.pk.attname
    defaults = {}
    for f in model._meta.concrete_fields:
        if f.attname in columns or f.attname == pk:
            continue
        value = f.get_default()
        defaults[f.attname] = json.dumps(value) if isinstance(value, list | dict) else value
    return defaults


def rows_insert(
    *, model: type[models.Model], columns: Sequence[str], rows: list[tuple]
) -> list[int]:
    """Insert ``rows`` (tuples in ``columns`` order); returns their new primary keys.

    Other columns get the model default. The keys are reserved first (``ids_reserve``)
    and sent with the rows, so no read-back is needed.
    """
    ids: list[int] = []
    for start in range(0, len(rows), _INSERT_CHUNK_ROWS):
        chunk = rows[start : start + _INSERT_CHUNK_ROWS]
        ids += frame_insert(model=model, frame=rows_frame(model, columns, chunk))
    return ids


def ids_reserve(model: type[models.Model], count: int, conn=connection) -> list[int]:
    """``count`` new primary keys of ``model``, for rows whose references are built first.

    PostgreSQL draws them from the table's sequence; SQLite (one writer, inside the
    caller's transaction) takes the next ones after the largest key used.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.attname
    with conn.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT max({_q(pk)}) FROM {_q(table)}")
        last = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            last = max(last, row[0] if row else 0)
    return list(range(last + 1, last + 1 + count))


def _complete(model: type[models.Model], frame: pl.DataFrame, conn=connection) -> pl.DataFrame:
    """The frame with a primary key for every row and the model default of other columns."""
    pk = model._meta.pk.attname
    if pk not in frame.columns:
        ids = ids_reserve(model, frame.height, conn)
        frame = frame.with_columns(pl.Series(pk, ids, dtype=pl.Int64))
    return frame.with_columns(
        pl.lit(value, dtype=pl.String if isinstance(value, str) else None).alias(name)
        for name, value in _defaults(model, frame.columns).items()
    )


def frame_insert(*, model: type[models.Model], frame: pl.DataFrame, conn=connection) -> list[int]:
    """Insert a frame whose columns are ``model`` attnames; returns the primary keys.

    The importer's bulk path for rows it has typed already (episodes with their derived
    fields): keys are the frame's own ``id`` column or drawn by ``ids_reserve``, other
    columns get the model default, and on PostgreSQL the frame goes by ``COPY`` without
    a tuple per row. ``conn``: Django's connection, or in ``CopyPipeline``'s thread the
    one it passes.
    """
    if not frame.height:
        return []
    full = _complete(model, frame, conn)
    _copy_frame(conn, model, full)
    return full[model._meta.pk.attname].to_list()


def _copy_frame(conn, model: type[models.Model], full: pl.DataFrame) -> None:
    """Write a complete frame (``_complete``) through ``conn``."""
    if connection.vendor != "postgresql":
        fields = {f.attname: f for f in model._meta.concrete_fields}
        as_json = [n for n in full.columns if isinstance(fields[n], models.JSONField)]
        objs = []
        for row in full.iter_rows(named=True):
            for name in as_json:
                row[name] = json.loads(row[name]) if isinstance(row[name], str) else row[name]
            objs.append(model(**row))
        model.objects.bulk_create(objs, batch_size=500)
        return
    with conn.cursor() as cursor:
        for start in range(0, full.height, _INSERT_CHUNK_ROWS):
            copy_rows(cursor, _q(model._meta.db_table), full.slice(start, _INSERT_CHUNK_ROWS))


_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.005


def _switch_interval_lower() -> None:
    """Lower the interpreter's thread switch interval while any pipeline runs (it is
    process-wide: two imports in one process must not restore each other's value)."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(_SWITCH_INTERVAL)
        _switch_users += 1


def _switch_interval_restore() -> None:
    global _switch_users
    with _switch_lock:
        _switch_users -= 1
        if _switch_users == 0:
            sys.setswitchinterval(_switch_saved)


class CopyPipeline:
    """Bulk writes that PostgreSQL works through while Python prepares the next ones.

    An import spends about as long deriving rows in Python as PostgreSQL spends storing
    and checking them; on two cores the two can overlap. ``submit(store)`` runs
    ``store(conn)`` in one background thread, on the same connection (so in the same
    transaction), while the caller goes on; the next ``submit`` waits for it first. The
    caller must not use the database until the pipeline is closed: ``store`` does the
    writing, with ``ids_reserve`` and ``frame_insert`` given ``conn``. Foreign keys are
    checked at the end of each statement (``SET CONSTRAINTS ALL IMMEDIATE``) rather
    than at commit, so the checks run in the background too; each ``store`` must
    therefore insert parents before their children. Anything but PostgreSQL runs
    ``store(connection)`` in the caller's thread.
    """

    def __init__(self) -> None:
        self._threaded = connection.vendor == "postgresql"
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future | None = None

    def __enter__(self) -> CopyPipeline:
        if self._threaded:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
            # The writer thread mostly waits on the socket; when it wakes it needs the GIL
            # back at once, not after the deriving thread's 5 ms slice (convoy effect).
            _switch_interval_lower()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            self.wait()
        except Exception:
            if exc_type is None:
                raise  # else the caller's own error is the one to report
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                _switch_interval_restore()
        if self._threaded and exc_type is None:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def wait(self) -> None:
        """Block until the write in progress is done (raising its error, if any)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with connection.wrap_database_errors:  # psycopg's errors as Django's
                pending.result()

    def submit(self, store: Callable[[Any], None]) -> None:
        """Run ``store(conn)`` once the previous one is done, in the background if threaded."""
        self.wait()
        if self._threaded:
            self._pending = self._executor.submit(store, connection.connection)
        else:
            store(connection)


def rows_update(*, model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> int:
    """Set ``columns`` of each row whose primary key is the tuple's first item.

    Each tuple is ``(pk, *values)``, the values in ``columns`` order.
    """
    if not rows:
        return 0
    table = _q(model._meta.db_table)
    pk = model._meta.pk.attname
    assignments = ", ".join(f"{_q(c)} = v.{_q(c)}" for c in columns)
    if connection.vendor == "postgresql":
        tmp = f"_upd_{model._meta.db_table}"
        with connection.cursor() as cursor:
            temp_table_create(cursor, tmp, table, [pk, *columns])
            copy_rows(cursor, tmp, rows_frame(model, [pk, *columns], rows))
            cursor.execute(f"ANALYZE {tmp}")
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {tmp} AS v "
                f"WHERE t.{_q(pk)} = v.{_q(pk)}"
            )
            cursor.execute(f"DROP TABLE {tmp}")
        return len(rows)
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 33):
        names = [pk, *columns]
        fields = {f.attname: f for f in model._meta.concrete_fields}
        # SQLite names VALUES columns column1, column2, …
        aliases = ", ".join(f"column{i + 1} AS {_q(n)}" for i, n in enumerate(names))
        placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
        with connection.cursor() as cursor:
            step = min(UPDATE_CHUNK_ROWS, _SQLITE_MAX_PARAMS // len(names))
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                params = [
                    fields[n].get_db_prep_save(value, connection)
                    for row in chunk
                    for n, value in zip(names, row, strict=True)
                ]
                cursor.execute(
                    f"UPDATE {table} AS t SET {assignments} FROM (SELECT {aliases} FROM "
                    f"(VALUES {', '.join([placeholder] * len(chunk))})) AS v "
                    f"WHERE t.{_q(pk)} = v.{_q(pk)}",
                    params,
                )
        return len(rows)
    objs = [model(**dict(zip([pk, *columns], row, strict=True))) for row in rows]
    model.objects.bulk_update(objs, list(columns), batch_size=2000)
    return len(rows)
