"""Reads behind the API that the pages do not already have: the registry as a list, a
snapshot narrowed to some indicators and periods, a trend series, and small-number
its cells as JSON (withheld counts as ``null``).

Everything else the API returns comes from the pages' own selectors (``scorecards``,
``reviews``, ``imports``), so an API response and a page never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from organisations.models import LocalAuthority
from scorecards.indicators import CATALOGUE_IDS, INDICATORS, Indicator
from scorecards.models import Snapshot
from scorecards.periods import add_months, month_first, months_between
from scorecards.selectors import (
    cell_export,
    snapshot_cells_for_months,
    snapshot_export,
)
from scorecards.withheld import Withheld

#: Longest trend one request may ask for (ten financial years of months).
TREND_MAX_MONTHS = 120


def indicators_list(*, section: str | None = None, unit: str | None = None) -> list[Indicator]:
    """The registry in catalogue order, optionally one section or one unit."""
    ordered = [INDICATORS[i] for i in CATALOGUE_IDS if i in INDICATORS]
    ordered += [i for key, i in INDICATORS.items() if key not in CATALOGUE_IDS]
    return [
        i
        for i in ordered
        if (section is None or i.section == section) and (unit is None or i.unit == unit)
    ]


def snapshots_current_for_la(*, la: LocalAuthority) -> QuerySet[Snapshot]:
    """The authority's current snapshot of each month, newest first."""
    return Snapshot.objects.filter(la=la, is_current=True).order_by("-month")


def _nulls_for_markers(value: Any) -> tuple[Any, bool]:
    """``value`` with each ``Withheld`` marker as ``None``; whether there was one."""
    if isinstance(value, Withheld):
        return None, True
    if isinstance(value, dict):
        out, hit = {}, False
        for key, item in value.items():
            out[key], found = _nulls_for_markers(item)
            hit |= found
        return out, hit
    if isinstance(value, list | tuple):
        items = [_nulls_for_markers(item) for item in value]
        return [item for item, _ in items], any(found for _, found in items)
    return value, False


def cell_for_api(*, indicator: Indicator, data: dict[str, Any]) -> dict[str, Any]:
    """A cell as published (``scorecards.suppression``) in the JSON of ``indicators.md`` §4:
    a withheld count, and a figure built on one, is ``null``, and the cell says
    ``"suppressed": true``. A breakdown published with suppression on carries its
    ``total`` (its shares are of that total on the pages)."""
    out, hit = _nulls_for_markers(cell_export(indicator=indicator, data=data))
    if hit:
        out["suppressed"] = True
    return out


def snapshot_for_api(
    *,
    la: LocalAuthority,
    month: date,
    indicator_ids: list[str] | None = None,
    periods: list[str] | None = None,
) -> dict[str, Any] | None:
    """The month's snapshot in the shape of ``indicators.md`` §4, optionally narrowed.

    ``snapshot_export`` (the ``export_snapshot`` command's JSON) gives the envelope; the
    cells are those every page publishes (``snapshot_cells_for_months``): with the
    authority's small-number suppression on, counts of 1 to 4 and every count that would
    give one back are withheld.
    """
    export = snapshot_export(la=la, month=month)
    if export is None:
        return None
    cells = snapshot_cells_for_months(la=la, months=[month]).get(month_first(month), {})
    indicators: dict[str, dict[str, Any]] = {}
    for indicator in INDICATORS.values():
        if indicator_ids and indicator.id not in indicator_ids:
            continue
        stored = cells.get(indicator.id) or {}
        kept = {
            p: cell_for_api(indicator=indicator, data=stored[p])
            for p in indicator.periods
            if p in stored and (not periods or p in periods)
        }
        if kept:
            indicators[indicator.id] = kept
    export["indicators"] = indicators
    export["small_number_suppression"] = la.small_number_suppression
    if indicator_ids:
        export["not_computed"] = [i for i in export["not_computed"] if i in indicator_ids]
    return export


@dataclass(frozen=True)
class TrendPoint:
    month: date
    value: float | None
    cell: dict[str, Any] | None


def indicator_trend(
    *, la: LocalAuthority, indicator: Indicator, period: str, first: date, last: date
) -> list[TrendPoint]:
    """One indicator × period, month by month from ``first`` to ``last`` (current snapshots).

    A month with no snapshot, or no cell for the indicator, is a point with no value
    ("no data", never 0). Cells are as published, as in ``snapshot_for_api``.
    """
    months = months_between(first, last)
    cells = snapshot_cells_for_months(la=la, months=months, indicator_ids=[indicator.id])
    points = []
    for month in months:
        data = cells.get(month, {}).get(indicator.id, {}).get(period)
        if data is None:
            points.append(TrendPoint(month, None, None))
            continue
        cell = cell_for_api(indicator=indicator, data=data)
        points.append(TrendPoint(month, cell.get("value"), cell))
    return points


def trend_default_range(*, la: LocalAuthority) -> tuple[date, date] | None:
    """The 12 months ending with the authority's latest current snapshot (None: no snapshot)."""
    latest = snapshots_current_for_la(la=la).values_list("month", flat=True).first()
    if latest is None:
        return None
    return add_months(latest, -11), latest
