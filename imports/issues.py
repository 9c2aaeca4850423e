"""Collecting errors and warnings: every one counted, the first N of each kept in full.

A council file with a systematic fault (a date column in the wrong format) can produce a
hundred thousand identical errors; storing them all helps nobody. Every issue is counted,
and up to ``IMPORT_MAX_ISSUES_REPORTED`` errors and as many warnings are kept with file,
row, column, value, message and rule code. Errors and warnings have separate allowances so
a flood of warnings never hides the error that rejected the batch.

Every issue is also tallied per rule (severity, kind, DfE rule, table, column) with its
first message and first rows, so a batch can be summarised rule by rule however many
issues were kept (``imports.issue_summary``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl

ERROR = "error"
WARNING = "warning"
FIRST_ROWS = 5  # row numbers remembered per rule for the summary


@dataclass
class RuleTally:
    """Every issue of one rule: how many, the first message and the first rows."""

    count: int = 0
    message: str = ""
    file_name: str = ""
    rows: list[int] = field(default_factory=list)
    indicators: tuple[str, ...] = ()

    def note(self, n: int, message: str, file_name: str, rows: list, indicators) -> None:
        self.count += n
        self.message = self.message or message
        self.file_name = self.file_name or file_name
        self.indicators = self.indicators or tuple(indicators)
        room = FIRST_ROWS - len(self.rows)
        self.rows.extend(r for r in rows[:room] if r is not None)


@dataclass
class Issue:
    severity: str
    kind: str
    message: str
    file_name: str = ""
    table: str = ""
    row_number: int | None = None
    column: str = ""
    value: str = ""
    rule_code: str = ""
    indicators: tuple[str, ...] = ()
    #: Where in a file without rows the issue is: an XML return's element path.
    location: str = ""


@dataclass
class IssueLog:
    limit: int
    kept: list[Issue] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # by severity
    by_kind: Counter = field(default_factory=Counter)  # (severity, kind)
    by_indicator: Counter = field(default_factory=Counter)  # warnings per indicator id
    kept_counts: Counter = field(default_factory=Counter)  # by severity
    #: (severity, kind, rule_code, table, column) → tally of every issue of that rule.
    by_rule: dict[tuple[str, str, str, str, str], RuleTally] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return self.counts[ERROR]

    @property
    def warning_count(self) -> int:
        return self.counts[WARNING]

    def room(self, severity: str) -> int:
        return max(self.limit - self.kept_counts[severity], 0)

    def _count(self, severity: str, kind: str, n: int, indicators: tuple[str, ...]) -> None:
        self.counts[severity] += n
        self.by_kind[(severity, kind)] += n
        if severity == WARNING:
            for indicator in indicators:
                self.by_indicator[indicator] += n

    def merge(self, other: IssueLog) -> None:
        """Take over another log's counts and, as far as this log has room, its issues."""
        self.counts.update(other.counts)
        self.by_kind.update(other.by_kind)
        self.by_indicator.update(other.by_indicator)
        for key, theirs in other.by_rule.items():
            tally = self.by_rule.setdefault(key, RuleTally())
            tally.note(theirs.count, theirs.message, theirs.file_name, theirs.rows,
                       theirs.indicators)  # fmt: skip
        for issue in other.kept:
            if self.room(issue.severity):
                self.kept_counts[issue.severity] += 1
                self.kept.append(issue)

    def _tally(self, severity, kind, *, rule_code, table, column, n, message, file_name,
               rows, indicators) -> None:  # fmt: skip
        key = (severity, kind, rule_code, table, column)
        tally = self.by_rule.get(key)
        if tally is None:
            tally = self.by_rule[key] = RuleTally()
        tally.note(n, message, file_name, rows, indicators)

    def reserve(
        self,
        severity: str,
        kind: str,
        indicators: tuple[str, ...] = (),
        *,
        message: str = "",
        table: str = "",
        column: str = "",
    ) -> bool:
        """Count one issue that the caller stores itself; True while it fits the allowance.

        For issues found after validation (the 903's location warnings, written by COPY
        in the import's transaction): counted like the rest, kept only up to the limit.
        """
        self._count(severity, kind, 1, indicators)
        self._tally(severity, kind, rule_code="", table=table, column=column, n=1,
                    message=message, file_name="", rows=[], indicators=indicators)  # fmt: skip
        if not self.room(severity):
            return False
        self.kept_counts[severity] += 1
        return True

    def add(
        self,
        severity: str,
        kind: str,
        message: str,
        *,
        file_name: str = "",
        table: str = "",
        row_number: int | None = None,
        column: str = "",
        value: object = "",
        rule_code: str = "",
        indicators: tuple[str, ...] = (),
        location: str = "",
    ) -> None:
        self._count(severity, kind, 1, indicators)
        self._tally(severity, kind, rule_code=rule_code, table=table, column=column, n=1,
                    message=message, file_name=file_name, rows=[row_number],
                    indicators=indicators)  # fmt: skip
        if self.room(severity):
            self.kept_counts[severity] += 1
            self.kept.append(
                Issue(
                    severity=severity,
                    kind=kind,
                    message=message,
                    file_name=file_name,
                    table=table,
                    row_number=row_number,
                    column=column,
                    value=_text(value),
                    rule_code=rule_code,
                    indicators=tuple(indicators),
                    location=location,
                )
            )

    def add_rows(
        self,
        severity: str,
        kind: str,
        rows: pl.DataFrame,
        message: str,
        *,
        file_name: str,
        table: str,
        column: str = "",
        value_column: str | None = None,
        rule_code: str = "",
        indicators: tuple[str, ...] = (),
    ) -> int:
        """Log one issue per row of ``rows`` (which carries ``_row``); returns how many.

        ``message`` may use ``{value}`` and any column of ``rows`` as format fields.
        Only the rows that fit the allowance are turned into Python objects.
        """
        n = rows.height
        if not n:
            return 0
        self._count(severity, kind, n, indicators)
        value_column = value_column if value_column is not None else column
        room = self.room(severity)
        first = rows.head(max(room, 1))
        example = next(first.head(1).iter_rows(named=True))
        row_numbers = rows.head(FIRST_ROWS)["_row"].to_list() if "_row" in rows.columns else []
        self._tally(severity, kind, rule_code=rule_code, table=table, column=column, n=n,
                    message=_message(message, example, value_column), file_name=file_name,
                    rows=row_numbers, indicators=indicators)  # fmt: skip
        if room:
            for record in first.iter_rows(named=True):
                value = record.get(value_column) if value_column else ""
                self.kept_counts[severity] += 1
                self.kept.append(
                    Issue(
                        severity=severity,
                        kind=kind,
                        message=_message(message, record, value_column),
                        file_name=file_name,
                        table=table,
                        row_number=record.get("_row"),
                        column=column,
                        value=_text(value),
                        rule_code=rule_code,
                        indicators=tuple(indicators),
                    )
                )
        return n


def _message(template: str, record: dict, value_column: str | None) -> str:
    """``template`` filled from one row: ``{value}`` and any column of the row."""
    fields = {k: _text(v) for k, v in record.items()}
    fields["value"] = _text(record.get(value_column) if value_column else "")
    return template.format(**fields)


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)[:255]
