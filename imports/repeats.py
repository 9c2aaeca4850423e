"""Two rows with the same key in one file: dropped, resolved or rejected, as the table says.

Exports repeat rows: a join in the council's query doubles a review, a pandas merge writes
a row twice. ``ssda903.md`` §6 tells them apart:

- **exact copies** (every column the same once read) — one row is kept and the copies are
  dropped, with a warning naming the row they copy;
- **the same key, other columns differ** — for a table whose rows are events of a child
  (903 Reviews, Missing, PlacedAdoption, SWEpisodes, DoLo: ``REPEATS_LATER_WINS``) the
  row later in the file is used — one review on that day, with the later row's
  REVIEW_CODE — with a warning naming the columns that differed; for the tables whose key
  decides the child's care (903 Episodes by CHILD and DECOM; one row per child in Header,
  UASC, OC2, OC3, AD1, PrevPerm: ``REPEATS_DROP_COPIES``) the rows disagree about the
  child and the upload is rejected.

Tables that declare ``REPEATS_REJECT`` (the SSD's primary keys, ``ssd-extracts.md`` §1)
are checked by ``imports.validation`` as before: any repeat is an error.
"""

from __future__ import annotations

import polars as pl

from imports.formats.base import REPEATS_LATER_WINS, TableSpec
from imports.issues import ERROR, WARNING, IssueLog
from imports.readers import ROW

MSG_EXACT_COPY = "Row is an exact copy of row {first_row}: the copy is dropped."
MSG_LATER_WINS = (
    "Row repeats {key} of row {first_row} with a different {differs}: one {table} row is "
    "kept, this later one."
)
MSG_DISAGREE = (
    "Row repeats {key} of row {first_row} with a different {differs}: the rows disagree and "
    "each {table} row must be unique."
)
FIRST = "__first"


def repeats_resolve(
    *, typed: pl.DataFrame, spec: TableSpec, file_name: str, log: IssueLog
) -> pl.DataFrame:
    """The table with exact copies dropped and, where the table allows, later rows kept."""
    values = [c.name for c in spec.columns]
    key = list(spec.key)
    key_value = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ")
    with_key = typed.filter(pl.all_horizontal([pl.col(k).is_not_null() for k in key]))
    if with_key.height == with_key.unique(subset=key).height:
        return typed
    # Exact copies of an earlier row (compared as read, so "1.0" copies "1").
    ordered = typed.sort(ROW)
    first_of_copy = ordered.group_by(values, maintain_order=True).agg(
        pl.col(ROW).min().alias("first_row")
    )
    copies = (
        ordered.join(first_of_copy, on=values, how="inner", nulls_equal=True)
        .filter(pl.col(ROW) != pl.col("first_row"))
        .with_columns(key_value.alias("key_value"))
        .sort(ROW)
    )
    _log(log, WARNING, "duplicate_row", copies, MSG_EXACT_COPY, spec, file_name)
    kept = ordered.join(copies.select(ROW), on=ROW, how="anti")

    # Rows that share a key but differ elsewhere.
    keyed = kept.filter(pl.all_horizontal([pl.col(k).is_not_null() for k in key]))
    if keyed.height == keyed.unique(subset=key).height:
        return kept
    others = [v for v in values if v not in key]
    first = keyed.group_by(key, maintain_order=True).agg(pl.all().first())
    first = first.select(
        *key, pl.col(ROW).alias("first_row"), *(pl.col(v).alias(v + FIRST) for v in others)
    )
    repeats = keyed.join(first, on=key, how="inner", nulls_equal=True).filter(
        pl.col(ROW) != pl.col("first_row")
    )
    differs = pl.concat_list(
        [pl.when(pl.col(v).ne_missing(pl.col(v + FIRST))).then(pl.lit(v)) for v in others]
    ).list.drop_nulls()
    repeats = repeats.with_columns(
        differs.list.join(", ").alias("differs"), key_value.alias("key_value")
    ).sort(ROW)
    key_text = " + ".join(key)
    if spec.repeats != REPEATS_LATER_WINS:
        message = MSG_DISAGREE.replace("{key}", key_text).replace("{table}", spec.name)
        _log(log, ERROR, "duplicate_key", repeats, message, spec, file_name)
        return kept
    message = MSG_LATER_WINS.replace("{key}", key_text).replace("{table}", spec.name)
    _log(log, WARNING, "duplicate_key", repeats, message, spec, file_name)
    last = keyed.group_by(key).agg(pl.col(ROW).max())
    superseded = keyed.join(last, on=[*key, ROW], how="anti").select(ROW)
    return kept.join(superseded, on=ROW, how="anti").sort(ROW)


def _log(log, severity, kind, rows, message, spec, file_name) -> None:
    if not rows.height:
        return
    log.add_rows(
        severity,
        kind,
        rows,
        message,
        file_name=file_name,
        table=spec.name,
        column=" + ".join(spec.key),
        value_column="key_value",
        rule_code=spec.key_rule,
        indicators=spec.indicators if severity == WARNING else (),
    )
