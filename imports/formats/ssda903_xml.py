"""The SSDA903 return as one XML file (``EXPSSDA903``), read into the return's tables.

Councils' systems also produce the return as one XML file, the form the DfE validator
accepts instead of CSVs (``ssda903.md`` §8a). It is read into the same per-table sheets a
CSV upload gives, so table recognition, validation, the batch, replacement and progress
are exactly the CSVs'. The shape, one ``CHILD`` per child::

    EXPSSDA903
      CHILD*
        HEADER      CHILDID UPN SEX DOB ETHNIC MOTHER MC_DOB     -> Header (CHILDID = CHILD)
                    UASC DUC                                   -> UASC, when UASC is 1 or DUC set
                    IN_TOUCH ACTIV ACCOM                       -> OC3, when any is filled
                    DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR -> AD1, likewise
          AREVIEW*    REVIEW REVIEW_CODE                       -> Reviews
          AMISSING*   MISSING MIS_START MIS_END                -> Missing
          OC2         SDQ_SCORE SDQ_REASON CONVICTED ...       -> OC2
          AD_PLACED*  DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED -> PlacedAdoption
          PERMANENCE  PREV_PERM LA_PERM DATE_PERM              -> PrevPerm
        EPISODE*    DECOM RNE LS CIN PL PL_POST HOME_POST URN PLACE_PROVIDER DEC REC
                    REASON_PLACE_CHANGE                        -> Episodes (PL = PLACE)

Element order does not matter; an empty or absent element is a blank; an unknown element
is a warning naming it (once per kind of element, with a count). ``EPISODE`` may also hold
the CSV's optional PL_LA, PL_LOCATION and PL_DISTANCE. Every table of the shape counts as
sent, even with no rows (the file is the whole return), so a re-upload replaces them all;
SWEpisodes have no place in the shape and are left alone. A row's issues name the child and
the element: ``CHILD A1001 / EPISODE 2 / DECOM`` (``extra["locate"]`` on each sheet).

Safety: the file goes through defusedxml's expat parser, fed in slices and turned into rows
as it streams (one CHILD in memory at a time, never a document tree). A DTD, any entity
declaration (the "billion laughs" and quadratic-blow-up bombs, external entities naming a
file or a web address) and an external DTD are refused before anything is expanded or
fetched, each with its own plain-English reason; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape

import polars as pl
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from imports.issues import ERROR, WARNING, IssueLog
from imports.readers import ROW, FileRefused, RawSheet

ROOT = "EXPSSDA903"
FEED_BYTES = 1024 * 1024

MSG_NOT_A_RETURN = (
    "This XML file is not an SSDA903 return: its top element is <{root}>, not <EXPSSDA903>."
)
MSG_DTD = (
    "The XML file has a document type declaration (<!DOCTYPE {name}>). A 903 return needs "
    "none, and for safety no DTD is accepted: export the file without it."
)
MSG_EXTERNAL_DTD = (
    "The XML file refers to an outside DTD ({where}). Nothing named inside an upload is ever "
    "fetched: the file was refused."
)
MSG_ENTITY = (
    "The XML file declares an entity ({name}), the pattern of an 'XML bomb' that swells a "
    "small file into gigabytes. Entities are not accepted: the file was refused."
)
MSG_EXTERNAL_ENTITY = (
    "The XML file declares an external entity ({name} → {where}), which would read a file or "
    "a web address. Nothing named inside an upload is ever read: the file was refused."
)
MSG_NOT_WELL_FORMED = "The XML file is not well-formed (line {line}, column {column}): {detail}."
MSG_EMPTY_RETURN = "The XML file holds no CHILD: there is nothing to import."
MSG_UNKNOWN_ELEMENT = (
    "Unknown element {element} ignored ({path}, {count:,} time{s}; first at {first})."
)
MSG_REPEATED_ELEMENT = "{element} is given more than once in {where}: which one is meant?"
MSG_NO_HEADER = "This CHILD has no HEADER, so no CHILDID: its rows cannot be matched to a child."
MSG_UASC_FLAG = "UASC {value!r} is not 0 or 1: with no DUC, no UASC row is read for this child."

#: Each table's columns in the CSV's order (``ssda903.md`` §2), as the sheets carry them.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "OC2": ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
            "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
            "LS_ADOPTR"),
    "PlacedAdoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED",
                       "REASON_PLACED_CEASED"),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
}  # fmt: skip
#: Episodes' columns a file may leave out (derived from the postcodes when it does).
EPISODE_OPTIONAL = ("PL_LA", "PL_LOCATION", "PL_DISTANCE")
#: Columns whose XML element has another name.
ELEMENT_OF = {"CHILD": "CHILDID", "PLACE": "PL"}
COLUMN_OF = {element: column for column, element in ELEMENT_OF.items()}
#: Columns every child table copies from the child's HEADER.
FROM_HEADER = ("CHILD", "DOB", "SEX")

UASC_FIELDS = ("UASC", "DUC")
OC3_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
HEADER_FIELDS = ("CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "MOTHER", "MC_DOB")


def _own_elements(table: str) -> tuple[str, ...]:
    columns = [c for c in TABLE_COLUMNS[table] if c not in FROM_HEADER]
    if table == "Episodes":
        columns += EPISODE_OPTIONAL
    return tuple(ELEMENT_OF.get(c, c) for c in columns)


@dataclass(frozen=True)
class Container:
    """An element holding a row's fields (or, for HEADER, fields and other containers)."""

    tag: str
    table: str | None  # the table its rows go to; None for HEADER (several tables)
    fields: tuple[str, ...]
    children: tuple[Container, ...] = ()
    repeats: bool = False  # numbered in paths: EPISODE 2, AREVIEW 1

    @property
    def by_tag(self) -> dict[str, Container]:
        return {c.tag: c for c in self.children}


def _row_container(tag: str, table: str, repeats: bool) -> Container:
    return Container(tag=tag, table=table, fields=_own_elements(table), repeats=repeats)


HEADER = Container(
    tag="HEADER",
    table=None,
    fields=HEADER_FIELDS + UASC_FIELDS + OC3_FIELDS + AD1_FIELDS,
    children=(
        _row_container("AREVIEW", "Reviews", repeats=True),
        _row_container("AMISSING", "Missing", repeats=True),
        _row_container("OC2", "OC2", repeats=False),
        _row_container("AD_PLACED", "PlacedAdoption", repeats=True),
        _row_container("PERMANENCE", "PrevPerm", repeats=False),
    ),
)
CHILD = Container(
    tag="CHILD",
    table=None,
    fields=(),
    children=(HEADER, _row_container("EPISODE", "Episodes", repeats=True)),
)


# ---------------------------------------------------------------------------------------
# Reading


class _Record:
    """One container element being read: its fields so far, where it is, what it holds."""

    __slots__ = ("spec", "fields", "by_tag", "label", "line", "values", "counts", "rows")

    def __init__(self, spec: Container, label: str, line: int) -> None:
        self.spec = spec
        self.fields = _FIELDS[spec.tag]  # looked up once per element: the hot path
        self.by_tag = _CHILDREN[spec.tag]
        self.label = label  # "EPISODE 2", "HEADER"
        self.line = line
        self.values: dict[str, str | None] = {}
        self.counts: dict[str, int] = {}  # child containers seen, by tag
        self.rows: list[tuple[_Record, str]] = []  # a CHILD's rows: (record, path in child)


def _containers(container: Container) -> Iterator[Container]:
    yield container
    for child in container.children:
        yield from _containers(child)


_FIELDS = {c.tag: frozenset(c.fields) for c in _containers(CHILD)}
_CHILDREN = {c.tag: c.by_tag for c in _containers(CHILD)}
_START, _ROOT = object(), object()  # markers on the reader's stack


@dataclass
class _Table:
    """A table's rows as columns of text, with each row's child, element path and line."""

    columns: dict[str, list[str | None]]
    where: list[tuple[str, str, int]] = field(default_factory=list)  # (child, path, line)


class _ReturnReader:
    """The parser's target: builds the tables from start / data / end, one CHILD at a time."""

    def __init__(self, name: str, log: IssueLog) -> None:
        self.name = name
        self.log = log
        self.expat = None  # the expat parser, set before parsing: for line numbers
        self.tables = {
            table: _Table(columns={c: [] for c in (*columns, *optional)})
            for table, columns in TABLE_COLUMNS.items()
            for optional in [EPISODE_OPTIONAL if table == "Episodes" else ()]
        }
        # _START, _ROOT, a _Record, a field's name, or None inside an unknown element.
        self.stack: list = [_START]
        self.child: _Record | None = None
        self.text: list[str] = []
        self.collecting = False
        self.same = {}.setdefault
        self.children = 0
        self.unknown: dict[str, list] = {}  # generic path → [count, first location, its line]
        self.pending_unknown: list[tuple[str, str, int]] = []  # (generic, path in child, line)
        self.repeated: list[tuple[str, str, int]] = []  # (element, path in child, line)

    # -- parser callbacks (expat's own handlers: called for every element) --------------

    def start(self, tag: str, attributes: list) -> None:
        if "}" in tag:  # namespaces are not significant
            tag = tag.rsplit("}", 1)[1]
        stack = self.stack
        parent = stack[-1]
        if parent.__class__ is _Record:
            if tag in parent.fields:
                self.collecting = True
                self.text = []
                stack.append(tag)
                return
            spec = parent.by_tag.get(tag)
            if spec is None:
                self._unknown(tag)
                return
            number = parent.counts[tag] = parent.counts.get(tag, 0) + 1
            label = f"{tag} {number}" if spec.repeats or number > 1 else tag
            stack.append(_Record(spec, label, self.expat.CurrentLineNumber))
        elif parent is None:  # inside an unknown element: all of it is ignored
            stack.append(None)
        elif parent is _ROOT:
            if tag != CHILD.tag:
                self._unknown(tag)
                return
            self.children += 1
            self.child = _Record(CHILD, f"CHILD #{self.children}", self.expat.CurrentLineNumber)
            stack.append(self.child)
        elif parent is _START:
            if tag != ROOT:
                raise FileRefused(MSG_NOT_A_RETURN.format(root=tag))
            stack.append(_ROOT)
        else:  # an element inside a field
            self._unknown(tag)

    def data(self, text: str) -> None:
        if self.collecting:
            self.text.append(text)

    def end(self, tag: str) -> None:
        top = self.stack.pop()
        if top.__class__ is str:  # a field: its text is the value, blank when empty
            self.collecting = False
            text = self.text
            value = text[0] if len(text) == 1 else "".join(text)
            column = COLUMN_OF.get(top, top)
            values = self.stack[-1].values
            if column in values:
                self.repeated.append((top, self._path_in_child(), self.expat.CurrentLineNumber))
            # One object per distinct value: codes, dates and postcodes repeat thousands
            # of times in a return, and the rows are held until the tables are built.
            values[column] = self.same(value, value) if value and not value.isspace() else None
            return
        if top is None or top is _ROOT:
            return
        if top.spec is CHILD:
            self._child_done(top)
            self.child = None
            return
        # A container inside the CHILD (or inside its HEADER): kept for the CHILD's end.
        parent = self.stack[-1]
        path = top.label if parent is self.child else f"{parent.label} / {top.label}"
        self.child.rows.append((top, path))

    # -- helpers ------------------------------------------------------------------------

    def _path_in_child(self) -> str:
        records = [r for r in self.stack if r.__class__ is _Record and r.spec is not CHILD]
        return " / ".join(r.label for r in records)

    def _unknown(self, tag: str) -> None:
        line = self.expat.CurrentLineNumber
        inside = self.stack[2:]  # below the root marker and the root
        names = [r.spec.tag if r.__class__ is _Record else r for r in inside]
        generic = " / ".join([*names, tag]) if names else f"{ROOT} / {tag}"
        if names:  # inside a CHILD: named once the CHILD's CHILDID is known
            labels = [r.label if r.__class__ is _Record else r for r in inside[1:]]
            self.pending_unknown.append((generic, " / ".join([*labels, tag]), line))
        else:
            self._unknown_count(generic, generic, line)
        self.stack.append(None)

    def _unknown_count(self, generic: str, first: str, line: int) -> None:
        entry = self.unknown.setdefault(generic, [0, first, line])
        entry[0] += 1

    def _child_done(self, record: _Record) -> None:
        headers = [(r, p) for r, p in record.rows if r.spec is HEADER]
        header = headers[0][0].values if headers else {}
        child_id = (header.get("CHILD") or "").strip()
        label = f"CHILD {child_id}" if child_id else record.label
        for generic, path, line in self.pending_unknown:
            self._unknown_count(generic, f"{label} / {path}", line)
        self.pending_unknown = []
        for element, path, line in self.repeated:
            self.log.add(
                ERROR,
                "xml_repeated_element",
                MSG_REPEATED_ELEMENT.format(element=element, where=f"{label} / {path}"),
                file_name=self.name,
                row_number=line,
                column=COLUMN_OF.get(element, element),
                location=f"{label} / {path} / {element}",
            )
        self.repeated = []
        if not headers:
            self.log.add(ERROR, "xml_no_header", MSG_NO_HEADER, file_name=self.name,
                         row_number=record.line, location=label)  # fmt: skip
        copied = {c: header.get(c) for c in FROM_HEADER}
        for row, path in record.rows:
            where = (label, f"{label} / {path}", row.line)
            if row.spec is HEADER:
                self._header_rows(row.values, where)
            else:
                self._add(row.spec.table, copied | row.values, where)

    def _header_rows(self, values: dict, where: tuple[str, str, int]) -> None:
        self._add("Header", values, where)
        uasc, duc = (values.get("UASC") or "").strip(), values.get("DUC")
        if uasc not in ("", "0", "1"):
            self.log.add(WARNING, "invalid_flag", MSG_UASC_FLAG.format(value=uasc),
                         file_name=self.name, row_number=where[2], column="UASC", value=uasc,
                         location=f"{where[1]} / UASC")  # fmt: skip
        if uasc == "1" or duc is not None:
            self._add("UASC", values, where)
        if any(values.get(f) is not None for f in OC3_FIELDS):
            self._add("OC3", values, where)
        if any(values.get(f) is not None for f in AD1_FIELDS):
            self._add("AD1", values, where)

    def _add(self, table: str, values: dict, where: tuple[str, str, int]) -> None:
        target = self.tables[table]
        for column, cells in target.columns.items():
            cells.append(values.get(column))
        target.where.append(where)

    # -- the sheets ---------------------------------------------------------------------

    def sheets(self, upload_name: str) -> list[RawSheet]:
        for generic, (count, first, line) in self.unknown.items():
            element = generic.rsplit(" / ", 1)[-1]
            self.log.add(
                WARNING,
                "unknown_element",
                MSG_UNKNOWN_ELEMENT.format(element=element, path=generic, count=count,
                                           s="" if count == 1 else "s", first=first),
                file_name=self.name, row_number=line or None, column=element,
                location=first,
            )  # fmt: skip
        if not self.children:
            raise FileRefused(MSG_EMPTY_RETURN)
        sheets = []
        for table, rows in self.tables.items():
            columns = dict(rows.columns)
            for optional in EPISODE_OPTIONAL if table == "Episodes" else ():
                if all(value is None for value in columns[optional]):
                    del columns[optional]  # not given: derived from the postcodes
            frame = pl.DataFrame(
                {ROW: pl.Series(ROW, range(1, len(rows.where) + 1), dtype=pl.Int64)}
                | {c: pl.Series(c, cells, dtype=pl.String) for c, cells in columns.items()}
            )
            sheets.append(
                RawSheet(
                    file_name=f"{self.name} › {table}",
                    upload_name=upload_name,
                    headers=list(columns),
                    original_headers=[ELEMENT_OF.get(c, c) for c in columns],
                    frame=frame,
                    extra={"locate": _locator(table, rows.where)},
                )
            )
        return sheets


def _locator(table: str, where: list[tuple[str, str, int]]) -> Callable:
    """(row, column) → (element path, line) for one table's rows."""
    own = set(TABLE_COLUMNS[table]) - set(FROM_HEADER) | set(EPISODE_OPTIONAL)
    header_table = table in ("Header", "UASC", "OC3", "AD1")

    def locate(row: int, column: str) -> tuple[str, int | None]:
        if not 1 <= row <= len(where):
            return "", row
        child, path, line = where[row - 1]
        element = ELEMENT_OF.get(column, column)
        if column in own or (header_table and column in FROM_HEADER):
            return f"{path} / {element}", line or None
        if column in FROM_HEADER:
            return f"{child} / HEADER / {element}", line or None
        return path, line or None

    return locate


class _ReturnParser(DefusedXMLParser):
    """defusedxml's expat parser, saying which hazard it refused in plain English.

    Entity declarations and external references raise as defusedxml has them (before any
    expansion or fetch); a DTD that declares neither is refused at its end, so a bomb is
    called a bomb rather than just "a DTD".
    """

    def __init__(self, target: _ReturnReader) -> None:
        super().__init__(target=target, forbid_dtd=False, forbid_entities=True,
                         forbid_external=True)  # fmt: skip
        # The reader's callbacks straight on expat (no ElementTree wrapper per element);
        # defusedxml's entity and external-reference handlers stay as it set them.
        self.parser.StartElementHandler = target.start
        self.parser.EndElementHandler = target.end
        self.parser.StartDoctypeDeclHandler = self._doctype_start
        self.parser.EndDoctypeDeclHandler = self._doctype_end
        self._doctype_name = ""

    def _doctype_start(self, name, sysid, pubid, has_internal_subset) -> None:
        if sysid or pubid:
            raise FileRefused(MSG_EXTERNAL_DTD.format(where=sysid or pubid))
        self._doctype_name = name or ""

    def _doctype_end(self) -> None:
        raise FileRefused(MSG_DTD.format(name=self._doctype_name))


def ssda903_xml_read(*, name: str, upload_name: str, data: bytes, log: IssueLog) -> list[RawSheet]:
    """The 903 tables of one XML return (see the module docstring); ``FileRefused`` if unsafe."""
    reader = _ReturnReader(name, log)
    parser = _ReturnParser(reader)
    reader.expat = parser.parser
    try:
        for start in range(0, len(data), FEED_BYTES):
            parser.feed(data[start : start + FEED_BYTES])
        parser.close()
    except EntitiesForbidden as exc:
        where = exc.sysid or exc.pubid
        if where:
            raise FileRefused(MSG_EXTERNAL_ENTITY.format(name=exc.name, where=where)) from None
        raise FileRefused(MSG_ENTITY.format(name=exc.name)) from None
    except ExternalReferenceForbidden as exc:
        raise FileRefused(MSG_EXTERNAL_DTD.format(where=exc.sysid or exc.pubid)) from None
    except DTDForbidden as exc:  # not raised with forbid_dtd off; kept for safety
        raise FileRefused(MSG_DTD.format(name=exc.name)) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        detail = str(exc).split(":", 1)[0]
        raise FileRefused(MSG_NOT_WELL_FORMED.format(line=line, column=column, detail=detail),
                          row_number=line or None) from None  # fmt: skip
    return reader.sheets(upload_name)


# ---------------------------------------------------------------------------------------
# Writing


def ssda903_xml_write(*, tables: dict[str, tuple[list[str], list[list[str]]]]) -> Iterator[str]:
    """The return in the §8a shape, as text pieces, from the CSV tables' columns and rows.

    ``tables`` maps a table name to (columns, rows of text) as the CSV export writes them.
    Every child of the Header gets a CHILD; a child with no UASC row gets ``UASC`` 0; OC3
    and AD1 fields appear for the children that have those rows.
    """
    by_child: dict[str, dict[str, list[dict[str, str]]]] = {}
    for table, (columns, rows) in tables.items():
        if table not in TABLE_COLUMNS:
            continue
        for row in rows:
            record = dict(zip(columns, row, strict=False))
            by_child.setdefault(record["CHILD"], {}).setdefault(table, []).append(record)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f"<{ROOT}>\n"
    header_columns = tables.get("Header", ([], []))[0]
    order = [dict(zip(header_columns, r, strict=False))["CHILD"] for r in tables["Header"][1]]
    order += sorted(set(by_child) - set(order))
    for child_id in order:
        held = by_child.get(child_id, {})
        header = (held.get("Header") or [{"CHILD": child_id}])[0]
        yield "  <CHILD>\n    <HEADER>\n"
        yield from _leaves(header, HEADER_FIELDS, 6)
        uasc = held.get("UASC")
        yield from _leaves({"UASC": "1" if uasc else "0"} | (uasc[0] if uasc else {}),
                           ("UASC", "DUC") if uasc else ("UASC",), 6)  # fmt: skip
        for table in ("OC3", "AD1"):
            for row in held.get(table, [])[:1]:
                yield from _leaves(row, _own_elements(table), 6)
        for container in HEADER.children:
            for row in held.get(container.table, []):
                yield f"      <{container.tag}>\n"
                yield from _leaves(row, container.fields, 8)
                yield f"      </{container.tag}>\n"
        yield "    </HEADER>\n"
        episode_fields = [e for e in _own_elements("Episodes") if e not in EPISODE_OPTIONAL]
        for row in held.get("Episodes", []):
            yield "    <EPISODE>\n"
            yield from _leaves(row, episode_fields, 6)
            yield "    </EPISODE>\n"
        yield "  </CHILD>\n"
    yield f"</{ROOT}>\n"


def _leaves(row: dict[str, str], elements: Iterable[str], indent: int) -> Iterator[str]:
    pad = " " * indent
    for element in elements:
        column = COLUMN_OF.get(element, element)
        if column not in row:
            continue
        value = row[column] or ""
        yield f"{pad}<{element}>{escape(value)}</{element}>\n" if value else f"{pad}<{element}/>\n"
