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

from scorecards.templatetags.figures import NO_DATA, format_figure, ratio_of

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


@dataclass(frozen=True)
class Point:
    label: str
    raw: Any
    number: Decimal | None


def _as_point(label: Any, raw: Any) -> Point:
    return Point(label="" if label is None else str(label), raw=raw, number=ratio_of(raw))


def points_from(data: Any) -> list[Point]:
    """Normalise the accepted point shapes to ``Point``s (see the module docstring)."""
    if data is None:
        return []
    if isinstance(data, Mapping):
        return [_as_point(label, value) for label, value in data.items()]
    points = []
    for item in data:
        if isinstance(item, Mapping):
            points.append(_as_point(item.get("label"), item.get("value")))
        else:
            label, value = item
            points.append(_as_point(label, value))
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


def _fit_font(text: str, room: float, size: float = 12, minimum: float = 8) -> float | None:
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
    size: float = 12,
    anchor: str = "middle",
    fill: str = TEXT,
    weight: str = "normal",
    rotate: bool = False,
) -> str:
    transform = f' transform="rotate(-90 {_num(x)} {_num(y)})"' if rotate else ""
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{_num(size)}"'
        f' text-anchor="{anchor}" fill="{fill}"{bold}{transform}>{escape(content)}</text>'
    )


ROTATED_SIZE = 10


def _label_in_slot(
    x: float,
    y: float,
    content: str,
    slot: float,
    *,
    fill: str = TEXT,
    size: float = 12,
    below: bool = False,
) -> str:
    """A label centred on ``x`` that fits a slot ``slot`` wide, turned upright if need be.

    An upright label reads upwards from ``y`` (a value above a bar) or, with ``below``,
    hangs down from ``y`` (a month under the axis); ``_rotated_room`` reserves the space.
    """
    fitted = _fit_font(content, slot - 2, size=size)
    if fitted is not None:
        return _text(x, y, content, size=fitted, fill=fill)
    anchor = "end" if below else "start"
    y = y - 12 if below else y
    return _text(x + 4, y, content, size=ROTATED_SIZE, anchor=anchor, fill=fill, rotate=True)


def _rotated_room(texts: Iterable[str], slot: float, size: float = 12) -> float:
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
    """A row of legend entries: (swatch markup at 0,0 .. 14,14, text)."""
    parts = []
    cursor = x
    for swatch, label in items:
        parts.append(f'<g transform="translate({_num(cursor)} {_num(y - 11)})">{swatch}</g>')
        parts.append(_text(cursor + 20, y, label, size=12, anchor="start"))
        cursor += 20 + _text_width(label, 12) + 16
    return "".join(parts)


def _target_swatch() -> str:
    return (
        f'<line x1="0" y1="7" x2="14" y2="7" stroke="{TARGET}" stroke-width="2.5"'
        ' stroke-dasharray="4 2"/>'
    )


def _series_swatch(style: Mapping[str, str], chart_id: str) -> str:
    return (
        f'<rect x="0.5" y="0.5" width="13" height="13" fill="{_fill(style, chart_id)}"'
        f' stroke="{style["stroke"]}" stroke-width="1"/>'
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
    width: int = 640,
    height: int = 240,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    chart_id: str | None = None,
) -> SafeString:
    """Vertical bars, one per month (or any label), each labelled with its value."""
    points = points_from(series)
    kind = kind or _default_kind(p.number for p in points)
    chart_id = chart_id or _chart_id(None, "bar", (title, [(p.label, p.raw) for p in points]))
    target_number = ratio_of(target)
    legend_h = 24 if target_number is not None else 0
    side = 8
    plot_w = width - 2 * side
    slot = plot_w / max(len(points), 1)
    bar_w = slot * 0.7
    value_texts = [format_figure(p.raw, kind, suppress_small=suppress) for p in points]
    top = 8 + legend_h + 18 + _rotated_room(value_texts, slot)
    bottom = 24 + _rotated_room((p.label for p in points), slot)
    height = max(height, int(top + bottom + 60))
    plot_h = height - top - bottom
    baseline = top + plot_h
    top_value = _scale_top([*(p.number for p in points), target_number], scale_max)

    def y_of(number: Decimal) -> float:
        return baseline - max(float(number), 0.0) / top_value * plot_h

    body = []
    for index, (point, label) in enumerate(zip(points, value_texts, strict=True)):
        centre = side + slot * index + slot / 2
        if point.number is None:
            body.append(_label_in_slot(centre, baseline - 6, NO_DATA, slot, fill=SECONDARY_TEXT))
        else:
            bar_top = y_of(point.number)
            bar_height = baseline - bar_top
            if bar_height > 0:
                body.append(
                    f'<rect class="cps-chart__bar" x="{_num(centre - bar_w / 2)}"'
                    f' y="{_num(bar_top)}" width="{_num(bar_w)}" height="{_num(bar_height)}"'
                    f' fill="{BLUE}"/>'
                )
            body.append(_label_in_slot(centre, bar_top - 5, label, slot))
        body.append(_label_in_slot(centre, baseline + 16, point.label, slot, below=True))
    body.append(
        f'<line x1="{side}" y1="{_num(baseline)}" x2="{width - side}" y2="{_num(baseline)}"'
        f' stroke="{DARK}" stroke-width="1"/>'
    )
    target_text = ""
    if target_number is not None:
        target_text = _target_text(target, target_label, kind)
        target_y = y_of(target_number)
        body.append(
            f'<line class="cps-chart__target" x1="{side}" y1="{_num(target_y)}"'
            f' x2="{width - side}" y2="{_num(target_y)}" stroke="{TARGET}" stroke-width="2"'
            ' stroke-dasharray="6 3"/>'
        )
        body.insert(0, _legend([(_target_swatch(), target_text)], x=side, y=20))

    description = desc or _describe_points(points, kind, suppress)
    if target_text and not desc:
        description += f" {target_text}."
    svg = (
        _svg_open(chart_id, width, height, "cps-chart__svg--bar")
        + _title_desc(chart_id, title or "Bar chart", description)
        + "".join(body)
        + "</svg>"
    )
    rows = [(p.label, format_figure(p.raw, kind, suppress_small=suppress)) for p in points]
    if target_number is not None:
        rows.append(("Target", format_figure(target, kind)))
    table = _table(
        caption=title or "Chart data", header=("", "Value"), rows=rows, hidden=alt == "hidden"
    )
    return _figure(kind_class="bar", svg=svg, title=title, table=table, alt=alt, caption=caption)


def render_hbar_chart(
    breakdown: Any,
    *,
    title: str = "",
    desc: str = "",
    kind: str | None = None,
    share: bool = False,
    scale_max: Any = None,
    width: int = 640,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    value_header: str = "Number",
    chart_id: str | None = None,
) -> SafeString:
    """Horizontal bars for a breakdown (legal status, type of home), each labelled.

    ``share=True`` adds each row's percentage of the total of the rows, as the seeds
    show counts with percentages beside them.
    """
    points = points_from(breakdown)
    kind = kind or _default_kind(p.number for p in points)
    chart_id = chart_id or _chart_id(None, "hbar", (title, [(p.label, p.raw) for p in points]))
    total = sum((p.number for p in points if p.number is not None), Decimal(0))

    def value_text(point: Point) -> str:
        text = format_figure(point.raw, kind, suppress_small=suppress)
        if share and point.number is not None and total > 0:
            share_text = format_figure((point.number, total), "pct")
            if suppress and text == "<5":
                share_text = "suppressed"
            text = f"{text} ({share_text})"
        return text

    labels = [value_text(p) for p in points]
    font = 12
    label_col = min(max((_text_width(p.label, font) for p in points), default=0) + 12, width * 0.42)
    chars_per_line = max(int((label_col - 12) / (font * CHAR_WIDTH)), 8)
    value_col = max((_text_width(text, font) for text in labels), default=0) + 12
    plot_w = max(width - label_col - value_col - 8, 40)
    top_value = _scale_top((p.number for p in points), scale_max)

    body = []
    y = 8.0
    for point, text in zip(points, labels, strict=True):
        lines = textwrap.wrap(point.label, chars_per_line) or [""]
        row_h = max(28.0, 14.0 * len(lines) + 10)
        mid = y + row_h / 2
        first_line_y = mid - 7 * (len(lines) - 1) + 4
        for line_index, line in enumerate(lines):
            body.append(
                _text(label_col - 8, first_line_y + 14 * line_index, line, anchor="end", size=font)
            )
        x0 = label_col
        if point.number is None:
            body.append(_text(x0 + 4, mid + 4, NO_DATA, anchor="start", fill=SECONDARY_TEXT))
        else:
            bar_len = max(float(point.number), 0.0) / top_value * plot_w
            if bar_len > 0:
                body.append(
                    f'<rect class="cps-chart__bar" x="{_num(x0)}" y="{_num(mid - 9)}"'
                    f' width="{_num(bar_len)}" height="18" fill="{BLUE}"/>'
                )
            body.append(_text(x0 + bar_len + 6, mid + 4, text, anchor="start", size=font))
        y += row_h
    height = int(y + 8)
    body.append(
        f'<line x1="{_num(label_col)}" y1="4" x2="{_num(label_col)}" y2="{height - 4}"'
        f' stroke="{DARK}" stroke-width="1"/>'
    )
    description = desc or (
        "; ".join(f"{p.label}: {text}" for p, text in zip(points, labels, strict=True)) + "."
        if points
        else "No data."
    )
    svg = (
        _svg_open(chart_id, width, height, "cps-chart__svg--hbar")
        + _title_desc(chart_id, title or "Bar chart", description)
        + "".join(body)
        + "</svg>"
    )
    header = ("", value_header, "Percentage") if share else ("", value_header)
    rows = []
    for point in points:
        value = format_figure(point.raw, kind, suppress_small=suppress)
        if share:
            share_text = (
                format_figure((point.number, total), "pct")
                if point.number is not None and total > 0
                else NO_DATA
            )
            if suppress and value == "<5":
                share_text = "suppressed"
            rows.append((point.label, value, share_text))
        else:
            rows.append((point.label, value))
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
    width: int = 640,
    height: int = 260,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    chart_id: str | None = None,
) -> SafeString:
    """Bars for two to four series side by side per label (incidents vs children)."""
    labels = [str(label) for label in labels]
    named = series_from(series)
    grid = [
        [_as_point(label, values[i] if i < len(values) else None) for i, label in enumerate(labels)]
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
            [(n, [p.raw for p in row]) for (n, _), row in zip(named, grid, strict=True)],
        ),
    )
    styles = [SERIES_STYLES[i % len(SERIES_STYLES)] for i in range(len(named))]
    side = 8
    plot_w = width - 2 * side
    slot = plot_w / max(len(labels), 1)
    group_w = slot * 0.84
    bar_w = group_w / max(len(named), 1)
    value_texts = [format_figure(p.raw, kind, suppress_small=suppress) for row in grid for p in row]
    top = 8 + 24 + 18 + _rotated_room(value_texts, bar_w + 2, size=11)
    bottom = 24 + _rotated_room(labels, slot)
    height = max(height, int(top + bottom + 60))
    plot_h = height - top - bottom
    baseline = top + plot_h
    top_value = _scale_top(all_numbers, scale_max)

    body = [
        _legend(
            [
                (_series_swatch(style, chart_id), name)
                for (name, _), style in zip(named, styles, strict=True)
            ],
            x=side,
            y=20,
        )
    ]
    for index, label in enumerate(labels):
        group_left = side + slot * index + (slot - group_w) / 2
        for series_index, row in enumerate(grid):
            point = row[index]
            style = styles[series_index]
            centre = group_left + bar_w * series_index + bar_w / 2
            if point.number is None:
                body.append(
                    _text(
                        centre + 3,
                        baseline - 4,
                        NO_DATA,
                        size=9,
                        anchor="start",
                        fill=SECONDARY_TEXT,
                        rotate=True,
                    )
                )
                continue
            bar_top = baseline - max(float(point.number), 0.0) / top_value * plot_h
            bar_height = baseline - bar_top
            if bar_height > 0:
                body.append(
                    f'<rect class="cps-chart__bar" x="{_num(centre - bar_w / 2 + 0.5)}"'
                    f' y="{_num(bar_top)}" width="{_num(bar_w - 1)}" height="{_num(bar_height)}"'
                    f' fill="{_fill(style, chart_id)}" stroke="{style["stroke"]}"'
                    ' stroke-width="1"/>'
                )
            text = format_figure(point.raw, kind, suppress_small=suppress)
            body.append(_label_in_slot(centre, bar_top - 4, text, bar_w + 2, size=11))
        body.append(
            _label_in_slot(side + slot * index + slot / 2, baseline + 16, label, slot, below=True)
        )
    body.append(
        f'<line x1="{side}" y1="{_num(baseline)}" x2="{width - side}" y2="{_num(baseline)}"'
        f' stroke="{DARK}" stroke-width="1"/>'
    )
    description = (
        desc
        or " ".join(
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
        header=("", *(name for name, _ in named)),
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
    scale_max: Any = None,
    width: int = 640,
    height: int = 240,
    suppress: bool = False,
    alt: str = "details",
    caption: bool = False,
    chart_id: str | None = None,
) -> SafeString:
    """One line over months, each point marked and labelled; a month without data breaks it."""
    points = points_from(series)
    kind = kind or _default_kind(p.number for p in points)
    chart_id = chart_id or _chart_id(None, "line", (title, [(p.label, p.raw) for p in points]))
    target_number = ratio_of(target)
    legend_h = 24 if target_number is not None else 0
    side = 8
    plot_w = width - 2 * side
    slot = plot_w / max(len(points), 1)
    value_texts = [format_figure(p.raw, kind, suppress_small=suppress) for p in points]
    top = 8 + legend_h + 20 + _rotated_room(value_texts, slot, size=11)
    bottom = 24 + _rotated_room((p.label for p in points), slot)
    height = max(height, int(top + bottom + 60))
    plot_h = height - top - bottom
    baseline = top + plot_h
    top_value = _scale_top([*(p.number for p in points), target_number], scale_max)

    def y_of(number: Decimal) -> float:
        return baseline - max(float(number), 0.0) / top_value * plot_h

    body = []
    segments: list[list[tuple[float, float]]] = [[]]
    for index, point in enumerate(points):
        centre = side + slot * index + slot / 2
        if point.number is None:
            segments.append([])
            body.append(_label_in_slot(centre, baseline - 6, NO_DATA, slot, fill=SECONDARY_TEXT))
        else:
            segments[-1].append((centre, y_of(point.number)))
        body.append(_label_in_slot(centre, baseline + 16, point.label, slot, below=True))
    lines = []
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{_num(x)},{_num(y)}" for i, (x, y) in enumerate(segment)
            )
            lines.append(f'<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
    markers = []
    for index, point in enumerate(points):
        if point.number is None:
            continue
        centre = side + slot * index + slot / 2
        y = y_of(point.number)
        markers.append(
            f'<circle cx="{_num(centre)}" cy="{_num(y)}" r="4" fill="#ffffff" stroke="{DARK}"'
            ' stroke-width="2"/>'
        )
        text = format_figure(point.raw, kind, suppress_small=suppress)
        markers.append(_label_in_slot(centre, y - 9, text, slot, size=11))
    body = lines + body + markers
    body.append(
        f'<line x1="{side}" y1="{_num(baseline)}" x2="{width - side}" y2="{_num(baseline)}"'
        f' stroke="{DARK}" stroke-width="1"/>'
    )
    target_text = ""
    if target_number is not None:
        target_text = _target_text(target, target_label, kind)
        target_y = y_of(target_number)
        body.insert(
            0,
            f'<line class="cps-chart__target" x1="{side}" y1="{_num(target_y)}"'
            f' x2="{width - side}" y2="{_num(target_y)}" stroke="{TARGET}" stroke-width="2"'
            ' stroke-dasharray="6 3"/>',
        )
        body.insert(0, _legend([(_target_swatch(), target_text)], x=side, y=20))
    description = desc or _describe_points(points, kind, suppress)
    if target_text and not desc:
        description += f" {target_text}."
    svg = (
        _svg_open(chart_id, width, height, "cps-chart__svg--line")
        + _title_desc(chart_id, title or "Line chart", description)
        + "".join(body)
        + "</svg>"
    )
    rows = [(p.label, format_figure(p.raw, kind, suppress_small=suppress)) for p in points]
    if target_number is not None:
        rows.append(("Target", format_figure(target, kind)))
    table = _table(
        caption=title or "Chart data", header=("", "Value"), rows=rows, hidden=alt == "hidden"
    )
    return _figure(kind_class="line", svg=svg, title=title, table=table, alt=alt, caption=caption)


def render_sparkline(
    values: Sequence[Any],
    *,
    labels: Sequence[Any] | None = None,
    title: str = "Trend",
    kind: str | None = None,
    width: int = 96,
    height: int = 24,
    suppress: bool = False,
    chart_id: str | None = None,
) -> SafeString:
    """A tiny trend line for a trend-table row; the row's cells are its text alternative.

    The line is scaled between the row's lowest and highest value (a sparkline shows
    shape, not size); the latest month with data is marked.
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
    step = (width - 2 * pad) / max(len(points) - 1, 1)

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
