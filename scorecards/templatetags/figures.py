"""Formatting of scorecard figures: one place that decides how a number reads.

``indicators.md`` §1 stores percentages as numerator and denominator and computes the
value at display time, shown to one decimal place with "n out of d" beneath; a
denominator of 0 reads "no data", never 0% or 100%. Seed 001 printed
"167.238095238095 days": every figure on a page goes through these filters instead.

Rounding is **half up** on the exact decimal value (``Decimal`` with ``ROUND_HALF_UP``),
the convention of UK official statistics: 72.35 reads "72.4%", 72.25 reads "72.3%"
(Python's ``round`` would give 72.2, banker's rounding). Values computed from a
numerator and denominator are divided exactly in ``Decimal``, so a float artefact such
as 72.34999999 never decides a rounding.

Filters accept a plain number or, for ratios of counts, an ``(n, d)`` pair, so a template
can format a stored cell without computing anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

from scorecards.suppression import PRIMARY_TEXT, SECONDARY_TEXT, is_small, is_withheld
from scorecards.withheld import withheld_text

register = template.Library()

NO_DATA = "no data"
SUPPRESSED = PRIMARY_TEXT
WITHHELD = SECONDARY_TEXT
NOT_YET = ""

ONE_DECIMAL = Decimal("0.1")
WHOLE = Decimal("1")

# Kinds of figure the ``fmt`` tag and the includes understand (indicators.md §1).
KINDS = ("pct", "count", "rate", "ratio", "days", "number")


def to_decimal(value: Any) -> Decimal | None:
    """A number as an exact ``Decimal``; floats go through their shortest repr."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return result if result.is_finite() else None


def ratio_of(value: Any, *, scale: int = 1) -> Decimal | None:
    """``value`` itself, or ``scale * n / d`` for an ``(n, d)`` pair; ``d == 0`` → None."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            return None
        numerator, denominator = to_decimal(value[0]), to_decimal(value[1])
        if numerator is None or denominator is None or denominator == 0:
            return None
        return Decimal(scale) * numerator / denominator
    return to_decimal(value)


def round_half_up(value: Decimal, places: Decimal = ONE_DECIMAL) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def group_thousands(value: Decimal) -> str:
    """``1234567.8`` → ``"1,234,567.8"`` (no locale dependence, always a comma)."""
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


def one_decimal(value: Decimal) -> str:
    rounded = round_half_up(value)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.0"
    return group_thousands(rounded)


@register.filter
def pct(value: Any) -> str:
    """A percentage to one decimal: ``72.35`` or ``(1447, 2000)`` → ``"72.4%"``."""
    number = ratio_of(value, scale=100)
    return NO_DATA if number is None else f"{one_decimal(number)}%"


@register.filter
def rate(value: Any) -> str:
    """A rate per 10,000 children to one decimal: ``(685, 133000)`` → ``"51.5"``."""
    number = ratio_of(value, scale=10000)
    return NO_DATA if number is None else one_decimal(number)


@register.filter
def ratio(value: Any) -> str:
    """A plain ratio to one decimal (seed 004's entry/exit ratio "0.6")."""
    number = ratio_of(value)
    return NO_DATA if number is None else one_decimal(number)


@register.filter
def days(value: Any) -> str:
    """An average number of days as whole days: ``167.238095`` → ``"167"``.

    Averages are stored as sum and count, so ``(sum, count)`` works too.
    """
    number = ratio_of(value)
    if number is None:
        return NO_DATA
    return group_thousands(round_half_up(number, WHOLE))


@register.filter
def count(value: Any) -> str:
    """A count with thousands separators: ``1234`` → ``"1,234"``.

    A non-whole value (an average of counts, seed 003's "43.2") keeps one decimal.
    """
    number = to_decimal(value)
    if number is None:
        return NO_DATA
    if number == number.to_integral_value():
        return group_thousands(number.quantize(WHOLE))
    return one_decimal(number)


def is_small_number(value: Any) -> bool:
    """True for the counts 1–4 that ``roles.md`` suppresses when the LA's setting is on
    (``scorecards.suppression.is_small``)."""
    return is_small(to_decimal(value))


@register.filter
def suppress(value: Any, enabled: Any = True) -> str:
    """A count, shown as ``"<5"`` when suppression is on and it is 1–4; 0 stays ``"0"``.

    A count withheld by ``scorecards.suppression`` reads as its marker says: "<5", or
    "suppressed" for one withheld so that another cannot be worked out.
    """
    marker = withheld_text(value)
    if marker is not None:
        return marker
    if enabled and is_small_number(value):
        return SUPPRESSED
    return count(value)


@register.filter
def n_out_of_d(numerator: Any, denominator: Any) -> str:
    """``"461 out of 637"``; a denominator of 0 or missing reads ``"no data"``."""
    d = to_decimal(denominator)
    n = to_decimal(numerator)
    if d is None or d == 0 or n is None:
        return NO_DATA
    return f"{count(n)} out of {count(d)}"


def n_out_of_d_suppressed(numerator: Any, denominator: Any, *, enabled: bool) -> str:
    """``n_out_of_d`` with each count 1–4 shown as ``"<5"`` when suppression is on, and a
    withheld count as its marker says."""
    if is_withheld(numerator) or is_withheld(denominator):
        return f"{suppress(numerator, enabled)} out of {suppress(denominator, enabled)}"
    d = to_decimal(denominator)
    n = to_decimal(numerator)
    if d is None or d == 0 or n is None:
        return NO_DATA
    return f"{suppress(n, enabled)} out of {suppress(d, enabled)}"


@register.filter
def signed_change(value: Any, kind: str = "number") -> str:
    """A change with its sign: ``2.6`` → ``"+2.6"``, ``-12`` with ``"count"`` → ``"-12"``.

    ``kind``: ``number`` (one decimal), ``count`` (whole, separators), ``pp``
    (one decimal and " percentage points", for the change of a percentage), ``days``.
    Zero carries no sign.
    """
    number = to_decimal(value)
    if number is None:
        return NO_DATA
    places = WHOLE if kind in ("count", "days") else ONE_DECIMAL
    rounded = round_half_up(number, places)
    if rounded == 0:
        rounded = abs(rounded)
    sign = "+" if rounded > 0 else ""
    text = f"{sign}{group_thousands(rounded)}"
    if kind == "pp":
        return f"{text} percentage points"
    if kind == "days":
        return f"{text} days"
    return text


def format_figure(value: Any, kind: str = "number", *, suppress_small: bool = False) -> str:
    """Format ``value`` as a figure of ``kind`` (one of ``KINDS``).

    Suppression applies to counts only (``roles.md``: "counts 1–4 shown as '<5'"); a
    withheld value (``scorecards.suppression``) reads "<5" or "suppressed" whatever its kind.
    """
    marker = withheld_text(value)
    if marker is not None:
        return marker if kind == "count" else WITHHELD
    if kind == "pct":
        return pct(value)
    if kind == "rate":
        return rate(value)
    if kind == "ratio":
        return ratio(value)
    if kind == "days":
        return days(value)
    if kind == "count":
        return suppress(value, suppress_small)
    if kind == "number":
        number = ratio_of(value)
        return NO_DATA if number is None else one_decimal(number)
    raise ValueError(f"Unknown figure kind {kind!r}; expected one of {KINDS}")


@register.simple_tag
def fmt(value: Any, kind: str = "number", suppress: bool = False) -> str:
    """``{% fmt value "pct" %}``: the template face of ``format_figure``."""
    return format_figure(value, kind, suppress_small=bool(suppress))


def mean_of_months(values: Sequence[Any]) -> Decimal | None:
    """The average of the months with data (seed 003 "Average"); none with data → None."""
    if any(is_withheld(value) for value in values):
        return None
    present = [number for number in (ratio_of(value) for value in values) if number is not None]
    if not present:
        return None
    return sum(present, Decimal(0)) / len(present)


@register.filter
def trend_cells(values: Sequence[Any], months: Sequence[Any]) -> list[dict[str, Any]]:
    """Pair a row's monthly values with the months Apr..Mar for a trend table.

    A row has values up to the latest reported month; later months are "not yet
    reported" (blank, as in seed 003), while a reported month without data is None
    and reads "no data".
    """
    values = list(values or [])
    cells = []
    for index, month in enumerate(months):
        reported = index < len(values)
        cells.append(
            {"month": month, "value": values[index] if reported else None, "reported": reported}
        )
    return cells


def _field(source: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a dict or an object, so includes take either."""
    if isinstance(source, Mapping):
        return source.get(name, default)
    return getattr(source, name, default)


def scaled(value: Any, kind: str) -> Decimal | None:
    """A value in the units it is shown in: ``(n, d)`` as a percentage for ``pct``, etc."""
    scale = {"pct": 100, "rate": 10000}.get(kind, 1)
    return ratio_of(value, scale=scale)


RAG_LABELS = {"strong": "Strong", "acceptable": "Acceptable", "poor": "Poor"}
CHANGE_LABELS = {"improved": "Improved", "same": "Same", "deteriorated": "Deteriorated"}
TARGET_WORDS = {"higher": "or above", "lower": "or below"}


def figure_texts(figure: Any) -> dict[str, Any]:
    """Every string a headline figure shows (``_figure.html``), decided in one tested place.

    ``figure`` is a dict or object with: ``title``, ``kind`` (see ``KINDS``), ``value``
    or ``numerator`` and ``denominator``, ``target``, ``polarity`` (``higher`` or
    ``lower`` is better), ``rag``, ``change``, ``benchmark`` and ``benchmark_label``,
    ``sentence`` and ``suppress`` (the authority's small-number setting).

    With suppression on, a percentage whose numerator or denominator is 1–4 is withheld
    ("suppressed") as well as the counts, because "3 out of 20" can be recovered from
    "15.0%" and the denominator.
    """
    kind = _field(figure, "kind") or "number"
    suppress_on = bool(_field(figure, "suppress", False))
    numerator = _field(figure, "numerator")
    denominator = _field(figure, "denominator")
    value = _field(figure, "value")
    has_pair = numerator is not None or denominator is not None
    if value is None and has_pair:
        value = (numerator, denominator)
    withheld = is_withheld(value) or (
        suppress_on and (is_small_number(numerator) or is_small_number(denominator))
    )

    if withheld and kind != "count":
        value_text = WITHHELD
    else:
        value_text = format_figure(value, kind, suppress_small=suppress_on)
    if kind == "days" and value_text not in (NO_DATA, WITHHELD, SUPPRESSED):
        value_text = f"{value_text} days"

    out_of = ""
    if has_pair:
        out_of = n_out_of_d_suppressed(numerator, denominator, enabled=suppress_on)
        if out_of == NO_DATA:
            out_of = ""  # the value already reads "no data"; once is enough

    target = _field(figure, "target")
    target_text = ""
    if target is not None:
        target_value = format_figure(target, kind)
        if kind == "days":
            target_value = f"{target_value} days"
        words = TARGET_WORDS.get(_field(figure, "polarity") or "")
        target_text = f"Target: {target_value} {words}" if words else f"Target: {target_value}"

    benchmark = _field(figure, "benchmark")
    benchmark_text = ""
    if benchmark is not None:
        label = _field(figure, "benchmark_label") or "England"
        benchmark_value = format_figure(benchmark, kind)
        if kind == "days" and benchmark_value != NO_DATA:
            benchmark_value = f"{benchmark_value} days"
        benchmark_text = f"{label}: {benchmark_value}"

    rag = (_field(figure, "rag") or "").lower() or None
    change = (_field(figure, "change") or "").lower() or None
    return {
        "title": _field(figure, "title") or "",
        "value": value_text,
        "no_data": value_text == NO_DATA,
        "withheld": withheld,
        "n_out_of_d": out_of,
        "target": target_text,
        "benchmark": benchmark_text,
        "rag": rag if rag in RAG_LABELS else None,
        "change": change if change in CHANGE_LABELS else None,
        "change_since": _field(figure, "change_since") or "",
        "sentence": _field(figure, "sentence") or "",
    }


@register.simple_tag(name="figure_texts")
def figure_texts_tag(figure: Any) -> dict[str, Any]:
    """``{% figure_texts figure as f %}`` then ``{{ f.value }}``, ``{{ f.n_out_of_d }}``."""
    return figure_texts(figure)


def trend_row(
    row: Any, months: Sequence[Any], *, kind: str = "number", suppress_small: bool = False
) -> dict[str, Any]:
    """The cells of one trend-table row (seed 003): months Apr..Mar, sparkline, average.

    ``row`` has ``label``, ``values`` (up to the latest reported month; ``None`` = no
    data), optional ``kind`` and optional ``average`` (when the caller has a better
    average, e.g. pooled). Otherwise the average is the mean of the months with data,
    in the units shown (indicators.md §1 "Trend").
    """
    kind = _field(row, "kind") or kind
    values = list(_field(row, "values") or [])
    cells = []
    for cell in trend_cells(values, months):
        text = format_figure(cell["value"], kind, suppress_small=suppress_small)
        cells.append({**cell, "text": text if cell["reported"] else NOT_YET})
    average = _field(row, "average")
    if average is None:
        # In display units, so the mean of monthly percentages reads as a percentage.
        average = mean_of_months([scaled(value, kind) for value in values])
    average_text = format_figure(average, kind, suppress_small=suppress_small)
    labels = [str(month) for month in months][: len(values)]
    # A sparkline's shape, or an average, would give away the counts suppression hides.
    hides_small = any(is_withheld(v) for v in values) or (
        suppress_small and kind == "count" and any(is_small_number(v) for v in values)
    )
    if hides_small:
        average_text = WITHHELD
    return {
        "label": _field(row, "label") or "",
        "cells": cells,
        "values": [scaled(value, kind) for value in values],
        "labels": labels,
        "slots": len(months),
        "kind": kind,
        "average": average_text,
        "sparkline": bool(_field(row, "sparkline", True)) and not hides_small,
        "sparkline_suppressed": hides_small,
    }


@register.simple_tag(name="trend_row")
def trend_row_tag(row: Any, months: Sequence[Any], kind: str = "", suppress: bool = False) -> dict:
    """``{% trend_row row table.months table.kind table.suppress as r %}``."""
    return trend_row(row, months, kind=kind or "number", suppress_small=bool(suppress))
