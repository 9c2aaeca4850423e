"""Reading uploaded files into string tables, whatever the file is called.

The type of a file is decided by its content, never its name (``roles.md``: "type checked
by content"): an XLSX renamed ``.csv`` is read as a workbook, a PDF renamed ``.csv`` is
refused. Supported: CSV (UTF-8, with or without a BOM; Windows-1252 read with a warning),
XLSX (one table per sheet), XML where the format reads it (the SSDA903's one-file form) and
a zip of any of them. Refused with a plain-English reason: empty or all-zero files,
UTF-16/UTF-32 text ("save as UTF-8"), PDF, images, legacy ``.xls``, XML the format does not
read, damaged or truncated archives, anything over the size limit, a line longer than
``IMPORT_MAX_LINE_KB`` or a header wider than ``IMPORT_MAX_COLUMNS`` (checked before any
parsing, so a hostile 1,000,000-column header costs milliseconds, not minutes).

The name only decides what happens to a file that is *not* a table: a README, a PDF, a Word
document or an image — named so, and holding no table — is skipped with a warning, so a
council's folder or zip can carry its notes. Anything else that cannot be read is an error.

XLSX cells are read with openpyxl in read-only mode **without evaluating anything**: a cell
holding a formula is an error naming the cell (its cached result may be stale or absent
and is never trusted), and external links are not loaded.

Every value comes out as text (``None`` for blank); typing is ``imports.validation``'s job.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

import polars as pl

from imports.issues import ERROR, WARNING, IssueLog

UTF8_BOM = b"\xef\xbb\xbf"
ROW = "_row"

MSG_EMPTY = "The file is empty."
MSG_ZEROS = (
    "The file holds nothing but zero bytes (no text at all): it was damaged or not saved "
    "properly. Export it again."
)
MSG_IMAGE = "This is an image, not a data file. Export the return as CSV or XLSX."
MSG_NOT_A_TABLE = "{name} is not a table (a document or image): skipped."
MSG_LINE_TOO_LONG = (
    "Line {row} is {length:,} bytes long, over the limit of {limit:,} bytes per line "
    "(IMPORT_MAX_LINE_KB): this is not a table the importer can read."
)
MSG_TOO_MANY_COLUMNS = (
    "The header row has {found:,} columns, over the limit of {limit:,} per table "
    "(IMPORT_MAX_COLUMNS): this is not a table the importer can read."
)
MSG_NO_HEADER = "The file has no header row."
MSG_UTF16 = (
    "The file is saved as UTF-16 (Excel's 'Unicode Text'). Save it as 'CSV UTF-8 (Comma "
    "delimited)' and upload it again."
)
MSG_CP1252 = (
    "The file is not UTF-8; it was read as Windows-1252 (Excel's plain 'CSV'). Check any "
    "accented letters, and save as 'CSV UTF-8' next time."
)
MSG_PDF = "This is a PDF document, not a data file. Export the return as CSV or XLSX."
MSG_XLS = "This is an old-style Excel .xls workbook. Save it as .xlsx or as CSV files."
MSG_BINARY = "This is not a CSV or XLSX file (it holds binary data)."
MSG_DAMAGED_ZIP = (
    "The file is damaged or incomplete (a truncated zip or XLSX archive). Upload it again."
)
MSG_DAMAGED_XLSX = "The workbook cannot be read: {detail}"
MSG_TOO_BIG = "The file is {size} bytes, over the limit of {limit} bytes."
MSG_NESTED_ZIP = "A zip inside a zip is not accepted: put the CSV or XLSX files in one zip."
MSG_RAGGED = (
    "Row has {found} values but the header has {expected} columns (a truncated or "
    "badly quoted line)."
)
MSG_BAD_QUOTES = "The file cannot be read as CSV: {detail}"
MSG_DUPLICATE_HEADER = "The header row names column {column} more than once."
MSG_FORMULA = (
    "Cell {cell} holds a formula ({formula}). Formulas are never evaluated: paste the "
    "values instead."
)
MSG_OTHER_DOCUMENT = "This is a {kind} document, not a CSV or XLSX file."


class FileRefused(Exception):
    """The file cannot be read at all; the message says why in plain English."""

    def __init__(self, message: str, *, row_number: int | None = None) -> None:
        super().__init__(message)
        self.row_number = row_number


@dataclass
class RawSheet:
    """One table-shaped block of text: a CSV file or a worksheet."""

    file_name: str  # display name: "episodes.csv", "book.xlsx › Episodes"
    upload_name: str  # the uploaded file it came from (for ImportFile.tables)
    headers: list[str]  # normalised header names, in file order
    original_headers: list[str]
    frame: pl.DataFrame  # String columns named by ``headers`` plus ``_row`` (file row number)
    has_errors: bool = False
    extra: dict = field(default_factory=dict)
    spreadsheet: bool = False  # a worksheet: a number in a date column is an Excel serial


@dataclass(frozen=True)
class ReadOptions:
    """What a format allows in its files: sizes, widths and what to do with XML.

    ``xml_reader`` turns an XML file into sheets (the 903's one-file form); without one XML
    is refused with ``xml_refusal``. ``is_table`` says whether a sheet is one of the
    format's tables: a document-named file whose sheets are not is skipped, not an error.
    """

    max_bytes: int
    max_columns: int = 1000
    max_line_bytes: int = 1024 * 1024
    xml_refusal: str = "XML files are not accepted for this format: send CSV or XLSX files."
    xml_reader: Callable[..., list[RawSheet]] | None = None
    is_table: Callable[[RawSheet], bool] = lambda sheet: True


#: Names that say "not a table": notes, guidance and pictures sent along with the tables.
DOCUMENT_SUFFIXES = frozenset({
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".md", ".rst", ".htm", ".html", ".log",
    ".ppt", ".pptx", ".msg", ".eml", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff",
    ".webp", ".svg", ".heic", ".db", ".ini",
})  # fmt: skip
DOCUMENT_STEMS = ("readme", "read_me", "read me", "licence", "license", "changelog")
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".zip", ".xml"})


def document_named(name: str) -> bool:
    """Whether a file's own name (not its folder) says it is a document or picture."""
    base = name.replace("\\", "/").rsplit(" › ", 1)[-1].rsplit("/", 1)[-1].lower()
    suffix = base.rpartition(".")[2] if "." in base else ""
    if f".{suffix}" in TABLE_SUFFIXES:
        return False
    return f".{suffix}" in DOCUMENT_SUFFIXES or base.startswith(DOCUMENT_STEMS)


def header_normalise(name: object) -> str:
    """Header matching is case-, whitespace- and BOM-tolerant: `` decom`` = ``DECOM``."""
    text = "" if name is None else str(name)
    text = text.replace("\ufeff", "").strip()
    return re.sub(r"\s+", "_", text).upper()


def sniff(data: bytes) -> str:
    """The kind of file by its first bytes.

    One of zip, pdf, ole, image, utf16, xml, binary, zeros (nothing but NUL bytes: a file
    that was never written, which would otherwise look like UTF-16), empty or text.
    """
    if not data.strip():
        return "empty"
    head = data[:4096]
    if not head.strip(b"\x00\t\n\r ") and not data.strip(b"\x00\t\n\r "):
        return "zeros"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        b"\x00" in head[:200] and _looks_utf16(head)
    ):
        return "utf16"
    stripped = head.removeprefix(UTF8_BOM).lstrip()
    if stripped.startswith(b"<"):
        return "xml"
    if b"\x00" in head:
        return "binary"
    return "text"


_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00",
                     b"MM\x00*")  # fmt: skip


def _looks_utf16(head: bytes) -> bool:
    """ASCII text saved as UTF-16 has a NUL in every other byte, and text in the others."""
    sample = head[:200]
    half = len(sample) // 2
    for nuls, text in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if nuls.count(0) > half // 2 and text.count(0) < half // 2:
            return True
    return False


def source_read(
    *,
    name: str,
    data: bytes,
    log: IssueLog,
    options: ReadOptions,
    inside_zip: bool = False,
    upload_name: str | None = None,
) -> list[RawSheet]:
    """Every table-shaped block in one uploaded file; refusals are logged as errors.

    Returns no sheets (and logs an error naming the file) when the file cannot be read. A
    file named as a document (``README``, ``guide.pdf``, ``logo.png``) that holds none of
    the format's tables is skipped with a warning instead; one that does hold a table is
    read like any other.
    """
    upload_name = upload_name or name
    if not document_named(name):
        return _source_read(name, upload_name, data, log, options, inside_zip)
    trial = IssueLog(limit=log.limit)
    sheets = _source_read(name, upload_name, data, trial, options, inside_zip)
    if any(options.is_table(sheet) for sheet in sheets):
        log.merge(trial)
        return sheets
    log.add(WARNING, "not_a_table", MSG_NOT_A_TABLE.format(name=_base_name(name)),
            file_name=name)  # fmt: skip
    return []


def _base_name(name: str) -> str:
    return name.rsplit(" › ", 1)[-1].rsplit("/", 1)[-1]


def _source_read(
    name: str,
    upload_name: str,
    data: bytes,
    log: IssueLog,
    options: ReadOptions,
    inside_zip: bool,
) -> list[RawSheet]:
    try:
        if len(data) > options.max_bytes:
            raise FileRefused(MSG_TOO_BIG.format(size=len(data), limit=options.max_bytes))
        kind = sniff(data)
        refusals = {"empty": MSG_EMPTY, "zeros": MSG_ZEROS, "pdf": MSG_PDF, "ole": MSG_XLS,
                    "image": MSG_IMAGE, "utf16": MSG_UTF16, "binary": MSG_BINARY}  # fmt: skip
        if kind in refusals:
            raise FileRefused(refusals[kind])
        if kind == "xml":
            if options.xml_reader is None:
                raise FileRefused(options.xml_refusal)
            return options.xml_reader(name=name, upload_name=upload_name, data=data, log=log)
        if kind == "zip":
            names = _zip_names(data)
            if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return _xlsx_sheets(name, upload_name, data, log, options)
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                raise FileRefused(MSG_OTHER_DOCUMENT.format(kind="Word"))
            if inside_zip:
                raise FileRefused(MSG_NESTED_ZIP)
            return _zip_sheets(name, data, log, options)
        return _csv_sheets(name, upload_name, data, log, options)
    except FileRefused as refused:
        log.add(ERROR, "unreadable_file", str(refused), file_name=name,
                row_number=refused.row_number)  # fmt: skip
        return []


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise FileRefused(MSG_DAMAGED_ZIP) from exc


def _zip_sheets(name: str, data: bytes, log: IssueLog, options: ReadOptions) -> list[RawSheet]:
    max_bytes = options.max_bytes
    sheets: list[RawSheet] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not info.filename.rsplit("/", 1)[-1].startswith((".", "~$"))
            ]
            if not members:
                raise FileRefused(MSG_EMPTY)
            total = 0
            for info in sorted(members, key=lambda i: i.filename):
                member_name = f"{name} › {info.filename}"
                if info.file_size > max_bytes:
                    log.add(
                        ERROR,
                        "unreadable_file",
                        MSG_TOO_BIG.format(size=info.file_size, limit=max_bytes),
                        file_name=member_name,
                    )
                    continue
                total += info.file_size
                if total > 5 * max_bytes:
                    raise FileRefused(MSG_TOO_BIG.format(size=total, limit=5 * max_bytes))
                with archive.open(info) as handle:
                    content = handle.read(max_bytes + 1)
                sheets.extend(
                    source_read(
                        name=member_name,
                        data=content,
                        log=log,
                        options=options,
                        inside_zip=True,
                        upload_name=name,
                    )
                )
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise FileRefused(MSG_DAMAGED_ZIP) from exc
    return sheets


def first_long_line(data: bytes, limit: int) -> tuple[int, int] | None:
    """(row number, length in bytes) of the first line longer than ``limit``, else None.

    Linear and cheap whatever the file: a line longer than ``limit`` must span a whole
    stretch of ``limit // 2`` bytes without a newline, so only such stretches (one
    ``bytes.find`` each) are looked at, and only around them are lines measured.
    """
    if len(data) <= limit:
        return None
    step = max(limit // 2, 1)
    position = 0
    while position < len(data):
        if data.find(b"\n", position, position + step) != -1:
            position += step
            continue
        start = data.rfind(b"\n", 0, position) + 1
        end = data.find(b"\n", position)
        end = len(data) if end == -1 else end
        line = data[start:end].rstrip(b"\r")
        if len(line) > limit:
            return data.count(b"\n", 0, start) + 1, len(line)
        position = end + 1
    return None


def _csv_sheets(
    name: str, upload_name: str, data: bytes, log: IssueLog, options: ReadOptions
) -> list[RawSheet]:
    data = data.removeprefix(UTF8_BOM)
    # Widths first, before any parsing: a hostile header costs a few bytes.find calls.
    too_long = first_long_line(data, options.max_line_bytes)
    if too_long is not None:
        row, length = too_long
        raise FileRefused(
            MSG_LINE_TOO_LONG.format(row=row, length=length, limit=options.max_line_bytes),
            row_number=row,
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode("cp1252", errors="replace").encode("utf-8")
        log.add(WARNING, "encoding", MSG_CP1252, file_name=name)
    if not data.strip():
        raise FileRefused(MSG_EMPTY)
    first_line = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    try:
        original = next(csv.reader([first_line]))
    except (csv.Error, StopIteration) as exc:
        raise FileRefused(MSG_NO_HEADER) from exc
    if len(original) > options.max_columns:
        raise FileRefused(
            MSG_TOO_MANY_COLUMNS.format(found=len(original), limit=options.max_columns),
            row_number=1,
        )
    headers = [header_normalise(h) for h in original]
    if not any(headers):
        raise FileRefused(MSG_NO_HEADER)
    expected = len(original)
    positional = [f"c{i}" for i in range(expected)]
    has_errors = False
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            has_header=True,
            infer_schema=False,
            new_columns=positional,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise FileRefused(MSG_BAD_QUOTES.format(detail=str(exc).splitlines()[0])) from exc

    # Rows whose number of values differs from the header: a truncated last line, a lost
    # quote. Polars pads short rows and (asked to) cuts long ones, so count for ourselves.
    for row_number, found in _ragged_rows(data, expected):
        has_errors = True
        log.add(
            ERROR,
            "ragged_row",
            MSG_RAGGED.format(found=found, expected=expected),
            file_name=name,
            row_number=row_number,
        )
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    sheet = _sheet_from_positional(name, upload_name, original, headers, frame, log)
    sheet.has_errors = sheet.has_errors or has_errors
    return [sheet]


def _ragged_rows(data: bytes, expected: int) -> list[tuple[int, int]]:
    """(file row, values found) for each non-blank row whose field count is not ``expected``."""
    bad: list[tuple[int, int]] = []
    if b'"' not in data and b"\x1f" not in data:
        # No quoting: a row's values are its commas + 1. Count them column-wise.
        lines = pl.read_csv(
            io.BytesIO(data), has_header=False, separator="\x1f", quote_char=None,
            schema={"line": pl.String},
        )  # fmt: skip
        counted = (
            lines.with_row_index("row", offset=1)
            .filter(pl.col("line").str.strip_chars().fill_null("") != "")
            .with_columns((pl.col("line").str.count_matches(",", literal=True) + 1).alias("n"))
            .filter((pl.col("row") > 1) & (pl.col("n") != expected))
        )
        return [(int(row), int(n)) for row, n in counted.select("row", "n").iter_rows()]
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
        next(reader, None)
        for index, record in enumerate(reader, start=2):
            if record and len(record) != expected:
                bad.append((index, len(record)))
    except csv.Error as exc:
        raise FileRefused(MSG_BAD_QUOTES.format(detail=str(exc))) from exc
    return bad


def _sheet_from_positional(
    name: str,
    upload_name: str,
    original: list[str],
    headers: list[str],
    frame: pl.DataFrame,
    log: IssueLog,
) -> RawSheet:
    """Rename positional columns to normalised headers; drop blank rows and blank columns."""
    has_errors = False
    keep: dict[str, str] = {}
    seen: set[str] = set()
    available = set(frame.columns)  # once: ``frame.columns`` builds a new list each time
    for position, header in enumerate(headers):
        source = f"c{position}"
        if not header:
            # A column without a header: ignore it when empty (Excel's trailing commas).
            if source in available and frame[source].str.strip_chars().fill_null("").any():
                keep[source] = f"(column {position + 1})"
            continue
        if header in seen:
            has_errors = True
            log.add(ERROR, "duplicate_header", MSG_DUPLICATE_HEADER.format(column=header),
                    file_name=name, column=header)  # fmt: skip
            continue
        seen.add(header)
        keep[source] = header
    absent = [pl.lit(None, dtype=pl.String).alias(s) for s in keep if s not in available]
    if absent:
        frame = frame.with_columns(absent)
    frame = frame.select([pl.col(ROW), *(pl.col(s).alias(t) for s, t in keep.items())])
    value_columns = [c for c in frame.columns if c != ROW]
    if value_columns:
        not_blank = pl.any_horizontal(
            [pl.col(c).str.strip_chars().fill_null("") != "" for c in value_columns]
        )
        frame = frame.filter(not_blank)
    return RawSheet(
        file_name=name,
        upload_name=upload_name,
        headers=[h for h in keep.values()],
        original_headers=original,
        frame=frame,
        has_errors=has_errors,
    )


def _xlsx_sheets(
    name: str, upload_name: str, data: bytes, log: IssueLog, options: ReadOptions
) -> list[RawSheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except (zipfile.BadZipFile, EOFError) as exc:
        raise FileRefused(MSG_DAMAGED_ZIP) from exc
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise FileRefused(MSG_DAMAGED_XLSX.format(detail=exc)) from exc
    sheets: list[RawSheet] = []
    try:
        for worksheet in workbook.worksheets:
            sheet_name = f"{name} › {worksheet.title}"
            try:
                sheet = _worksheet_read(sheet_name, upload_name, worksheet, log, options)
            except (zipfile.BadZipFile, EOFError) as exc:
                raise FileRefused(MSG_DAMAGED_ZIP) from exc
            except FileRefused as refused:  # this sheet only: the others are still read
                log.add(ERROR, "unreadable_file", str(refused), file_name=sheet_name,
                        row_number=refused.row_number)  # fmt: skip
                continue
            if sheet is not None:
                sheets.append(sheet)
    finally:
        workbook.close()
    return sheets


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _worksheet_read(
    name: str, upload_name: str, worksheet, log: IssueLog, options: ReadOptions
) -> RawSheet | None:
    header: list[str] | None = None
    columns: list[list[str | None]] = []
    row_numbers: list[int] = []
    has_errors = False
    for cells in worksheet.iter_rows():
        if not cells:
            continue
        values: list[str | None] = []
        row_number = None
        for cell in cells:
            row_number = getattr(cell, "row", row_number)
            if getattr(cell, "data_type", None) == "f":
                has_errors = True
                formula = str(cell.value)[:60]
                log.add(
                    ERROR,
                    "formula",
                    MSG_FORMULA.format(cell=cell.coordinate, formula=formula),
                    file_name=name,
                    row_number=cell.row,
                    value=formula,
                )
                values.append(None)
                continue
            values.append(_cell_text(cell.value))
        if header is None:
            if not any(v not in (None, "") for v in values):
                continue
            header = [v or "" for v in values]
            while header and not header[-1].strip():
                header.pop()
            if len(header) > options.max_columns:
                raise FileRefused(
                    MSG_TOO_MANY_COLUMNS.format(found=len(header), limit=options.max_columns),
                    row_number=row_number,
                )
            columns = [[] for _ in header]
            continue
        if not any(v is not None and str(v).strip() for v in values):
            continue
        extra = [v for v in values[len(header) :] if v is not None and str(v).strip()]
        if extra:
            has_errors = True
            log.add(
                ERROR,
                "ragged_row",
                MSG_RAGGED.format(found=len(header) + len(extra), expected=len(header)),
                file_name=name,
                row_number=row_number,
            )
        for index in range(len(header)):
            columns[index].append(values[index] if index < len(values) else None)
        row_numbers.append(row_number or 0)
    if header is None:
        return None  # an empty sheet: nothing to import, nothing wrong
    frame = pl.DataFrame(
        {ROW: pl.Series(ROW, row_numbers, dtype=pl.Int64)}
        | {f"c{i}": pl.Series(f"c{i}", col, dtype=pl.String) for i, col in enumerate(columns)}
    )
    headers = [header_normalise(h) for h in header]
    sheet = _sheet_from_positional(name, upload_name, header, headers, frame, log)
    sheet.has_errors = sheet.has_errors or has_errors
    sheet.spreadsheet = True
    return sheet
