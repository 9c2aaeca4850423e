"""Reads behind the API that the pages do not already have: the registry as a list, a
snapshot narrowed to some indicators and periods, a trend series, and small-number
suppression of a snapshot's cells.

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
from scorecards.indicators.registry import UNIT_PER_ROLE
from scorecards.models import Snapshot
from scorecards.periods import add_months, months_between
from scorecards.selectors import (
    cell_export,
    snapshot_cells_for_months,
    snapshot_export,
)
from scorecards.templatetags.figures import is_small_number

#: Longest trend one request may ask for (ten financial years of months).
TREND_MAX_MONTHS = 120
#: Keys of a cell holding a number of children (or of events): suppressed when 1–4.
COUNT_KEYS = ("value", "numerator", "denominator", "count", "unknown", "refused")


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


def _suppress_number(value: Any) -> tuple[Any, bool]:
    if isinstance(value, int | float) and not isinstance(value, bool) and is_small_number(value):
        return None, True
    return value, False


def suppressible(indicator: Indicator) -> bool:
    """Counts of children or events are; staffing (FTE posts, workers) is not."""
    return indicator.unit != UNIT_PER_ROLE


def cell_suppress(*, cell: dict[str, Any], unit_shape: str) -> dict[str, Any]:
    """A cell with its counts of 1–4 withheld (``None``) and ``"suppressed": true`` added.

    The pages' rule (``scorecards.templatetags.figures``): counts 1–4 are withheld, and a
    percentage or average whose numerator, denominator or count is withheld loses its value
    too, since "3 out of 20" could be worked back from it. Breakdown and by-team parts are
    counts as well. A day total (``sum`` of an average) is not a count of children.
    """
    out = dict(cell)
    withheld = False
    for key in COUNT_KEYS:
        if key == "value" and unit_shape in ("fraction", "average"):
            continue
        if key in out:
            out[key], hit = _suppress_number(out[key])
            withheld |= hit
    if unit_shape in ("fraction", "average") and withheld:
        out["value"] = None
        if unit_shape == "average":
            out["sum"] = None
    if isinstance(out.get("breakdown"), dict):
        parts = {}
        for key, value in out["breakdown"].items():
            parts[key], hit = _suppress_number(value)
            withheld |= hit
        out["breakdown"] = parts
    if isinstance(out.get("by_team"), dict):
        teams = {}
        for team, pair in out["by_team"].items():
            if isinstance(pair, list | tuple) and any(is_small_number(x) for x in pair):
                teams[team], withheld = None, True
            else:
                teams[team] = pair
        out["by_team"] = teams
    if withheld:
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

    ``snapshot_export`` (the ``export_snapshot`` command's JSON) is the source; with the
    authority's small-number suppression on, counts 1–4 are withheld as on the pages.
    """
    export = snapshot_export(la=la, month=month)
    if export is None:
        return None
    indicators: dict[str, dict[str, Any]] = {}
    for indicator_id, cells in export["indicators"].items():
        if indicator_ids and indicator_id not in indicator_ids:
            continue
        kept = {p: c for p, c in cells.items() if not periods or p in periods}
        if not kept:
            continue
        indicator = INDICATORS[indicator_id]
        if la.small_number_suppression and suppressible(indicator):
            shape = indicator.cell_shape
            kept = {p: cell_suppress(cell=c, unit_shape=shape) for p, c in kept.items()}
        indicators[indicator_id] = kept
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
    ("no data", never 0). Cells are suppressed as in ``snapshot_for_api``.
    """
    months = months_between(first, last)
    cells = snapshot_cells_for_months(la=la, months=months, indicator_ids=[indicator.id])
    points = []
    for month in months:
        data = cells.get(month, {}).get(indicator.id, {}).get(period)
        if data is None:
            points.append(TrendPoint(month, None, None))
            continue
        cell = cell_export(indicator=indicator, data=data)
        if la.small_number_suppression and suppressible(indicator):
            cell = cell_suppress(cell=cell, unit_shape=indicator.cell_shape)
        points.append(TrendPoint(month, cell.get("value"), cell))
    return points


def trend_default_range(*, la: LocalAuthority) -> tuple[date, date] | None:
    """The 12 months ending with the authority's latest current snapshot (None: no snapshot)."""
    latest = snapshots_current_for_la(la=la).values_list("month", flat=True).first()
    if latest is None:
        return None
    return add_months(latest, -11), latest
