"""A batch's errors and warnings rule by rule, and per indicator they may affect.

A council file with a systematic fault produces thousands of identical warnings; a
performance officer needs "rule 133, ACCOM not a valid code, 212 rows, first rows 4, 9,
17 …" before the row-by-row list. ``IssueLog`` tallies every issue per rule (not only the
``IMPORT_MAX_ISSUES_REPORTED`` it keeps), ``rules_summarise`` stores the tally in the
batch's ``issue_summary["by_rule"]``, and the readers below serve the batch page, the API
and the data quality page from it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from imports.issues import ERROR, IssueLog
from imports.models import ImportBatch, ImportIssue

SEVERITY_ORDER = {ERROR: 0}


@dataclass
class RuleSummary:
    """Every issue of one rule in a batch (or several batches)."""

    severity: str
    kind: str
    rule_code: str
    table: str
    column: str
    message: str
    count: int
    rows: list[int] = field(default_factory=list)
    file_name: str = ""
    indicators: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "rule_code": self.rule_code,
            "table": self.table,
            "column": self.column,
            "message": self.message,
            "count": self.count,
            "rows": list(self.rows),
            "file_name": self.file_name,
            "indicators": list(self.indicators),
        }


@dataclass
class IndicatorWarnings:
    """The warnings that may affect one indicator, and the rules they came from."""

    indicator: str
    title: str
    count: int
    rules: list[tuple[str, int]]  # (rule code, or the kind when the rule has none; count)


def rules_summarise(*, log: IssueLog) -> list[dict]:
    """The log's tally per rule, errors first, then by count (for ``issue_summary``)."""
    rules = [
        RuleSummary(
            severity=severity,
            kind=kind,
            rule_code=rule_code,
            table=table,
            column=column,
            message=tally.message,
            count=tally.count,
            rows=tally.rows,
            file_name=tally.file_name,
            indicators=sorted(tally.indicators),
        )
        for (severity, kind, rule_code, table, column), tally in log.by_rule.items()
    ]
    return [rule.as_dict() for rule in _ordered(rules)]


def _ordered(rules: Iterable[RuleSummary]) -> list[RuleSummary]:
    return sorted(
        rules,
        key=lambda r: (SEVERITY_ORDER.get(r.severity, 1), -r.count, r.table, r.column, r.kind),
    )


def batch_rules(*, batch: ImportBatch, severity: str | None = None) -> list[RuleSummary]:
    """A batch's issues per rule; batches imported before the tally existed are summarised
    by kind. A rule with no stored message (issues a writer counted itself) borrows the
    message of its first kept issue."""
    return batches_rules(batches=[batch], severity=severity)


def batches_rules(
    *, batches: Iterable[ImportBatch], severity: str | None = None
) -> list[RuleSummary]:
    """The per-rule summaries of several batches, rules of the same name added together."""
    merged: dict[tuple, RuleSummary] = {}
    batches = list(batches)
    for batch in batches:
        summary = batch.issue_summary or {}
        entries = summary.get("by_rule")
        if entries is None:  # before the per-rule tally: one entry per kind
            entries = [
                {"severity": key.partition(":")[0], "kind": key.partition(":")[2], "count": n}
                for key, n in (summary.get("by_kind") or {}).items()
            ]
        for entry in entries:
            if severity is not None and entry.get("severity") != severity:
                continue
            key = tuple(entry.get(k, "") for k in ("severity", "kind", "rule_code", "table",
                                                   "column"))  # fmt: skip
            rule = merged.get(key)
            if rule is None:
                merged[key] = RuleSummary(
                    severity=key[0], kind=key[1], rule_code=key[2], table=key[3], column=key[4],
                    message=entry.get("message", ""), count=0, rows=list(entry.get("rows", [])),
                    file_name=entry.get("file_name", ""),
                    indicators=list(entry.get("indicators", [])),
                )  # fmt: skip
                rule = merged[key]
            rule.count += int(entry.get("count", 0))
    missing = {r.kind for r in merged.values() if not r.message}
    if missing:
        examples: dict[tuple[str, str], str] = {}
        issues = ImportIssue.objects.filter(batch__in=batches, kind__in=sorted(missing))
        for found_severity, kind, message in issues.order_by("pk").values_list(
            "severity", "kind", "message"
        ):
            examples.setdefault((found_severity, kind), message)
        for rule in merged.values():
            rule.message = rule.message or examples.get((rule.severity, rule.kind), "")
    return _ordered(merged.values())


def indicators_warned(*, batches: Iterable[ImportBatch]) -> list[IndicatorWarnings]:
    """Per indicator: every warning of these batches that may affect it, and by which rule.

    Counts come from the batches' ``warnings_by_indicator`` (every warning counted, kept or
    not), rules from their per-rule tally; most affected first.
    """
    from scorecards.indicators import INDICATORS

    batches = list(batches)
    totals: Counter = Counter()
    for batch in batches:
        summary = batch.issue_summary or {}
        totals.update(summary.get("warnings_by_indicator") or {})
    by_indicator: dict[str, Counter] = defaultdict(Counter)
    for rule in batches_rules(batches=batches, severity="warning"):
        for indicator in rule.indicators:
            by_indicator[indicator][rule.rule_code or rule.kind] += rule.count
    return [
        IndicatorWarnings(
            indicator=indicator,
            title=INDICATORS[indicator].title if indicator in INDICATORS else indicator,
            count=n,
            rules=by_indicator[indicator].most_common(),
        )
        for indicator, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
