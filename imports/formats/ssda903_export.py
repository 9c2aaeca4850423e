"""Write an authority's records for one collection year as SSDA903 CSV files.

The files are what a council would return for that year (``ssda903.md`` §2, §5): every
episode open at any time in the year, with an end date after 31 March blanked (it was
still open when the return was made), reviews held in the year, that year's UASC, OC2,
OC3, AD1 and PrevPerm rows, decisions to place for adoption still current, missing
periods and social-worker episodes open in the year, and a Header row for each child
in any of them. Importing the files of every year back gives the same records
(the round-trip test), so the exporter doubles as a check on the importer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
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


def _write(path: Path, columns: Iterable[str], rows: Iterable[list[str]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _columns(spec, present: bool = True) -> list[str]:
    return [c.name for c in spec.columns if c.header_required or present]


def ssda903_export(*, la: LocalAuthority, year: int, directory: Path) -> dict[str, int]:
    """Write ``SSDA903_<year>_<Table>.csv`` files; returns rows written per table."""
    directory.mkdir(parents=True, exist_ok=True)
    start, end = date(year - 1, 4, 1), date(year, 3, 31)
    prefix = f"SSDA903_{year}_"
    written: dict[str, int] = {}
    children: set[int] = set()

    def open_in_year(start_field: str, end_field: str) -> Q:
        return Q(**{f"{start_field}__lte": end}) & (
            Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": start})
        )

    episodes = list(
        Episode.objects.filter(la=la)
        .filter(open_in_year("decom", "dec"))
        # An open episode a loaded later return omitted is that earlier return's alone:
        # its end of record says no return from then on holds it (ssda903_years).
        .exclude(end_of_record__isnull=False, collection_year__lt=year)
        .select_related("child")
        .order_by("child__child_id", "decom")
    )
    children.update(e.child_id for e in episodes)

    def episode_row(e: Episode) -> list[str]:
        ended = e.dec is not None and e.dec <= end
        return [
            e.child.child_id, _d(e.decom), e.rne, e.ls, e.cin, e.place, e.place_provider,
            _d(e.dec, end), e.rec if ended else "", e.reason_place_change if ended else "",
            e.home_post, e.pl_post, e.urn, e.pl_la, e.pl_location, _text(e.pl_distance),
        ]  # fmt: skip

    written["Episodes"] = _write(
        directory / f"{prefix}Episodes.csv", _columns(EPISODES), map(episode_row, episodes)
    )

    reviews = list(
        Review.objects.filter(la=la, cancelled=False, review_date__gte=start, review_date__lte=end)
        .select_related("child")
        .order_by("child__child_id", "review_date")
    )
    children.update(r.child_id for r in reviews)
    written["Reviews"] = _write(
        directory / f"{prefix}Reviews.csv",
        _columns(REVIEWS),
        ([r.child.child_id, _d(r.child.dob), _d(r.review_date), r.review_code] for r in reviews),
    )

    def yearly(model, table_spec, row_fn, name: str) -> None:
        rows = list(
            model.objects.filter(la=la, year=year)
            .select_related("child")
            .order_by("child__child_id")
        )
        children.update(r.child_id for r in rows)
        written[name] = _write(
            directory / f"{prefix}{name}.csv", _columns(table_spec), map(row_fn, rows)
        )

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
    written["PlacedAdoption"] = _write(
        directory / f"{prefix}PlacedAdoption.csv",
        _columns(PLACED_ADOPTION),
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
    written["Missing"] = _write(
        directory / f"{prefix}Missing.csv",
        _columns(MISSING),
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
    written["SWEpisodes"] = _write(
        directory / f"{prefix}SWEpisodes.csv",
        _columns(SW_EPISODES),
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
    written["Header"] = _write(directory / f"{prefix}Header.csv", _columns(HEADER), rows)
    return written


def _sex(sex: str, year: int) -> str:
    """M/F as 1/2 up to 2023/24, as the return then required."""
    if year <= LAST_NUMERIC_SEX_YEAR:
        return {"M": "1", "F": "2"}.get(sex, sex)
    return sex
