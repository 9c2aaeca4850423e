"""The spreadsheet of a scorecard, dashboard or demographics page (issue 8).

One sheet per section, each block of the section as a small table (its title, a header
row, the rows, a blank row), numbers stored as numbers in the format the page prints
them: percentages as fractions formatted ``0.0%``, days whole, counts with separators.
Every cell is decided by the same formatting the page uses (``templatetags/figures``):
where the page prints "no data", "<5" or "suppressed", the sheet holds that text, and
where it prints a number, the sheet holds that number rounded as printed. So the
workbook can never show a figure the page (or the suppression setting) does not.

Text cells that begin with ``=``, ``+``, ``-``, ``@``, tab or carriage return are
prefixed with an apostrophe (``roles.md``: spreadsheet formula injection), by
``organisations.spreadsheets.formula_neutralise``, as every export of the service is.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from organisations.spreadsheets import formula_neutralise
from scorecards.sections import (
    ChartBlock,
    Figure,
    FiguresBlock,
    PageContext,
    SectionView,
    TableBlock,
    TableCell,
    TrendBlock,
)
from scorecards.suppression import is_withheld
from scorecards.templatetags.figures import (
    NO_DATA,
    NOT_YET,
    SUPPRESSED,
    WITHHELD,
    figure_texts,
    format_figure,
    ratio_of,
    round_half_up,
    scaled,
    suppress,
    trend_row,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_VALUES = (NO_DATA, SUPPRESSED, WITHHELD, NOT_YET)
NUMBER_FORMATS = {
    "pct": "0.0%",
    "rate": "#,##0.0",
    "ratio": "0.0",
    "number": "#,##0.0",
    "days": "#,##0",
    "count": "#,##0",
    "signed": "+#,##0.0;-#,##0.0;0.0",
}
RAG_WORDS = {"strong": "Strong", "acceptable": "Acceptable", "poor": "Poor"}
CHANGE_WORDS = {
    "improved": "Improved",
    "same": "Same",
    "deteriorated": "Deteriorated",
    "up": "Up",
    "down": "Down",
}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


def safe_text(text: str) -> str:
    """Neutralise a text cell a spreadsheet would read as a formula."""
    return formula_neutralise(text)


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet title: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31] or "Sheet"
    title, n = cleaned, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = cleaned[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def printed_number(value: Any, kind: str, text: str) -> tuple[Any, str | None]:
    """What to store for a value the page prints as ``text``: the number, or the text.

    The number is rounded as printed (one decimal; whole days and counts), so a sheet
    and its page agree digit for digit.
    """
    if text in TEXT_VALUES or kind == "text":
        return (safe_text(text), None) if text else (None, None)
    number = scaled(value, kind) if kind in ("pct", "rate") else ratio_of(value)
    if number is None:
        return safe_text(text), None
    whole = kind == "days" or (kind == "count" and number == number.to_integral_value())
    if whole:
        return int(round_half_up(number, Decimal(1))), NUMBER_FORMATS[kind]
    stored = float(round_half_up(number))
    if kind == "pct":
        return stored / 100, NUMBER_FORMATS["pct"]
    if kind == "count":  # an average of counts (seed 003 "43.2")
        return stored, "#,##0.0"
    return stored, NUMBER_FORMATS.get(kind, NUMBER_FORMATS["number"])


class SheetWriter:
    """Appends rows to a worksheet, one value-and-format at a time."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}

    def put(self, column: int, value: Any, number_format: str | None = None, font=None) -> None:
        if isinstance(value, str):
            value = safe_text(value)
        cell = self.ws.cell(row=self.row, column=column, value=value)
        if number_format:
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        width = len(str(value)) if value is not None else 0
        self.widths[column] = max(self.widths.get(column, 0), min(width, 60))

    def figure_cell(self, column: int, value: Any, kind: str, text: str) -> None:
        stored, number_format = printed_number(value, kind, text)
        self.put(column, stored, number_format)

    def texts(self, values: list[str], font=None) -> None:
        for column, value in enumerate(values, start=1):
            self.put(column, value, font=font)
        self.next()

    def next(self, n: int = 1) -> None:
        self.row += n

    def finish(self) -> None:
        for column, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(column)].width = max(10, width + 2)


def _write_figures(w: SheetWriter, block: FiguresBlock) -> None:
    w.texts(
        [
            "Figure",
            "Value",
            "Numerator",
            "Denominator",
            "Target",
            "Performance",
            "Change since previous month",
            "England benchmark",
            "Summary",
        ],
        font=BOLD,
    )
    for figure in block.figures:
        _write_figure(w, figure)


def _write_figure(w: SheetWriter, figure: Figure) -> None:
    texts = figure_texts(figure)
    w.put(1, figure.title)
    value = figure.value
    if value is None and (figure.numerator is not None or figure.denominator is not None):
        value = (figure.numerator, figure.denominator)
    value_text = texts["value"].removesuffix(" days")
    w.figure_cell(2, value, figure.kind, value_text)
    if texts["n_out_of_d"]:
        for column, part in ((3, figure.numerator), (4, figure.denominator)):
            w.figure_cell(column, part, "count", suppress(part, figure.suppress))
    if figure.target is not None:
        w.figure_cell(5, figure.target, figure.kind, format_figure(figure.target, figure.kind))
    w.put(6, RAG_WORDS.get(texts["rag"] or "", ""))
    w.put(7, CHANGE_WORDS.get((figure.change or "").lower(), ""))
    if figure.benchmark is not None:
        w.figure_cell(
            8, figure.benchmark, figure.kind, format_figure(figure.benchmark, figure.kind)
        )
    summary = " ".join([texts["sentence"], *figure.notes]).strip()
    w.put(9, summary)
    w.next()


def _write_chart(w: SheetWriter, block: ChartBlock) -> None:
    s = block.suppress
    if not block.has_data:
        w.put(1, block.empty_text)
        w.next()
        return
    if block.chart == "grouped":
        reported = max((len(values) for _, values in block.series), default=0)
        labels = block.labels[:reported]
        w.texts([block.label_header, *(name for name, _ in block.series)], font=BOLD)
        for i, label in enumerate(labels):
            w.put(1, label)
            for column, (_, values) in enumerate(block.series, start=2):
                value = values[i] if i < len(values) else None
                w.figure_cell(
                    column, value, block.kind, format_figure(value, block.kind, suppress_small=s)
                )
            w.next()
        return
    header = [block.label_header, block.value_header]
    if block.share:
        header.append("Percentage")
    w.texts(header, font=BOLD)
    total = block.share_total
    if total is None:
        total = sum(
            (n for n in (ratio_of(v) for _, v in block.points) if n is not None and n > 0),
            Decimal(0),
        )
    for label, value in block.points:
        text = format_figure(value, block.kind, suppress_small=s)
        w.put(1, label)
        w.figure_cell(2, value, block.kind, text)
        if block.share:
            number = ratio_of(value)
            if text in (SUPPRESSED, WITHHELD) or is_withheld(total):
                share_text, pair = WITHHELD, None
            elif number is None or total <= 0:
                share_text, pair = NO_DATA, None
            else:
                pair = (number, total)
                share_text = format_figure(pair, "pct")
            w.figure_cell(3, pair, "pct", share_text)
        w.next()
    if block.target is not None:
        w.put(1, "Target")
        w.figure_cell(2, block.target, block.kind, format_figure(block.target, block.kind))
        w.next()


def _write_table(w: SheetWriter, block: TableBlock) -> None:
    w.texts(block.columns, font=BOLD)
    for label, cells in block.rows:
        w.put(1, label)
        for column, cell in enumerate(cells, start=2):
            _write_table_cell(w, column, cell)
        w.next()
    if block.footnote:
        w.put(1, block.footnote)
        w.next()


def _write_table_cell(w: SheetWriter, column: int, cell: TableCell) -> None:
    if cell.kind == "rag":
        w.put(column, cell.text)
    else:
        w.figure_cell(column, cell.value, cell.kind, cell.text)


def _write_trend(w: SheetWriter, block: TrendBlock) -> None:
    w.texts([block.first_column, *block.months, "Average"], font=BOLD)
    for group in block.groups or [{"heading": "", "rows": block.rows}]:
        if group["heading"]:
            w.put(1, group["heading"], font=BOLD)
            w.next()
        for row in group["rows"]:
            shown = trend_row(row, block.months, kind=block.kind, suppress_small=block.suppress)
            w.put(1, row["label"])
            for column, cell in enumerate(shown["cells"], start=2):
                w.figure_cell(column, cell["value"], shown["kind"], cell["text"])
            w.figure_cell(
                len(block.months) + 2, row.get("average"), shown["kind"], shown["average"]
            )
            w.next()


WRITERS = {
    "figures": _write_figures,
    "chart": _write_chart,
    "table": _write_table,
    "trend": _write_trend,
}


def block_title(block: Any) -> str:
    """The title row of a block in the sheet: its heading, chart title or caption."""
    if isinstance(block, ChartBlock):
        return block.title
    if isinstance(block, TableBlock | TrendBlock):
        return block.caption
    return block.heading or "Figures"


def _write_section(w: SheetWriter, section: SectionView) -> None:
    w.put(1, section.title, font=TITLE)
    w.next(2)
    for block in section.blocks.values():
        w.put(1, block_title(block), font=BOLD)
        w.next()
        WRITERS[block.type](w, block)
        w.next()
    w.finish()


def page_workbook(*, page: PageContext) -> bytes:
    """The page's workbook: an "About" sheet, then one sheet per section."""
    wb = Workbook()
    about = wb.active
    used: set[str] = set()
    about.title = sheet_title("About", used)
    w = SheetWriter(about)
    computed = timezone.localtime(page.computed_at)
    w.put(1, f"{page.title}: {page.la.name}", font=TITLE)
    w.next(2)
    for label, value in (
        ("Authority", f"{page.la.name} ({page.la.code})"),
        ("Month", page.month_label),
        ("As at", page.as_at_text),
        (
            "Small numbers",
            (
                "Counts of 1 to 4 are shown as <5; counts that would let them be worked out, "
                "and percentages built on either, as suppressed"
            )
            if page.suppress
            else "Shown in full",
        ),
        ("Snapshot", f"version {page.version}, computed {computed:%d %B %Y %H:%M}"),
        ("No data", "'no data' means there was nothing to count, not zero"),
    ):
        w.put(1, label, font=BOLD)
        w.put(2, value)
        w.next()
    w.finish()
    for section in page.sections:
        _write_section(SheetWriter(wb.create_sheet(sheet_title(section.sheet_name, used))), section)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook_filename(*, page: PageContext) -> str:
    return f"{page.page}-{page.la.code}-{page.month:%Y-%m}.xlsx"


__all__ = [
    "XLSX_CONTENT_TYPE",
    "block_title",
    "page_workbook",
    "printed_number",
    "safe_text",
    "sheet_title",
    "workbook_filename",
]
