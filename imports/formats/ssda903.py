"""The SSDA903 children-looked-after return (``ssda903.md``): tables, checks and writer.

The tables, and which of their problems are errors and which warnings (§6), are in
``ssda903_tables``. Errors reject the whole file set; warnings are written with the batch
and applied as §6 says (a later-starting overlapping episode supersedes the earlier, a
reason ceased without an end date is ignored, the Header wins disagreements, a value that
cannot be read is stored as unknown).

A 903 file set is a full return for one collection year (the year ending 31 March YYYY):
for each table it holds it replaces that year's rows — episodes open at any time in the
year, reviews and missing periods that start in it, that year's Header/UASC/OC2/OC3/AD1/
PrevPerm/PlacedAdoption rows, social-worker episodes and DoL orders open in it. Several
years merge into one history on the natural keys of §5; a row already written by a later
collection year is never overwritten by an earlier one, in whatever order they arrive.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal, InvalidOperation

import polars as pl
from django.conf import settings
from django.db import models
from django.db.models import Q

from children.models import (
    Child,
    ChildHeader,
    DeprivationOfLiberty,
    Episode,
    MissingEpisode,
    OC2Outcome,
    OC3Outcome,
    PreviousPermanence,
    Source,
    UASCRecord,
)
from imports.bulk import rows_insert
from imports.formats import ssda903_codes as codes
from imports.formats import ssda903_years as years
from imports.formats.base import (
    DATE,
    FormatSpec,
    ValidationContext,
    WriteContext,
    WriteResult,
)
from imports.formats.ssda903_tables import (
    _AD1_COLUMNS,
    _OC2_FLAGS,
    ADOPTION_INDICATORS,
    AGE_INDICATORS,
    CARE_LEAVER_INDICATORS,
    EPISODE_INDICATORS,
    HEADER_INDICATORS,
    LOCATION_INDICATORS,
    MISSING_INDICATORS,
    REVIEW_INDICATORS,
    TABLES,
)
from imports.formats.ssda903_tables import AD1 as AD1
from imports.formats.ssda903_tables import DOLO as DOLO
from imports.formats.ssda903_tables import EPISODES as EPISODES
from imports.formats.ssda903_tables import HEADER as HEADER
from imports.formats.ssda903_tables import MISSING as MISSING
from imports.formats.ssda903_tables import OC2 as OC2
from imports.formats.ssda903_tables import OC3 as OC3
from imports.formats.ssda903_tables import PLACED_ADOPTION as PLACED_ADOPTION
from imports.formats.ssda903_tables import PREV_PERM as PREV_PERM
from imports.formats.ssda903_tables import REVIEWS as REVIEWS
from imports.formats.ssda903_tables import SW_EPISODES as SW_EPISODES
from imports.formats.ssda903_tables import UASC as UASC
from imports.formats.ssda903_xml import ssda903_xml_read
from imports.issues import ERROR, WARNING, IssueLog
from imports.readers import ROW
from imports.upsert import UpsertOutcome, UpsertSpec, frame_prepare, table_upsert
from organisations.models import SocialWorkerEpisode
from placements.models import AdoptionRecord, PlacementDecision
from reviews.models import Review

FORMAT_NAME = "ssda903"

# ---------------------------------------------------------------------------------------
# Messages (constants, so tests can import them)

MSG_DEC_BEFORE_DECOM = "The episode ends (DEC {DEC}) before it starts (DECOM {DECOM})."
MSG_END_BEFORE_START = "{end} {value} is before {start} {start_value}: it ends before it starts."
MSG_OVERLAP = (
    "Episode starting {DECOM} begins before the previous episode (from {prev_decom}) ended "
    "on {prev_dec}: from {DECOM} this later episode is used."
)
MSG_TWO_OPEN = (
    "A new episode starts {DECOM} while the previous one (from {prev_decom}) has no end "
    "date: from {DECOM} the later episode is used."
)
MSG_REC_WITHOUT_DEC = "REC {value} is given without an end date (DEC): the reason is ignored."
MSG_DEC_WITHOUT_REC = "DEC {value} is given without a reason the episode ceased (REC)."
MSG_SAME_DAY = "The episode starts and ends on the same day ({value})."
MSG_AFTER_YEAR = "{column} {value} is after the end of the {year} collection year (31/03/{year})."
MSG_FUTURE = "{column} {value} is in the future."
MSG_OVER_18 = "The young person is {age} at 31/03/{year} and still looked after."
MSG_STARTED_18 = "Started to be looked after (RNE S) on {DECOM} aged {age}."
MSG_BEFORE_BIRTH = "The first episode ({DECOM}) starts before the date of birth ({dob})."
MSG_DOB_AFTER_YEAR = "Date of birth {value} is after the end of the collection year."
MSG_OVER_25 = "The child was over 25 at the start of the collection year (born {value})."
MSG_UPN = "UPN {value} is not a valid unique pupil number (nor UN1–UN5)."
MSG_MOTHER_NO_DOB = "MOTHER is 1 but the date of birth of her first child (MC_DOB) is blank."
MSG_MC_DOB_NOT_MOTHER = "MC_DOB {value} is given but MOTHER is not 1."
MSG_NOT_IN_HEADER = "Child {value} is not in the Header table."
MSG_DOB_DIFFERS = "DOB {value} differs from the Header's {header_dob}: the Header's is used."
MSG_SEX_DIFFERS = "SEX {value} differs from the Header's {header_sex}: the Header's is used."
MSG_HEADER_CHANGED = (
    "{column} changed from {old} in the {old_year} return to {value}: the later year's is kept."
)
MSG_REVIEW_OUTSIDE = "Review on {value} is outside any period of care of this child."
MSG_MISSING_OUTSIDE = "Missing period from {value} starts outside any period of care."
MSG_BOTH_OR_NEITHER = "{columns} must be filled together or all left blank."
MSG_SDQ_RANGE = "SDQ_SCORE {value} is outside 0–40. It is stored as unknown."
MSG_SDQ_BOTH = "Both an SDQ score and a reason for no score are given."
MSG_SW_ID = "SW_ID {value} should start with SW or XX."
MSG_SW_REASON = "SW_REASON is blank on a social worker episode starting on or after 01/04/2023."
MSG_PROVIDER_NOT_NEEDED = "PLACE_PROVIDER {value} is not used with placement {PLACE}."
MSG_PROVIDER_MISSING = "PLACE_PROVIDER is blank for placement {PLACE}."
MSG_PROVIDER_CLASH = "PLACE_PROVIDER {value} cannot go with placement {PLACE}."
MSG_SAME_POSTCODES = "HOME_POST and PL_POST are the same ({value}) but PLACE is {PLACE}, not P1."
MSG_DISTANCE = (
    "PL_DISTANCE {value} is not a distance between 0.0 and 999.9. It is stored as unknown."
)
MSG_NOT_CARRIED = years.MSG_NOT_CARRIED
MSG_NOT_IN_NEXT = years.MSG_NOT_IN_NEXT


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year - 1, 4, 1), date(year, 3, 31)


def _age(dob: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years from ``dob`` to ``on`` (a birthday counts on the day)."""

    def month_day(d: pl.Expr) -> pl.Expr:  # dt.month() is Int8: widen before * 100
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    before_birthday = month_day(on) < month_day(dob)
    return (
        on.dt.year().cast(pl.Int32) - dob.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)
    )


def _warn(ctx, table, frame, kind, message, *, column="", value=None, rule="", indicators=()):
    return ctx.log.add_rows(
        WARNING, kind, frame, message, file_name=ctx.files.get(table, ""), table=table,
        column=column, value_column=value if value is not None else column, rule_code=rule,
        indicators=indicators,
    )  # fmt: skip


def _error(ctx, table, frame, kind, message, *, column="", value=None, rule=""):
    return ctx.log.add_rows(
        ERROR, kind, frame, message, file_name=ctx.files.get(table, ""), table=table,
        column=column, value_column=value if value is not None else column, rule_code=rule,
    )  # fmt: skip


def _fmt_dates(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    """dd/mm/YYYY text copies of date columns, for messages."""
    return frame.with_columns(
        *(pl.col(n).dt.strftime("%d/%m/%Y").fill_null("blank").alias(n) for n in names)
    )


# ---------------------------------------------------------------------------------------
# Cross-row validators


def _header_frame(ctx: ValidationContext) -> pl.DataFrame:
    """CHILD → header DOB and SEX: from this file set's Header, else the stored children."""
    header = ctx.tables.get("Header")
    if header is not None:
        return header.select("CHILD", pl.col("DOB").alias("H_DOB"), pl.col("SEX").alias("H_SEX"))
    rows = list(
        Child.objects.filter(la=ctx.la, dob__isnull=False).values_list("child_id", "dob", "sex")
    )
    return pl.DataFrame(
        rows, schema={"CHILD": pl.String, "H_DOB": pl.Date, "H_SEX": pl.String}, orient="row"
    )


def validate_episodes(ctx: ValidationContext) -> None:
    episodes = ctx.tables.get("Episodes")
    if episodes is None:
        return
    t = "Episodes"
    bad = episodes.filter(pl.col("DEC") < pl.col("DECOM"))
    _error(ctx, t, _fmt_dates(bad, "DEC", "DECOM"), "dec_before_decom", MSG_DEC_BEFORE_DECOM,
           column="DEC", rule="356")  # fmt: skip

    rec_only = episodes.filter(pl.col("REC").is_not_null() & pl.col("DEC").is_null())
    _warn(ctx, t, rec_only, "rec_without_dec", MSG_REC_WITHOUT_DEC, column="REC", rule="148",
          indicators=EPISODE_INDICATORS)  # fmt: skip
    if rec_only.height:  # §6: a REC without DEC is ignored.
        ctx.tables[t] = episodes = episodes.with_columns(
            pl.when(pl.col("DEC").is_null()).then(None).otherwise(pl.col("REC")).alias("REC")
        )
    dec_only = episodes.filter(pl.col("DEC").is_not_null() & pl.col("REC").is_null())
    _warn(ctx, t, _fmt_dates(dec_only, "DEC"), "dec_without_rec", MSG_DEC_WITHOUT_REC,
          column="DEC", rule="148", indicators=EPISODE_INDICATORS)  # fmt: skip
    same_day = episodes.filter(pl.col("DEC") == pl.col("DECOM"))
    _warn(ctx, t, _fmt_dates(same_day, "DEC"), "same_day", MSG_SAME_DAY, column="DEC",
          rule="355", indicators=EPISODE_INDICATORS)  # fmt: skip

    ordered = episodes.sort("CHILD", "DECOM").with_columns(
        pl.col("DECOM").shift(1).over("CHILD").alias("prev_decom"),
        pl.col("DEC").shift(1).over("CHILD").alias("prev_dec"),
        pl.col("DECOM").rank("ordinal").over("CHILD").alias("position"),
    )
    has_prev = pl.col("position") > 1
    overlap = ordered.filter(
        has_prev & pl.col("prev_dec").is_not_null() & (pl.col("DECOM") < pl.col("prev_dec"))
    )
    _warn(ctx, t, _fmt_dates(overlap, "DECOM", "prev_decom", "prev_dec"), "overlap",
          MSG_OVERLAP, column="DECOM", rule="501", indicators=EPISODE_INDICATORS)  # fmt: skip
    two_open = ordered.filter(has_prev & pl.col("prev_dec").is_null())
    _warn(ctx, t, _fmt_dates(two_open, "DECOM", "prev_decom"), "two_open", MSG_TWO_OPEN,
          column="DECOM", rule="142", indicators=EPISODE_INDICATORS)  # fmt: skip

    # Placement provider against placement type (213, 526–531, 550).
    place, provider = pl.col("PLACE"), pl.col("PLACE_PROVIDER")
    no_provider = place.is_in(sorted(codes.NO_PROVIDER_PLACES))
    _warn(ctx, t, episodes.filter(no_provider & provider.is_not_null()), "provider",
          MSG_PROVIDER_NOT_NEEDED, column="PLACE_PROVIDER", rule="213",
          indicators=LOCATION_INDICATORS)  # fmt: skip
    _warn(ctx, t, episodes.filter(~no_provider & provider.is_null()), "provider",
          MSG_PROVIDER_MISSING, column="PLACE_PROVIDER", rule="526",
          indicators=LOCATION_INDICATORS)  # fmt: skip
    clashes = (
        ("527", provider == "PR1", place.is_in(["P1", "R2", "R5"])),
        ("528", provider == "PR2", place.is_in(["P1", "R2", "R5"])),
        ("529", provider == "PR3", place.is_in(["P1", "A3", "A4", "A5", "A6", "K1", "K2",
                                                "U1", "U2", "U3", "U4", "U5", "U6"])),
        ("530", provider == "PR4", place == "P1"),
        ("531", provider == "PR5", place == "P1"),
        ("550", provider == "PR0", place != "P1"),
    )  # fmt: skip
    for rule, left, right in clashes:
        _warn(ctx, t, episodes.filter(left & right), "provider", MSG_PROVIDER_CLASH,
              column="PLACE_PROVIDER", rule=rule, indicators=LOCATION_INDICATORS)  # fmt: skip
    same_post = episodes.filter(
        (pl.col("HOME_POST") == pl.col("PL_POST")) & (pl.col("PLACE") != "P1")
    )
    _warn(ctx, t, same_post, "postcodes", MSG_SAME_POSTCODES, column="PL_POST", rule="392d",
          indicators=LOCATION_INDICATORS)  # fmt: skip
    distance = pl.col("PL_DISTANCE")
    numeric = distance.cast(pl.Float64, strict=False)
    bad = distance.is_not_null() & (numeric.is_null() | (numeric < 0) | (numeric > 999.9))
    _warn(ctx, t, episodes.filter(bad), "invalid_distance", MSG_DISTANCE, column="PL_DISTANCE",
          rule="164", indicators=LOCATION_INDICATORS)  # fmt: skip
    ctx.tables[t] = episodes = episodes.with_columns(
        pl.when(bad).then(None).otherwise(distance).alias("PL_DISTANCE")
    )

    # Ages need the Header's date of birth.
    if ctx.year is None:
        return
    start, end = _year_bounds(ctx.year)
    with_dob = episodes.join(_header_frame(ctx), on="CHILD", how="inner")
    open_at_end = with_dob.filter(
        (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > end))
    ).with_columns(_age(pl.col("H_DOB"), pl.lit(end)).alias("age"))
    over_18 = open_at_end.filter(pl.col("age") >= 18).unique("CHILD", keep="first").sort(ROW)
    _warn(ctx, t, over_18, "over_18", MSG_OVER_18.replace("{year}", str(ctx.year)),
          column="CHILD", indicators=AGE_INDICATORS)  # fmt: skip
    started_adult = (
        with_dob.filter(pl.col("RNE") == "S")
        .with_columns(_age(pl.col("H_DOB"), pl.col("DECOM")).alias("age"))
        .filter(pl.col("age") >= 18)
    )
    _warn(ctx, t, _fmt_dates(started_adult, "DECOM"), "started_18", MSG_STARTED_18,
          column="DECOM", rule="352", indicators=AGE_INDICATORS)  # fmt: skip
    first = with_dob.sort("DECOM").group_by("CHILD", maintain_order=True).first()
    before_birth = first.filter(pl.col("DECOM") < pl.col("H_DOB")).with_columns(
        pl.col("H_DOB").dt.strftime("%d/%m/%Y").alias("dob")
    )
    _warn(ctx, t, _fmt_dates(before_birth, "DECOM"), "before_birth", MSG_BEFORE_BIRTH,
          column="DECOM", rule="302", indicators=AGE_INDICATORS)  # fmt: skip

    # Open on 31 March of one year, omitted by the adjacent loaded year (ssda903_years).
    def warn(frame: pl.DataFrame, kind: str, message: str) -> None:
        _warn(ctx, t, frame, kind, message, column="DECOM", value="DECOM",
              rule=years.NOT_CARRIED_RULE, indicators=EPISODE_INDICATORS)  # fmt: skip

    years.not_carried_warn(ctx, warn)


def validate_header(ctx: ValidationContext) -> None:
    header = ctx.tables.get("Header")
    if header is None:
        return
    t = "Header"
    upn = header.filter(pl.col("UPN").is_not_null() & ~pl.col("UPN").str.contains(codes.UPN_RE))
    _warn(ctx, t, upn, "upn", MSG_UPN, column="UPN", rule="168")
    no_dob = header.filter((pl.col("MOTHER") == True) & pl.col("MC_DOB").is_null())  # noqa: E712
    _warn(ctx, t, no_dob, "mother", MSG_MOTHER_NO_DOB, column="MC_DOB", rule="611")
    not_mother = header.filter(pl.col("MC_DOB").is_not_null() & (pl.col("MOTHER") != True))  # noqa: E712
    _warn(ctx, t, _fmt_dates(not_mother, "MC_DOB"), "mother", MSG_MC_DOB_NOT_MOTHER,
          column="MC_DOB", rule="612")  # fmt: skip
    if ctx.year is None:
        return
    start, end = _year_bounds(ctx.year)
    late = header.filter(pl.col("DOB") > end)
    _warn(ctx, t, _fmt_dates(late, "DOB"), "dob_after_year", MSG_DOB_AFTER_YEAR, column="DOB",
          rule="301", indicators=HEADER_INDICATORS)  # fmt: skip
    old = header.filter(_age(pl.col("DOB"), pl.lit(start)) > 25)
    _warn(ctx, t, _fmt_dates(old, "DOB"), "over_25", MSG_OVER_25, column="DOB", rule="351",
          indicators=AGE_INDICATORS)  # fmt: skip

    # Changes from the previous (else next) year's Header (202–208): the later year is kept.
    stored = list(
        ChildHeader.objects.filter(
            child__la=ctx.la, year__in=[ctx.year - 1, ctx.year + 1]
        ).values_list("child__child_id", "year", "sex", "dob", "ethnicity", "upn", "mother")
    )
    if not stored:
        return
    previous = (
        pl.DataFrame(
            stored,
            schema={
                "CHILD": pl.String,
                "old_year": pl.Int64,
                "old_SEX": pl.String,
                "old_DOB": pl.Date,
                "old_ETHNIC": pl.String,
                "old_UPN": pl.String,
                "old_MOTHER": pl.Boolean,
            },
            orient="row",
        )  # fmt: skip
        .with_columns((pl.col("old_year") - ctx.year).abs().alias("distance"))
        .sort("distance", "old_year")
        .group_by("CHILD", maintain_order=True)
        .first()
    )
    joined = header.join(previous, on="CHILD", how="inner")
    for column, rule in (("SEX", "202"), ("DOB", "203"), ("ETHNIC", "204"), ("UPN", "208")):
        old = pl.col(f"old_{column}")
        new = pl.col(column)
        if column != "DOB":  # a value stored as unknown was not known: nothing changed
            old = old.replace("", None)
        changed = joined.filter(old.is_not_null() & new.is_not_null() & (old != new))
        if column == "DOB":
            changed = _fmt_dates(changed, "DOB", "old_DOB")
        changed = changed.with_columns(pl.col(f"old_{column}").cast(pl.String).alias("old"))
        _warn(ctx, t, changed, "header_changed", MSG_HEADER_CHANGED.replace("{column}", column),
              column=column, rule=rule, indicators=HEADER_INDICATORS)  # fmt: skip
    mother = joined.filter((pl.col("old_MOTHER") == True) & (pl.col("MOTHER") != True))  # noqa: E712
    mother = mother.with_columns(
        pl.lit("1").alias("old"), pl.col("MOTHER").cast(pl.Int8).cast(pl.String).alias("MOTHER")
    )
    _warn(ctx, t, mother, "header_changed", MSG_HEADER_CHANGED.replace("{column}", "MOTHER"),
          column="MOTHER", rule="207", indicators=HEADER_INDICATORS)  # fmt: skip


# INT01–09 (child not in Header) and INT11–18 (DOB differs) by table.
_NOT_IN_HEADER_RULE = {
    "AD1": "INT01", "PlacedAdoption": "INT02", "Episodes": "INT03", "Missing": "INT04",
    "OC2": "INT05", "OC3": "INT06", "PrevPerm": "INT07", "Reviews": "INT08", "UASC": "INT09",
    "SWEpisodes": "", "DoLo": "",
}  # fmt: skip
_DOB_RULE = {
    "AD1": "INT11", "PlacedAdoption": "INT12", "Missing": "INT13", "OC2": "INT14",
    "OC3": "INT15", "PrevPerm": "INT16", "Reviews": "INT17", "UASC": "INT18",
    "SWEpisodes": "", "DoLo": "",
}  # fmt: skip


def validate_cross_table(ctx: ValidationContext) -> None:
    header = ctx.tables.get("Header")
    if header is None:
        return
    h = header.select("CHILD", pl.col("DOB").alias("header_dob"), pl.col("SEX").alias("header_sex"))
    for table, frame in ctx.tables.items():
        if table == "Header":
            continue
        orphans = frame.join(h, on="CHILD", how="anti").unique("CHILD", keep="first").sort(ROW)
        _warn(ctx, table, orphans, "not_in_header", MSG_NOT_IN_HEADER, column="CHILD",
              rule=_NOT_IN_HEADER_RULE.get(table, ""))  # fmt: skip
        if "DOB" in frame.columns:
            differs = frame.join(h, on="CHILD", how="inner").filter(
                pl.col("DOB").is_not_null() & (pl.col("DOB") != pl.col("header_dob"))
            )
            _warn(ctx, table, _fmt_dates(differs, "DOB", "header_dob"), "dob_differs",
                  MSG_DOB_DIFFERS, column="DOB", rule=_DOB_RULE.get(table, ""),
                  indicators=AGE_INDICATORS)  # fmt: skip
    uasc = ctx.tables.get("UASC")
    if uasc is not None:
        differs = uasc.join(h, on="CHILD", how="inner").filter(
            pl.col("SEX") != pl.col("header_sex")
        )
        _warn(ctx, "UASC", differs, "sex_differs", MSG_SEX_DIFFERS, column="SEX", rule="INT21")


def _periods_frame(ctx: ValidationContext) -> pl.DataFrame:
    """CHILD, start, end of every episode: this file set's, else the stored ones."""
    episodes = ctx.tables.get("Episodes")
    if episodes is not None:
        return episodes.select("CHILD", pl.col("DECOM").alias("s"), pl.col("DEC").alias("e"))
    rows = list(Episode.objects.filter(la=ctx.la).values_list("child__child_id", "decom", "dec"))
    return pl.DataFrame(rows, schema={"CHILD": pl.String, "s": pl.Date, "e": pl.Date}, orient="row")


def _outside_care(events: pl.DataFrame, column: str, periods: pl.DataFrame) -> pl.DataFrame:
    dated = events.filter(pl.col(column).is_not_null()).select(ROW, "CHILD", column)
    inside = (
        dated.join(periods, on="CHILD", how="inner")
        .filter(
            (pl.col("s") <= pl.col(column))
            & (pl.col("e").is_null() | (pl.col("e") >= pl.col(column)))
        )
        .select(ROW)
        .unique()
    )  # fmt: skip
    return dated.join(inside, on=ROW, how="anti").sort(ROW)


def validate_events(ctx: ValidationContext) -> None:
    """Reviews and missing periods: pairs filled together, and dated inside care."""
    reviews = ctx.tables.get("Reviews")
    missing = ctx.tables.get("Missing")
    periods = _periods_frame(ctx) if reviews is not None or missing is not None else None
    if reviews is not None:
        filled = _filled(ctx, "Reviews", reviews, ("REVIEW", "REVIEW_CODE"))
        half = filled.filter(pl.col("given:REVIEW") != pl.col("given:REVIEW_CODE"))
        _warn(ctx, "Reviews", half, "both_or_neither",
              MSG_BOTH_OR_NEITHER.replace("{columns}", "REVIEW and REVIEW_CODE"),
              column="REVIEW", rule="166", indicators=REVIEW_INDICATORS)  # fmt: skip
        outside = _fmt_dates(_outside_care(reviews, "REVIEW", periods), "REVIEW")
        _warn(ctx, "Reviews", outside, "review_outside_care", MSG_REVIEW_OUTSIDE,
              column="REVIEW", indicators=REVIEW_INDICATORS)  # fmt: skip
    if missing is not None:
        backwards = missing.filter(pl.col("MIS_END") < pl.col("MIS_START"))
        _error(ctx, "Missing", _fmt_dates(backwards, "MIS_END", "MIS_START"), "end_before_start",
               MSG_END_BEFORE_START.format(end="MIS_END", value="{MIS_END}", start="MIS_START",
                                           start_value="{MIS_START}"),
               column="MIS_END", rule="567")  # fmt: skip
        outside = _fmt_dates(_outside_care(missing, "MIS_START", periods), "MIS_START")
        _warn(ctx, "Missing", outside, "missing_outside_care", MSG_MISSING_OUTSIDE,
              column="MIS_START", rule="581", indicators=MISSING_INDICATORS)  # fmt: skip


def validate_other_tables(ctx: ValidationContext) -> None:
    oc2 = ctx.tables.get("OC2")
    if oc2 is not None:
        outside = (pl.col("SDQ_SCORE") < 0) | (pl.col("SDQ_SCORE") > 40)
        _warn(ctx, "OC2", oc2.filter(outside), "sdq_range", MSG_SDQ_RANGE, column="SDQ_SCORE",
              rule="180")  # fmt: skip
        ctx.tables["OC2"] = oc2 = oc2.with_columns(
            pl.when(outside).then(None).otherwise(pl.col("SDQ_SCORE")).alias("SDQ_SCORE")
        )
        both = oc2.filter(pl.col("SDQ_SCORE").is_not_null() & pl.col("SDQ_REASON").is_not_null())
        _warn(ctx, "OC2", both, "sdq_both", MSG_SDQ_BOTH, column="SDQ_REASON", rule="197a")
    _all_or_none(ctx, "OC3", ("IN_TOUCH", "ACTIV", "ACCOM"), "153", CARE_LEAVER_INDICATORS)
    _all_or_none(ctx, "AD1", _AD1_COLUMNS, "151", ADOPTION_INDICATORS)
    _all_or_none(ctx, "PlacedAdoption", ("DATE_PLACED_CEASED", "REASON_PLACED_CEASED"), "119",
                 ADOPTION_INDICATORS)  # fmt: skip
    placed = ctx.tables.get("PlacedAdoption")
    if placed is not None:
        backwards = placed.filter(pl.col("DATE_PLACED_CEASED") < pl.col("DATE_PLACED"))
        _warn(ctx, "PlacedAdoption", _fmt_dates(backwards, "DATE_PLACED_CEASED", "DATE_PLACED"),
              "end_before_start",
              MSG_END_BEFORE_START.format(end="DATE_PLACED_CEASED", value="{DATE_PLACED_CEASED}",
                                          start="DATE_PLACED", start_value="{DATE_PLACED}"),
              column="DATE_PLACED_CEASED", rule="522", indicators=ADOPTION_INDICATORS)  # fmt: skip
    sw = ctx.tables.get("SWEpisodes")
    if sw is not None:
        prefix = sw.filter(~pl.col("SW_ID").str.to_uppercase().str.starts_with("SW")
                           & ~pl.col("SW_ID").str.to_uppercase().str.starts_with("XX"))  # fmt: skip
        _warn(ctx, "SWEpisodes", prefix, "sw_id", MSG_SW_ID, column="SW_ID", rule="SW02STG1")
        no_reason = sw.filter(
            (pl.col("SW_DECOM") >= date(2023, 4, 1)) & pl.col("SW_REASON").is_null()
        )
        _warn(ctx, "SWEpisodes", no_reason, "sw_reason", MSG_SW_REASON, column="SW_REASON",
              rule="SW15STG2")  # fmt: skip
        backwards = sw.filter(pl.col("SW_DEC") < pl.col("SW_DECOM"))
        _error(ctx, "SWEpisodes", _fmt_dates(backwards, "SW_DEC", "SW_DECOM"), "end_before_start",
               MSG_END_BEFORE_START.format(end="SW_DEC", value="{SW_DEC}", start="SW_DECOM",
                                           start_value="{SW_DECOM}"), column="SW_DEC")  # fmt: skip
    dolo = ctx.tables.get("DoLo")
    if dolo is not None:
        backwards = dolo.filter(pl.col("DOLO_END") < pl.col("DOLO_START"))
        _error(ctx, "DoLo", _fmt_dates(backwards, "DOLO_END", "DOLO_START"), "end_before_start",
               MSG_END_BEFORE_START.format(end="DOLO_END", value="{DOLO_END}",
                                           start="DOLO_START", start_value="{DOLO_START}"),
               column="DOLO_END")  # fmt: skip


def _filled(ctx, table: str, frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
    """``frame`` plus ``given:<column>``, True where the file gave a value — a value stored as
    unknown was given, so "filled together" checks do not warn about it a second time."""
    unknown = ctx.unknown.get(table)
    flagged = [c for c in columns if unknown is not None and c in unknown.columns]
    if flagged:
        flags = unknown.select(ROW, *(pl.col(c).alias(f"unknown:{c}") for c in flagged))
        frame = frame.join(flags, on=ROW, how="left")
    given = []
    for c in columns:
        expr = pl.col(c).is_not_null()
        if c in flagged:
            expr = expr | pl.col(f"unknown:{c}").fill_null(False)
        given.append(expr.alias(f"given:{c}"))
    return frame.with_columns(given)


def _all_or_none(ctx, table: str, columns: tuple[str, ...], rule: str, indicators) -> None:
    frame = ctx.tables.get(table)
    if frame is None:
        return
    given = pl.sum_horizontal([pl.col(f"given:{c}").cast(pl.Int32) for c in columns])
    partial = _filled(ctx, table, frame, columns).filter((given > 0) & (given < len(columns)))
    _warn(ctx, table, partial, "both_or_neither",
          MSG_BOTH_OR_NEITHER.replace("{columns}", ", ".join(columns)), column=columns[0],
          rule=rule, indicators=indicators)  # fmt: skip


# Dates after the collection year (354, 385, 570, 571…) or in the future.
_AFTER_YEAR_RULE = {
    ("Episodes", "DECOM"): "354", ("Episodes", "DEC"): "385", ("Missing", "MIS_START"): "570",
    ("Missing", "MIS_END"): "571", ("PlacedAdoption", "DATE_PLACED"): "117",
    ("SWEpisodes", "SW_DECOM"): "SW06STG2", ("SWEpisodes", "SW_DEC"): "SW07STG2",
}  # fmt: skip
_DATE_INDICATORS = {
    "Episodes": EPISODE_INDICATORS, "Reviews": REVIEW_INDICATORS, "Missing": MISSING_INDICATORS,
    "AD1": ADOPTION_INDICATORS, "PlacedAdoption": ADOPTION_INDICATORS,
}  # fmt: skip


def validate_dates(ctx: ValidationContext) -> None:
    year_end = _year_bounds(ctx.year)[1] if ctx.year else None
    for spec in TABLES:
        frame = ctx.tables.get(spec.name)
        if frame is None:
            continue
        for column in spec.columns:
            if column.kind != DATE or column.name in ("DOB", "MC_DOB"):
                continue
            indicators = _DATE_INDICATORS.get(spec.name, ())
            if year_end is not None and year_end < ctx.today:
                late = frame.filter(pl.col(column.name) > year_end)
                message = MSG_AFTER_YEAR.replace("{year}", str(ctx.year)).replace(
                    "{column}", column.name
                )
                rule = _AFTER_YEAR_RULE.get((spec.name, column.name), "")
                kind = "after_year"
            else:
                late = frame.filter(pl.col(column.name) > ctx.today)
                message = MSG_FUTURE.replace("{column}", column.name)
                rule, kind = "", "future_date"
            late = late.with_columns(pl.col(column.name).dt.strftime("%d/%m/%Y"))
            _warn(ctx, spec.name, late, kind, message.replace("{value}", "{value}"),
                  column=column.name, rule=rule, indicators=indicators)  # fmt: skip


VALIDATORS = (
    validate_header,
    validate_episodes,
    validate_cross_table,
    validate_events,
    validate_other_tables,
    validate_dates,
)

# ---------------------------------------------------------------------------------------
# Writer


def _distance(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value).quantize(Decimal("0.1"))
    except InvalidOperation:
        return None


def _children_write(ctx: WriteContext) -> dict[str, int]:
    """Ensure every CHILD exists; Header rows update the child (later year wins)."""
    la = ctx.la
    ids: dict[str, date | None] = {}
    for name, frame in ctx.tables.items():
        if name == "Header":
            continue
        cols = ["CHILD", "DOB"] if "DOB" in frame.columns else ["CHILD"]
        for row in frame.select(cols).unique("CHILD").iter_rows():
            if row[0] not in ids or ids[row[0]] is None:
                ids[row[0]] = row[1] if len(row) > 1 else None
    header = ctx.tables.get("Header")
    if header is not None:
        frame = header.select(
            pl.col("CHILD").alias("child_id"),
            pl.col("SEX").alias("sex"),
            pl.col("DOB").alias("dob"),
            pl.col("ETHNIC").alias("ethnicity"),
            pl.col("UPN").alias("upn"),
            pl.col("MOTHER").alias("mother"),
            pl.col("MC_DOB").alias("mc_dob"),
        )
        table_upsert(
            spec=UpsertSpec(
                model=Child,
                key=("la_id", "child_id"),
                fields=("sex", "dob", "ethnicity", "upn", "mother", "mc_dob"),
                scope=Q(la=la),
                constants={"la_id": la.pk, "header_year": ctx.year},
                guard="header_year",
                change_date=None,
            ),
            frame=frame.with_columns(pl.lit(la.pk).alias("la_id")),
        )
        for child_id in header["CHILD"].to_list():
            ids.pop(child_id, None)
    if ids:
        bare = pl.DataFrame(
            {"la_id": [la.pk] * len(ids), "child_id": list(ids), "dob": list(ids.values())},
            schema={"la_id": pl.Int64, "child_id": pl.String, "dob": pl.Date},
        )
        table_upsert(
            spec=UpsertSpec(
                model=Child, key=("la_id", "child_id"), fields=("dob",), scope=Q(la=la),
                update=False, change_date=None,
            ),
            frame=bare,
        )  # fmt: skip
    return dict(Child.objects.filter(la=la).values_list("child_id", "id"))


def _with_child_pk(frame: pl.DataFrame, pks: dict[str, int]) -> pl.DataFrame:
    mapping = pl.DataFrame(
        {"CHILD": list(pks), "child_id": list(pks.values())},
        schema={"CHILD": pl.String, "child_id": pl.Int64},
    )
    return frame.join(mapping, on="CHILD", how="inner")


def _open_in_year(start_field: str, end_field: str, start: date, end: date) -> Q:
    return Q(**{f"{start_field}__lte": end}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": start})
    )


def _not_later_year(field: str, year: int) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": year})


def _plans(ctx: WriteContext) -> list[tuple[str, UpsertSpec, dict[str, str], pl.Expr | None]]:
    """Per table: the upsert spec, column → field mapping, and a row filter."""
    la, year = ctx.la, ctx.year
    start, end = _year_bounds(year)
    yearly = {"la_id": la.pk, "year": year}
    present = ctx.columns_present

    episode_map = {
        "DECOM": "decom", "RNE": "rne", "LS": "ls", "CIN": "cin", "PLACE": "place",
        "PLACE_PROVIDER": "place_provider", "DEC": "dec", "REC": "rec",
        "REASON_PLACE_CHANGE": "reason_place_change", "HOME_POST": "home_post",
        "PL_POST": "pl_post", "URN": "urn",
    }  # fmt: skip
    for column, field in (("PL_LA", "pl_la"), ("PL_LOCATION", "pl_location"),
                          ("PL_DISTANCE", "pl_distance")):  # fmt: skip
        if column in present.get("Episodes", ()):
            episode_map[column] = field
    return [
        (
            "Header",
            UpsertSpec(
                model=ChildHeader, key=("child_id", "year"),
                fields=("sex", "dob", "ethnicity", "upn", "mother", "mc_dob"),
                scope=Q(child__la=la), constants={"year": year}, window=Q(year=year),
                change_date=start,
            ),
            {"SEX": "sex", "DOB": "dob", "ETHNIC": "ethnicity", "UPN": "upn",
             "MOTHER": "mother", "MC_DOB": "mc_dob"},
            None,
        ),
        (
            "Episodes",
            UpsertSpec(
                model=Episode, key=("child_id", "decom"),
                fields=tuple(f for f in episode_map.values() if f != "decom"),
                scope=Q(la=la),
                constants={"la_id": la.pk, "source": Source.SSDA903, "collection_year": year},
                # The 903 wins over an SSD episode with the same key (ssd-extracts.md §4);
                # only the 903's own rows are replaced when a file no longer holds them.
                guard="collection_year",
                # Each return replaces its own episodes only (ssda903_years).
                window=years.episodes_window(year),
                change_date="decom",
            ),
            episode_map,
            None,
        ),
        (
            "Reviews",
            UpsertSpec(
                model=Review, key=("child_id", "review_date"), fields=("review_code",),
                scope=Q(la=la), constants={"la_id": la.pk, "source": Source.SSDA903},
                conflict_where="source = '903'",
                window=Q(source=Source.SSDA903, review_date__gte=start, review_date__lte=end),
                change_date="review_date",
            ),
            {"REVIEW": "review_date", "REVIEW_CODE": "review_code"},
            pl.col("REVIEW").is_not_null(),
        ),
        (
            "UASC",
            UpsertSpec(model=UASCRecord, key=("child_id", "year"), fields=("duc",),
                       scope=Q(la=la), constants=yearly, window=Q(year=year), change_date=start),
            {"DUC": "duc"},
            None,
        ),
        (
            "OC2",
            UpsertSpec(
                model=OC2Outcome, key=("child_id", "year"),
                fields=("sdq_score", "sdq_reason", *(c.lower() for c in _OC2_FLAGS)),
                scope=Q(la=la), constants=yearly, window=Q(year=year), change_date=start,
            ),
            {"SDQ_SCORE": "sdq_score", "SDQ_REASON": "sdq_reason",
             **{c: c.lower() for c in _OC2_FLAGS}},
            None,
        ),
        (
            "OC3",
            UpsertSpec(model=OC3Outcome, key=("child_id", "year"),
                       fields=("in_touch", "activity", "accommodation"), scope=Q(la=la),
                       constants=yearly, window=Q(year=year), change_date=start),
            {"IN_TOUCH": "in_touch", "ACTIV": "activity", "ACCOM": "accommodation"},
            None,
        ),
        (
            "AD1",
            UpsertSpec(
                model=AdoptionRecord, key=("child_id", "year"),
                fields=("date_int", "date_match", "foster_care", "nb_adoptr", "sex_adoptr",
                        "ls_adoptr"),
                scope=Q(la=la), constants=yearly, window=Q(year=year), change_date=start,
            ),
            {c: c.lower() for c in _AD1_COLUMNS},
            None,
        ),
        (
            "PlacedAdoption",
            UpsertSpec(
                model=PlacementDecision, key=("child_id", "date_placed"),
                fields=("date_placed_ceased", "reason_placed_ceased"), scope=Q(la=la),
                constants=yearly, guard="year", window=Q(year=year), change_date="date_placed",
            ),
            {"DATE_PLACED": "date_placed", "DATE_PLACED_CEASED": "date_placed_ceased",
             "REASON_PLACED_CEASED": "reason_placed_ceased"},
            None,
        ),
        (
            "PrevPerm",
            UpsertSpec(model=PreviousPermanence, key=("child_id", "year"),
                       fields=("prev_perm", "la_perm", "date_perm"), scope=Q(la=la),
                       constants=yearly, window=Q(year=year), change_date=start),
            {"PREV_PERM": "prev_perm", "LA_PERM": "la_perm", "DATE_PERM": "date_perm"},
            None,
        ),
        (
            "Missing",
            UpsertSpec(
                model=MissingEpisode, key=("child_id", "start_date"),
                fields=("missing_type", "end_date"), scope=Q(la=la),
                constants={"la_id": la.pk, "source": Source.SSDA903, "collection_year": year},
                guard="collection_year", owned={"source": Source.SSDA903},
                window=Q(source=Source.SSDA903, start_date__gte=start, start_date__lte=end)
                & _not_later_year("collection_year", year),
                change_date="start_date",
            ),
            {"MISSING": "missing_type", "MIS_START": "start_date", "MIS_END": "end_date"},
            None,
        ),
        (
            "SWEpisodes",
            UpsertSpec(
                model=SocialWorkerEpisode, key=("child_id", "start_date"),
                fields=("sw_id", "end_date", "reason"), scope=Q(la=la),
                constants={"la_id": la.pk, "collection_year": year}, guard="collection_year",
                # Its own rows only: one open on 31 March Y-1 that Y omits stays as Y-1 had it.
                window=Q(collection_year=year),
                change_date="start_date",
            ),
            {"SW_ID": "sw_id", "SW_DECOM": "start_date", "SW_DEC": "end_date",
             "SW_REASON": "reason"},
            None,
        ),
        (
            "DoLo",
            UpsertSpec(
                model=DeprivationOfLiberty, key=("child_id", "start_date"),
                fields=("end_date",), scope=Q(la=la), constants={"la_id": la.pk},
                # Orders starting in the year only: an earlier year's open order stays.
                window=Q(start_date__gte=start, start_date__lte=end),
                change_date="start_date",
            ),
            {"DOLO_START": "start_date", "DOLO_END": "end_date"},
            None,
        ),
    ]  # fmt: skip


#: Episode inputs of the derived location (``placement_location``): when a file changes
#: one, the location derived from the old value is stale.
_LOCATION_INPUTS = ("home_post", "pl_post", "ls")


def _episodes_moved(*, ctx: WriteContext, frame: pl.DataFrame) -> list[int]:
    """Stored episodes with a location whose postcodes (or LS) this file changes.

    PL_LA, PL_LOCATION and PL_DISTANCE are derived only where blank, so a location
    derived from an earlier PL_POST would otherwise stay. Only when the file does not
    carry the location itself (then its own values are written).
    """
    if "pl_la" in frame.columns or not set(_LOCATION_INPUTS) <= set(frame.columns):
        return []
    stored = (
        Episode.objects.filter(la=ctx.la)
        .exclude(pl_la="", pl_location="", pl_distance=None)
        .values_list("id", "child_id", "decom", *_LOCATION_INPUTS)
    )
    rows = list(stored.iterator(chunk_size=20_000))
    if not rows:
        return []
    schema = {"id": pl.Int64, "child_id": frame.schema["child_id"], "decom": pl.Date}
    schema |= {f"{name}_stored": pl.String for name in _LOCATION_INPUTS}
    old = pl.DataFrame(rows, schema=schema, orient="row")
    del rows
    joined = frame.select("child_id", "decom", *_LOCATION_INPUTS).join(
        old, on=("child_id", "decom"), how="inner"
    )
    changed = pl.any_horizontal(
        pl.col(name).fill_null("") != pl.col(f"{name}_stored").fill_null("")
        for name in _LOCATION_INPUTS
    )
    return joined.filter(changed)["id"].to_list()


def _locations_clear(episode_ids: list[int]) -> None:
    """Blank the derived location of these episodes, so the derive below recomputes it."""
    for start in range(0, len(episode_ids), 10_000):
        Episode.objects.filter(pk__in=episode_ids[start : start + 10_000]).update(
            pl_la="", pl_location="", pl_distance=None
        )


def _distances_clear(*, la, child_ids: set[int]) -> set[int]:
    """Blank the distances of children whose UASC status this file changed.

    A child who is or was UASC has no PL_DISTANCE (DfE rule 406): a UASC row added or
    removed changes what the derive should hold for every stored episode of theirs, so
    their distances are cleared and their histories re-derived. Returns those children.
    """
    if not child_ids:
        return set()
    episodes = Episode.objects.filter(la=la, child_id__in=sorted(child_ids))
    affected = set(episodes.values_list("child_id", flat=True).distinct())
    episodes.exclude(pl_distance=None).update(pl_distance=None)
    return affected


def _first_locator(*, ctx: WriteContext, episodes: pl.DataFrame, pks: dict[str, int]):
    """Locations of episodes not stored yet (``care_histories_insert``), a chunk at a time.

    The same rule as ``placement_locations_find`` on stored episodes: only rows with a
    blank PL_LA, PL_LOCATION or PL_DISTANCE, only blanks filled. Postcodes and UASC
    children are read first, so that ``locate`` never needs the database. Returns
    ``locate(chunk, offset)`` → row number → location, and the list it adds warnings to.
    """
    from placements.location import LOCATION_FIELDS, episode_locations_find
    from placements.postcodes import postcodes_lookup

    names = pl.DataFrame(
        {"child_id": list(pks.values()), "child__child_id": list(pks)},
        schema={"child_id": pl.Int64, "child__child_id": pl.String},
    )
    postcodes = set(episodes["home_post"].unique().to_list())
    postcodes |= set(episodes["pl_post"].unique().to_list())
    points = postcodes_lookup(postcodes)
    uasc_children = set(UASCRecord.objects.filter(la=ctx.la).values_list("child_id", flat=True))
    columns = ("id", "child_id", "child__child_id", "decom", "ls", "place", "home_post",
               "pl_post", *LOCATION_FIELDS)  # fmt: skip
    warnings: list = []

    def locate(chunk: pl.DataFrame, offset: int) -> dict[int, tuple]:
        rows = chunk.with_row_index("id", offset=offset).join(names, on="child_id", how="left")
        if "pl_la" in rows.columns:
            blank = pl.col("pl_distance").is_null()
            rows = rows.filter((pl.col("pl_la") == "") | (pl.col("pl_location") == "") | blank)
        else:
            rows = rows.with_columns(
                pl.lit("").alias("pl_la"), pl.lit("").alias("pl_location"),
                pl.lit(None, dtype=pl.Decimal(4, 1)).alias("pl_distance"),
            )  # fmt: skip
        found = episode_locations_find(
            la=ctx.la,
            rows=rows.select(columns).iter_rows(named=True),
            points=points,
            uasc_children=uasc_children,
        )
        warnings.extend(found.warnings)
        return found.changes

    return locate, warnings


def write(ctx: WriteContext) -> WriteResult:
    """Write a clean 903 file set for one authority and year; see the module docstring.

    Episodes of children the authority holds no history of go in last, complete with
    their derived history (``care_histories_insert``); the rest are upserted and their
    histories re-derived (``care_histories_derive``).
    """
    from children.services import (
        care_histories_derive,
        care_histories_insert,
        children_with_history,
    )
    from placements.location import placement_locations_find

    result = WriteResult()
    started = time.perf_counter()
    pks = _children_write(ctx)
    # Children with a stored history: only asked when the files hold Episodes or UASC.
    # A check-only run takes every step the import would (then rolls back), so that it
    # reports exactly the warnings the import would.
    wanted = bool({"Episodes", "UASC"} & set(ctx.tables))
    known = children_with_history(la=ctx.la) if wanted else None
    first_episodes: pl.DataFrame | None = None
    episode_children: set[int] = set()
    # Return Y is loaded from now: an episode Y-1 left open and Y omits ends its record
    # (ssda903_years); on a first load of Y every such child is re-derived.
    if "Episodes" in ctx.tables and years.return_year_record(ctx=ctx):
        episode_children |= years.children_open_at_previous_year_end(ctx=ctx)
    for table, spec, mapping, row_filter in _plans(ctx):
        frame = ctx.tables.get(table)
        if frame is None:
            continue
        read = frame.height
        if row_filter is not None:
            frame = frame.filter(row_filter)
        frame = _with_child_pk(frame, pks).select(
            "child_id", *(pl.col(c).alias(f) for c, f in mapping.items())
        )
        if table == "Episodes" and "pl_distance" in frame.columns:
            frame = frame.with_columns(
                pl.col("pl_distance").map_elements(_distance, return_dtype=pl.Decimal(4, 1))
            )
        if table == "AD1":
            frame = frame.with_columns(pl.col("nb_adoptr").cast(pl.Int64))
        first = 0
        if table == "Episodes" and known is not None:
            held = pl.DataFrame({"child_id": sorted(known)}, schema={"child_id": pl.Int64})
            first_episodes = frame_prepare(spec, frame.join(held, on="child_id", how="anti"))
            frame = frame.join(held, on="child_id", how="semi")
            first = first_episodes.height
        moved = _episodes_moved(ctx=ctx, frame=frame) if table == "Episodes" else []
        reverted: set[int] = set()
        if table == "Episodes":
            reverted, reverted_from = years.carried_episodes_revert(ctx=ctx, frame=frame)
            episode_children |= reverted
        outcome: UpsertOutcome = table_upsert(spec=spec, frame=frame)
        _locations_clear(moved)
        counts = outcome.counts()
        counts["read"] = read
        counts["inserted"] += first
        if read != outcome.read + first:
            counts["skipped"] = read - outcome.read - first
        earliest = outcome.earliest
        if first:
            first_date = first_episodes["decom"].min()
            earliest = first_date if earliest is None else min(earliest, first_date)
        if reverted:
            counts["returned_to_previous_year"] = len(reverted)
            counts["updated"] += len(reverted)
            earliest = reverted_from if earliest is None else min(earliest, reverted_from)
        result.add(table, counts, earliest)
        if table == "Episodes":
            episode_children |= outcome.child_ids
        if table == "UASC" and known is not None:
            episode_children |= _distances_clear(la=ctx.la, child_ids=outcome.child_ids & known)
        ctx.progress(read)
    result.timings["upsert"] = round(time.perf_counter() - started, 3)
    if first_episodes is not None and first_episodes.height:
        started = time.perf_counter()
        first_episodes = first_episodes.sort("child_id", "decom")
        locate, warnings = _first_locator(ctx=ctx, episodes=first_episodes, pks=pks)
        care_histories_insert(la=ctx.la, episodes=first_episodes, locate=locate)
        _location_warnings_record(ctx=ctx, warnings=warnings)
        result.timings["first_histories"] = round(time.perf_counter() - started, 3)
        del first_episodes, warnings
    if episode_children:
        # Locations first, written with the derived episode flags in one update; the
        # histories then copy them into the placements in the same pass.
        children = sorted(episode_children)
        started = time.perf_counter()
        located = placement_locations_find(la=ctx.la, child_ids=children)
        _location_warnings_record(ctx=ctx, warnings=located.warnings)
        located.warnings.clear()  # written: free them before the derive
        result.timings["locations"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        derived = care_histories_derive(
            la=ctx.la, child_ids=children, episode_locations=located.changes
        )
        result.timings["derive"] = round(time.perf_counter() - started, 3)
        if derived["ends_of_record_changed"]:
            # An end of record changed what earlier months count: recompute from it.
            result.note_change(derived["earliest"])
    return result


def _location_warnings_record(*, ctx: WriteContext, warnings: list) -> None:
    """Keep unknown-postcode and location warnings with the batch (same transaction).

    The file did not carry PL_LA / PL_LOCATION / PL_DISTANCE, so they are derived from
    the postcodes after the write (``ssda903.md`` §4); an unknown postcode is a warning,
    counted as unknown by the location indicators. Like every other warning, each is
    counted (by kind and indicator) and only the first ``IMPORT_MAX_ISSUES_REPORTED``
    of the batch are stored; the batch page says how many more were counted. A check-only
    run stores them after its rollback, so that it shows what the import would.
    """
    batch_id, log = ctx.batch_id, ctx.issues
    if batch_id is None or not warnings:
        return
    from imports.models import ImportBatch, ImportIssue

    own_log = log is None
    if own_log:  # a writer called outside import_batch_run: the batch's stored rows
        log = IssueLog(limit=settings.IMPORT_MAX_ISSUES_REPORTED)
        log.kept_counts[WARNING] = ImportIssue.objects.filter(
            batch_id=batch_id, severity=ImportIssue.Severity.WARNING
        ).count()
    columns = ("batch_id", "severity", "kind", "file_name", "table", "column", "value",
               "message", "indicators")  # fmt: skip
    severity = ImportIssue.Severity.WARNING.value
    kept = []
    for w in warnings:
        kind = f"location_{w.kind}"[:50]
        if log.reserve(WARNING, kind, tuple(w.indicators), message=str(w), table="Episodes",
                       column=w.column):  # fmt: skip
            kept.append((batch_id, severity, kind, "", "Episodes", w.column,
                         str(w.value)[:255], str(w), list(w.indicators)))  # fmt: skip
    if kept and ctx.dry_run:
        ctx.after_rollback.append(
            lambda: rows_insert(model=ImportIssue, columns=columns, rows=kept)
        )
    elif kept:
        rows_insert(model=ImportIssue, columns=columns, rows=kept)
    if own_log:
        ImportBatch.objects.filter(pk=batch_id).update(
            warning_count=models.F("warning_count") + len(warnings)
        )


FORMAT = FormatSpec(
    name=FORMAT_NAME,
    label="SSDA903",
    tables=TABLES,
    validators=VALIDATORS,
    writer=write,
    needs_year=True,
    xml_reader=ssda903_xml_read,
)
