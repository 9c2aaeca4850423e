"""Idempotent, counted upserts of a typed table into one model, scoped to one authority.

One call writes one table: new rows are inserted, rows whose values differ are updated,
identical rows are left alone (so re-importing the same files writes nothing), and rows
in the table's replacement window that the file no longer holds are removed. Every
outcome is counted, and the earliest date any change touches is returned so that only
the affected months are recomputed.

Two implementations with the same contract:

- **PostgreSQL**: ``COPY`` into a temporary table, then one
  ``INSERT … ON CONFLICT DO UPDATE … WHERE (old) IS DISTINCT FROM (new) RETURNING
  (xmax = 0)``, which tells inserted from updated rows and skips unchanged ones inside the
  database, and one ``DELETE … NOT EXISTS`` for removals.
- **Any other database** (SQLite for the demo): read the authority's existing rows once,
  compare in Python, ``bulk_create`` the new rows and ``bulk_create(update_conflicts=True)``
  the changed ones on their primary key.

"Later year wins": with ``guard`` set (e.g. ``collection_year``), a stored row is only
overwritten by an incoming row whose guard value is at least the stored one, so importing
several years in any order ends with the latest year's values.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.db import connection, models
from django.db.models import Q

COPY_CHUNK_BYTES = 4 * 1024 * 1024
ANALYZE_AFTER_INSERTS = 5000


@dataclass(frozen=True)
class UpsertSpec:
    """How one table lands in one model.

    ``key`` and ``fields`` are model attnames present as frame columns; ``constants`` are
    the same for every row (``la_id``, ``source``, ``collection_year``) and are written and
    compared like fields. ``scope`` selects the authority's existing rows. ``window`` (with
    ``scope``) selects the rows this file set replaces. ``owned`` limits which existing rows
    an incoming row may overwrite (rows from another source are left alone).
    ``change_date`` is the attname whose value dates a change, or a fixed date.
    """

    model: type[models.Model]
    key: tuple[str, ...]
    fields: tuple[str, ...]
    scope: Q
    constants: dict[str, Any] = field(default_factory=dict)
    guard: str | None = None
    owned: dict[str, Any] = field(default_factory=dict)
    conflict_where: str = ""
    window: Q | None = None
    change_date: str | date | None = None
    update: bool = True


@dataclass
class UpsertOutcome:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    earliest: date | None = None
    child_ids: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


def _concrete(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def frame_prepare(spec: UpsertSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """Only the spec's columns, constants added, blank text as '' where the column is NOT NULL."""
    fields = _concrete(spec.model)
    if spec.constants:
        frame = frame.with_columns(pl.lit(v).alias(k) for k, v in spec.constants.items())
    wanted = list(dict.fromkeys([*spec.key, *spec.fields, *spec.constants]))
    frame = frame.select(wanted)
    fills = []
    for name in frame.columns:
        model_field = fields[name]
        if isinstance(model_field, models.CharField | models.TextField) and not model_field.null:
            fills.append(pl.col(name).fill_null(""))
    if fills:
        frame = frame.with_columns(fills)
    return frame


def _min_date(current: date | None, candidate: date | None) -> date | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate < current else current


def table_upsert(*, spec: UpsertSpec, frame: pl.DataFrame) -> UpsertOutcome:
    """Insert, update and remove so the model's rows in scope match ``frame``."""
    frame = frame_prepare(spec, frame)
    if connection.vendor == "postgresql":
        return _upsert_postgresql(spec, frame)
    return _upsert_generic(spec, frame)


# ---------------------------------------------------------------------------------------
# PostgreSQL


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def copy_rows(cursor, table: str, frame: pl.DataFrame) -> None:
    """``COPY table (columns) FROM STDIN`` of a frame, as CSV written by polars."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="", quote_style="non_numeric")
    payload = buffer.getvalue()
    del buffer
    columns = ", ".join(_q(c) for c in frame.columns)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '')") as copy:
        for start in range(0, len(payload), COPY_CHUNK_BYTES):
            copy.write(payload[start : start + COPY_CHUNK_BYTES])


def temp_table_create(cursor, name: str, table: str, columns: list[str]) -> None:
    """An empty temporary table ``name`` with ``columns`` typed as in ``table`` (quoted),
    dropped at commit: where a file's rows are COPYed before one set-based statement."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT "
        + ", ".join(_q(c) for c in columns)
        + f" FROM {table} WITH NO DATA"
    )


def _insert_fresh(spec: UpsertSpec, frame: pl.DataFrame, outcome: UpsertOutcome) -> UpsertOutcome:
    """The authority holds no row of this model yet: ``COPY`` straight into the table.

    Every row is an insert, nothing can conflict or be removed, so the temporary table,
    the ``ON CONFLICT`` machinery and the removal query are all skipped.
    """
    model = spec.model
    fields = _concrete(model)
    pk = model._meta.pk.attname
    if not frame.height:
        return outcome
    if spec.update is False:
        frame = frame.unique(subset=list(spec.key), keep="first")
    defaults = {
        name: f.get_default()
        for name, f in fields.items()
        if name not in frame.columns and name != pk
    }
    # COPY reads text: a JSON default (a list or dict) goes as its JSON text.
    defaults = {
        name: json.dumps(value) if isinstance(value, list | dict) else value
        for name, value in defaults.items()
    }
    full = frame.with_columns(
        pl.lit(value, dtype=pl.String if isinstance(value, str) else None).alias(name)
        for name, value in defaults.items()
    )
    with connection.cursor() as cursor:
        copy_rows(cursor, _q(model._meta.db_table), full)
        if frame.height >= ANALYZE_AFTER_INSERTS:
            cursor.execute(f"ANALYZE {_q(model._meta.db_table)}")
    outcome.inserted = frame.height
    change = spec.change_date
    if isinstance(change, str):
        outcome.earliest = frame[change].min()
    elif change is not None:
        outcome.earliest = change
    if "child_id" in fields and "child_id" in frame.columns and spec.key[0] != "la_id":
        outcome.child_ids.update(frame["child_id"].unique().to_list())
    return outcome


def _upsert_postgresql(spec: UpsertSpec, frame: pl.DataFrame) -> UpsertOutcome:
    model = spec.model
    table = model._meta.db_table
    fields = _concrete(model)
    pk = model._meta.pk.attname
    columns = frame.columns
    tmp = f"_imp_{table}"
    outcome = UpsertOutcome(read=frame.height)
    change = spec.change_date
    change_sql = (
        f"t.{_q(change)}" if isinstance(change, str) else "NULL::date"
    )  # a fixed date is applied in Python
    child_sql = "t.child_id" if "child_id" in fields else "NULL::bigint"
    if isinstance(change, str) and change == "child_id":
        raise ValueError("change_date must be a date field")

    if not model.objects.filter(spec.scope).exists():
        return _insert_fresh(spec, frame, outcome)

    with connection.cursor() as cursor:
        temp_table_create(cursor, tmp, _q(table), columns)
        if frame.height:
            copy_rows(cursor, tmp, frame)
            key_list = ", ".join(_q(k) for k in spec.key)
            cursor.execute(f"CREATE INDEX ON {tmp} ({key_list})")
            cursor.execute(f"ANALYZE {tmp}")

        match = " AND ".join(f"s.{_q(k)} = t.{_q(k)}" for k in spec.key)
        # Removals first, while the temporary table still holds every incoming key.
        if spec.window is not None:
            window_qs = model.objects.filter(spec.scope).filter(spec.window).order_by().values(pk)
            window_sql, window_params = window_qs.query.sql_with_params()
            cursor.execute(
                f"SELECT t.{_q(pk)}, {child_sql}, {change_sql} FROM {_q(table)} t"
                f" WHERE t.{_q(pk)} IN ({window_sql})"
                f" AND NOT EXISTS (SELECT 1 FROM {tmp} s WHERE {match})",
                window_params,
            )
            gone = cursor.fetchall()
            if gone:
                ids = [row[0] for row in gone]
                for start in range(0, len(ids), 10000):
                    model.objects.filter(pk__in=ids[start : start + 10000]).delete()
                outcome.removed = len(gone)
                outcome.child_ids.update(row[1] for row in gone if row[1] is not None)
                for row in gone:
                    outcome.earliest = _min_date(outcome.earliest, row[2])
        # Rows identical to the stored ones need no INSERT attempt at all: drop them from
        # the temporary table first (a re-import of the same files then writes nothing).
        same = [c for c in columns if c not in spec.key] if spec.update else []
        if same:
            match_same = (
                f"{match} AND (" + ", ".join(f"t.{_q(c)}" for c in same) + ") IS NOT DISTINCT "
                "FROM (" + ", ".join(f"s.{_q(c)}" for c in same) + ")"
            )
        else:
            match_same = match
        cursor.execute(f"DELETE FROM {tmp} s USING {_q(table)} t WHERE {match_same}")
        if spec.update and isinstance(change, str):
            # RETURNING below sees only the new row, so a record whose date moves later
            # would date its change from the new date and leave the months between stale.
            # Every key still in the temporary table that is already stored is an update:
            # its stored date counts too (a guarded row that is then not updated only makes
            # the recompute start a little earlier, never too late).
            cursor.execute(f"SELECT min(t.{_q(change)}) FROM {tmp} s JOIN {_q(table)} t ON {match}")
            outcome.earliest = _min_date(outcome.earliest, cursor.fetchone()[0])

        # Columns the frame does not carry get the model's default on insert only.
        defaults = [(name, f) for name, f in fields.items() if name not in columns and name != pk]
        insert_cols = [*columns, *(name for name, _ in defaults)]
        default_params = [f.get_db_prep_save(f.get_default(), connection) for _, f in defaults]
        select_list = [f"s.{_q(c)}" for c in columns] + ["%s"] * len(defaults)
        compared = [c for c in columns if c not in spec.key]
        conflict = "(" + ", ".join(_q(k) for k in spec.key) + ")"
        if spec.conflict_where:
            conflict += f" WHERE {spec.conflict_where}"
        if spec.update and compared:
            conditions = [
                "("
                + ", ".join(f"t.{_q(c)}" for c in compared)
                + ") IS DISTINCT FROM ("
                + ", ".join(f"EXCLUDED.{_q(c)}" for c in compared)
                + ")"
            ]
            if spec.guard:
                conditions.append(
                    f"(t.{_q(spec.guard)} IS NULL OR t.{_q(spec.guard)} <= "
                    f"EXCLUDED.{_q(spec.guard)})"
                )
            for owned_field in spec.owned:
                conditions.append(f"t.{_q(owned_field)} = %s")
            action = (
                "DO UPDATE SET "
                + ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in compared)
                + " WHERE "
                + " AND ".join(conditions)
            )
            owned_params = list(spec.owned.values())
        else:
            action = "DO NOTHING"
            owned_params = []
        sql = (
            f"WITH up AS (INSERT INTO {_q(table)} AS t ("
            + ", ".join(_q(c) for c in insert_cols)
            + ") SELECT "
            + ", ".join(select_list)
            + f" FROM {tmp} s ON CONFLICT {conflict} {action}"
            + f" RETURNING (t.xmax = 0) AS inserted, {child_sql} AS child_id,"
            + f" {change_sql} AS changed_on)"
            " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),"
            " min(changed_on), array_agg(DISTINCT child_id) FROM up"
        )
        cursor.execute(sql, [*default_params, *owned_params])
        inserted, updated, earliest, child_ids = cursor.fetchone()
        outcome.inserted, outcome.updated = inserted or 0, updated or 0
        outcome.unchanged = outcome.read - outcome.inserted - outcome.updated
        outcome.earliest = _min_date(outcome.earliest, earliest)
        outcome.child_ids.update(c for c in (child_ids or []) if c is not None)
        if outcome.inserted >= ANALYZE_AFTER_INSERTS:
            # Fresh rows leave the planner's statistics stale (an empty table looks empty),
            # which turns the removal query and the derive step into nested loops.
            cursor.execute(f"ANALYZE {_q(table)}")

        cursor.execute(f"DROP TABLE IF EXISTS {tmp}")

    if not isinstance(change, str) and (outcome.inserted or outcome.updated or outcome.removed):
        outcome.earliest = change
    return outcome


# ---------------------------------------------------------------------------------------
# Other databases


def _keep_stored(spec: UpsertSpec, current: dict, record: dict, compared: list[str]) -> bool:
    """True when the stored row stays: identical, insert-only, newer, or another source's."""
    if not spec.update or all(current[c] == record[c] for c in compared):
        return True
    stored_guard = current[spec.guard] if spec.guard else None
    if stored_guard is not None and (
        record.get(spec.guard) is None or stored_guard > record[spec.guard]
    ):
        return True
    return any(current[f] != v for f, v in spec.owned.items())


def _upsert_generic(spec: UpsertSpec, frame: pl.DataFrame) -> UpsertOutcome:
    model = spec.model
    fields = _concrete(model)
    pk = model._meta.pk.attname
    columns = frame.columns
    compared = [c for c in columns if c not in spec.key]
    change = spec.change_date
    has_child = "child_id" in fields
    outcome = UpsertOutcome(read=frame.height)

    wanted_values = [pk, *spec.key, *compared]
    if spec.guard and spec.guard not in wanted_values:
        wanted_values.append(spec.guard)
    owned_fields = [f for f in spec.owned if f not in wanted_values]
    wanted_values.extend(owned_fields)
    if isinstance(change, str) and change not in wanted_values:
        wanted_values.append(change)
    existing: dict[tuple, dict] = {}
    for row in model.objects.filter(spec.scope).values(*wanted_values).iterator(chunk_size=5000):
        existing[tuple(row[k] for k in spec.key)] = row

    def python_value(name: str, value: Any) -> Any:
        return fields[name].to_python(value) if value is not None else None

    to_insert: list[models.Model] = []
    to_update: list[models.Model] = []
    seen: set[tuple] = set()
    for values in frame.iter_rows():
        record = {name: python_value(name, v) for name, v in zip(columns, values, strict=True)}
        key = tuple(record[k] for k in spec.key)
        seen.add(key)
        current = existing.get(key)
        if current is None:
            to_insert.append(model(**record))
            outcome.inserted += 1
        elif _keep_stored(spec, current, record, compared):
            outcome.unchanged += 1
            continue
        else:
            to_update.append(model(**{pk: current[pk]}, **record))
            outcome.updated += 1
            if isinstance(change, str):
                outcome.earliest = _min_date(outcome.earliest, current.get(change))
        if has_child:
            outcome.child_ids.add(record["child_id"])
        if isinstance(change, str):
            outcome.earliest = _min_date(outcome.earliest, record.get(change))

    if to_insert:
        model.objects.bulk_create(to_insert, batch_size=500)
    if to_update:
        model.objects.bulk_create(
            to_update,
            batch_size=500,
            update_conflicts=True,
            unique_fields=[pk],
            update_fields=compared,
        )

    if spec.window is not None:
        gone_ids = []
        candidates = model.objects.filter(spec.scope).filter(spec.window)
        values = [pk, *spec.key] + (["child_id"] if has_child else [])
        if isinstance(change, str):
            values.append(change)
        for row in candidates.values(*values).iterator(chunk_size=5000):
            if tuple(row[k] for k in spec.key) in seen:
                continue
            gone_ids.append(row[pk])
            if has_child:
                outcome.child_ids.add(row["child_id"])
            if isinstance(change, str):
                outcome.earliest = _min_date(outcome.earliest, row[change])
        for start in range(0, len(gone_ids), 500):
            model.objects.filter(pk__in=gone_ids[start : start + 500]).delete()
        outcome.removed = len(gone_ids)

    if not isinstance(change, str) and (outcome.inserted or outcome.updated or outcome.removed):
        outcome.earliest = change
    return outcome
