"""What the scorecard, dashboard and demographics pages show, built from the registry and
the month's snapshot (issue 8).

Why a module of its own: the page, its XLSX download and the monthly PDF must show the
same figures. Each page is a list of ``SectionView``; a section is an ordered set of
blocks (headline figures, a chart, a table, a seed-003 trend table), each holding the
values it shows and nothing else. Templates lay the blocks out and format them with the
shared filters; ``scorecards/exports.py`` writes the very same blocks to a workbook, one
sheet per section. Nothing here computes an indicator: values, RAG, change, trend and
benchmarks come from ``scorecards.selectors.scorecard_rows``, which reads the month and
the twelve months of its financial year in a fixed handful of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from imports.models import FeedStatus
from organisations.models import LocalAuthority
from scorecards.cells import round1
from scorecards.indicators import SECTIONS, indicator_get, indicators_in_section
from scorecards.indicators.registry import (
    UNIT_BREAKDOWN,
    UNIT_COUNT,
    UNIT_COUNTS,
    UNIT_DAYS,
    UNIT_PER_ROLE,
    UNIT_PERCENT,
    UNIT_RATE,
    UNIT_RATIO,
)
from scorecards.models import Benchmark, Snapshot
from scorecards.periods import (
    PERIOD_AT_E,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_ROLLING6,
    PERIOD_ROLLING12,
    PERIOD_YTD,
    add_months,
    financial_year_months,
    financial_year_of,
    month_first,
)
from scorecards.selectors import (
    IndicatorRow,
    TrendPoint,
    rag_status,
    scorecard_rows,
    snapshot_cells_for_months,
    trend_average,
)
from scorecards.sentences import breakdown_sentence, long_date, sentence_for
from scorecards.suppression import is_withheld
from scorecards.templatetags.figures import (
    figure_texts,
    format_figure,
    signed_change,
    suppress,
)

PAGE_SCORECARD = "scorecard"
PAGE_DASHBOARD = "dashboard"
PAGE_DEMOGRAPHICS = "demographics"
PAGES = (PAGE_SCORECARD, PAGE_DASHBOARD, PAGE_DEMOGRAPHICS)
PAGE_TITLES = {
    PAGE_SCORECARD: "Corporate parenting scorecard",
    PAGE_DASHBOARD: "Corporate parenting dashboard",
    PAGE_DEMOGRAPHICS: "Children in care: demographics",
}

#: The figure kind (``templatetags/figures.py`` KINDS) each unit is printed as.
KIND_BY_UNIT = {
    UNIT_COUNT: "count",
    UNIT_PERCENT: "pct",
    UNIT_RATE: "rate",
    UNIT_RATIO: "ratio",
    UNIT_DAYS: "days",
    UNIT_BREAKDOWN: "count",
    UNIT_COUNTS: "count",
    UNIT_PER_ROLE: "number",
}
MONTH_ABBR = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
QUARTER_LABELS = ("Apr–Jun", "Jul–Sep", "Oct–Dec", "Jan–Mar")
#: How a period reads after an indicator's title ("… (year to date)").
PERIOD_SUFFIX = {
    PERIOD_MONTH: "in the month",
    PERIOD_QUARTER: "quarter to date",
    PERIOD_YTD: "year to date",
    PERIOD_ROLLING12: "last 12 months",
    PERIOD_ROLLING6: "last 6 months",
    PERIOD_AT_E: "at the month end",
}
#: Titles where "title (period)" reads badly.
TITLES = {
    ("reviews_late", PERIOD_MONTH): "Late reviews this month",
    ("reviews_late", PERIOD_YTD): "Cumulative late reviews (year to date)",
}
#: Row labels of several-count cells, where the registry's labels are terse.
COUNT_LABELS = {
    "cl_birthday_cohort": {
        "cohort": "Care leaver cohort",
        "suitable_accommodation_yes": "Suitable accommodation: yes",
        "suitable_accommodation_unknown": "Suitable accommodation: unknown",
        "eet_yes": "In education, employment or training: yes",
        "eet_unknown": "In education, employment or training: unknown",
        "in_touch_yes": "In touch: yes",
        "in_touch_returned_home": "In touch: returned home",
        "in_touch_no_longer_required": "In touch: no longer required",
    },
}
#: What the "unknown" count kept beside a figure means, by section.
UNKNOWN_NOTES = {
    "homes": "Children whose home's location is not known",
    "care_leavers": "Not in touch, or activity or accommodation not known",
}

#: The order a dashboard lists an indicator's periods in (monthly figures first).
DASHBOARD_PERIODS = (
    PERIOD_AT_E,
    PERIOD_MONTH,
    PERIOD_ROLLING12,
    PERIOD_ROLLING6,
    PERIOD_QUARTER,
    PERIOD_YTD,
)

#: Staffing roles as the seeds name them (plural, per row of the staffing table).
STAFFING_ROLES = {
    "cic_social_worker": "Children in care qualified social workers",
    "family_safeguarding_social_worker": "Family safeguarding qualified social workers",
    "leaving_care_pa": "Leaving care personal advisers",
    "iro": "Independent reviewing officers",
}

#: PLACE codes of "Other settings" (``ssda903.md`` §3.6), for the seed-000 breakdown.
OTHER_SETTING_LABELS = {
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or other health establishment",
    "R3": "Family centre or mother and baby unit",
    "S1": "Residential school (not a children's home)",
    "Z1": "Other placement",
    "Z11": "Other placement (Z11)",
    "Z12": "Other placement (Z12)",
    "Z13": "Other placement (Z13)",
    "Z14": "Other placement (Z14)",
    "T0": "Temporary placement",
    "T1": "Temporary placement: hospital",
    "T2": "Temporary placement: holiday",
    "T3": "Temporary placement: carer on holiday",
    "T4": "Temporary placement: other, 7 days or less",
    "unknown": "Not known",
}

#: Feeds on the as-at line: SSDA903 tables read as one return; casework (SSD) tables are
#: grouped by what they feed, as the issue's "visits imported 3 April" does.
SSD_FEED_GROUPS = {
    "ssd_cla_visits": "visits",
    "ssd_cla_reviews": "reviews",
    "ssd_cla_health": "health",
    "ssd_cla_immunisations": "health",
    "ext_cla_pep": "education",
    "ext_cla_school": "education",
    "ssd_care_leavers": "care leavers",
    "ssd_missing": "missing",
    "ext_missing_rhi": "missing",
    "ssd_professionals": "staffing",
    "ext_team_membership": "staffing",
    "ext_staff_establishment": "staffing",
    "ssd_department": "staffing",
    "ssd_involvements": "staffing",
    "ext_supervision": "supervision",
    "ext_exploitation_risk": "exploitation",
    "ssd_cin_episodes": "exploitation",
    "ssd_cin_assessments": "exploitation",
    "ssd_assessment_factors": "exploitation",
    "ext_code_map": "",  # reference, not data: never on the as-at line
}
SSD_FEED_DEFAULT = "care episodes (SSD)"


# --- blocks ------------------------------------------------------------------------------


@dataclass
class Figure:
    """One headline figure: the fields ``includes/_figure.html`` reads (``figure_texts``)."""

    indicator_id: str
    period: str
    title: str
    kind: str
    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    target: Decimal | None = None
    polarity: str | None = None
    rag: str | None = None
    change: str | None = None
    change_since: str = ""
    benchmark: Decimal | None = None
    benchmark_label: str = ""
    sentence: str = ""
    suppress: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def items_behind(self) -> Any:
        """How many items the figure counts: a percentage's denominator, a count itself
        (the drill-down link says "List the 637 …"), or its ``Withheld`` marker."""
        if self.kind == "pct":
            return self.denominator
        if self.kind == "count" and self.value is not None:
            return self.value if is_withheld(self.value) else int(self.value)
        return None


@dataclass
class FiguresBlock:
    key: str
    heading: str
    figures: list[Figure]
    type: ClassVar[str] = "figures"


@dataclass
class ChartBlock:
    """A chart and, in the workbook, its data: bar, hbar, grouped or line (``charts.py``)."""

    key: str
    heading: str
    chart: str
    title: str
    kind: str
    points: list[tuple[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    series: list[tuple[str, list[Any]]] = field(default_factory=list)
    target: Decimal | None = None
    target_label: str = ""
    share: bool = False
    scale_max: Any = None
    label_header: str = "Month"
    value_header: str = "Value"
    suppress: bool = False
    sentence: str = ""
    #: Shown instead of the chart when no point has data.
    empty_text: str = "no data"
    #: What each share of an hbar is of: the breakdown's published total (``None``: the sum).
    share_total: Any = None
    type: ClassVar[str] = "chart"

    @property
    def has_data(self) -> bool:
        values = [v for _, v in self.points] + [v for _, vs in self.series for v in vs]
        return any(v is not None for v in values)


@dataclass
class TableCell:
    """A table cell: the value, its kind and the text printed (the same filter as figures)."""

    value: Any
    kind: str
    text: str
    rag: str | None = None
    #: The figure a count cell shows, when it has a list of children behind it (the page
    #: links it for case readers, as it does figures).
    indicator_id: str = ""
    period: str = ""
    suppress: bool = False

    @classmethod
    def of(
        cls,
        value: Any,
        kind: str,
        *,
        suppress_small: bool = False,
        figure: tuple[str, str] | None = None,
    ) -> TableCell:
        if kind == "text":
            return cls(value, kind, "" if value is None else str(value))
        indicator_id, period = figure or ("", "")
        text = format_figure(value, kind, suppress_small=suppress_small)
        return cls(value, kind, text, None, indicator_id, period, suppress_small)


@dataclass
class TableBlock:
    key: str
    heading: str
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[TableCell]]]
    footnote: str = ""
    type: ClassVar[str] = "table"


@dataclass
class TrendBlock:
    """A seed-003 trend table: rows (or groups of rows) over April..March with an average."""

    key: str
    heading: str
    caption: str
    first_column: str
    months: list[str]
    kind: str
    suppress: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    type: ClassVar[str] = "trend"

    @property
    def table(self) -> dict[str, Any]:
        """The context of ``includes/_trend_table.html``."""
        return {
            "caption": self.caption,
            "heading": self.first_column,
            "months": self.months,
            "kind": self.kind,
            "suppress": self.suppress,
            "rows": self.rows,
            "groups": self.groups,
        }

    def all_rows(self) -> list[dict[str, Any]]:
        if self.groups:
            return [row for group in self.groups for row in group["rows"]]
        return list(self.rows)


Block = FiguresBlock | ChartBlock | TableBlock | TrendBlock


@dataclass
class SectionView:
    """A section of a page: heading, blocks in order, commentary slot and notes."""

    key: str
    title: str
    sheet_name: str
    blocks: dict[str, Block]
    notes: tuple[str, ...] = ()
    definitions: list[tuple[str, str]] = field(default_factory=list)
    #: Filled by the commentary feature; until then the page says "No commentary yet".
    commentary: str = ""
    template: str = ""


@dataclass
class FeedLine:
    label: str
    imported_at: datetime
    as_at: date
    stale: bool


@dataclass
class PageContext:
    """Everything a page, its workbook and (later) its PDF show."""

    page: str
    title: str
    la: LocalAuthority
    month: date
    as_of: date
    month_to_date: bool
    computed_at: datetime
    version: int
    suppress: bool
    feeds: list[FeedLine]
    sections: list[SectionView]

    @property
    def month_label(self) -> str:
        label = f"{self.month:%B %Y}"
        return f"{label} (month to date)" if self.month_to_date else label

    @property
    def as_at_text(self) -> str:
        """The as-at line as plain text, for the workbook and the PDF's running footer."""
        lead = "Month to date: data as at" if self.month_to_date else "Data as at"
        text = f"{lead} {long_date(self.as_of)}"
        if self.feeds:
            parts = [
                f"{feed.label} imported {long_date(timezone.localtime(feed.imported_at).date())}"
                + (" (stale)" if feed.stale else "")
                for feed in self.feeds
            ]
            text += ": " + ", ".join(parts)
        return text


# --- snapshots, months and feeds ---------------------------------------------------------


@dataclass(frozen=True)
class MonthOption:
    month: date
    month_to_date: bool

    @property
    def value(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def label(self) -> str:
        label = f"{self.month:%B %Y}"
        return f"{label} (month to date)" if self.month_to_date else label


def snapshots_current(*, la: LocalAuthority) -> list[Snapshot]:
    """The authority's current snapshots, newest month first (one query: picker and meta)."""
    return list(
        Snapshot.objects.filter(la=la, is_current=True)
        .only("month", "as_of", "month_to_date", "computed_at", "version")
        .order_by("-month")
    )


def feeds_as_at(*, la: LocalAuthority, as_of: date) -> list[FeedLine]:
    """The feeds behind a page: SSDA903 as one return, casework tables grouped by use.

    Reading of "stale" (``FEED_STALE_AFTER_DAYS``): a feed is stale for a month when its
    data run out more than that many days before the month's as-at day, i.e. the month
    is reported from data that stop well short of it. Judging by the day of the import
    instead would mark every past month stale once imports stop, however complete.
    """
    limit = as_of - timedelta(days=settings.FEED_STALE_AFTER_DAYS)
    groups: dict[str, list[FeedStatus]] = {}
    for feed in FeedStatus.objects.filter(la=la).order_by("feed"):
        fmt, _, table = feed.feed.partition(":")
        label = "SSDA903" if fmt == "ssda903" else SSD_FEED_GROUPS.get(table, SSD_FEED_DEFAULT)
        if label:
            groups.setdefault(label, []).append(feed)
    lines = [
        FeedLine(
            label=label,
            imported_at=max(f.imported_at for f in feeds),
            as_at=min(f.as_at for f in feeds),
            stale=min(f.as_at for f in feeds) < limit,
        )
        for label, feeds in groups.items()
    ]
    lines.sort(key=lambda line: (line.label != "SSDA903", line.imported_at, line.label))
    return lines


# --- the month's figures -----------------------------------------------------------------


@dataclass
class MonthData:
    """The month's rows (every indicator × period) and what the blocks need around them."""

    la: LocalAuthority
    month: date
    as_of: date
    suppress: bool
    rows: dict[tuple[str, str], IndicatorRow]

    @property
    def fy_months(self) -> list[date]:
        return financial_year_months(financial_year_of(self.month))

    @property
    def month_index(self) -> int:
        return self.fy_months.index(self.month)

    @property
    def months_so_far(self) -> list[str]:
        return list(MONTH_ABBR[: self.month_index + 1])

    def row(self, indicator_id: str, period: str) -> IndicatorRow:
        return self.rows[(indicator_id, period)]

    def values(self, indicator_id: str, period: str) -> list[Decimal | None]:
        """The indicator's value each month April..this month (``None`` = no data)."""
        trend = self.row(indicator_id, period).trend
        return [p.value for p in trend[: self.month_index + 1]]

    def cells(self, indicator_id: str, period: str) -> list[dict[str, Any] | None]:
        return self.row(indicator_id, period).trend_data[: self.month_index + 1]

    def points(self, indicator_id: str, period: str) -> list[tuple[str, Decimal | None]]:
        return list(zip(self.months_so_far, self.values(indicator_id, period), strict=True))

    def quarter_points(self, indicator_id: str) -> list[tuple[str, Decimal | None]]:
        """The quarter's value at each quarter end so far (the current one to date)."""
        values = self.row(indicator_id, PERIOD_QUARTER).trend
        points = []
        for q, label in enumerate(QUARTER_LABELS):
            end_index = q * 3 + 2
            if q * 3 > self.month_index:
                break
            index = min(end_index, self.month_index)
            suffix = " (to date)" if index < end_index else ""
            points.append((label + suffix, values[index].value))
        return points


def month_data_load(*, la: LocalAuthority, month: date, as_of: date) -> MonthData:
    rows = scorecard_rows(la=la, month=month)
    return MonthData(
        la=la,
        month=month_first(month),
        as_of=as_of,
        suppress=la.small_number_suppression,
        rows={(r.indicator.id, r.period): r for r in rows},
    )


def _figure_title(indicator_id: str, period: str) -> str:
    """The indicator's title, with its period when it has several ("… (year to date)")."""
    if (indicator_id, period) in TITLES:
        return TITLES[(indicator_id, period)]
    indicator = indicator_get(indicator_id)
    if len(indicator.periods) == 1:
        return indicator.title
    return f"{indicator.title} ({PERIOD_SUFFIX[period]})"


def figure_make(
    data: MonthData, indicator_id: str, period: str, *, title: str | None = None
) -> Figure:
    """One headline figure from the month's row: value, n out of d, target, RAG, change,
    England benchmark, generated sentence and any note kept in the cell (refused, unknown).
    """
    row = data.row(indicator_id, period)
    indicator = row.indicator
    kind = KIND_BY_UNIT[indicator.unit]
    cell = row.data or {}
    numerator = denominator = None
    if indicator.unit == UNIT_PERCENT and row.data is not None:
        numerator, denominator = cell.get("numerator"), cell.get("denominator")
    england = next((b for b in row.benchmarks if b.scope == Benchmark.Scope.ENGLAND), None)
    previous = add_months(data.month, -1)
    figure = Figure(
        indicator_id=indicator_id,
        period=period,
        title=title or _figure_title(indicator_id, period),
        kind=kind,
        value=row.value,
        numerator=numerator,
        denominator=denominator,
        target=row.target.target if row.target else None,
        polarity=indicator.polarity,
        rag=row.rag,
        change=row.change,
        change_since=f"since {previous:%B %Y}",
        benchmark=england.value if england else None,
        benchmark_label=f"England ({england.year})" if england else "",
        suppress=data.suppress,
    )
    texts = figure_texts(figure)
    figure.sentence = sentence_for(
        indicator_id=indicator_id,
        period=period,
        value_text=texts["value"],
        data=row.data,
        la_name=data.la.name,
        month=data.month,
        as_of=data.as_of,
        suppress_small=data.suppress,
    )
    if not texts["no_data"]:
        figure.notes = _figure_notes(indicator.section, cell, suppress_small=data.suppress)
    return figure


def _figure_notes(section: str, cell: dict[str, Any], *, suppress_small: bool) -> list[str]:
    """Counts the catalogue keeps beside a figure (``indicators.md`` §4 extra keys)."""
    notes = []
    if cell.get("refused"):
        refused = suppress(cell["refused"], suppress_small)
        notes.append(f"Children whose latest assessment was refused: {refused}")
    if cell.get("unknown"):
        label = UNKNOWN_NOTES.get(section, "Not known")
        notes.append(f"{label}: {suppress(cell['unknown'], suppress_small)}")
    return notes


def figures_block(
    data: MonthData, key: str, heading: str, specs: Iterable[tuple[str, str]]
) -> FiguresBlock:
    return FiguresBlock(
        key=key,
        heading=heading,
        figures=[figure_make(data, indicator_id, period) for indicator_id, period in specs],
    )


def monthly_chart(
    data: MonthData,
    key: str,
    heading: str,
    indicator_id: str,
    period: str,
    *,
    title: str,
    with_target: bool = True,
) -> ChartBlock:
    """A bar per month April..this month (seed 000 "…during each month")."""
    row = data.row(indicator_id, period)
    kind = KIND_BY_UNIT[row.indicator.unit]
    target = row.target.target if (with_target and row.target) else None
    return ChartBlock(
        key=key,
        heading=heading,
        chart="bar",
        title=title,
        kind=kind,
        points=data.points(indicator_id, period),
        target=target,
        target_label=_target_label(row, kind) if target is not None else "",
        scale_max=100 if kind == "pct" else None,
        value_header=_value_header(kind),
        suppress=data.suppress,
    )


def quarter_chart(
    data: MonthData, key: str, heading: str, indicator_id: str, *, title: str
) -> ChartBlock:
    row = data.row(indicator_id, PERIOD_QUARTER)
    kind = KIND_BY_UNIT[row.indicator.unit]
    target = row.target.target if row.target else None
    return ChartBlock(
        key=key,
        heading=heading,
        chart="bar",
        title=title,
        kind=kind,
        points=data.quarter_points(indicator_id),
        target=target,
        target_label=_target_label(row, kind) if target is not None else "",
        scale_max=100 if kind == "pct" else None,
        label_header="Quarter",
        value_header=_value_header(kind),
        suppress=data.suppress,
    )


def year_and_quarter_blocks(
    data: MonthData, key: str, heading: str, indicator_id: str, *, chart_title: str
) -> tuple[FiguresBlock, ChartBlock]:
    """A quarterly indicator's year-to-date and quarter figures beside its chart by quarter.

    The seeds print these quarterly measures (adoptions, initial health assessments) the
    same way; the chart's key is ``<key>_by_quarter``, which the section templates name.
    """
    figures = figures_block(
        data, key, heading, [(indicator_id, PERIOD_YTD), (indicator_id, PERIOD_QUARTER)]
    )
    chart = quarter_chart(data, f"{key}_by_quarter", "", indicator_id, title=chart_title)
    return figures, chart


def _target_label(row: IndicatorRow, kind: str) -> str:
    assert row.target is not None
    words = {"higher": "or above", "lower": "or below"}.get(row.indicator.polarity or "", "")
    return f"Target: {format_figure(row.target.target, kind)} {words}".strip()


def _value_header(kind: str) -> str:
    return {"pct": "Percentage", "days": "Average days", "rate": "Rate per 10,000"}.get(
        kind, "Number"
    )


def breakdown_points(
    data_cell: dict[str, Any] | None,
    labels: dict[str, str],
    *,
    key: str = "breakdown",
    skip_zero: bool = False,
    with_codes: bool = False,
) -> list[tuple[str, int]]:
    """A breakdown's (label, count) in the registry's order, then any other keys."""
    counts = (data_cell or {}).get(key) or {}
    ordered = [k for k in labels if k in counts] + [k for k in counts if k not in labels]
    points = []
    for k in ordered:
        n = counts[k] if is_withheld(counts[k]) else int(counts[k])
        if skip_zero and n == 0:
            continue
        label = labels.get(k, k)
        points.append((f"{k} {label}" if with_codes and k != "unknown" else label, n))
    return points


def breakdown_chart(
    data: MonthData,
    key: str,
    heading: str,
    indicator_id: str,
    period: str = PERIOD_AT_E,
    *,
    title: str,
    label_header: str = "Category",
    skip_zero: bool = False,
    with_codes: bool = False,
) -> ChartBlock:
    """Horizontal bars of a breakdown at the month end, each with its share (seed 000)."""
    row = data.row(indicator_id, period)
    return ChartBlock(
        key=key,
        heading=heading,
        chart="hbar",
        title=title,
        kind="count",
        points=breakdown_points(
            row.data, row.indicator.breakdown_labels, skip_zero=skip_zero, with_codes=with_codes
        ),
        share=True,
        label_header=label_header,
        value_header="Children",
        suppress=data.suppress,
        share_total=(row.data or {}).get("total"),
    )


def _breakdown_total(chart: ChartBlock) -> Any:
    """The total a breakdown's shares are of: its published total, or the sum of its parts."""
    if chart.share_total is not None:
        return chart.share_total
    return sum(int(v) for _, v in chart.points if v is not None and v > 0)


# --- scorecard sections (seed 000 order) -------------------------------------------------


def _headline(data: MonthData) -> dict[str, Block]:
    cla = figures_block(
        data,
        "headline",
        "",
        [
            ("cla_count", PERIOD_AT_E),
            ("cla_rate_per_10k", PERIOD_AT_E),
            ("cla_uasc_count", PERIOD_AT_E),
            ("uasc_pct", PERIOD_AT_E),
        ],
    )
    cla.figures[0].title = f"Number of children in care on the last day of {data.month:%B}"
    if data.as_of != _month_end(data.month):
        cla.figures[0].title = f"Number of children in care on {long_date(data.as_of)}"
    flow = figures_block(
        data,
        "flow",
        "Children starting and leaving care",
        [
            ("cla_started", PERIOD_MONTH),
            ("cla_ceased", PERIOD_MONTH),
            ("cla_started", PERIOD_YTD),
            ("cla_ceased", PERIOD_YTD),
            ("entry_exit_ratio_6m", PERIOD_ROLLING6),
        ],
    )
    chart = monthly_chart(
        data,
        "cla_by_month",
        "",
        "cla_count",
        PERIOD_AT_E,
        title="Children in care at the end of each month",
    )
    return {b.key: b for b in (cla, chart, flow)}


def _month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def _staffing(data: MonthData) -> dict[str, Block]:
    """The seed-000 staffing table: staff, establishment, average caseload, change, RAG.

    "Change" compares the average caseload with the same point a quarter earlier (seed
    000: "from December 2021 to March 2022"); that month may lie in the previous
    financial year, read then in one extra query.
    """
    row = data.row("staffing", PERIOD_AT_E)
    earlier_month = add_months(data.month, -3)
    if earlier_month in data.fy_months:
        earlier = row.trend_data[data.fy_months.index(earlier_month)]
    else:
        cells = snapshot_cells_for_months(
            la=data.la, months=[earlier_month], indicator_ids=["staffing"]
        )
        earlier = cells.get(earlier_month, {}).get("staffing", {}).get(PERIOD_AT_E)
    now_parts = (row.data or {}).get("breakdown") or {}
    earlier_parts = (earlier or {}).get("breakdown") or {}
    rows = []
    for role, label in STAFFING_ROLES.items():
        caseload = _caseload(now_parts, role) if row.data is not None else None
        before = _caseload(earlier_parts, role) if earlier is not None else None
        change = caseload - before if caseload is not None and before is not None else None
        rag = rag_status(indicator=row.indicator, value=caseload, target=row.target)
        rows.append(
            (
                label,
                [
                    TableCell.of(_decimal(now_parts.get(f"{role}:in_post_fte")), "number"),
                    TableCell.of(_decimal(now_parts.get(f"{role}:establishment_fte")), "number"),
                    TableCell.of(caseload, "number"),
                    TableCell(change, "signed", signed_change(change)),
                    TableCell(rag, "rag", (rag or "").capitalize() or "–", rag=rag),
                ],
            )
        )
    table = TableBlock(
        key="staffing",
        heading="",
        caption=f"Staffing at the end of {data.month:%B %Y}",
        columns=[
            "Role",
            "Staff in post (FTE)",
            "Establishment (FTE)",
            "Average caseload",
            "Change*",
            "Performance",
        ],
        rows=rows,
        footnote=(
            f"*Change in average caseload is from {earlier_month:%B %Y} to {data.month:%B %Y}."
        ),
    )
    return {"staffing": table}


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


def _caseload(parts: dict[str, Any], role: str) -> Decimal | None:
    cases, workers = parts.get(f"{role}:cases"), parts.get(f"{role}:workers")
    if cases is None or not workers:
        return None
    return round1(Decimal(str(cases)) / Decimal(str(workers)))


def _legal_and_time(data: MonthData) -> dict[str, Block]:
    legal = breakdown_chart(
        data,
        "legal_status",
        "Legal status of children in care",
        "legal_status_breakdown",
        title=f"Legal status of children in care on {long_date(data.as_of)}",
        label_header="Legal status",
        skip_zero=True,
        with_codes=True,
    )
    time = breakdown_chart(
        data,
        "time_in_care",
        "Length of time children have been in care",
        "time_in_care_breakdown",
        title=f"Length of time in care on {long_date(data.as_of)}",
        label_header="Time in care",
    )
    return {b.key: b for b in (legal, time)}


def _service_standards(data: MonthData) -> dict[str, Block]:
    blocks: list[Block] = [
        figures_block(
            data,
            "reviews",
            "Reviews of children in care held on time",
            [("reviews_on_time", PERIOD_YTD), ("reviews_on_time", PERIOD_MONTH)],
        ),
        monthly_chart(
            data,
            "reviews_by_month",
            "",
            "reviews_on_time",
            PERIOD_MONTH,
            title="% of reviews held on time, by month",
        ),
        figures_block(
            data,
            "visits",
            "Statutory visits carried out on time",
            [("visits_on_time", PERIOD_YTD), ("visits_on_time", PERIOD_MONTH)],
        ),
        monthly_chart(
            data,
            "visits_by_month",
            "",
            "visits_on_time",
            PERIOD_MONTH,
            title="% of statutory visits on time, by month",
        ),
    ]
    due = data.row("visits_due", PERIOD_MONTH)
    late = (data.row("reviews_late", PERIOD_MONTH), data.row("reviews_late", PERIOD_YTD))
    due_parts = (due.data or {}).get("breakdown") if due.data is not None else None
    s = data.suppress
    blocks.append(
        TableBlock(
            key="visits_reviews_counts",
            heading="Visits due and late reviews",
            caption=f"Visits and reviews in {data.month:%B %Y}",
            columns=["", "Number"],
            rows=[
                (
                    "Children to be visited",
                    [TableCell.of(_part(due_parts, "due"), "count", suppress_small=s)],
                ),
                (
                    "Of these, not seen in timescale",
                    [
                        TableCell.of(
                            _part(due_parts, "not_seen_in_timescale"), "count", suppress_small=s
                        )
                    ],
                ),
                (
                    "Late reviews this month",
                    [
                        TableCell.of(
                            late[0].value,
                            "count",
                            suppress_small=s,
                            figure=("reviews_late", PERIOD_MONTH),
                        )
                    ],
                ),
                (
                    "Late reviews since 1 April (cumulative)",
                    [
                        TableCell.of(
                            late[1].value,
                            "count",
                            suppress_small=s,
                            figure=("reviews_late", PERIOD_YTD),
                        )
                    ],
                ),
            ],
        )
    )
    blocks.append(
        figures_block(
            data,
            "contact",
            "Seen and supervised",
            [("visits_seen_6_weeks", PERIOD_AT_E), ("supervision_in_month", PERIOD_MONTH)],
        )
    )
    return {b.key: b for b in blocks}


def _part(parts: dict[str, Any] | None, key: str) -> int | None:
    if parts is None:
        return None
    value = parts.get(key)
    return None if value is None else value if is_withheld(value) else int(value)


def _homes(data: MonthData) -> dict[str, Block]:
    stability = figures_block(
        data,
        "stability",
        "Home stability",
        [
            ("placements_3plus_12m", PERIOD_ROLLING12),
            ("long_term_stability", PERIOD_AT_E),
            ("placements_3plus_ytd", PERIOD_YTD),
        ],
    )
    types = breakdown_chart(
        data,
        "placement_type",
        "Type of home of children in care",
        "placement_type_breakdown",
        title=f"Type of home on {long_date(data.as_of)}",
        label_header="Type of home",
    )
    type_row = data.row("placement_type_breakdown", PERIOD_AT_E)
    other = ChartBlock(
        key="other_settings",
        heading="Other settings: breakdown",
        chart="hbar",
        title="Children in other settings, by type of setting",
        kind="count",
        points=breakdown_points(
            type_row.data, OTHER_SETTING_LABELS, key="other_codes", with_codes=True
        ),
        share=True,
        label_header="Setting",
        value_header="Children",
        suppress=data.suppress,
        empty_text="No children were in other settings." if type_row.data else "no data",
        share_total=((type_row.data or {}).get("breakdown") or {}).get("other"),
    )
    location = figures_block(
        data,
        "location",
        "Where children live: in and out of county",
        [
            ("placed_in_county", PERIOD_AT_E),
            ("out_of_county_non_uasc", PERIOD_AT_E),
            ("out_of_county_20_miles", PERIOD_AT_E),
            ("uasc_out_of_county", PERIOD_AT_E),
        ],
    )
    return {b.key: b for b in (stability, types, other, location)}


def _education(data: MonthData) -> dict[str, Block]:
    ages = breakdown_chart(
        data,
        "age_groups",
        "Children in care by age group",
        "age_breakdown",
        title=f"Children in care by age on {long_date(data.as_of)}",
        label_header="Age group",
    )
    pep = figures_block(
        data,
        "pep",
        "Personal education plans",
        [("pep_in_place", PERIOD_AT_E)],
    )
    pep_chart = monthly_chart(
        data,
        "pep_by_month",
        "",
        "pep_in_place",
        PERIOD_AT_E,
        title="% of school-aged children in care with a PEP, by month",
    )
    school = figures_block(
        data,
        "school",
        "Good or outstanding schools",
        [("good_outstanding_school", PERIOD_AT_E)],
    )
    school_chart = monthly_chart(
        data,
        "school_by_month",
        "",
        "good_outstanding_school",
        PERIOD_AT_E,
        title="% of school-aged children in care in good or outstanding schools, by month",
    )
    return {b.key: b for b in (ages, pep, pep_chart, school, school_chart)}


def _missing(data: MonthData) -> dict[str, Block]:
    grouped = ChartBlock(
        key="missing_by_month",
        heading="Children in care who go missing (with number of episodes)",
        chart="grouped",
        title="Missing incidents and children who went missing, by month",
        kind="count",
        labels=list(MONTH_ABBR),
        series=[
            ("Missing incidents", data.values("missing_incidents", PERIOD_MONTH)),
            ("Children missing", data.values("missing_children", PERIOD_MONTH)),
        ],
        suppress=data.suppress,
    )
    counts = figures_block(
        data,
        "missing_counts",
        "",
        [
            ("missing_incidents", PERIOD_MONTH),
            ("missing_children", PERIOD_MONTH),
            ("missing_incidents", PERIOD_YTD),
            ("missing_children", PERIOD_YTD),
        ],
    )
    rhi = figures_block(
        data,
        "return_interviews",
        "Children in care who have a return interview",
        [("return_interviews", PERIOD_YTD), ("return_interviews", PERIOD_MONTH)],
    )
    rhi_chart = monthly_chart(
        data,
        "return_interviews_by_month",
        "",
        "return_interviews",
        PERIOD_MONTH,
        title="% of missing incidents followed by a return interview, by month",
    )
    return {b.key: b for b in (grouped, counts, rhi, rhi_chart)}


def _adoption(data: MonthData) -> dict[str, Block]:
    adopted, by_quarter = year_and_quarter_blocks(
        data,
        "adopted",
        "% of children leaving care who are adopted",
        "adopted_pct",
        chart_title="% of children leaving care who are adopted, by quarter",
    )
    timeliness = figures_block(
        data,
        "timeliness",
        "Timeliness of adoption",
        [
            ("a1_days", PERIOD_ROLLING12),
            ("a2_days", PERIOD_ROLLING12),
            ("a10_days", PERIOD_ROLLING12),
            ("adoption_wait_under_14m", PERIOD_ROLLING12),
        ],
    )
    per_month = monthly_chart(
        data,
        "adoptions_by_month",
        "Adoptions",
        "adoptions",
        PERIOD_MONTH,
        title="Number of adoptions, by month",
    )
    totals = figures_block(data, "adoptions", "", [("adoptions", PERIOD_YTD)])
    pipeline_row = data.row("adoption_pipeline", PERIOD_AT_E)
    parts = (pipeline_row.data or {}).get("breakdown") if pipeline_row.data is not None else None
    pipeline = TableBlock(
        key="pipeline",
        heading="Children waiting to be adopted",
        caption=f"Adoption pipeline on {long_date(data.as_of)}",
        columns=["", "Children"],
        rows=[
            (label, [TableCell.of(_part(parts, key), "count", suppress_small=data.suppress)])
            for key, label in pipeline_row.indicator.breakdown_labels.items()
        ],
    )
    return {b.key: b for b in (adopted, by_quarter, timeliness, per_month, totals, pipeline)}


def _health(data: MonthData) -> dict[str, Block]:
    iha, iha_chart = year_and_quarter_blocks(
        data,
        "iha",
        "Initial health assessments on time",
        "iha_on_time",
        chart_title="% of initial health assessments within 20 working days, by quarter",
    )
    annual = figures_block(
        data,
        "annual",
        "Annual health and dental checks",
        [("health_assessment_on_time", PERIOD_AT_E), ("dental_on_time", PERIOD_AT_E)],
    )
    health_chart = monthly_chart(
        data,
        "health_by_month",
        "",
        "health_assessment_on_time",
        PERIOD_AT_E,
        title="% with an annual health assessment on time, by month",
    )
    dental_chart = monthly_chart(
        data,
        "dental_by_month",
        "",
        "dental_on_time",
        PERIOD_AT_E,
        title="% with an annual dental check on time, by month",
    )
    return {b.key: b for b in (iha, iha_chart, annual, health_chart, dental_chart)}


def _care_leavers(data: MonthData) -> dict[str, Block]:
    figures = figures_block(
        data,
        "care_leavers",
        "",
        [
            ("pathway_plan", PERIOD_AT_E),
            ("cl_19_21_neet", PERIOD_YTD),
            ("cl_19_21_unsuitable_accommodation", PERIOD_YTD),
            ("cl_19_21_in_touch", PERIOD_YTD),
        ],
    )
    cohort = counts_trend(
        data,
        "birthday_cohort",
        "Care leavers by birthday month",
        "cl_birthday_cohort",
        PERIOD_MONTH,
        caption="Care leavers whose 17th to 21st birthday fell in the month",
        first_column="Care leaver cohort",
    )
    return {b.key: b for b in (figures, cohort)}


def _exploitation(data: MonthData) -> dict[str, Block]:
    cse = data.row("cse_risk", PERIOD_AT_E)
    gang = data.row("gang_risk", PERIOD_AT_E)
    cse_parts = (cse.data or {}).get("breakdown") if cse.data is not None else None
    gang_parts = (gang.data or {}).get("breakdown") if gang.data is not None else None
    s = data.suppress
    blocks = {}
    for key, heading, prefix in (
        ("by_gender", "By gender", "gender:"),
        ("by_age", "By age", "age:"),
    ):
        rows = [
            (
                label,
                [
                    TableCell.of(_part(cse_parts, k), "count", suppress_small=s),
                    TableCell.of(_part(gang_parts, k), "count", suppress_small=s),
                ],
            )
            for k, label in cse.indicator.breakdown_labels.items()
            if k.startswith(prefix)
        ]
        blocks[key] = TableBlock(
            key=key,
            heading=heading,
            caption=f"Children at risk on {long_date(data.as_of)}, {heading.lower()}",
            columns=[heading[3:].capitalize(), "Child sexual exploitation", "Gang exploitation"],
            rows=rows,
        )
    return blocks


#: The scorecard's sections in seed-000 order: (registry section, title override, builder).
SCORECARD_SECTIONS = (
    ("headline", "", _headline),
    ("staffing", "", _staffing),
    ("demographics", "Legal status and time in care", _legal_and_time),
    ("service_standards", "", _service_standards),
    ("homes", "", _homes),
    ("education", "", _education),
    ("missing", "", _missing),
    ("adoption", "", _adoption),
    ("health", "", _health),
    ("care_leavers", "", _care_leavers),
    ("exploitation", "", _exploitation),
)
SHEET_NAMES = {
    "headline": "Headline",
    "staffing": "Staffing",
    "demographics": "Legal status, time in care",
    "service_standards": "Service standards",
    "homes": "Homes",
    "education": "Education",
    "missing": "Missing",
    "adoption": "Adoption",
    "health": "Health",
    "care_leavers": "Care leavers",
    "exploitation": "Exploitation",
}


def _section(key: str, title: str, blocks: dict[str, Block], template: str) -> SectionView:
    registered = SECTIONS[key]
    return SectionView(
        key=key,
        title=title or registered.title,
        sheet_name=SHEET_NAMES.get(key, key),
        blocks=blocks,
        notes=registered.notes,
        definitions=[(i.title, i.definition) for i in indicators_in_section(key)],
        template=template,
    )


def scorecard_sections(data: MonthData) -> list[SectionView]:
    return [
        _section(key, title, build(data), f"scorecards/sections/_{key}.html")
        for key, title, build in SCORECARD_SECTIONS
    ]


# --- dashboard (seed 003) ----------------------------------------------------------------


def _items_behind(unit: str, cell: dict[str, Any] | None) -> Any:
    """The month's count of items behind a figure: a percentage's denominator, or the count."""
    if cell is None:
        return None
    return cell.get({UNIT_PERCENT: "denominator", UNIT_COUNT: "value"}.get(unit, ""))


def _trend_row(label: str, values: list[Any], kind: str) -> dict[str, Any]:
    """A trend-table row with its average of the months with data, to one decimal (seed 003).

    The average is given, not left to the include, so the workbook prints the same one.
    """
    points = [TrendPoint(month=date.min, value=v) for v in values]
    return {"label": label, "values": values, "kind": kind, "average": trend_average(points)}


def counts_trend(
    data: MonthData,
    key: str,
    heading: str,
    indicator_id: str,
    period: str,
    *,
    caption: str,
    first_column: str,
) -> TrendBlock:
    """One row per key of a breakdown or several-count cell, April..this month."""
    indicator = indicator_get(indicator_id)
    cells = data.cells(indicator_id, period)
    labels = {**indicator.breakdown_labels, **COUNT_LABELS.get(indicator_id, {})}
    groups: dict[str, list[dict[str, Any]]] = {}
    for k, label in _breakdown_keys(labels, cells).items():
        values = [
            None if cell is None else _part(cell.get("breakdown") or {}, k) or 0 for cell in cells
        ]
        group = k.partition(":")[0] if ":" in k else ""
        groups.setdefault(group, []).append(_trend_row(label, values, "count"))
    block = TrendBlock(
        key=key,
        heading=heading,
        caption=caption,
        first_column=first_column,
        months=list(MONTH_ABBR),
        kind="count",
        suppress=data.suppress,
    )
    if set(groups) <= {""}:
        block.rows = groups.get("", [])
    else:  # seed 003: "Gender" and "Age of children" under one caption
        block.groups = [
            {"heading": GROUP_HEADINGS.get(g, g.capitalize()), "rows": rows}
            for g, rows in groups.items()
        ]
    return block


GROUP_HEADINGS = {"gender": "Gender", "age": "Age of children", "": "Other"}


def _breakdown_keys(labels: dict[str, str], cells: list[dict[str, Any] | None]) -> dict[str, str]:
    seen: dict[str, str] = dict(labels)
    for cell in cells:
        for k in (cell or {}).get("breakdown") or {}:
            seen.setdefault(k, k)
    return seen


def _staffing_trend(data: MonthData) -> TrendBlock:
    cells = data.cells("staffing", PERIOD_AT_E)
    groups = []
    for role, label in STAFFING_ROLES.items():
        parts = [None if c is None else (c.get("breakdown") or {}) for c in cells]
        groups.append(
            {
                "heading": label,
                "rows": [
                    _trend_row(
                        "Staff in post (FTE)",
                        [_decimal(p.get(f"{role}:in_post_fte")) if p else None for p in parts],
                        "number",
                    ),
                    _trend_row(
                        "Average caseload",
                        [None if p is None else _caseload(p, role) for p in parts],
                        "number",
                    ),
                ],
            }
        )
    return TrendBlock(
        key="staffing_trend",
        heading="",
        caption="Staffing",
        first_column="Role",
        months=list(MONTH_ABBR),
        kind="number",
        suppress=data.suppress,
        groups=groups,
    )


def dashboard_section(data: MonthData, key: str) -> SectionView:
    """A section's trend tables (seed 003): its figures in one table, one row per indicator
    and period, then a table per several-count indicator (visits due, the care-leaver
    cohort, exploitation risk by gender and age, the adoption pipeline).

    Breakdowns of the children in care (legal status, ethnicity, type of home…) are not
    repeated month by month here: seed 003 shows them as charts on their own page, as the
    scorecard and the demographics page do.
    """
    registered = SECTIONS[key]
    scalar_rows = []
    blocks: dict[str, Block] = {}
    for indicator in indicators_in_section(key):
        if indicator.unit == UNIT_PER_ROLE:
            blocks["staffing_trend"] = _staffing_trend(data)
            continue
        periods = [p for p in DASHBOARD_PERIODS if p in indicator.periods]
        if indicator.unit == UNIT_BREAKDOWN:
            continue  # drawn as charts on the scorecard and the demographics page
        if indicator.unit == UNIT_COUNTS:
            for period in periods:
                suffix = f" ({PERIOD_SUFFIX[period]})" if len(periods) > 1 else ""
                block_key = f"{indicator.id}_{period}"
                blocks[block_key] = counts_trend(
                    data,
                    block_key,
                    "",
                    indicator.id,
                    period,
                    caption=indicator.title + suffix,
                    first_column=indicator.title,
                )
            continue
        kind = KIND_BY_UNIT[indicator.unit]
        for period in periods:
            label = _figure_title(indicator.id, period)
            row = _trend_row(label, data.values(indicator.id, period), kind)
            row.update(indicator_id=indicator.id, period=period)
            row["items_behind"] = _items_behind(indicator.unit, data.row(indicator.id, period).data)
            scalar_rows.append(row)
    if scalar_rows:
        fy = financial_year_of(data.month)
        table = TrendBlock(
            key="indicators",
            heading="",
            caption=f"{registered.title}: April {fy} to March {fy + 1}",
            first_column="Indicator",
            months=list(MONTH_ABBR),
            kind="number",
            suppress=data.suppress,
            rows=scalar_rows,
        )
        blocks = {"indicators": table, **blocks}
    section = _section(key, "", blocks, "scorecards/sections/_dashboard_section.html")
    section.sheet_name = SHEET_NAMES.get(key, key) if key != "demographics" else "Demographics"
    section.title = registered.title
    return section


def dashboard_sections(data: MonthData) -> list[SectionView]:
    ordered = sorted(SECTIONS.values(), key=lambda s: s.order)
    return [dashboard_section(data, s.key) for s in ordered]


# --- demographics page (seed 004) --------------------------------------------------------


def demographics_sections(data: MonthData) -> list[SectionView]:
    """Seed 004: demand, gender, ethnicity, age, legal status, reason, entry/exit ratio."""
    on = long_date(data.as_of)
    s = data.suppress
    sections = []

    demand = {
        "demand": figures_block(
            data,
            "demand",
            "",
            [("cla_count", PERIOD_AT_E), ("entry_exit_ratio_6m", PERIOD_ROLLING6)],
        ),
        "demand_by_month": ChartBlock(
            key="demand_by_month",
            heading="",
            chart="line",
            title="Children in care at the end of each month",
            kind="count",
            points=data.points("cla_count", PERIOD_AT_E),
            value_header="Children",
            suppress=s,
        ),
    }
    sections.append(_page_section("demand", "Demand", demand))

    def breakdown_section(
        key: str,
        title: str,
        indicator_id: str,
        what: str,
        *,
        period: str = PERIOD_AT_E,
        with_codes: bool = False,
        lead: str = "The largest group of children in care",
        skip_zero: bool = False,
    ) -> SectionView:
        chart = breakdown_chart(
            data,
            key,
            "",
            indicator_id,
            period,
            title=f"{title} of children in care on {on}",
            label_header=title,
            with_codes=with_codes,
            skip_zero=skip_zero,
        )
        chart.sentence = breakdown_sentence(
            what=what,
            parts=chart.points,
            total=_breakdown_total(chart),
            suppress_small=s,
            lead=lead,
        )
        return _page_section(key, title, {key: chart})

    sections.append(breakdown_section("gender", "Gender", "gender_breakdown", "by gender"))
    sections.append(
        breakdown_section("ethnicity", "Ethnicity", "ethnicity_breakdown", "by ethnicity")
    )
    sections.append(breakdown_section("age", "Age", "age_breakdown", "by age"))
    sections.append(
        breakdown_section(
            "legal_status",
            "Legal status",
            "legal_status_breakdown",
            "by legal status",
            with_codes=True,
            skip_zero=True,
        )
    )
    reasons = {}
    fy_start = long_date(financial_year_months(financial_year_of(data.month))[0])
    for period, label in (
        (PERIOD_ROLLING6, f"in the 6 months to {on}"),
        (PERIOD_YTD, f"between {fy_start} and {on}"),
    ):
        chart = breakdown_chart(
            data,
            f"reason_{period}",
            f"Children who started care {label}",
            "cin_reason_breakdown",
            period,
            title=f"Reason for becoming looked after: children who started care {label}",
            label_header="Category of need",
            with_codes=True,
        )
        chart.sentence = breakdown_sentence(
            what=f"for children starting care {label}",
            parts=chart.points,
            total=_breakdown_total(chart),
            suppress_small=s,
            lead="The most common reason",
        )
        reasons[chart.key] = chart
    sections.append(_page_section("reason", "Reason for becoming looked after", reasons))
    sections.append(
        _page_section(
            "disability",
            "Disability",
            {
                "disability": figures_block(
                    data, "disability", "", [("disability_pct", PERIOD_AT_E)]
                )
            },
        )
    )
    # The registry's notes on the breakdowns, once, under the last section.
    sections[-1].notes = SECTIONS["demographics"].notes
    return sections


def _page_section(key: str, title: str, blocks: dict[str, Block]) -> SectionView:
    return SectionView(
        key=key,
        title=title,
        sheet_name=title[:31],
        blocks=blocks,
        template="scorecards/sections/_blocks.html",
    )


# --- pages -------------------------------------------------------------------------------


def page_build(*, page: str, la: LocalAuthority, snapshot: Snapshot) -> PageContext:
    """The whole context of one page for one authority and month (view, XLSX and PDF)."""
    data = month_data_load(la=la, month=snapshot.month, as_of=snapshot.as_of)
    builders = {
        PAGE_SCORECARD: scorecard_sections,
        PAGE_DASHBOARD: dashboard_sections,
        PAGE_DEMOGRAPHICS: demographics_sections,
    }
    return PageContext(
        page=page,
        title=PAGE_TITLES[page],
        la=la,
        month=snapshot.month,
        as_of=snapshot.as_of,
        month_to_date=snapshot.month_to_date,
        computed_at=snapshot.computed_at,
        version=snapshot.version,
        suppress=la.small_number_suppression,
        feeds=feeds_as_at(la=la, as_of=snapshot.as_of),
        sections=builders[page](data),
    )


def nav_items(*, la: LocalAuthority, month: date | None, current: str) -> list[dict[str, Any]]:
    """The service navigation of the authority's pages (``base.html`` ``nav_items``)."""
    items = []
    for page, label in (
        (PAGE_SCORECARD, "Scorecard"),
        (PAGE_DASHBOARD, "Dashboard"),
        (PAGE_DEMOGRAPHICS, "Demographics"),
    ):
        if month is None:
            href = reverse(f"scorecards:{page}_latest", kwargs={"code": la.code})
        else:
            href = reverse(f"scorecards:{page}", kwargs={"code": la.code, "month": month})
        items.append({"label": label, "href": href, "current": page == current})
    return items
