"""Snapshot cells: what is stored per indicator and period, and the value derived on read.

Cells store integers only (``indicators.md`` §1): counts, numerator and denominator, sum
and count, or a breakdown of counts. Percentages, rates, ratios and averages are computed
when read, rounded to one decimal place; a denominator or count of 0 gives ``None``
("no data"), never 0% or 100%.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from scorecards.units import (
    UNIT_COUNT,
    UNIT_DAYS,
    UNIT_PERCENT,
    UNIT_RATE,
    UNIT_RATIO,
)
from scorecards.withheld import SECONDARY, Withheld, is_withheld

ONE_DP = Decimal("0.1")


def count_cell(n: int, **extra: Any) -> dict[str, Any]:
    return {"value": int(n), **extra}


def fraction_cell(numerator: int, denominator: int | None, **extra: Any) -> dict[str, Any]:
    return {"numerator": int(numerator), "denominator": denominator, **extra}


def average_cell(total: int, count: int, **extra: Any) -> dict[str, Any]:
    return {"sum": int(total), "count": int(count), **extra}


def breakdown_cell(
    counts: dict[str, int], keys: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    """A breakdown: the standard ``keys`` always (0 included), in their order, then any
    other key with a count (e.g. "unknown"), sorted.
    """
    out = {k: int(counts.get(k, 0)) for k in keys}
    out.update({k: int(counts[k]) for k in sorted(counts) if k not in out and counts[k]})
    return {"breakdown": out, **extra}


def round1(value: Decimal) -> Decimal:
    """Round half up to one decimal place, as spreadsheets and the seeds do (98.95 → 99.0)."""
    return value.quantize(ONE_DP, rounding=ROUND_HALF_UP)


def cell_value(unit: str, data: dict[str, Any] | None) -> Decimal | Withheld | None:
    """The figure a cell shows, or ``None`` for "no data" (breakdowns have no single value).

    In a cell as published with suppression on (``scorecards.suppression``), a withheld
    count is a ``Withheld`` marker, and so is a figure built on one.
    """
    if not data:
        return None
    if unit == UNIT_COUNT:
        value = data.get("value")
        if value is None or is_withheld(value):
            return value
        return Decimal(value)
    parts = ("numerator", "denominator") if unit != UNIT_DAYS else ("sum", "count")
    if any(is_withheld(data.get(k)) for k in parts):
        return SECONDARY
    if unit in (UNIT_PERCENT, UNIT_RATE, UNIT_RATIO):
        n, d = data.get("numerator"), data.get("denominator")
        if n is None or not d:
            return None
        scale = {UNIT_PERCENT: 100, UNIT_RATE: 10000, UNIT_RATIO: 1}[unit]
        return round1(Decimal(scale) * Decimal(n) / Decimal(d))
    if unit == UNIT_DAYS:
        total, count = data.get("sum"), data.get("count")
        if total is None or not count:
            return None
        return round1(Decimal(total) / Decimal(count))
    return None


def display_value(unit: str, value: Decimal | None) -> Decimal | None:
    """The value as printed: counts and average days whole, the rest to one decimal.

    "Same" month on month and RAG compare these printed values, so a reader never sees
    a change or a red cross between two figures that read the same.
    """
    if value is None or is_withheld(value):
        return None
    if unit in (UNIT_COUNT, UNIT_DAYS):
        return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return round1(value)


def value_for_json(value: Decimal | Withheld | None) -> float | int | Withheld | None:
    if value is None or is_withheld(value):
        return value
    return float(value)
