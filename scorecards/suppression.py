"""Small-number suppression: the one place that decides which counts a reader sees.

``roles.md``: small-number suppression is a per-authority setting (off by default); when
on, counts of 1 to 4 are shown as "<5". That alone can be undone by arithmetic (issue
#21): a withheld legal status is ``cla_count`` minus the others, a withheld monthly count
is this year to date minus last month's. So, with the setting on:

1. **Primary suppression**: every published count of 1 to 4 is withheld ("<5"); 0 is
   shown (nothing to protect).
2. **Secondary (complementary) suppression**: further counts are withheld ("suppressed")
   until no withheld count can be worked out exactly from the published ones through the
   identities of ``scorecards.disclosure_identities`` (within breakdowns, totals and
   fractions of the month, and across month, quarter, year to date and rolling periods).
   A withheld count is "worked out" when it is determined by the linear equations the
   published counts leave, checked by exact elimination (``scorecards.disclosure_plan``).
3. A percentage, rate, ratio or average whose numerator, denominator or count is
   withheld is withheld too ("12.5%" and "out of 40" give the 5 back), and so is every
   share of a breakdown whose total is withheld.

Months are decided in order from the authority's first snapshot: once a month is
published, its figures stand, so a later month never withholds an earlier one's count;
it withholds its own instead (the cheapest: a count of 0 or the headline number of
children only when nothing else will do, otherwise the smallest). A month's decision
depends on the months before it, not on which months a reader asks for, so the pages,
their XLSX, the PDF and the API (``published_cells_for_months``) all publish a month the
same way and no output shows what another withholds. (Deciding each financial year on its
own would not do: a rolling 12 months reaches into the year before and could give back a
count that year withheld.) The plan is cached while no snapshot changes.

Withheld counts are replaced in the cells by ``Withheld`` markers, never kept beside
them: a template, chart or writer that forgets to check cannot print the number, because
it is not there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from scorecards.disclosure_identities import Ref
from scorecards.disclosure_plan import SMALL_MAX, Planner
from scorecards.indicators import INDICATORS
from scorecards.indicators.registry import UNIT_BREAKDOWN, UNIT_PER_ROLE
from scorecards.periods import month_first
from scorecards.withheld import (
    PRIMARY,
    PRIMARY_TEXT,
    SECONDARY,
    SECONDARY_TEXT,
    Withheld,
    is_withheld,
)

__all__ = [
    "PRIMARY",
    "PRIMARY_TEXT",
    "SECONDARY",
    "SECONDARY_TEXT",
    "SMALL_MAX",
    "DisclosurePlan",
    "Withheld",
    "cell_counts",
    "is_small",
    "is_withheld",
    "plan_for_months",
    "published_cells",
    "published_cells_for_months",
    "suppressible",
]

#: Bump when the cached plans change shape or meaning.
PLAN_CACHE_VERSION = "v1"

Cells = dict[str, dict[str, dict[str, Any]]]  # {indicator: {period: cell}}


def is_small(value: Any) -> bool:
    """A count of 1 to ``SMALL_MAX`` (what primary suppression withholds)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return 1 <= value <= SMALL_MAX


def suppressible(indicator_id: str) -> bool:
    """Counts of children or events are; staffing (FTE posts, workers) is not."""
    indicator = INDICATORS.get(indicator_id)
    return indicator is not None and indicator.unit != UNIT_PER_ROLE


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def cell_counts(indicator_id: str, cell: Mapping[str, Any]) -> dict[str, int]:
    """The counts a cell publishes, by key (see ``disclosure_identities``): its value,
    numerator and denominator, an average's count, breakdown parts and total, other
    codes, team figures and the counts kept beside a figure. A day total (an average's
    ``sum``) is not a count of children."""
    if not suppressible(indicator_id):
        return {}
    out: dict[str, int] = {}
    for key, value in cell.items():
        if key in ("sum", "value") and INDICATORS[indicator_id].cell_shape != "count":
            continue
        if _is_count(value):
            out[key] = value
    for group in ("breakdown", "other_codes"):
        for part, value in (cell.get(group) or {}).items():
            if _is_count(value):
                out[f"{group}:{part}"] = value
    if INDICATORS[indicator_id].unit == UNIT_BREAKDOWN and isinstance(cell.get("breakdown"), dict):
        out["total"] = sum(v for v in cell["breakdown"].values() if _is_count(v))
    for team, pair in (cell.get("by_team") or {}).items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            out[f"by_team:{team}:n"], out[f"by_team:{team}:d"] = int(pair[0]), int(pair[1])
    return out


# --- what is withheld, applied to cells -----------------------------------------------------


class DisclosurePlan:
    """The counts withheld in each month, and how ("<5" or "suppressed")."""

    def __init__(self, withheld: Mapping[Ref, Withheld]) -> None:
        self.withheld = dict(withheld)
        self._by_cell: dict[tuple[date, str, str], dict[str, Withheld]] = {}
        for (month, indicator_id, period, key), marker in self.withheld.items():
            self._by_cell.setdefault((month, indicator_id, period), {})[key] = marker

    def mask(self, month: date, indicator_id: str, period: str, cell: Mapping[str, Any]) -> dict:
        """The cell as published: each withheld count replaced by its marker, a
        breakdown's ``total`` added (for its shares), and the figure of a fraction or an
        average withheld when a count it is built on is."""
        out = dict(cell)
        if not suppressible(indicator_id):
            return out
        hidden = self._by_cell.get((month, indicator_id, period), {})
        for group in ("breakdown", "other_codes"):
            if isinstance(out.get(group), dict):
                out[group] = {
                    part: hidden.get(f"{group}:{part}", value) for part, value in out[group].items()
                }
        if INDICATORS[indicator_id].unit == UNIT_BREAKDOWN and isinstance(
            out.get("breakdown"), dict
        ):
            out["total"] = hidden.get("total", cell_counts(indicator_id, cell).get("total", 0))
        if isinstance(out.get("by_team"), dict):
            out["by_team"] = {
                team: [
                    hidden.get(f"by_team:{team}:n", pair[0]),
                    hidden.get(f"by_team:{team}:d", pair[1]),
                ]
                for team, pair in out["by_team"].items()
            }
        for key, marker in hidden.items():
            if key in out and ":" not in key and key != "total":
                out[key] = marker
        shape = INDICATORS[indicator_id].cell_shape
        if shape == "average" and is_withheld(out.get("count")):
            out["sum"] = SECONDARY
        return out


def plan_for_months(*, values: Mapping[Ref, int], months: Iterable[date]) -> DisclosurePlan:
    """Decide which counts ``values`` may publish, month by month in order from the first
    month in ``values`` to the last of ``months`` (``scorecards.disclosure_plan``).

    ``values`` must hold every month from the authority's first: a month's decision
    depends on every earlier month's (published months stand), never on a later one, so
    the same month is published the same way whichever months a reader asks for.
    """
    last = max(months, default=None)
    if last is None:
        return DisclosurePlan({})
    history = sorted({ref[0] for ref in values if ref[0] <= last})
    return DisclosurePlan(Planner(values).decide(history))


# --- reading published cells ------------------------------------------------------------------


def _flatten(cells_by_month: Mapping[date, Cells]) -> dict[Ref, int]:
    values: dict[Ref, int] = {}
    for month, cells in cells_by_month.items():
        for indicator_id, periods in cells.items():
            for period, cell in periods.items():
                for key, value in cell_counts(indicator_id, cell).items():
                    values[(month, indicator_id, period, key)] = value
    return values


def published_cells(
    *, cells_by_month: Mapping[date, Cells], months: Iterable[date]
) -> dict[date, Cells]:
    """``months``' cells as published with suppression on, from ``cells_by_month`` (which
    must hold every month of the authority up to the last of them)."""
    wanted = sorted({month_first(m) for m in months})
    plan = plan_for_months(values=_flatten(cells_by_month), months=wanted)
    return _masked(plan, cells_by_month, wanted)


def _masked(plan: DisclosurePlan, cells_by_month: Mapping[date, Cells], months) -> dict:
    return {
        month: {
            indicator_id: {
                period: plan.mask(month, indicator_id, period, cell)
                for period, cell in periods.items()
            }
            for indicator_id, periods in cells_by_month.get(month, {}).items()
        }
        for month in months
    }


def _plan_cached(*, la: Any, last: date) -> DisclosurePlan:
    """The authority's plan up to ``last``, kept in the cache while no snapshot up to
    ``last`` changes (the key names each one's version and time)."""
    from django.conf import settings
    from django.core.cache import cache

    from scorecards.models import Snapshot
    from scorecards.selectors import current_cells_for_months

    stamps = list(
        Snapshot.objects.filter(la=la, is_current=True, month__lte=last)
        .order_by("month")
        .values_list("month", "version", "computed_at")
    )
    seconds = int(getattr(settings, "SCORECARD_PAGE_CACHE_SECONDS", 0))
    digest = hashlib.sha256(repr(stamps).encode()).hexdigest()[:32]
    key = f"suppression-plan:{PLAN_CACHE_VERSION}:{la.pk}:{last:%Y-%m}:{digest}"
    withheld = cache.get(key) if seconds > 0 else None
    if withheld is None:
        cells = current_cells_for_months(la=la, months=[m for m, _, _ in stamps])
        withheld = plan_for_months(values=_flatten(cells), months=[last]).withheld
        if seconds > 0:
            cache.set(key, withheld, seconds)
    return DisclosurePlan(withheld)


def published_cells_for_months(
    *, la: Any, months: list[date], indicator_ids: list[str] | None = None
) -> dict[date, Cells]:
    """The authority's current cells of ``months`` as every output shows them: as stored
    when its suppression is off, else with withheld counts replaced by markers."""
    from scorecards.selectors import current_cells_for_months

    months = sorted({month_first(m) for m in months})
    if not la.small_number_suppression or not months:
        return current_cells_for_months(la=la, months=months, indicator_ids=indicator_ids)
    plan = _plan_cached(la=la, last=months[-1])
    cells = current_cells_for_months(la=la, months=months)
    published = _masked(plan, cells, months)
    if indicator_ids is None:
        return published
    keep = set(indicator_ids)
    return {m: {i: c for i, c in cells.items() if i in keep} for m, cells in published.items()}
