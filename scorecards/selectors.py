"""Reads of snapshots: values, RAG, change, trend and benchmarks, all derived on read.

Snapshots store integers only; every figure a page, PDF, API or export shows is derived
here, so they all agree: the value (percentage, rate, ratio, average) to one decimal,
RAG against the authority's target and tolerance for the financial year, change since
the previous month by polarity ("Same" when the printed values are equal), the 12-month
trend April..March with its average, and the benchmarks beside the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from organisations.models import LocalAuthority
from organisations.permissions import AGGREGATES, las_for_capability
from scorecards.cells import cell_value, display_value, value_for_json
from scorecards.indicators import INDICATORS, Indicator, indicator_get
from scorecards.indicators.registry import (
    HIGHER,
    LOWER,
    UNIT_BREAKDOWN,
    UNIT_COUNTS,
    UNIT_PER_ROLE,
    UNIT_PERCENT,
)
from scorecards.models import Benchmark, Snapshot, SnapshotCell, Target
from scorecards.periods import add_months, financial_year_months, financial_year_of, month_first
from scorecards.suppression import published_cells_for_months
from scorecards.withheld import is_withheld

RAG_STRONG = "strong"
RAG_ACCEPTABLE = "acceptable"
RAG_POOR = "poor"
CHANGE_IMPROVED = "improved"
CHANGE_SAME = "same"
CHANGE_DETERIORATED = "deteriorated"
CHANGE_UP = "up"
CHANGE_DOWN = "down"

#: Default tolerance for percentages, in percentage points (``indicators.md`` §1).
PERCENT_TOLERANCE_POINTS = Decimal(5)
#: Default tolerance for counts, days, rates and ratios, as a share of the target.
OTHER_TOLERANCE_SHARE = Decimal("0.10")


# --- snapshots ---------------------------------------------------------------------------


def snapshot_current_get(*, la: LocalAuthority, month: date) -> Snapshot | None:
    return Snapshot.objects.filter(la=la, month=month_first(month), is_current=True).first()


def snapshot_cells(*, snapshot: Snapshot) -> dict[str, dict[str, dict[str, Any]]]:
    """A snapshot's cells as ``{indicator: {period: data}}``."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for indicator, period, data in snapshot.cells.values_list("indicator", "period", "data"):
        out.setdefault(indicator, {})[period] = data
    return out


def snapshots_months(*, la: LocalAuthority) -> list[date]:
    """Months with a current snapshot, newest first."""
    return list(
        Snapshot.objects.filter(la=la, is_current=True)
        .order_by("-month")
        .values_list("month", flat=True)
    )


def current_cells_for_months(
    *, la: LocalAuthority, months: list[date], indicator_ids: list[str] | None = None
) -> dict[date, dict[str, dict[str, dict[str, Any]]]]:
    """Current cells of several months as stored (every count in full), in one query.

    For reading figures to show, use ``snapshot_cells_for_months``: it applies the
    authority's small-number suppression.
    """
    qs = SnapshotCell.objects.filter(
        snapshot__la=la, snapshot__is_current=True, snapshot__month__in=months
    )
    if indicator_ids is not None:
        qs = qs.filter(indicator__in=indicator_ids)
    out: dict[date, dict[str, dict[str, dict[str, Any]]]] = {m: {} for m in months}
    for month, indicator, period, data in qs.values_list(
        "snapshot__month", "indicator", "period", "data"
    ):
        out[month].setdefault(indicator, {})[period] = data
    return out


def snapshot_cells_for_months(
    *, la: LocalAuthority, months: list[date], indicator_ids: list[str] | None = None
) -> dict[date, dict[str, dict[str, dict[str, Any]]]]:
    """Current cells of several months as published, ``{month: {indicator: {period: data}}}``.

    With the authority's small-number suppression on, withheld counts are ``Withheld``
    markers (``scorecards.suppression``), exactly as every page, workbook, PDF and API
    response shows them. For figures compared across more than the financial year
    ``scorecard_rows`` reads (the staffing caseload change since the previous quarter, an
    API trend).
    """
    return published_cells_for_months(
        la=la, months=[month_first(m) for m in months], indicator_ids=indicator_ids
    )


# --- values, RAG, change -----------------------------------------------------------------


def indicator_value(*, indicator: Indicator, data: dict[str, Any] | None) -> Decimal | None:
    """The cell's value (``None`` = no data, including every not-yet-implemented indicator)."""
    return cell_value(indicator.unit, data)


def default_tolerance(*, indicator: Indicator, target: Decimal) -> Decimal:
    """5 percentage points for percentages; 10% of the target for counts, days and rates."""
    if indicator.unit == UNIT_PERCENT:
        return PERCENT_TOLERANCE_POINTS
    return abs(target) * OTHER_TOLERANCE_SHARE


@dataclass(frozen=True)
class TargetInfo:
    target: Decimal
    tolerance: Decimal
    is_default: bool


def targets_for_year(*, la: LocalAuthority, financial_year: int) -> dict[str, TargetInfo]:
    """Every indicator's target for an authority's financial year (one query).

    The authority's own Target row wins; otherwise the catalogue's default target
    (Cambridgeshire's, seed 000) applies with the default tolerance.
    """
    own = {t.indicator: t for t in Target.objects.filter(la=la, financial_year=financial_year)}
    out: dict[str, TargetInfo] = {}
    for indicator in INDICATORS.values():
        row = own.get(indicator.id)
        if row is not None:
            tolerance = (
                row.tolerance
                if row.tolerance is not None
                else default_tolerance(indicator=indicator, target=row.target)
            )
            out[indicator.id] = TargetInfo(row.target, tolerance, is_default=False)
        elif indicator.default_target is not None:
            out[indicator.id] = TargetInfo(
                indicator.default_target,
                default_tolerance(indicator=indicator, target=indicator.default_target),
                is_default=True,
            )
    return out


def rag_status(
    *, indicator: Indicator, value: Decimal | None, target: TargetInfo | None
) -> str | None:
    """Strong (target met), Acceptable (within tolerance) or Poor; ``None`` without a target.

    Met means ``>=`` for higher-is-better and ``<=`` for lower-is-better (the seeds' "above
    98%" is met at 98.0%). Reading: the comparison uses the value as printed (one decimal,
    whole days and counts), so the symbol never contradicts the figure beside it.
    """
    if value is None or is_withheld(value) or target is None or indicator.polarity is None:
        return None
    shown = display_value(indicator.unit, value)
    assert shown is not None
    if indicator.polarity == HIGHER:
        if shown >= target.target:
            return RAG_STRONG
        return RAG_ACCEPTABLE if shown >= target.target - target.tolerance else RAG_POOR
    if shown <= target.target:
        return RAG_STRONG
    return RAG_ACCEPTABLE if shown <= target.target + target.tolerance else RAG_POOR


def change_status(
    *, indicator: Indicator, value: Decimal | None, previous: Decimal | None
) -> str | None:
    """Improved / Same / Deteriorated since the previous month, judged by polarity.

    "Same" when the printed values are equal. Without polarity the direction is
    reported as up / down. No previous value (first month of data, or no data) → ``None``.
    """
    if value is None or previous is None or is_withheld(value) or is_withheld(previous):
        return None
    now = display_value(indicator.unit, value)
    before = display_value(indicator.unit, previous)
    if now == before:
        return CHANGE_SAME
    up = now > before
    if indicator.polarity == HIGHER:
        return CHANGE_IMPROVED if up else CHANGE_DETERIORATED
    if indicator.polarity == LOWER:
        return CHANGE_DETERIORATED if up else CHANGE_IMPROVED
    return CHANGE_UP if up else CHANGE_DOWN


# --- benchmarks --------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkInfo:
    scope: str
    value: Decimal
    year: int
    source: str


def benchmarks_for(
    *, la: LocalAuthority, financial_year: int, indicator_ids: list[str] | None = None
) -> dict[str, list[BenchmarkInfo]]:
    """The latest benchmark per indicator and scope for a year (England, region, neighbours).

    England values are shared; region and statistical-neighbour values are stored
    against the authority they compare with. The newest year up to the one the financial
    year ends in is used (a figure "at 31 March YYYY" belongs to year YYYY).
    """
    qs = Benchmark.objects.filter(year__lte=financial_year + 1).filter(
        Q(scope=Benchmark.Scope.ENGLAND, la__isnull=True) | Q(la=la)
    )
    if indicator_ids is not None:
        qs = qs.filter(indicator__in=indicator_ids)
    latest: dict[tuple[str, str], Benchmark] = {}
    for b in qs.order_by("indicator", "scope", "year"):
        latest[(b.indicator, b.scope)] = b
    out: dict[str, list[BenchmarkInfo]] = {}
    for (indicator, scope), b in sorted(latest.items()):
        out.setdefault(indicator, []).append(BenchmarkInfo(scope, b.value, b.year, b.source))
    return out


# --- scorecard rows ----------------------------------------------------------------------


@dataclass
class TrendPoint:
    month: date
    value: Decimal | None


@dataclass
class IndicatorRow:
    """One indicator × period of a month, with everything a page shows beside it."""

    indicator: Indicator
    period: str
    data: dict[str, Any] | None
    value: Decimal | None
    target: TargetInfo | None
    rag: str | None
    change: str | None
    previous_value: Decimal | None
    trend: list[TrendPoint] = field(default_factory=list)
    trend_average: Decimal | None = None
    benchmarks: list[BenchmarkInfo] = field(default_factory=list)
    #: The stored cell of each month April..March (``None`` after the month or without
    #: data), for breakdown and several-count trends (seed 003 "Gender" / "Age" rows).
    trend_data: list[dict[str, Any] | None] = field(default_factory=list)

    @property
    def no_data(self) -> bool:
        if self.indicator.unit in (UNIT_BREAKDOWN, UNIT_COUNTS, UNIT_PER_ROLE):
            return self.data is None
        return self.value is None


def trend_average(points: list[TrendPoint]) -> Decimal | None:
    """Average of the months with data (seed 003 "Average" column), to one decimal."""
    from scorecards.cells import round1

    values = [p.value for p in points if p.value is not None]
    if not values or any(is_withheld(v) for v in values):
        return None  # an average would give a withheld month back
    return round1(sum(values, Decimal(0)) / len(values))


def scorecard_rows(
    *, la: LocalAuthority, month: date, indicator_ids: list[str] | None = None
) -> list[IndicatorRow]:
    """Every indicator × period for a month with value, target, RAG, change, trend, benchmark.

    A fixed handful of queries whatever the number of indicators: the twelve months of
    the financial year and the previous month are read together.
    """
    month = month_first(month)
    fy = financial_year_of(month)
    fy_months = financial_year_months(fy)
    previous = add_months(month, -1)
    months = sorted(set(fy_months) | {month, previous})
    ids = indicator_ids or list(INDICATORS)
    cells = published_cells_for_months(la=la, months=months, indicator_ids=ids)
    targets = targets_for_year(la=la, financial_year=fy)
    benchmarks = benchmarks_for(la=la, financial_year=fy, indicator_ids=ids)
    rows: list[IndicatorRow] = []
    for indicator_id in ids:
        indicator = indicator_get(indicator_id)
        for period in indicator.periods:
            data = cells[month].get(indicator_id, {}).get(period)
            value = indicator_value(indicator=indicator, data=data)
            prev_value = indicator_value(
                indicator=indicator, data=cells[previous].get(indicator_id, {}).get(period)
            )
            trend = [
                TrendPoint(
                    m,
                    indicator_value(
                        indicator=indicator, data=cells[m].get(indicator_id, {}).get(period)
                    )
                    if m <= month
                    else None,
                )
                for m in fy_months
            ]
            target = targets.get(indicator_id)
            rows.append(
                IndicatorRow(
                    indicator=indicator,
                    period=period,
                    data=data,
                    value=value,
                    target=target,
                    rag=rag_status(indicator=indicator, value=value, target=target),
                    change=change_status(indicator=indicator, value=value, previous=prev_value),
                    previous_value=prev_value,
                    trend=trend,
                    trend_average=trend_average(trend),
                    trend_data=[
                        cells[m].get(indicator_id, {}).get(period) if m <= month else None
                        for m in fy_months
                    ],
                    benchmarks=benchmarks.get(indicator_id, []),
                )
            )
    return rows


# --- export ------------------------------------------------------------------------------


def cell_export(*, indicator: Indicator, data: dict[str, Any]) -> dict[str, Any]:
    """A cell in the shape of ``indicators.md`` §4, with the derived value added."""
    out = dict(data)
    if indicator.cell_shape in ("fraction", "average"):
        out["value"] = value_for_json(indicator_value(indicator=indicator, data=data))
    return out


def snapshot_export(*, la: LocalAuthority, month: date) -> dict[str, Any] | None:
    """The JSON of ``export_snapshot`` and the API's snapshot resource (``indicators.md`` §4).

    Only aggregates: no child identifier ever appears. Indicators not implemented yet
    are listed under ``not_computed`` (an extra key) instead of being shown as 0.
    """
    snapshot = snapshot_current_get(la=la, month=month)
    if snapshot is None:
        return None
    cells = snapshot_cells(snapshot=snapshot)
    indicators: dict[str, dict[str, Any]] = {}
    for indicator in INDICATORS.values():
        periods = cells.get(indicator.id)
        if not periods:
            continue
        indicators[indicator.id] = {
            p: cell_export(indicator=indicator, data=periods[p])
            for p in indicator.periods
            if p in periods
        }
    computed_at = snapshot.computed_at.astimezone(UTC).replace(microsecond=0)
    return {
        "la": la.code,
        "month": snapshot.month.strftime("%Y-%m"),
        "computed_at": computed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "as_of": snapshot.as_of.isoformat(),
        "month_to_date": snapshot.month_to_date,
        "version": snapshot.version,
        "batch_ids": list(snapshot.batch_ids),
        "indicators": indicators,
        "not_computed": [i for i in INDICATORS if i not in indicators],
    }


# --- recompute progress ------------------------------------------------------------------


def recompute_runs_recent(*, la: LocalAuthority, limit: int = 10) -> list:
    """The authority's latest recompute runs, newest first, for the imports page.

    Each run carries ``status``, ``months_done`` / ``months_total`` (progress while it
    runs), ``first_month``..``last_month``, ``batch`` and ``message``; a run merged into
    a later one says so in its message.
    """
    from scorecards.models import RecomputeRun

    return list(RecomputeRun.objects.filter(la=la).select_related("batch").order_by("-id")[:limit])


def recompute_run_for_batch(*, batch) -> object | None:
    """The recompute that reflects an import batch (the newest run naming it), if any."""
    from scorecards.models import RecomputeRun

    return RecomputeRun.objects.filter(batch=batch).order_by("-id").first()


def authorities_to_switch_to(*, user: Any, current: LocalAuthority) -> list[LocalAuthority]:
    """The authority picker's choices, by name: the authorities whose aggregates the user
    reads (for a superuser, who reads all of England, those with figures) and ``current``."""
    las = las_for_capability(user=user, capability=AGGREGATES)
    if user.is_superuser:
        las = las.filter(snapshots__is_current=True).distinct()
    found = list(las.order_by("name"))
    return found if current in found else sorted([current, *found], key=lambda la: la.name)
