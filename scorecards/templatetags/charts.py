"""Server-side SVG charts for scorecards, dashboards and the PDF.

Why SVG written by hand: the same markup must render in a browser with no JavaScript
(the CSP allows no inline script) and in WeasyPrint, which draws inline SVG itself. The
charts follow the GOV.UK data-visualisation advice: every bar and point carries its value
as text, series differ by fill *and* pattern (solid blue, black hatching, outlined
grey), so nothing relies on colour, and greyscale print stays readable.

Each chart is a ``<figure>`` holding an ``<svg role="img">`` with ``<title>`` and
``<desc>`` and, by default, a native ``<details>`` with the data as a table: the
accessible alternative needs no script and also prints in WeasyPrint. ``alt="hidden"``
gives a visually hidden table instead, ``alt="none"`` none (for a sparkline inside a
table row, the row itself is the alternative).

Data shapes (plain Python, no models):

* points: ``[("Apr", 70.3), ("May", None), ...]``, ``[{"label": ..., "value": ...}]`` or a
  dict ``{"Apr": 70.3}``; ``None`` means no data (a gap labelled "no data").
* series (grouped bars): ``[("Incidents", [43, 41, ...]), ("Children", [23, 27, ...])]``
  or ``[{"name": ..., "values": [...]}]`` with one value per label.
* an ``(n, d)`` pair is accepted wherever a value is, and formatted by ``kind``.

Values are formatted with ``figures.format_figure`` (``kind``: pct, count, rate, ratio,
days, number). Negative values are drawn as no bar but keep their label.

Common options: ``title`` (the SVG title and table caption), ``desc`` (replaces the
generated description), ``kind``, ``suppress`` (the authority's small-number setting),
``alt`` (details / hidden / none), ``caption`` (also show the title as a figcaption, when
the page has no heading of its own), ``label_header`` and ``value_header`` (the data
table's column headers), ``width`` and ``height`` (the viewBox; CSS scales the chart to
its container), ``scale_max``; ``target`` and ``target_label`` on bar and line charts.
"""

from __future__ import annotations

import hashlib
import itertools
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from scorecards.suppression import PRIMARY, is_withheld
from scorecards.templatetags.figures import (
    NO_DATA,
    WITHHELD,
    format_figure,
    is_small_number,
    ratio_of,
)

register = template.Library()

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "arial, sans-serif"
TEXT = "#0b0c0c"  # GOV.UK text colour
SECONDARY_TEXT = "#505a5f"  # GOV.UK secondary text, 7:1 on white
BLUE = "#1d70b8"
DARK = "#0b0c0c"
LIGHT_GREY = "#b1b4b6"
MID_GREY = "#505a5f"
TARGET = "#d4351c"  # GOV.UK red, drawn dashed and labelled in the legend

# Series styles in order: each differs from the others without colour.
SERIES_STYLES = (
    {"key": "solid", "fill": BLUE, "stroke": BLUE, "swatch": "solid blue"},
    {"key": "hatch", "fill": "hatch", "stroke": DARK, "swatch": "black hatching"},
    {"key": "grey", "fill": LIGHT_GREY, "stroke": DARK, "swatch": "outlined grey"},
    {"key": "dots", "fill": "dots", "stroke": DARK, "swatch": "dotted"},
)
ALT_MODES = ("details", "hidden", "none")
CHAR_WIDTH = 0.6  # of the font size: a generous Arial average, so labels never collide
FONT_SIZE = 14  # at the default 960px width; charts scale down with the page
MIN_FONT_SIZE = 9
ROTATED_SIZE = 12
LEGEND_ROW = 30


@dataclass(frozen=True)
class Point:
    label: str
    raw: Any
    number: Decimal | None


def _as_point(label: Any, raw: Any, suppress: bool = False) -> Point:
    """A point; a count suppression withholds has no number (no bar, no position)."""
    raw = PRIMARY if suppress and is_small_number(raw) else raw
    return Point(label="" if label is None else str(label), raw=raw, number=ratio_of(raw))


def points_from(data: Any, suppress: bool = False) -> list[Point]:
    """Normalise the accepted point shapes to ``Point``s (see the module docstring)."""
    if data is None:
        return []
    if isinstance(data, Mapping):
        return [_as_point(label, value, suppress) for label, value in data.items()]
    points = []
    for item in data:
        label, value = (item.get("label"), item.get("value")) if isinstance(item, Mapping) else item
        points.append(_as_point(label, value, suppress))
    return points


def series_from(data: Any) -> list[tuple[str, list[Any]]]:
    """Normalise grouped-bar series to ``[(name, values)]``."""
    result = []
    for item in data or []:
        if isinstance(item, Mapping):
            result.append((str(item.get("name", "")), list(item.get("values") or [])))
        else:
            name, values = item
            result.append((str(name), list(values or [])))
    return result


def _num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _fit_font(
    text: str, room: float, size: float = FONT_SIZE, minimum: float = MIN_FONT_SIZE
) -> float | None:
    """The largest font size (down to ``minimum``) at which ``text`` fits ``room``."""
    while size >= minimum:
        if _text_width(text, size) <= room:
            return size
        size -= 1
    return None


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = FONT_SIZE,
    anchor: str = "middle",
    fill: str = TEXT,
    rotate: bool = False,
) -> str:
    transform = f' transform="rotate(-90 {_num(x)} {_num(y)})"' if rotate else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{_num(size)}"'
        f' text-anchor="{anchor}" fill="{fill}"{transform}>{escape(content)}</text>'
    )


def _label_in_slot(
    x: float,
    y: float,
    content: str,
    slot: float,
    *,
    fill: str = TEXT,
    size: float = FONT_SIZE,
    below: bool = False,
    backdrop: bool = False,
) -> str:
    """A label centred on ``x`` that fits a slot ``slot`` wide, turned upright if need be.

    An upright label reads upwards from ``y`` (a value above a bar) or, with ``below``,
    hangs down from ``y`` (a month under the axis); ``_rotated_room`` reserves the space.
    ``backdrop`` puts a white box behind the label so a target line never strikes it
    through (WeasyPrint has no ``paint-order``, so a halo stroke is not an option).
    """
    fitted = _fit_font(content, slot - 2, size=size)
    if fitted is not None:
        text = _text(x, y, content, size=fitted, fill=fill)
        if not backdrop:
            return text
        box_w = _text_width(content, fitted) + 4
        return (
            f'<rect x="{_num(x - box_w / 2)}" y="{_num(y - fitted)}" width="{_num(box_w)}"'
            f' height="{_num(fitted + 3)}" fill="#ffffff"/>' + text
        )
    anchor = "end" if below else "start"
    y = y - FONT_SIZE if below else y
    return _text(x + 4, y, content, size=ROTATED_SIZE, anchor=anchor, fill=fill, rotate=True)


def _rotated_room(texts: Iterable[str], slot: float, size: float = FONT_SIZE) -> float:
    """Extra height needed by the labels that ``_label_in_slot`` will turn upright."""
    widths = [
        _text_width(text, ROTATED_SIZE) for text in texts if _fit_font(text, slot - 2, size) is None
    ]
    return max(widths) + 4 if widths else 0.0


def _chart_id(context: template.Context | None, kind: str, payload: Any) -> str:
    """A page-unique, deterministic-per-render id for the chart's title, desc and patterns.

    The counter lives in the bottom layer of the render context, which every include of
    one page render shares; the content hash keeps ids apart even if a counter restarts.
    """
    digest = hashlib.sha1(repr(payload).encode()).hexdigest()[:8]
    if context is None:
        return f"{kind}-{digest}"
    base = context.render_context.dicts[0]
    sequence = base.setdefault("cps_chart_sequence", itertools.count(1))
    return f"{kind}-{digest}-{next(sequence)}"


def _defs(chart_id: str) -> str:
    """Fill patterns for series 2 and 4 (hatching and dots), readable in greyscale."""
    return (
        "<defs>"
        f'<pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="8" height="8">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="{DARK}" stroke-width="2"/>'
        "</pattern>"
        f'<pattern id="{chart_id}-dots" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.5" fill="{DARK}"/>'
        "</pattern>"
        "</defs>"
    )


def _fill(style: Mapping[str, str], chart_id: str) -> str:
    if style["fill"] in ("hatch", "dots"):
        return f"url(#{chart_id}-{style['fill']})"
    return style["fill"]


def _svg_open(chart_id: str, width: int, height: int, css_class: str) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" class="cps-chart__svg {css_class}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    )


def _title_desc(chart_id: str, title: str, desc: str) -> str:
    return (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _describe_points(points: Sequence[Point], kind: str, suppress: bool) -> str:
    parts = [f"{p.label}: {format_figure(p.raw, kind, suppress_small=suppress)}" for p in points]
    return "; ".join(parts) + "." if parts else "No data."


def _target_text(target: Any, target_label: str | None, kind: str) -> str:
    if target_label:
        return str(target_label)
    return f"Target: {format_figure(target, kind)}"


def _table(
    *,
    caption: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    hidden: bool,
) -> str:
    """The data table behind a chart, GOV.UK table classes, first column a row header."""
    table_class = "govuk-table cps-chart__table" + (" govuk-visually-hidden" if hidden else "")
    head = "".join(
        f'<th scope="col" class="govuk-table__header'
        f'{" govuk-table__header--numeric" if index else ""}">{escape(cell)}</th>'
        for index, cell in enumerate(header)
    )
    body = []
    for row in rows:
        first, *rest = row
        cells = "".join(
            f'<td class="govuk-table__cell govuk-table__cell--numeric">{escape(cell)}</td>'
            for cell in rest
        )
        body.append(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
            f"{escape(first)}</th>{cells}</tr>"
        )
    return (
        f'<table class="{table_class}"><caption class="govuk-table__caption '
        f'govuk-table__caption--s">{escape(caption)}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
        f'<tbody class="govuk-table__body">{"".join(body)}</tbody></table>'
    )


def _figure(
    *,
    kind_class: str,
    svg: str,
    title: str,
    table: str,
    alt: str,
    caption: bool,
) -> SafeString:
    if alt not in ALT_MODES:
        raise ValueError(f"alt must be one of {ALT_MODES}, not {alt!r}")
    parts = [f'<figure class="cps-chart cps-chart--{kind_class}">']
    if caption and title:
        parts.append(f'<figcaption class="cps-chart__caption">{escape(title)}</figcaption>')
    parts.append(svg)
    if alt == "details":
        parts.append(
            '<details class="govuk-details cps-chart__data">'
            '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
            f'Show the data<span class="govuk-visually-hidden"> for {escape(title)}</span>'
            "</span></summary>"
            f'<div class="govuk-details__text">{table}</div></details>'
        )
    elif alt == "hidden":
        parts.append(table)
    parts.append("</figure>")
    return mark_safe("".join(parts))  # noqa: S308 - every dynamic part is escaped above


def _scale_top(numbers: Iterable[Decimal | None], scale_max: Any) -> float:
    explicit = ratio_of(scale_max)
    if explicit is not None and explicit > 0:
        return float(explicit)
    present = [float(n) for n in numbers if n is not None and n > 0]
    return max(present) if present else 1.0


def _default_kind(numbers: Iterable[Decimal | None]) -> str:
    present = [n for n in numbers if n is not None]
    if present and all(n == n.to_integral_value() for n in present):
        return "count"
    return "number"


def _legend(items: Sequence[tuple[str, str]], *, x: float, y: float) -> str:
    """A row of legend entries: (swatch markup drawn in a 14x14 box, text)."""
    parts = []
    cursor = x
    for swatch, label in items:
        parts.append(f'<g transform="translate({_num(cursor)} {_num(y - 12)})">{swatch}</g>')
        parts.append(_text(cursor + 22, y, label, anchor="start"))
        cursor += 22 + _text_width(label, FONT_SIZE) + 20
    return "".join(parts)


def _target_swatch() -> str:
    return (
        f'<line x1="0" y1="7" x2="16" y2="7" stroke="{TARGET}" stroke-width="2.5"'
        ' stroke-dasharray="5 2"/>'
    )


def _series_swatch(style: Mapping[str, str], chart_id: str) -> str:
    return (
        f'<rect x="0.5" y="0.5" width="15" height="15" fill="{_fill(style, chart_id)}"'
        f' stroke="{style["stroke"]}" stroke-width="1"/>'
    )


def _baseline(side: float, width: float, y: float) -> str:
    return (
        f'<line x1="{_num(side)}" y1="{_num(y)}" x2="{_num(width - side)}" y2="{_num(y)}"'
        f' stroke="{DARK}" stroke-width="1"/>'
    )


def _target_line(side: float, width: float, y: float) -> str:
    return (
        f'<line class="cps-chart__target" x1="{_num(side)}" y1="{_num(y)}"'
        f' x2="{_num(width - side)}" y2="{_num(y)}" stroke="{TARGET}" stroke-width="2"'
        ' stroke-dasharray="8 4"/>'
    )


def _value_rows(points: Sequence[Point], kind: str, suppress: bool) -> list[tuple[str, str]]:
    return [(p.label, format_figure(p.raw, kind, suppress_small=suppress)) for p in points]


def _single_series_figure(
    *,
    chart_kind: str,
    default_title: str,
    chart_id: str,
    width: int,
    height: int,
    body: Sequence[str],
    description: str,
    points: Sequence[Point],
    kind: str,
    target: Any,
    suppress: bool,
    title: str,
    label_header: str,
    value_header: str,
    alt: str,
    caption: bool,
) -> SafeString:
    """Wrap a one-series chart's drawing in its figure, with its data table (and target row).

    Bar and line charts share this ending, so their SVG root and data table cannot drift.
    """
    svg = (
        _svg_open(chart_id, width, height, f"cps-chart__svg--{chart_kind}")
        + _title_desc(chart_id, title or default_title, description)
        + "".join(body)
        + "</svg>"
    )
    rows = _value_rows(points, kind, suppress)
    if target is not None:
        rows.append(("Target", format_figure(target, kind)))
    table = _table(
        caption=title or "Chart data",
        header=(label_header, value_header),
        rows=rows,
        hidden=alt == "hidden",
    )
    return _figure(
        kind_class=chart_kind, svg=svg, title=title, table=table, alt=alt, caption=caption
    )


def render_bar_chart(
    series: Any,
    *,
    title: str = "",
    desc: str = "",
    kind: str | None = None,
    target: Any = None,
    target_label: str | None = None,
    scale_max: Any = None,
    width: int = 960,
    height: int = 320,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    value_header: str = "Value",
    label_header: str = "Period",
    chart_id: str | None = None,
) -> SafeString:
    """Vertical bars, one per month (or any label), each labelled with its value.

    The scale starts at zero (bar lengths must be honest) and runs to the largest value
    or target, or ``scale_max`` (e.g. 100 for percentages).
    """
    points = points_from(series, suppress)
    kind = kind or _default_kind(p.number for p in points)
    chart_id = chart_id or _chart_id(None, "bar", (title, [(p.label, p.raw) for p in points]))
    target_number = ratio_of(target)
    side = 8
    slot = (width - 2 * side) / max(len(points), 1)
    bar_w = slot * 0.7
    value_texts = [format_figure(p.raw, kind, suppress_small=suppress) for p in points]
    legend_h = LEGEND_ROW if target_number is not None else 0
    top = 8 + legend_h + FONT_SIZE + 8 + _rotated_room(value_texts, slot)
    bottom = FONT_SIZE + 14 + _rotated_room((p.label for p in points), slot)
    height = max(height, int(top + bottom + 80))
    plot_h = height - top - bottom
    baseline = top + plot_h
    top_value = _scale_top([*(p.number for p in points), target_number], scale_max)

    def y_of(number: Decimal) -> float:
        return baseline - max(float(number), 0.0) / top_value * plot_h

    bars, labels = [], []
    for index, (point, text) in enumerate(zip(points, value_texts, strict=True)):
        centre = side + slot * index + slot / 2
        if point.number is None:  # no data, or withheld ("<5", "suppressed")
            labels.append(_label_in_slot(centre, baseline - 6, text, slot, fill=SECONDARY_TEXT))
        else:
            bar_top = y_of(point.number)
            if baseline - bar_top > 0:
                bars.append(
                    f'<rect class="cps-chart__bar" x="{_num(centre - bar_w / 2)}"'
                    f' y="{_num(bar_top)}" width="{_num(bar_w)}"'
                    f' height="{_num(baseline - bar_top)}" fill="{BLUE}"/>'
                )
            labels.append(
                _label_in_slot(centre, bar_top - 6, text, slot, backdrop=target_number is not None)
            )
        labels.append(
            _label_in_slot(centre, baseline + FONT_SIZE + 6, point.label, slot, below=True)
        )
    body = [*bars, _baseline(side, width, baseline)]
    target_text = ""
    if target_number is not None:
        target_text = _target_text(target, target_label, kind)
        body.append(_target_line(side, width, y_of(target_number)))
        body.append(_legend([(_target_swatch(), target_text)], x=side, y=8 + FONT_SIZE + 4))
    body.extend(labels)

    description = desc or _describe_points(points, kind, suppress)
    if target_text and not desc:
        description += f" {target_text}."
    return _single_series_figure(
        chart_kind="bar",
        default_title="Bar chart",
        chart_id=chart_id,
        width=width,
        height=height,
        body=body,
        description=description,
        points=points,
        kind=kind,
        target=target if target_number is not None else None,
        suppress=suppress,
        title=title,
        label_header=label_header,
        value_header=value_header,
        alt=alt,
        caption=caption,
    )


def render_hbar_chart(
    breakdown: Any,
    *,
    title: str = "",
    desc: str = "",
    kind: str | None = None,
    share: bool = False,
    scale_max: Any = None,
    width: int = 960,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    value_header: str = "Number",
    label_header: str = "Category",
    chart_id: str | None = None,
    total: Any = None,
) -> SafeString:
    """Horizontal bars for a breakdown (legal status, type of home), each labelled.

    ``share=True`` adds each row's percentage of ``total`` (by default the total of the
    rows), as the seeds show counts with percentages beside them. The share of a withheld
    count is withheld too (it would give the count away), and every share when the total
    is (``scorecards.suppression``: a breakdown's published cell carries its total).
    """
    points = points_from(breakdown, suppress)
    kind = kind or _default_kind(p.number for p in points)
    chart_id = chart_id or _chart_id(None, "hbar", (title, [(p.label, p.raw) for p in points]))
    if total is None:
        total = sum((n for p in points_from(breakdown) if (n := p.number) and n > 0), Decimal(0))

    def share_of(point: Point, value: str) -> str:
        if is_withheld(point.raw) or is_withheld(total):
            return WITHHELD
        if point.number is None or total <= 0:
            return NO_DATA
        return format_figure((point.number, total), "pct")

    values = [format_figure(p.raw, kind, suppress_small=suppress) for p in points]
    shares = [share_of(p, v) for p, v in zip(points, values, strict=True)]
    labels = [
        f"{value} ({part})" if share and (point.number is not None or part == WITHHELD) else value
        for point, value, part in zip(points, values, shares, strict=True)
    ]
    label_col = min(
        max((_text_width(p.label, FONT_SIZE) for p in points), default=0) + 12, width * 0.42
    )
    chars_per_line = max(int((label_col - 12) / (FONT_SIZE * CHAR_WIDTH)), 8)
    value_col = max((_text_width(text, FONT_SIZE) for text in labels), default=0) + 12
    plot_w = max(width - label_col - value_col - 8, 40)
    top_value = _scale_top((p.number for p in points), scale_max)

    body = []
    y = 8.0
    line_h = FONT_SIZE + 3
    for point, text in zip(points, labels, strict=True):
        lines = textwrap.wrap(point.label, chars_per_line) or [""]
        row_h = max(34.0, line_h * len(lines) + 12)
        mid = y + row_h / 2
        first_line_y = mid - line_h * (len(lines) - 1) / 2 + FONT_SIZE * 0.35
        for line_index, line in enumerate(lines):
            body.append(
                _text(label_col - 8, first_line_y + line_h * line_index, line, anchor="end")
            )
        if point.number is None:  # no data, or withheld
            body.append(
                _text(
                    label_col + 6,
                    mid + FONT_SIZE * 0.35,
                    text,
                    anchor="start",
                    fill=SECONDARY_TEXT,
                )
            )
        else:
            bar_len = max(float(point.number), 0.0) / top_value * plot_w
            if bar_len > 0:
                body.append(
                    f'<rect class="cps-chart__bar" x="{_num(label_col)}" y="{_num(mid - 11)}"'
                    f' width="{_num(bar_len)}" height="22" fill="{BLUE}"/>'
                )
            body.append(
                _text(label_col + bar_len + 6, mid + FONT_SIZE * 0.35, text, anchor="start")
            )
        y += row_h
    height = int(y + 8)
    body.append(
        f'<line x1="{_num(label_col)}" y1="4" x2="{_num(label_col)}" y2="{height - 4}"'
        f' stroke="{DARK}" stroke-width="1"/>'
    )
    if desc:
        description = desc
    elif points:
        description = (
            "; ".join(f"{p.label}: {t}" for p, t in zip(points, labels, strict=True)) + "."
        )
    else:
        description = "No data."
    svg = (
        _svg_open(chart_id, width, height, "cps-chart__svg--hbar")
        + _title_desc(chart_id, title or "Bar chart", description)
        + "".join(body)
        + "</svg>"
    )
    if share:
        header: tuple[str, ...] = (label_header, value_header, "Percentage")
        rows = [(p.label, v, sh) for p, v, sh in zip(points, values, shares, strict=True)]
    else:
        header = (label_header, value_header)
        rows = [(p.label, v) for p, v in zip(points, values, strict=True)]
    table = _table(caption=title or "Chart data", header=header, rows=rows, hidden=alt == "hidden")
    return _figure(kind_class="hbar", svg=svg, title=title, table=table, alt=alt, caption=caption)


def render_grouped_bar_chart(
    labels: Sequence[Any],
    series: Any,
    *,
    title: str = "",
    desc: str = "",
    kind: str | None = None,
    scale_max: Any = None,
    width: int = 960,
    height: int = 340,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    label_header: str = "Period",
    chart_id: str | None = None,
) -> SafeString:
    """Bars for two to four series side by side per label (incidents vs children).

    Series are told apart by fill and pattern and each bar carries its value. Labels
    after the last reported month of every series (a financial year in progress) are
    left off; a reported month without data reads "no data".
    """
    named = series_from(series)
    reported = max((len(values) for _, values in named), default=0)
    labels = [str(label) for label in labels][: reported or None]
    grid = [
        [
            _as_point(label, values[i] if i < len(values) else None, suppress)
            for i, label in enumerate(labels)
        ]
        for _, values in named
    ]
    all_numbers = [p.number for row in grid for p in row]
    kind = kind or _default_kind(all_numbers)
    chart_id = chart_id or _chart_id(
        None,
        "grouped",
        (
            title,
            labels,
            [(name, [p.raw for p in row]) for (name, _), row in zip(named, grid, strict=True)],
        ),
    )
    styles = [SERIES_STYLES[i % len(SERIES_STYLES)] for i in range(len(named))]
    side = 8
    slot = (width - 2 * side) / max(len(labels), 1)
    group_w = slot * 0.84
    bar_w = group_w / max(len(named), 1)
    value_size = FONT_SIZE - 1
    value_texts = [format_figure(p.raw, kind, suppress_small=suppress) for row in grid for p in row]
    top = 8 + LEGEND_ROW + value_size + 8 + _rotated_room(value_texts, bar_w + 2, size=value_size)
    bottom = FONT_SIZE + 14 + _rotated_room(labels, slot)
    height = max(height, int(top + bottom + 80))
    plot_h = height - top - bottom
    baseline = top + plot_h
    top_value = _scale_top(all_numbers, scale_max)

    bars, texts = [], []
    for index, label in enumerate(labels):
        group_left = side + slot * index + (slot - group_w) / 2
        for series_index, row in enumerate(grid):
            point = row[index]
            style = styles[series_index]
            centre = group_left + bar_w * series_index + bar_w / 2
            if point.number is None:  # no data, or withheld
                texts.append(
                    _text(
                        centre + 4,
                        baseline - 4,
                        format_figure(point.raw, kind, suppress_small=suppress),
                        size=MIN_FONT_SIZE + 1,
                        anchor="start",
                        fill=SECONDARY_TEXT,
                        rotate=True,
                    )
                )
                continue
            bar_top = baseline - max(float(point.number), 0.0) / top_value * plot_h
            if baseline - bar_top > 0:
                bars.append(
                    f'<rect class="cps-chart__bar" x="{_num(centre - bar_w / 2 + 0.5)}"'
                    f' y="{_num(bar_top)}" width="{_num(bar_w - 1)}"'
                    f' height="{_num(baseline - bar_top)}" fill="{_fill(style, chart_id)}"'
                    f' stroke="{style["stroke"]}" stroke-width="1"/>'
                )
            text = format_figure(point.raw, kind, suppress_small=suppress)
            texts.append(_label_in_slot(centre, bar_top - 5, text, bar_w + 2, size=value_size))
        texts.append(
            _label_in_slot(
                side + slot * index + slot / 2, baseline + FONT_SIZE + 6, label, slot, below=True
            )
        )
    legend = _legend(
        [(_series_swatch(st, chart_id), name) for (name, _), st in zip(named, styles, strict=True)],
        x=side,
        y=8 + FONT_SIZE + 4,
    )
    body = [legend, *bars, _baseline(side, width, baseline), *texts]
    description = desc or (
        " ".join(
            f"{name}: " + _describe_points(row, kind, suppress)
            for (name, _), row in zip(named, grid, strict=True)
        )
        or "No data."
    )
    svg = (
        _svg_open(chart_id, width, height, "cps-chart__svg--grouped")
        + _defs(chart_id)
        + _title_desc(chart_id, title or "Grouped bar chart", description)
        + "".join(body)
        + "</svg>"
    )
    rows = [
        (label, *(format_figure(row[i].raw, kind, suppress_small=suppress) for row in grid))
        for i, label in enumerate(labels)
    ]
    table = _table(
        caption=title or "Chart data",
        header=(label_header, *(name for name, _ in named)),
        rows=rows,
        hidden=alt == "hidden",
    )
    return _figure(
        kind_class="grouped", svg=svg, title=title, table=table, alt=alt, caption=caption
    )


def render_line_chart(
    series: Any,
    *,
    title: str = "",
    desc: str = "",
    kind: str | None = None,
    target: Any = None,
    target_label: str | None = None,
    scale_min: Any = None,
    scale_max: Any = None,
    width: int = 960,
    height: int = 300,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    value_header: str = "Value",
    label_header: str = "Period",
    chart_id: str | None = None,
) -> SafeString:
    """One line over months, each point marked and labelled; a month without data breaks it.

    Unlike bars, a line need not start at zero: by default the scale spans the values
    (and target) with some room, and the chart says where it starts when that is not 0.
    """
    points = points_from(series, suppress)
    kind = kind or _default_kind(p.number for p in points)
    chart_id = chart_id or _chart_id(None, "line", (title, [(p.label, p.raw) for p in points]))
    target_number = ratio_of(target)
    side = 8
    slot = (width - 2 * side) / max(len(points), 1)
    value_texts = [format_figure(p.raw, kind, suppress_small=suppress) for p in points]
    top = 8 + LEGEND_ROW + FONT_SIZE + 12 + _rotated_room(value_texts, slot)
    bottom = FONT_SIZE + 14 + _rotated_room((p.label for p in points), slot)
    height = max(height, int(top + bottom + 80))
    plot_h = height - top - bottom
    baseline = top + plot_h
    present = [float(n) for n in (*(p.number for p in points), target_number) if n is not None]
    high = _scale_top([*(p.number for p in points), target_number], scale_max)
    explicit_low = ratio_of(scale_min)
    if explicit_low is not None:
        low = float(explicit_low)
    elif present:
        spread = max(present) - min(present)
        low = max(min(present) - (spread if spread else abs(min(present)) * 0.1), 0.0)
    else:
        low = 0.0
    if high <= low:
        high = low + 1.0

    def y_of(number: Decimal) -> float:
        return baseline - (min(max(float(number), low), high) - low) / (high - low) * plot_h

    segments: list[list[tuple[float, float]]] = [[]]
    texts = []
    for index, (point, text) in enumerate(zip(points, value_texts, strict=True)):
        centre = side + slot * index + slot / 2
        if point.number is None:
            segments.append([])
            texts.append(_label_in_slot(centre, baseline - 6, text, slot, fill=SECONDARY_TEXT))
        else:
            y = y_of(point.number)
            segments[-1].append((centre, y))
            texts.append(_label_in_slot(centre, y - 10, text, slot, backdrop=True))
        texts.append(
            _label_in_slot(centre, baseline + FONT_SIZE + 6, point.label, slot, below=True)
        )
    body = [_baseline(side, width, baseline)]
    legend_items = []
    target_text = ""
    if target_number is not None:
        target_text = _target_text(target, target_label, kind)
        body.append(_target_line(side, width, y_of(target_number)))
        legend_items.append((_target_swatch(), target_text))
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{_num(x)},{_num(y)}" for i, (x, y) in enumerate(segment)
            )
            body.append(f'<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
        for x, y in segment:
            body.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4.5" fill="#ffffff" stroke="{DARK}"'
                ' stroke-width="2"/>'
            )
    scale_note = ""
    if low > 0:
        scale_note = f"The vertical scale starts at {format_figure(low, kind)}, not zero."
        legend_items.append(("", scale_note))
    if legend_items:
        body.append(_legend(legend_items, x=side, y=8 + FONT_SIZE + 4))
    body.extend(texts)
    description = desc or _describe_points(points, kind, suppress)
    if not desc:
        description += "".join(
            f" {extra}" for extra in (target_text and f"{target_text}.", scale_note) if extra
        )
    return _single_series_figure(
        chart_kind="line",
        default_title="Line chart",
        chart_id=chart_id,
        width=width,
        height=height,
        body=body,
        description=description,
        points=points,
        kind=kind,
        target=target if target_number is not None else None,
        suppress=suppress,
        title=title,
        label_header=label_header,
        value_header=value_header,
        alt=alt,
        caption=caption,
    )


def render_sparkline(
    values: Sequence[Any],
    *,
    labels: Sequence[Any] | None = None,
    title: str = "Trend",
    kind: str | None = None,
    width: int = 96,
    height: int = 24,
    slots: int | None = None,
    suppress: bool = False,
    chart_id: str | None = None,
) -> SafeString:
    """A tiny trend line for a trend-table row; the row's cells are its text alternative.

    The line is scaled between the row's lowest and highest value (a sparkline shows
    shape, not size); the latest month with data is marked. ``slots`` (12 for Apr..Mar)
    spaces the points by month, so a year in progress draws a part-width line.
    """
    values = list(values or [])
    labels = (
        [str(label) for label in labels] if labels else [str(i + 1) for i in range(len(values))]
    )
    points = [
        _as_point(labels[i] if i < len(labels) else str(i + 1), v) for i, v in enumerate(values)
    ]
    kind = kind or _default_kind(p.number for p in points)
    chart_id = chart_id or _chart_id(None, "spark", (title, [(p.label, p.raw) for p in points]))
    present = [float(p.number) for p in points if p.number is not None]
    pad = 3.0
    low, high = (min(present), max(present)) if present else (0.0, 1.0)
    span = high - low
    step = (width - 2 * pad) / max(max(slots or 0, len(points)) - 1, 1)

    def y_of(number: Decimal) -> float:
        if span == 0:
            return height / 2
        return height - pad - (float(number) - low) / span * (height - 2 * pad)

    segments: list[list[tuple[float, float]]] = [[]]
    last: tuple[float, float] | None = None
    for index, point in enumerate(points):
        if point.number is None:
            segments.append([])
            continue
        xy = (pad + step * index, y_of(point.number))
        segments[-1].append(xy)
        last = xy
    body = []
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{_num(x)},{_num(y)}" for i, (x, y) in enumerate(segment)
            )
            body.append(f'<path d="{path}" fill="none" stroke="{DARK}" stroke-width="1.5"/>')
        elif segment and segment[0] != last:
            x, y = segment[0]  # a month with data between two without: a dot, not nothing
            body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="1.5" fill="{DARK}"/>')
    if last is not None:
        body.append(f'<circle cx="{_num(last[0])}" cy="{_num(last[1])}" r="2.5" fill="{BLUE}"/>')
    with_data = [p for p in points if p.number is not None]
    if with_data:
        first, final = with_data[0], with_data[-1]
        description = (
            f"From {format_figure(first.raw, kind, suppress_small=suppress)} in {first.label} "
            f"to {format_figure(final.raw, kind, suppress_small=suppress)} in {final.label}."
        )
    else:
        description = "No data."
    svg = (
        f'<svg xmlns="{SVG_NS}" class="cps-sparkline" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        + _title_desc(chart_id, title, description)
        + "".join(body)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - labels are escaped in _title_desc


@register.simple_tag(takes_context=True)
def bar_chart(context: template.Context, series: Any, **options: Any) -> SafeString:
    """``{% bar_chart points title="..." kind="pct" target=98 %}``."""
    options.setdefault("chart_id", _chart_id(context, "bar", (options.get("title"), series)))
    return render_bar_chart(series, **options)


@register.simple_tag(takes_context=True)
def hbar_chart(context: template.Context, breakdown: Any, **options: Any) -> SafeString:
    """``{% hbar_chart breakdown title="Legal status" share=True %}``."""
    options.setdefault("chart_id", _chart_id(context, "hbar", (options.get("title"), breakdown)))
    return render_hbar_chart(breakdown, **options)


@register.simple_tag(takes_context=True)
def grouped_bar_chart(
    context: template.Context, labels: Sequence[Any], series: Any, **options: Any
) -> SafeString:
    """``{% grouped_bar_chart months series title="Missing" %}``."""
    options.setdefault(
        "chart_id", _chart_id(context, "grouped", (options.get("title"), labels, series))
    )
    return render_grouped_bar_chart(labels, series, **options)


@register.simple_tag(takes_context=True)
def line_chart(context: template.Context, series: Any, **options: Any) -> SafeString:
    """``{% line_chart points title="..." kind="rate" %}``."""
    options.setdefault("chart_id", _chart_id(context, "line", (options.get("title"), series)))
    return render_line_chart(series, **options)


@register.simple_tag(takes_context=True)
def sparkline(context: template.Context, values: Sequence[Any], **options: Any) -> SafeString:
    """``{% sparkline row.values labels=months title=row.label %}``."""
    options.setdefault("chart_id", _chart_id(context, "spark", (options.get("title"), values)))
    return render_sparkline(values, **options)
