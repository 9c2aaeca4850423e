"""Recognising tables by their headers and checking every cell, column at a time.

Checks run as polars expressions over whole columns (200,000 episodes validate in tens of
milliseconds); only the failing rows become Python objects, and only as many as the issue
log keeps. The output is a typed frame per table — dates as dates, codes upper-cased and
mapped, postcodes normalised, flags as booleans — that cross-row validators and writers
share. What a check finds is an error or a warning as the column declares
(``Column.invalid``/``blank``): the 903 rejects only what makes a row unusable and stores
anything else that is wrong as unknown (``ssda903.md`` §6); the SSD keeps its own contract.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from imports.formats.base import (
    CODE,
    DATE,
    FLAG,
    ID,
    INT,
    PARTIAL_DATE,
    POSTCODE,
    REPEATS_REJECT,
    TEXT,
    Column,
    FormatSpec,
    TableSpec,
)
from imports.issues import ERROR, WARNING, IssueLog
from imports.normalise import (
    DMY_TWO_DIGIT_RE,
    ISO_RE,
    cells_normalise,
    date_read,
    two_digit_year_window,
)
from imports.readers import ROW, RawSheet
from imports.repeats import repeats_resolve

MSG_UNRECOGNISED = (
    "Could not recognise this as any {format} table from its header row ({headers}). "
    "Tables are recognised by their column names, e.g. {example}."
)
MSG_AMBIGUOUS = "The header row fits both {first} and {second}: add the missing columns."
MSG_MISSING_COLUMNS = "The {table} table is missing required column(s): {columns}."
MSG_EXTRA_COLUMNS = "Unknown column(s) ignored in the {table} table: {columns}."
MSG_SAME_TABLE_TWICE = "Two files hold the {table} table ({first} and {second}): send one."
MSG_REQUIRED = "{column} is required but blank."
MSG_REQUIRED_UNKNOWN = "{column} is required but blank: it is stored as unknown."
MSG_STORED_UNKNOWN = " It is stored as unknown."
MSG_TWO_DIGIT_YEAR = (
    "{column} '{value}' has a two-digit year: read as {read} (the century that puts it "
    "between {first} and {last})."
)
MSG_BAD_DATE = "{column} {value!r} is not a date (use dd/mm/YYYY, e.g. 31/03/2025)."
MSG_BAD_PARTIAL_DATE = (
    "{column} {value!r} is not a date (use dd/mm/YYYY; ZZ/ZZ/YYYY when day and month are unknown)."
)
MSG_BAD_CODE = "{column} {value!r} is not a valid code (expected one of {codes})."
MSG_CODE_YEAR = "{column} {value!r} is not used in the {year} collection year ({when})."
MSG_BAD_INT = "{column} {value!r} is not a whole number."
MSG_BAD_FLAG = "{column} {value!r} must be 0 or 1."
MSG_TOO_LONG = "{column} {value!r} is longer than {max} characters."
MSG_BAD_POSTCODE = "{column} {value!r} is not a valid UK postcode."
MSG_DUPLICATE_KEY = "Row repeats {key} of row {first_row}: each {table} row must be unique."

PARTIAL_RE = r"^(\d{1,2}|ZZ)/(\d{1,2}|ZZ)/\d{4}$"
POSTCODE_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
POSTCODE_SPACED_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"
TYPED = "typed::"


def table_recognise(sheet: RawSheet, fmt: FormatSpec, log: IssueLog) -> TableSpec | None:
    """The table whose distinctive columns best match the header set (order ignored)."""
    headers = set(sheet.headers)
    scored = []
    for spec in fmt.tables:
        distinct = len(headers & spec.distinctive)
        if not distinct:
            continue
        matched = len(headers & spec.column_names)
        missing = len(spec.column_names - headers)
        scored.append(((distinct, matched, -missing), spec))
    scored.sort(key=lambda item: item[0], reverse=True)
    if not scored:
        example = ", ".join(sorted(fmt.tables[0].column_names))
        log.add(
            ERROR,
            "unrecognised_table",
            MSG_UNRECOGNISED.format(
                format=fmt.label,
                headers=", ".join(sheet.original_headers)[:200] or "none",
                example=f"{fmt.tables[0].name}: {example}",
            ),
            file_name=sheet.file_name,
        )
        return None
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        log.add(
            ERROR,
            "ambiguous_table",
            MSG_AMBIGUOUS.format(first=scored[0][1].name, second=scored[1][1].name),
            file_name=sheet.file_name,
        )
        return None
    return scored[0][1]


def table_validate(
    *,
    sheet: RawSheet,
    spec: TableSpec,
    year: int | None,
    log: IssueLog,
    today: date | None = None,
    unknown: dict[str, pl.DataFrame] | None = None,
) -> pl.DataFrame | None:
    """Check every cell of a recognised table; the typed frame, or None when unusable.

    Unusable means required columns are missing: the rows cannot be read at all. Cells
    are normalised first (``imports.normalise``). Each column's ``invalid``/``blank``
    severity decides whether a bad value is an error (logged; the frame is still returned
    so cross-row checks can report more, and the batch is rejected anyway) or a warning
    (the value is stored as unknown; ``unknown`` receives which cells those were). Rows
    repeating a key are then dropped or rejected as the table's ``repeats`` says.
    """
    name = sheet.file_name
    present = set(sheet.headers)
    missing = [c.name for c in spec.columns if c.header_required and c.name not in present]
    if missing:
        log.add(
            ERROR,
            "missing_columns",
            MSG_MISSING_COLUMNS.format(table=spec.name, columns=", ".join(missing)),
            file_name=name,
            table=spec.name,
            column=", ".join(missing)[:100],
        )
        return None
    extra = [h for h in sheet.headers if h not in spec.column_names]
    if extra:
        log.add(
            WARNING,
            "unknown_columns",
            MSG_EXTRA_COLUMNS.format(table=spec.name, columns=", ".join(extra)),
            file_name=name,
            table=spec.name,
            column=", ".join(extra)[:100],
        )

    raw = sheet.frame.select(
        pl.col(ROW),
        *(
            pl.col(c.name) if c.name in present else pl.lit(None, dtype=pl.String).alias(c.name)
            for c in spec.columns
        ),
    )
    raw = cells_normalise(raw, list(spec.columns))
    window = two_digit_year_window(year=year, today=today or date.today())
    spreadsheet = sheet.spreadsheet
    # Type every column once, then evaluate all checks against raw and typed values.
    typed_exprs: list[pl.Expr] = []
    check_exprs: list[pl.Expr] = []
    checks: list[tuple[str, str, str, Column, str]] = []  # (flag col, severity, kind, col, msg)
    for column in spec.columns:
        typed_expr, column_checks = _column_rules(
            column, year, window=window, spreadsheet=spreadsheet
        )
        typed_exprs.append(typed_expr.alias(f"{TYPED}{column.name}"))
        for index, (mask, severity, kind, message) in enumerate(column_checks):
            flag = f"__{column.name}__{index}"
            check_exprs.append(mask.alias(flag))
            checks.append((flag, severity, kind, column, message))
    # Lazily, so that polars computes an expression repeated within a column's rules once.
    both = raw.lazy().with_columns(typed_exprs).collect()
    flags = both.lazy().select(pl.col(ROW), *check_exprs).collect()
    both = both.with_columns(_too_long_unknown(spec))
    any_flag = flags.select(pl.any_horizontal(pl.exclude(ROW)).any()).item() if checks else False
    for flag, severity, kind, column, message in checks if any_flag else ():
        hit_rows = flags.select(ROW, flag).filter(pl.col(flag)).select(ROW)
        if not hit_rows.height:
            continue
        values = both.select(
            ROW, pl.col(column.name).alias("value"), pl.col(f"{TYPED}{column.name}").alias("read")
        )
        log.add_rows(
            severity,
            kind,
            hit_rows.join(values, on=ROW).sort(ROW),
            message,
            file_name=name,
            table=spec.name,
            column=column.name,
            value_column="value",
            rule_code=column.rule_missing if kind == "required" else column.rule_invalid,
            indicators=column.indicators if severity == WARNING else (),
        )
    if unknown is not None:
        unknown[spec.name] = both.select(
            pl.col(ROW),
            *(
                (pl.col(c.name).is_not_null() & pl.col(f"{TYPED}{c.name}").is_null()).alias(c.name)
                for c in spec.columns
                if c.invalid == WARNING
            ),
        )
    typed = both.select(
        pl.col(ROW), *(pl.col(f"{TYPED}{c.name}").alias(c.name) for c in spec.columns)
    )
    if spec.key and spec.repeats == REPEATS_REJECT:
        _duplicates_check(typed, spec, name, log)
    elif spec.key:
        typed = repeats_resolve(typed=typed, spec=spec, file_name=name, log=log)
    return typed


def _too_long_unknown(spec: TableSpec) -> list[pl.Expr]:
    """Typed values too long for a column that stores bad values as unknown, blanked."""
    blanked = []
    for column in spec.columns:
        if column.max_length and column.invalid == WARNING and column.kind in (ID, TEXT, POSTCODE):
            typed = pl.col(f"{TYPED}{column.name}")
            blanked.append(pl.when(typed.str.len_chars() <= column.max_length).then(typed))
    return blanked


def _column_rules(
    column: Column, year: int | None, *, window: tuple[int, int], spreadsheet: bool
) -> tuple[pl.Expr, list[tuple[pl.Expr, str, str, str]]]:
    """A column's typed value (from the normalised text) and its checks.

    Checks are (mask, severity, kind, message) where the mask may read the raw column
    (``pl.col(name)``) and the typed one (``pl.col("typed::" + name)``), computed once.
    A value that cannot be read is null in the typed column; under a ``WARNING`` column
    that null is what is stored (unknown) and the message says so.
    """
    s = pl.col(column.name)
    t = pl.col(f"{TYPED}{column.name}")
    present = s.is_not_null()
    fmt = {"column": column.name}
    checks: list[tuple[pl.Expr, str, str, str]] = []
    stored_unknown = column.invalid == WARNING
    if column.required:
        template = MSG_REQUIRED if column.blank == ERROR else MSG_REQUIRED_UNKNOWN
        checks.append((s.is_null(), column.blank, "required", template.format(**fmt)))

    def msg(template: str, **extra: object) -> str:
        # {value!r} and {read} are filled per row by the issue log; everything else now.
        text = template.replace("{value!r}", "'{value}'")
        return text.format(**fmt, **extra, value="{value}", read="{read}")

    def invalid(mask: pl.Expr, kind: str, template: str, **extra: object) -> None:
        text = msg(template, **extra) + (MSG_STORED_UNKNOWN if stored_unknown else "")
        checks.append((mask, column.invalid, kind, text))

    def fits(typed: pl.Expr) -> pl.Expr:
        """``typed``, checked against the column's length (``_too_long_unknown`` blanks the
        values too long for a column that stores bad values as unknown, after the checks)."""
        if column.max_length:
            invalid(t.str.len_chars() > column.max_length, "too_long", MSG_TOO_LONG,
                    max=column.max_length)  # fmt: skip
        return typed

    if column.kind == DATE:
        typed = date_read(s, window=window, spreadsheet=spreadsheet)
        invalid(present & t.is_null(), "invalid_date", MSG_BAD_DATE)
        checks.append(
            (
                s.str.contains(DMY_TWO_DIGIT_RE) & t.is_not_null(),
                WARNING,
                "two_digit_year",
                msg(MSG_TWO_DIGIT_YEAR, first=window[0], last=window[1]),
            )
        )
        return typed, checks
    if column.kind == PARTIAL_DATE:
        up = s.str.to_uppercase()
        iso_date = s.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        typed = (
            pl.when(s.str.contains(ISO_RE) & iso_date.is_not_null())
            .then(iso_date.dt.strftime("%d/%m/%Y"))
            .when(up.str.contains(PARTIAL_RE))
            .then(up)
            .otherwise(None)
        )
        invalid(present & t.is_null(), "invalid_date", MSG_BAD_PARTIAL_DATE)
        return typed, checks
    if column.kind == CODE:
        codes = column.codes
        accepted = codes.accepted()
        up = s.str.to_uppercase()
        shown = ", ".join(accepted) if len(accepted) <= 40 else ", ".join(accepted[:40]) + " …"
        invalid(present & ~up.is_in(accepted), "invalid_code", MSG_BAD_CODE, codes=shown)
        retired: list[str] = []
        if year is not None and codes.year_bound():
            by_when: dict[tuple[str, bool], list[str]] = {}
            for code in accepted:
                if codes.valid_in(code, year):
                    continue
                first, last = codes.years(code)
                when = (
                    f"retired after the {last} collection year"
                    if last is not None and year > last
                    else f"introduced in the {first} collection year"
                )
                by_when.setdefault((when, codes.retired(code, year)), []).append(code)
            for (when, unknown), out_of_year in by_when.items():
                if unknown:
                    retired.extend(out_of_year)
                message = msg(MSG_CODE_YEAR, year=year, when=when)
                checks.append(
                    (
                        up.is_in(out_of_year),
                        WARNING,
                        "code_not_in_year",
                        message + (MSG_STORED_UNKNOWN if unknown else ""),
                    )
                )
        mapping = {alias: target for alias, (target, _, _) in codes.aliases.items()}
        typed = up.replace(mapping) if mapping else up
        readable = [code for code in accepted if code not in retired]
        return pl.when(up.is_in(readable)).then(typed), checks
    if column.kind == INT:
        ok = s.str.contains(r"^[+-]?\d{1,9}$")
        invalid(present & t.is_null(), "invalid_int", MSG_BAD_INT)
        return pl.when(ok).then(s.cast(pl.Int64, strict=False)), checks
    if column.kind == FLAG:
        invalid(present & t.is_null(), "invalid_flag", MSG_BAD_FLAG)
        return pl.when(s.is_in(["0", "1"])).then(s == "1"), checks
    if column.kind == POSTCODE:
        squashed = s.str.to_uppercase().str.replace_all(r"\s+", "")
        valid = squashed.str.contains(POSTCODE_RE)
        normal = squashed.str.slice(0, squashed.str.len_chars() - 3) + " " + squashed.str.slice(-3)
        spaced = s.str.to_uppercase().str.replace_all(r"\s+", " ")
        checks.append(
            (
                present & ~t.str.contains(POSTCODE_SPACED_RE),
                WARNING,
                "invalid_postcode",
                msg(MSG_BAD_POSTCODE),
            )
        )
        return fits(pl.when(valid).then(normal).otherwise(spaced)), checks
    if column.kind in (ID, TEXT):
        return fits(s), checks
    raise ValueError(column.kind)


def _duplicates_check(typed: pl.DataFrame, spec: TableSpec, name: str, log: IssueLog) -> None:
    keyed = typed.select(pl.col(ROW), *spec.key).drop_nulls(list(spec.key))
    if keyed.height == keyed.unique(subset=list(spec.key)).height:
        return
    first = keyed.group_by(list(spec.key)).agg(pl.col(ROW).min().alias("first_row"))
    repeats = (
        keyed.join(first, on=list(spec.key), how="inner")
        .filter(pl.col(ROW) != pl.col("first_row"))
        .sort(ROW)
    )
    key_text = " + ".join(spec.key)
    log.add_rows(
        ERROR,
        "duplicate_key",
        repeats.with_columns(
            pl.concat_str([pl.col(k).cast(pl.String) for k in spec.key], separator=" / ").alias(
                "key_value"
            )
        ),
        MSG_DUPLICATE_KEY.replace("{key}", key_text).replace("{table}", spec.name),
        file_name=name,
        table=spec.name,
        column=key_text,
        value_column="key_value",
        rule_code=spec.key_rule,
    )


def date_or_none(value: object) -> date | None:
    return value if isinstance(value, date) else None
