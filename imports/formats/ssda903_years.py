"""How SSDA903 returns of different years meet: each speaks for its own year only.

``docs/ssda903.md`` §5. Loading return Y replaces what the stored data say about dates in
Y — the episodes it holds, and the DEC/REC/REASON_PLACE_CHANGE of episodes carried in
from Y-1 — and never deletes or shortens what return Y-1 recorded for dates in Y-1:

- An episode open on 31 March Y-1 that return Y omits keeps return Y-1's version; the
  derive gives it an end of record (``children.care_history.end_of_record_dates``) once
  return Y is recorded as loaded (``ReturnYear``), and the batch warns (DfE 502).
- Return Y removes only its own rows (``collection_year`` Y) that a new upload of Y no
  longer holds; one it carried in from Y-1 goes back to Y-1's version (still open on
  31 March Y-1, with Y-1's codes, as rules 503A–J make them) instead of vanishing.
- The order of loading never matters: an episode's stored version is the latest return
  holding it (the upsert's guard), and the end of record is derived from that and the
  years loaded, whichever came first.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db.models import Q

from children.models import Episode, ReturnYear, Source
from children.selectors import return_years_loaded
from imports.formats.base import ValidationContext, WriteContext
from imports.readers import ROW

MSG_NOT_CARRIED = (
    "The episode from {DECOM} was open on 31/03/{prev_year} in the stored {prev_year} "
    "return but is not in this file (DfE 502): it is kept as that return has it, with an "
    "end of record on 01/04/{prev_year} (not a ceasing) or, where the child's next episode "
    "continues their care, until that episode starts."
)
MSG_NOT_IN_NEXT = (
    "The episode from {DECOM} is open on 31/03/{year} but the stored {next_year} return does "
    "not hold it (DfE 502): its record ends on 01/04/{year} (not a ceasing) or, where the "
    "child's next episode continues their care, when that episode starts."
)
NOT_CARRIED_RULE = "502"
EPISODE_INDICATORS = (
    "cla_count", "cla_started", "cla_ceased", "placements_3plus_12m", "placements_3plus_ytd",
    "long_term_stability", "placement_type_breakdown", "time_in_care_breakdown",
)  # fmt: skip


def year_bounds(year: int) -> tuple[date, date]:
    """1 April and 31 March of the collection year ending 31 March ``year``."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def episodes_window(year: int) -> Q:
    """The stored episodes a return of ``year`` replaces: its own, never another year's."""
    return Q(source=Source.SSDA903, collection_year=year)


def _stored_frame(rows: list[tuple], **schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def not_carried_warn(ctx: ValidationContext, warn) -> None:
    """Warn (502) about open episodes one year holds and the adjacent loaded year omits.

    Forward: stored episodes open on 31 March Y-1 (Y-1's own, or carried into a stored
    Y that this file replaces) that this file does not hold. Backward: this file's
    episodes open on 31 March Y that an already loaded return Y+1 does not hold.
    ``warn(frame, kind, message)`` logs one warning per row of ``frame``.
    """
    episodes = ctx.tables.get("Episodes")
    if episodes is None or ctx.year is None:
        return
    year = ctx.year
    start, end = year_bounds(year)
    loaded = return_years_loaded(la=ctx.la)
    held = episodes.select("CHILD", "DECOM")

    carried = Q(collection_year=year - 1, dec__isnull=True)
    if year - 1 in loaded:
        carried |= Q(collection_year=year, decom__lt=start)
    previous_open = list(
        Episode.objects.filter(la=ctx.la, source=Source.SSDA903, decom__lt=start)
        .filter(carried)
        .values_list("child__child_id", "decom")
    )
    if previous_open:
        stored = _stored_frame(previous_open, CHILD=pl.String, DECOM=pl.Date)
        lost = stored.join(held, on=["CHILD", "DECOM"], how="anti").sort("CHILD", "DECOM")
        warn(
            _dated(lost.with_columns(pl.lit(None, dtype=pl.Int64).alias(ROW))),
            "not_carried",
            MSG_NOT_CARRIED.replace("{prev_year}", str(year - 1)),
        )

    if year + 1 not in loaded:
        return
    open_at_end = episodes.filter(
        (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > end))
    )
    if not open_at_end.height:
        return
    next_held = list(
        Episode.objects.filter(
            la=ctx.la, source=Source.SSDA903, collection_year__gt=year, decom__lte=end
        ).values_list("child__child_id", "decom")
    )
    stored = _stored_frame(next_held, CHILD=pl.String, DECOM=pl.Date)
    omitted = open_at_end.join(stored, on=["CHILD", "DECOM"], how="anti").sort(ROW)
    message = MSG_NOT_IN_NEXT.replace("{year}", str(year)).replace("{next_year}", str(year + 1))
    warn(_dated(omitted), "not_in_next_return", message)


def _dated(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("DECOM").dt.strftime("%d/%m/%Y"))


def carried_episodes_revert(
    *, ctx: WriteContext, frame: pl.DataFrame
) -> tuple[set[int], date | None]:
    """Give back to return Y-1 the episodes a new upload of Y no longer carries.

    A stored episode whose latest holding return is Y but which started before Y (so
    return Y-1 held it open on 31 March Y-1) and which this upload of Y omits goes back to
    Y-1's version: the same codes (503A–J), DEC, REC and REASON_PLACE_CHANGE blank, held
    by Y-1. The derive then ends its record. Without a loaded Y-1 it is Y's alone and
    the window removes it. ``frame``: the file's episodes (``child_id`` pk, ``decom``).
    Returns the children touched and the earliest date changed.
    """
    year = ctx.year
    if year is None or year - 1 not in return_years_loaded(la=ctx.la):
        return set(), None
    start, _ = year_bounds(year)
    stored = list(
        Episode.objects.filter(
            la=ctx.la, source=Source.SSDA903, collection_year=year, decom__lt=start
        ).values_list("id", "child_id", "decom")
    )
    if not stored:
        return set(), None
    candidates = _stored_frame(stored, id=pl.Int64, child_id=pl.Int64, decom=pl.Date)
    dropped = candidates.join(
        frame.select("child_id", "decom"), on=["child_id", "decom"], how="anti"
    )
    if not dropped.height:
        return set(), None
    ids = dropped["id"].to_list()
    for at in range(0, len(ids), 10_000):
        Episode.objects.filter(pk__in=ids[at : at + 10_000]).update(
            collection_year=year - 1, dec=None, rec="", reason_place_change=""
        )
    return set(dropped["child_id"].to_list()), start


def return_year_record(*, ctx: WriteContext) -> bool:
    """Record that this year's Episodes table is loaded; True when it was not before."""
    _, created = ReturnYear.objects.update_or_create(la=ctx.la, year=ctx.year)
    return created


def children_open_at_previous_year_end(*, ctx: WriteContext) -> set[int]:
    """Children with an episode that return Y-1 left open: a first load of Y may end them."""
    return set(
        Episode.objects.filter(
            la=ctx.la, source=Source.SSDA903, collection_year=ctx.year - 1, dec__isnull=True
        )
        .values_list("child_id", flat=True)
        .distinct()
    )
