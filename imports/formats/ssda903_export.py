"""Write an authority's records for one collection year as an SSDA903 return.

The return is what a council would send for that year (``ssda903.md`` §2, §5): every
episode open at any time in the year, with an end date after 31 March blanked (it was
still open when the return was made), reviews held in the year, that year's UASC, OC2,
OC3, AD1 and PrevPerm rows, decisions to place for adoption still current, missing
periods and social-worker episodes open in the year, and a Header row for each child
in any of them. Importing the return of every year back gives the same records (the
round-trip test), so the exporter doubles as a check on the importer.

The rows are built once (``ssda903_return_tables``) and then written in any of the
return's forms: one CSV per table, one XLSX workbook with a sheet per table, or the XML
form (``ssda903.md`` §8a), which has no place for social-worker episodes, so they go
beside it as the SWEpisodes CSV. Which episodes a year holds is decided in one place,
``episodes_in_return``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db.models import Q

from children.models import (
    Child,
    ChildHeader,
    Episode,
    MissingEpisode,
    OC2Outcome,
    OC3Outcome,
    PreviousPermanence,
    UASCRecord,
)
from imports.formats.return_writers import ReturnTable, csv_files_write, xlsx_write
from imports.formats.ssda903 import (
    AD1,
    EPISODES,
    HEADER,
    MISSING,
    OC2,
    OC3,
    PLACED_ADOPTION,
    PREV_PERM,
    REVIEWS,
    SW_EPISODES,
    UASC,
)
from imports.formats.ssda903_xml import ssda903_xml_write
from organisations.models import LocalAuthority, SocialWorkerEpisode
from placements.models import AdoptionRecord, PlacementDecision
from reviews.models import Review

#: The last collection year whose Header used 1/2 for SEX (``ssda903.md`` §3.1).
LAST_NUMERIC_SEX_YEAR = 2024


def _d(value: date | None, year_end: date | None = None) -> str:
    """dd/mm/YYYY; blank for None, and for a date after the year's end when given."""
    if value is None or (year_end is not None and value > year_end):
        return ""
    return value.strftime("%d/%m/%Y")


def _flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _columns(spec, present: bool = True) -> list[str]:
    return [c.name for c in spec.columns if c.header_required or present]


FORMS = ("csv", "xlsx", "xml")


@dataclass
class ExportResult:
    """What was written: rows per table and the files."""

    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def ssda903_export(
    *, la: LocalAuthority, year: int, directory: Path, form: str = "csv"
) -> ExportResult:
    """Write the year's return into ``directory`` in one of its forms (``FORMS``).

    ``csv``: ``SSDA903_<year>_<Table>.csv``; ``xlsx``: ``SSDA903_<year>.xlsx``; ``xml``:
    ``SSDA903_<year>.xml`` with ``SSDA903_<year>_SWEpisodes.csv`` beside it.
    """
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}: one of {', '.join(FORMS)}")
    directory.mkdir(parents=True, exist_ok=True)
    tables = ssda903_return_tables(la=la, year=year)
    result = ExportResult(rows={name: len(table.rows) for name, table in tables.items()})
    prefix = f"SSDA903_{year}"
    if form == "csv":
        result.files = csv_files_write(tables=tables, directory=directory, prefix=f"{prefix}_")
    elif form == "xlsx":
        result.files = [xlsx_write(tables=tables, path=directory / f"{prefix}.xlsx")]
    else:
        path = directory / f"{prefix}.xml"
        as_lists = {name: (t.columns, t.rows) for name, t in tables.items()}
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(ssda903_xml_write(tables=as_lists))
        beside = {"SWEpisodes": tables["SWEpisodes"]}
        result.files = [path, *csv_files_write(tables=beside, directory=directory,
                                               prefix=f"{prefix}_")]  # fmt: skip
    return result


def _open_in_year(start_field: str, end_field: str, start: date, end: date) -> Q:
    """Rows whose period (start to end, an open end being open) touches the year."""
    return Q(**{f"{start_field}__lte": end}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": start})
    )


def episodes_in_return(*, la: LocalAuthority, year: int) -> list[Episode]:
    """The episodes a collection year's return holds: every one open at any time in it."""
    start, end = date(year - 1, 4, 1), date(year, 3, 31)

    def open_in_year(start_field: str, end_field: str) -> Q:
        return _open_in_year(start_field, end_field, start, end)

    return list(
        Episode.objects.filter(la=la)
        .filter(open_in_year("decom", "dec"))
        # An open episode a loaded later return omitted is that earlier return's alone:
        # its end of record says no return from then on holds it (ssda903_years).
        .exclude(end_of_record__isnull=False, collection_year__lt=year)
        .select_related("child")
        .order_by("child__child_id", "decom")
    )


def episode_row(e: Episode, *, year: int) -> list[str]:
    """An episode as the year's return has it: an end after 31 March is not known yet."""
    end = date(year, 3, 31)
    ended = e.dec is not None and e.dec <= end
    return [
        e.child.child_id, _d(e.decom), e.rne, e.ls, e.cin, e.place, e.place_provider,
        _d(e.dec, end), e.rec if ended else "", e.reason_place_change if ended else "",
        e.home_post, e.pl_post, e.urn, e.pl_la, e.pl_location, _text(e.pl_distance),
    ]  # fmt: skip


def ssda903_return_tables(*, la: LocalAuthority, year: int) -> dict[str, ReturnTable]:
    """Every table of the year's return as columns and rows of text, in the CSVs' order."""
    start, end = date(year - 1, 4, 1), date(year, 3, 31)
    tables: dict[str, ReturnTable] = {}
    children: set[int] = set()

    def open_in_year(start_field: str, end_field: str) -> Q:
        return _open_in_year(start_field, end_field, start, end)

    def table(name: str, spec, rows: Iterable[list[str]]) -> None:
        tables[name] = ReturnTable(columns=_columns(spec), rows=list(rows))

    episodes = episodes_in_return(la=la, year=year)
    children.update(e.child_id for e in episodes)
    table("Episodes", EPISODES, (episode_row(e, year=year) for e in episodes))

    reviews = list(
        Review.objects.filter(la=la, cancelled=False, review_date__gte=start, review_date__lte=end)
        .select_related("child")
        .order_by("child__child_id", "review_date")
    )
    children.update(r.child_id for r in reviews)
    table(
        "Reviews",
        REVIEWS,
        ([r.child.child_id, _d(r.child.dob), _d(r.review_date), r.review_code] for r in reviews),
    )

    def yearly(model, table_spec, row_fn, name: str) -> None:
        rows = list(
            model.objects.filter(la=la, year=year)
            .select_related("child")
            .order_by("child__child_id")
        )
        children.update(r.child_id for r in rows)
        table(name, table_spec, map(row_fn, rows))

    yearly(UASCRecord, UASC, lambda r: [r.child.child_id, _sex(r.child.sex, year),
                                        _d(r.child.dob), _d(r.duc)], "UASC")  # fmt: skip
    yearly(OC2Outcome, OC2, lambda r: [
        r.child.child_id, _d(r.child.dob), _text(r.sdq_score), r.sdq_reason,
        *(_flag(getattr(r, f)) for f in ("convicted", "health_check", "immunisations",
                                        "teeth_check", "health_assessment", "substance_misuse",
                                        "intervention_received", "intervention_offered")),
    ], "OC2")  # fmt: skip
    yearly(OC3Outcome, OC3, lambda r: [r.child.child_id, _d(r.child.dob), r.in_touch, r.activity,
                                       r.accommodation], "OC3")  # fmt: skip
    yearly(AdoptionRecord, AD1, lambda r: [
        r.child.child_id, _d(r.child.dob), _d(r.date_int), _d(r.date_match),
        _flag(r.foster_care), _text(r.nb_adoptr), r.sex_adoptr, r.ls_adoptr,
    ], "AD1")  # fmt: skip
    yearly(PreviousPermanence, PREV_PERM, lambda r: [r.child.child_id, _d(r.child.dob),
                                                     r.prev_perm, r.la_perm, r.date_perm],
           "PrevPerm")  # fmt: skip

    decisions = list(
        PlacementDecision.objects.filter(la=la)
        .filter(
            Q(date_placed__lte=end)
            & (Q(date_placed_ceased__isnull=True) | Q(date_placed_ceased__gte=start))
        )
        .select_related("child")
        .order_by("child__child_id", "date_placed")
    )
    children.update(p.child_id for p in decisions)
    table(
        "PlacedAdoption",
        PLACED_ADOPTION,
        (
            [p.child.child_id, _d(p.child.dob), _d(p.date_placed), _d(p.date_placed_ceased, end),
             p.reason_placed_ceased if p.date_placed_ceased and p.date_placed_ceased <= end else ""]
            for p in decisions
        ),
    )  # fmt: skip

    missing = list(
        MissingEpisode.objects.filter(la=la)
        .filter(open_in_year("start_date", "end_date"))
        .select_related("child")
        .order_by("child__child_id", "start_date")
    )
    children.update(m.child_id for m in missing)
    table(
        "Missing",
        MISSING,
        ([m.child.child_id, _d(m.child.dob), m.missing_type, _d(m.start_date),
          _d(m.end_date, end)] for m in missing),
    )  # fmt: skip

    social_workers = list(
        SocialWorkerEpisode.objects.filter(la=la)
        .filter(open_in_year("start_date", "end_date"))
        .select_related("child")
        .order_by("child__child_id", "start_date")
    )
    children.update(s.child_id for s in social_workers)
    table(
        "SWEpisodes",
        SW_EPISODES,
        ([s.child.child_id, _d(s.child.dob), s.sw_id, _d(s.start_date), _d(s.end_date, end),
          s.reason] for s in social_workers),
    )  # fmt: skip

    headers = {
        h.child_id: h
        for h in ChildHeader.objects.filter(child__la=la, year=year, child_id__in=children)
    }
    rows = []
    for child in Child.objects.filter(pk__in=children).order_by("child_id"):
        h = headers.get(child.pk)
        source = h or child
        ethnicity = source.ethnicity
        rows.append(
            [child.child_id, _sex(source.sex, year), _d(source.dob), ethnicity, source.upn,
             _flag(source.mother), _d(source.mc_dob)]
        )  # fmt: skip
    table("Header", HEADER, rows)
    # The CSVs' order (ssda903.md §2): Header first.
    return {"Header": tables.pop("Header"), **tables}


def _sex(sex: str, year: int) -> str:
    """M/F as 1/2 up to 2023/24, as the return then required."""
    if year <= LAST_NUMERIC_SEX_YEAR:
        return {"M": "1", "F": "2"}.get(sex, sex)
    return sex
