"""What a format is, as data: tables of typed columns, cross-row checks and a writer.

The generic machinery (``imports.readers``, ``imports.validation``, ``imports.upsert``,
``imports.services``) knows nothing about the SSDA903 or the SSD: it reads files,
recognises each table by its set of headers, checks every cell against the column specs
below, runs the format's cross-row validators and hands clean tables to the format's
writer. A new format is a module that builds one ``FormatSpec``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

# Severities a column or table declares: ERROR rejects the upload (nothing is written);
# WARNING writes the row and stores a bad value as unknown (blank).
from imports.issues import ERROR, WARNING

if TYPE_CHECKING:
    import polars as pl

    from imports.issues import IssueLog
    from organisations.models import LocalAuthority

#: Column kinds the generic validator understands.
ID = "id"  # text identifier, leading zeros kept
CODE = "code"  # value from a code list, upper-cased before lookup
DATE = "date"  # dd/mm/YYYY or ISO YYYY-MM-DD (an ISO date-time keeps its date)
PARTIAL_DATE = "partial_date"  # a date whose day and month may be ZZ (903 DATE_PERM)
POSTCODE = "postcode"  # UK postcode, normalised to "AB1 2CD"
INT = "int"
FLAG = "flag"  # 0 / 1
TEXT = "text"
KINDS = frozenset({ID, CODE, DATE, PARTIAL_DATE, POSTCODE, INT, FLAG, TEXT})

#: Whole cells that exports write for "empty" (any case): SQL Server and pandas' NULL and
#: NaN, spreadsheets' N/A and a lone dash.
EMPTY_MARKERS = frozenset({"NULL", "NAN", "N/A", "-"})

#: How a table treats two rows with the same key in one file (``TableSpec.repeats``).
REPEATS_REJECT = "reject"  # any repeat is an error
REPEATS_DROP_COPIES = "drop_copies"  # exact copies: one kept, warning; others an error
REPEATS_LATER_WINS = "later_wins"  # exact copies dropped; otherwise the later row wins


@dataclass(frozen=True)
class CodeList:
    """Valid codes, with the collection years each was valid in (inclusive; None = open).

    ``aliases`` map an accepted spelling to the stored code (903 SEX ``1`` → ``M``); an
    alias has its own validity years. A value in no year's list is unreadable (an error or
    a warning, as its column says); a value valid in some other year only is a warning: a
    code not yet introduced is kept, a code retired before the year is stored as unknown
    (the year's list no longer gives it a meaning), an alias past its years still maps to
    its current code.
    """

    codes: Mapping[str, tuple[int | None, int | None]]
    aliases: Mapping[str, tuple[str, int | None, int | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, *codes: str) -> CodeList:
        return cls(codes=dict.fromkeys(codes, (None, None)))

    def accepted(self) -> list[str]:
        return sorted({*self.codes, *self.aliases})

    def stored(self, value: str) -> str:
        alias = self.aliases.get(value)
        return alias[0] if alias else value

    def years(self, value: str) -> tuple[int | None, int | None]:
        if value in self.aliases:
            _, first, last = self.aliases[value]
            return first, last
        return self.codes.get(value, (None, None))

    def valid_in(self, value: str, year: int | None) -> bool:
        if year is None:
            return True
        first, last = self.years(value)
        return (first is None or year >= first) and (last is None or year <= last)

    def retired(self, value: str, year: int | None) -> bool:
        """A code (not an alias) whose last valid year is before ``year``."""
        if year is None or value in self.aliases:
            return False
        last = self.codes.get(value, (None, None))[1]
        return last is not None and year > last

    def year_bound(self) -> bool:
        """True when some code is valid in some years only."""
        spans = [*self.codes.values(), *((a[1], a[2]) for a in self.aliases.values())]
        return any(first is not None or last is not None for first, last in spans)


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, kind, whether it must be filled, and checks.

    ``header_required`` — the column must be in the file's header row (missing ⇒ error
    naming it); ``required`` — every row must have a value.
    ``invalid`` / ``blank`` — the severity of a value that cannot be read (not a date, a
    code in no list, too long…) and of a blank in a required column: ``ERROR`` rejects the
    upload; ``WARNING`` stores the value as unknown (blank) and writes the row.
    ``rule_invalid``/``rule_missing`` — the DfE validator's rule codes for a bad or blank
    value, shown next to the importer's own message; ``indicators`` — the indicator ids a
    warning about this column may affect.
    ``empty_markers`` — whole cells read as blank (``EMPTY_MARKERS``; a format whose code
    lists use ``N/A`` as a value narrows them).
    """

    name: str
    kind: str
    required: bool = False
    header_required: bool = True
    codes: CodeList | None = None
    max_length: int | None = None
    rule_invalid: str = ""
    rule_missing: str = ""
    label: str = ""
    invalid: str = ERROR
    blank: str = ERROR
    indicators: tuple[str, ...] = ()
    empty_markers: frozenset[str] = EMPTY_MARKERS

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.name}")
        if {self.invalid, self.blank} - {ERROR, WARNING}:
            raise ValueError(f"{self.name}: severities are {ERROR!r} or {WARNING!r}")
        if (self.kind == CODE) != (self.codes is not None):
            raise ValueError(f"{self.name}: code columns need a code list, others none")


@dataclass(frozen=True)
class TableSpec:
    """A table of a format, recognised in a file by its set of header names.

    ``key`` — columns that identify a row within the file; ``repeats`` — what two rows
    with the same key mean (``REPEATS_*``: rejected; exact copies dropped with a warning
    and disagreeing rows rejected; or exact copies dropped and the later row used, with a
    warning); ``key_rule`` — the DfE code for a repeated key (903 INT31–36), if one
    matches; ``indicators`` — the indicator ids a repeated-row warning may affect.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    key_rule: str = ""
    label: str = ""
    repeats: str = REPEATS_REJECT
    indicators: tuple[str, ...] = ()

    @property
    def column_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)

    @property
    def distinctive(self) -> frozenset[str]:
        """Columns that set this table apart (not the CHILD/DOB every 903 table repeats)."""
        return self.column_names - GENERIC_COLUMNS

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


#: Header names too common to recognise a table by (they appear in most tables).
GENERIC_COLUMNS = frozenset({"CHILD", "DOB", "SEX"})


@dataclass
class ValidationContext:
    """What a cross-row validator may read: the tables as typed frames, LA, year, the log.

    Validators may replace a frame in ``tables`` to apply a documented resolution (for
    example dropping a reason ceased that has no end date) — never to drop rows silently.
    """

    la: LocalAuthority
    year: int | None
    today: date
    tables: dict[str, pl.DataFrame]
    files: dict[str, str]  # table → file name, for issue messages
    log: IssueLog
    options: dict[str, Any] = field(default_factory=dict)
    #: Per table, ``_row`` and one flag per column: True where a value the file gave was
    #: stored as unknown (a warning). "Filled together" checks count those cells as filled.
    unknown: dict[str, pl.DataFrame] = field(default_factory=dict)


@dataclass
class WriteContext:
    """What a writer gets: clean typed tables plus somewhere to report progress."""

    la: LocalAuthority
    year: int | None
    as_at: date | None
    tables: dict[str, pl.DataFrame]
    batch_id: int | None
    dry_run: bool
    progress: Callable[[int], None]
    columns_present: dict[str, set[str]] = field(default_factory=dict)
    #: The batch's issue log (its kept issues are already saved): issues a writer finds
    #: are counted here and kept only up to ``IMPORT_MAX_ISSUES_REPORTED``.
    issues: IssueLog | None = None
    #: A check-only run writes, then rolls back: what must outlive the rollback (the
    #: issues the writer found) is queued here and run after it.
    after_rollback: list[Callable[[], None]] = field(default_factory=list)


@dataclass
class WriteResult:
    """Per table: read, inserted, updated, unchanged, removed; and the earliest changed date."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    earliest_changed_date: date | None = None
    changed: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    def add(self, table: str, counts: dict[str, int], earliest: date | None) -> None:
        self.counts[table] = counts
        if any(counts.get(k, 0) for k in ("inserted", "updated", "removed")):
            self.note_change(earliest)

    def note_change(self, earliest: date | None) -> None:
        """Something changed from ``earliest`` on (None: a change of no particular date)."""
        self.changed = True
        if earliest is not None and (
            self.earliest_changed_date is None or earliest < self.earliest_changed_date
        ):
            self.earliest_changed_date = earliest


@dataclass(frozen=True)
class FormatSpec:
    """A file format: its tables, cross-row validators, writer and its year rule."""

    name: str
    label: str
    tables: tuple[TableSpec, ...]
    validators: tuple[Callable[[ValidationContext], None], ...]
    writer: Callable[[WriteContext], WriteResult]
    needs_year: bool = False
    xml_refusal: str = "XML files are not accepted for this format: send CSV or XLSX files."
    #: Reads one XML file into the format's tables (the 903's one-file return); without
    #: one, XML is refused with ``xml_refusal``. Called as (name, upload_name, data, log).
    xml_reader: Callable[..., list] | None = None

    def table(self, name: str) -> TableSpec:
        for spec in self.tables:
            if spec.name == name:
                return spec
        raise KeyError(name)
