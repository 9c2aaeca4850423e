"""Replacing an SSD event table's rows for the dates a file covers, on PostgreSQL.

``ssd-extracts.md`` §4: an event file (visits, health checks, PEPs, …) replaces the
authority's rows of that table dated within the file's date range. ``table_upsert`` does
this for any table in six statements, two of them building and analysing an index on its
temporary table; for the largest SSD tables (500,000 visits) that is most of a re-import.
Here the same result comes from one pass over the authority's rows:

1. ``COPY`` the file into a temporary table (no index, no ``ANALYZE``: the planner sizes a
   fresh temporary table from its pages, and every join below is a hash join).
2. One ``FULL JOIN`` of the file with the authority's stored rows on the key keeps only
   what changes: file rows not held (inserts), held rows whose compared columns differ
   (updates), held rows in the date range the file lacks (removals). A re-import of the
   same file keeps nothing and writes nothing.
3. ``DELETE … USING``, ``UPDATE … FROM`` and ``INSERT … SELECT`` from that small table.

Counts and the earliest changed date are read from the same table. A moved row dates
its change from the earlier of its old and new dates, as the SQLite path does.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db import connection, models

from imports.upsert import (
    ANALYZE_AFTER_INSERTS,
    UpsertOutcome,
    UpsertSpec,
    _q,
    copy_rows,
    temp_table_create,
)


def frame_for_copy(spec: UpsertSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """The spec's columns and constants, blank text as '' where the column is NOT NULL."""
    fields = {f.attname: f for f in spec.model._meta.concrete_fields}
    frame = frame.select(*dict.fromkeys((*spec.key, *spec.fields)))
    frame = frame.with_columns(
        pl.lit(value).alias(name) for name, value in spec.constants.items()
        if name not in frame.columns
    )  # fmt: skip
    return frame.with_columns(
        pl.col(name).fill_null("")
        for name in frame.columns
        if isinstance(fields[name], models.CharField | models.TextField) and not fields[name].null
    )


def model_defaults(model: type[models.Model], columns: list[str]) -> dict[str, object]:
    """Database values of the model's defaults for the concrete columns a frame lacks."""
    pk = model._meta.pk.attname
    return {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in model._meta.concrete_fields
        if f.attname not in columns and f.attname != pk
    }


def replace_applies(spec: UpsertSpec) -> bool:
    """Event tables keyed by (authority, id), with nothing that points at their rows.

    Other tables (a partial unique key, a "later year wins" guard, rows owned by another
    source, or a model other rows refer to, whose removal must cascade through the ORM)
    keep ``table_upsert``.
    """
    model = spec.model
    return (
        connection.vendor == "postgresql"
        and len(spec.key) == 2
        and spec.key[0] == "la_id"
        and spec.update
        and not spec.conflict_where
        and spec.guard is None
        and not spec.owned
        and isinstance(spec.change_date, str)
        and not model._meta.related_objects
    )


def event_replace(
    *, spec: UpsertSpec, frame: pl.DataFrame, la_id: int, span: tuple[date, date] | None
) -> UpsertOutcome:
    """Make the authority's rows match ``frame``: its keys upserted, and the rows dated
    within ``span`` (the file's first to last date, inclusive) that it lacks removed.

    ``frame`` holds every row of the file for authority ``la_id`` (``la_id`` a column);
    ``span`` None removes nothing. Same result and counts as ``table_upsert`` with
    ``scope=Q(la=…)`` and the span as its window.
    """
    model = spec.model
    table = _q(model._meta.db_table)
    pk = _q(model._meta.pk.attname)
    frame = frame_for_copy(spec, frame)
    columns = frame.columns
    key = list(spec.key)
    compared = [c for c in columns if c not in key]
    dated = _q(spec.change_date)
    has_child = "child_id" in {f.attname for f in model._meta.concrete_fields}
    incoming, diff = f"_rep_{model._meta.db_table}", f"_diff_{model._meta.db_table}"

    matched = " AND ".join(f"o.{_q(k)} = s.{_q(k)}" for k in key)
    differs = (
        "(" + ", ".join(f"o.{_q(c)}" for c in compared) + ") IS DISTINCT FROM ("
        + ", ".join(f"s.{_q(c)}" for c in compared) + ")"
    ) if compared else "false"  # fmt: skip
    removal = f"o.{dated} BETWEEN %s AND %s" if span else "false"
    held = dict.fromkeys([*columns, spec.change_date, *(["child_id"] if has_child else [])])
    defaults = model_defaults(model, columns)
    insert_cols = ", ".join(_q(c) for c in [*columns, *defaults])
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {diff}")
        temp_table_create(cursor, incoming, table, columns)
        if frame.height:
            copy_rows(cursor, incoming, frame)
        cursor.execute(
            f"CREATE TEMP TABLE {diff} ON COMMIT DROP AS SELECT s.*, o.{pk} AS _held_id,"
            f" o.{dated} AS _held_date"
            + (", o.child_id AS _held_child" if has_child else "")
            + f" FROM (SELECT *, true AS _in_file FROM {incoming}) s"
            f" FULL JOIN (SELECT {pk}, "
            + ", ".join(_q(c) for c in held)
            + f" FROM {table} WHERE la_id = %s) o ON {matched}"
            f" WHERE o.{pk} IS NULL OR (s._in_file IS NULL AND {removal})"
            f" OR (s._in_file AND {differs})",
            [la_id, *(span or ())],
        )
        cursor.execute(
            f"DELETE FROM {table} t USING {diff} d WHERE d._in_file IS NULL AND t.{pk} = d._held_id"
        )
        if compared:
            cursor.execute(
                f"UPDATE {table} t SET "
                + ", ".join(f"{_q(c)} = d.{_q(c)}" for c in compared)
                + f" FROM {diff} d WHERE d._in_file AND d._held_id IS NOT NULL"
                f" AND t.{pk} = d._held_id"
            )
        cursor.execute(
            f"INSERT INTO {table} ({insert_cols}) SELECT "
            + ", ".join([*(f"d.{_q(c)}" for c in columns), *(["%s"] * len(defaults))])
            + f" FROM {diff} d WHERE d._held_id IS NULL",
            list(defaults.values()),
        )
        inserted = cursor.rowcount
        cursor.execute(
            "SELECT count(*) FILTER (WHERE _in_file AND _held_id IS NOT NULL),"
            " count(*) FILTER (WHERE _in_file IS NULL),"
            f" min(LEAST(_held_date, {dated})),"
            + (
                "array_agg(DISTINCT COALESCE(child_id, _held_child))"
                if has_child
                else "NULL::bigint[]"
            )
            + f" FROM {diff}"
        )
        updated, removed, earliest, child_ids = cursor.fetchone()
        if inserted >= ANALYZE_AFTER_INSERTS:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"DROP TABLE {incoming}, {diff}")
    outcome = UpsertOutcome(
        read=frame.height,
        inserted=inserted,
        updated=updated,
        removed=removed,
        unchanged=frame.height - inserted - updated,
        earliest=earliest,
    )
    outcome.child_ids.update(c for c in child_ids or () if c is not None)
    return outcome
