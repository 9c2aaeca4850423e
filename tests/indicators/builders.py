"""Tiny hand-made records for indicator tests: one line per row, dates explicit.

Every indicator test builds a few children with these helpers, recomputes one month and
reads the stored cells, so the whole path (load, timelines, compute, write) is exercised.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from children.models import Child, Episode, MissingEpisode, UASCRecord
from organisations.models import LocalAuthority, Population
from placements.models import AdoptionRecord
from reviews.models import Review
from scorecards.selectors import snapshot_cells
from scorecards.services import snapshots_recompute

#: A "today" long after every test month, so each month is a closed month.
LATER = date(2030, 1, 15)


def d(text: str) -> date:
    """``d("2024-03-31")``."""
    return date.fromisoformat(text)


def la_get(code: str = "873") -> LocalAuthority:
    la = LocalAuthority.objects.filter(code=code).first()
    if la is None:
        la = LocalAuthority.objects.create(code=code, ons_code=f"E99{code}", name=f"Test {code}")
    return la


def child_make(
    la: LocalAuthority,
    child_id: str,
    *,
    dob: str = "2012-06-14",
    sex: str = "M",
    ethnicity: str = "WBRI",
) -> Child:
    return Child.objects.create(la=la, child_id=child_id, dob=d(dob), sex=sex, ethnicity=ethnicity)


def episode_make(
    child: Child,
    decom: str,
    rne: str,
    ls: str = "C2",
    place: str = "U4",
    *,
    dec: str | None = None,
    rec: str = "",
    cin: str = "N1",
    **fields: Any,
) -> Episode:
    return Episode.objects.create(
        la=child.la,
        child=child,
        decom=d(decom),
        dec=d(dec) if dec else None,
        rne=rne,
        ls=ls,
        place=place,
        rec=rec,
        cin=cin,
        **fields,
    )


def review_make(child: Child, when: str, *, cancelled: bool = False) -> Review:
    return Review.objects.create(la=child.la, child=child, review_date=d(when), cancelled=cancelled)


def missing_make(child: Child, start: str, end: str | None = None, kind: str = "M") -> None:
    MissingEpisode.objects.create(
        la=child.la,
        child=child,
        missing_type=kind,
        start_date=d(start),
        end_date=d(end) if end else None,
    )


def uasc_make(child: Child, year: int, duc: str | None = None) -> None:
    UASCRecord.objects.create(la=child.la, child=child, year=year, duc=d(duc) if duc else None)


def adoption_make(
    child: Child,
    year: int,
    *,
    date_match: str | None = None,
    foster_care: bool | None = None,
    date_int: str | None = None,
) -> None:
    AdoptionRecord.objects.create(
        la=child.la,
        child=child,
        year=year,
        date_match=d(date_match) if date_match else None,
        date_int=d(date_int) if date_int else None,
        foster_care=foster_care,
    )


def population_make(la: LocalAuthority, year: int, population: int) -> None:
    Population.objects.create(la=la, year=year, population_0_17=population)


def figures(la: LocalAuthority, month: str, *, today: date = LATER) -> dict[str, dict[str, Any]]:
    """Recompute one month ("2024-03") and return its cells ``{indicator: {period: data}}``."""
    first = d(f"{month}-01")
    (snapshot,) = snapshots_recompute(la=la, months=[first], today=today)
    return snapshot_cells(snapshot=snapshot)
