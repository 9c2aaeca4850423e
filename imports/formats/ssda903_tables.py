"""The SSDA903 tables (``ssda903.md`` §2) and what each column's problems mean (§6).

Tables are recognised by their headers (§1); each column's kind, code list and DfE rule
code come from §2–§3. §6 splits what the checks find in two:

- **Errors** (the upload is rejected, nothing is written) — only what makes a row unusable:
  CHILD missing; a key date, or a date that decides whether and how the child is looked
  after, that is not a date (DOB, DECOM, DEC, REVIEW, MIS_START, DATE_PLACED, SW_DECOM,
  DOLO_START, and the end dates whose blank would mean "still open": MIS_END,
  DATE_PLACED_CEASED, SW_DEC, DOLO_END); RNE or LS missing or in no year's list; two rows
  with the same key that disagree, for Episodes and the one-row-per-child tables.
- **Warnings, the value stored as unknown (blank)** — every other code in no year's list
  (CIN, PLACE, REC, OC3's ACCOM…), a flag or number that is not one (MOTHER ``2``), any
  other date that is not a date (MC_DOB, DUC, DATE_INT…), a blank in a required column
  that decides nothing (SEX, ETHNIC, UPN, CIN, PLACE, MISSING, PREV_PERM, SW_ID), a value
  too long for its column; and **repeated rows**: exact copies are dropped (one kept); in
  the event tables (Reviews, Missing, PlacedAdoption, SWEpisodes, DoLo) the same key with
  other columns differing is one event, the later row's.

Each column names the indicators a warning about it may affect (``indicators.md`` §2),
counted per indicator on the batch and data quality pages.
"""

from __future__ import annotations

from imports.formats import ssda903_codes as codes
from imports.formats.base import (
    CODE,
    DATE,
    FLAG,
    ID,
    INT,
    PARTIAL_DATE,
    POSTCODE,
    REPEATS_DROP_COPIES,
    REPEATS_LATER_WINS,
    TEXT,
    WARNING,
    Column,
    TableSpec,
)

# Indicator ids (``indicators.md`` §2) a warning may affect, shown as counts per indicator.
EPISODE_INDICATORS = (
    "cla_count", "cla_started", "cla_ceased", "placements_3plus_12m", "placements_3plus_ytd",
    "long_term_stability", "placement_type_breakdown", "time_in_care_breakdown",
)  # fmt: skip
AGE_INDICATORS = ("cla_count", "age_breakdown")
HEADER_INDICATORS = ("gender_breakdown", "ethnicity_breakdown", "age_breakdown")
REVIEW_INDICATORS = ("reviews_on_time", "reviews_late")
MISSING_INDICATORS = ("missing_incidents", "missing_children")
LOCATION_INDICATORS = ("placed_in_county", "out_of_county_non_uasc", "out_of_county_20_miles")
ADOPTION_INDICATORS = ("adopted_pct", "adoptions", "a1_days", "a2_days", "a10_days")
CARE_LEAVER_INDICATORS = (
    "cl_19_21_neet", "cl_19_21_unsuitable_accommodation", "cl_19_21_in_touch",
    "cl_birthday_cohort",
)  # fmt: skip
UASC_INDICATORS = ("cla_uasc_count", "cla_non_uasc_count", "uasc_pct", "uasc_out_of_county")
#: An unknown PLACE is counted under "other / not known"; it may also hide a temporary
#: placement (not a move) or a placement for adoption (the A1/A10 moving-in date).
PLACE_INDICATORS = (
    "placement_type_breakdown", "placements_3plus_12m", "placements_3plus_ytd",
    "long_term_stability", "a1_days", "a10_days", "adoption_pipeline",
)  # fmt: skip
#: An unknown REC is a ceasing of unknown reason (never an adoption).
REC_INDICATORS = ("cla_ceased", "adoptions", "adopted_pct", "a1_days", "a10_days")


def _warn(name: str, kind: str, *, required: bool = False, **options) -> Column:
    """A column whose bad values, and blanks when required, are stored as unknown."""
    return Column(name, kind, required=required, invalid=WARNING, blank=WARNING, **options)


def _child() -> Column:
    return Column("CHILD", ID, required=True, max_length=48, rule_missing="")


def _dob(rule: str = "") -> Column:
    return Column("DOB", DATE, required=True, rule_invalid=rule, rule_missing=rule)


HEADER = TableSpec(
    name="Header",
    label="Header (one row per child)",
    key=("CHILD",),
    key_rule="INT32",
    repeats=REPEATS_DROP_COPIES,
    indicators=HEADER_INDICATORS,
    columns=(
        _child(),
        _warn("SEX", CODE, required=True, codes=codes.SEX, rule_invalid="101",
              rule_missing="101", indicators=("gender_breakdown",)),
        _dob("102"),
        _warn("ETHNIC", CODE, required=True, codes=codes.ETHNIC, rule_invalid="103",
              rule_missing="103", indicators=("ethnicity_breakdown",)),
        _warn("UPN", TEXT, required=True, max_length=13, rule_missing="442"),
        _warn("MOTHER", FLAG, rule_invalid="165"),
        _warn("MC_DOB", DATE, rule_invalid="171"),
    ),
)  # fmt: skip

EPISODES = TableSpec(
    name="Episodes",
    label="Episodes of care",
    key=("CHILD", "DECOM"),
    repeats=REPEATS_DROP_COPIES,
    indicators=EPISODE_INDICATORS,
    columns=(
        _child(),
        Column("DECOM", DATE, required=True, rule_invalid="141", rule_missing="141"),
        Column("RNE", CODE, required=True, codes=codes.RNE, rule_invalid="143",
               rule_missing="143"),
        Column("LS", CODE, required=True, codes=codes.LS, rule_invalid="144", rule_missing="144"),
        _warn("CIN", CODE, required=True, codes=codes.CIN, rule_invalid="145",
              rule_missing="145", indicators=("cin_reason_breakdown",)),
        _warn("PLACE", CODE, required=True, codes=codes.PLACE, rule_invalid="146",
              rule_missing="146", indicators=PLACE_INDICATORS),
        _warn("PLACE_PROVIDER", CODE, codes=codes.PLACE_PROVIDER, rule_invalid="178"),
        Column("DEC", DATE, rule_invalid="147"),
        _warn("REC", CODE, codes=codes.REC, rule_invalid="149", indicators=REC_INDICATORS),
        _warn("REASON_PLACE_CHANGE", CODE, codes=codes.REASON_PLACE_CHANGE,
              rule_invalid="1009"),
        _warn("HOME_POST", POSTCODE, max_length=8, rule_invalid="392c",
              indicators=LOCATION_INDICATORS),
        _warn("PL_POST", POSTCODE, max_length=8, rule_invalid="392c",
              indicators=LOCATION_INDICATORS),
        _warn("URN", TEXT, max_length=8, rule_invalid="1008"),
        # Derived by DfE from the postcodes (§4); accepted when a file carries them.
        _warn("PL_LA", TEXT, header_required=False, max_length=9, rule_invalid="169",
              indicators=LOCATION_INDICATORS),
        _warn("PL_LOCATION", CODE, header_required=False, codes=codes.PL_LOCATION,
              rule_invalid="179", indicators=LOCATION_INDICATORS),
        _warn("PL_DISTANCE", TEXT, header_required=False, max_length=6, rule_invalid="164",
              indicators=LOCATION_INDICATORS),
    ),
)  # fmt: skip

REVIEWS = TableSpec(
    name="Reviews",
    label="Looked-after reviews",
    key=("CHILD", "REVIEW"),
    repeats=REPEATS_LATER_WINS,
    indicators=REVIEW_INDICATORS,
    columns=(
        _child(),
        _dob(),
        Column("REVIEW", DATE, rule_invalid="166"),
        _warn("REVIEW_CODE", CODE, codes=codes.REVIEW_CODE, rule_invalid="167"),
    ),
)

UASC = TableSpec(
    name="UASC",
    label="Unaccompanied asylum-seeking children",
    key=("CHILD",),
    key_rule="INT36",
    repeats=REPEATS_DROP_COPIES,
    indicators=UASC_INDICATORS,
    columns=(
        _child(),
        _warn("SEX", CODE, required=True, codes=codes.SEX, rule_invalid="101"),
        _dob(),
        _warn("DUC", DATE, rule_invalid="104", indicators=UASC_INDICATORS),
    ),
)

_OC2_FLAGS = (
    "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
)  # fmt: skip
OC2 = TableSpec(
    name="OC2",
    label="Outcomes for children looked after 12 months (OC2)",
    key=("CHILD",),
    key_rule="INT33",
    repeats=REPEATS_DROP_COPIES,
    columns=(
        _child(),
        _dob(),
        _warn("SDQ_SCORE", INT, rule_invalid="180"),
        _warn("SDQ_REASON", CODE, codes=codes.SDQ_REASON, rule_invalid="196"),
        *(_warn(name, FLAG, rule_invalid="181") for name in _OC2_FLAGS),
    ),
)

OC3 = TableSpec(
    name="OC3",
    label="Care leavers (OC3)",
    key=("CHILD",),
    key_rule="INT34",
    repeats=REPEATS_DROP_COPIES,
    indicators=CARE_LEAVER_INDICATORS,
    columns=(
        _child(),
        _dob(),
        _warn("IN_TOUCH", CODE, codes=codes.IN_TOUCH, rule_invalid="131",
              indicators=("cl_19_21_in_touch", "cl_birthday_cohort")),
        _warn("ACTIV", CODE, codes=codes.ACTIV, rule_invalid="132",
              indicators=("cl_19_21_neet", "cl_birthday_cohort")),
        _warn("ACCOM", CODE, codes=codes.ACCOM, rule_invalid="133",
              indicators=("cl_19_21_unsuitable_accommodation", "cl_birthday_cohort")),
    ),
)  # fmt: skip

_AD1_COLUMNS = (
    "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"
)  # fmt: skip
AD1 = TableSpec(
    name="AD1",
    label="Adoptions (AD1)",
    key=("CHILD",),
    key_rule="INT31",
    repeats=REPEATS_DROP_COPIES,
    indicators=ADOPTION_INDICATORS,
    columns=(
        _child(),
        _dob(),
        _warn("DATE_INT", DATE, rule_invalid="112"),
        _warn("DATE_MATCH", DATE, rule_invalid="113", indicators=("a2_days", "adoption_pipeline")),
        _warn("FOSTER_CARE", FLAG, rule_invalid="114", indicators=("a10_days",)),
        _warn("NB_ADOPTR", CODE, codes=codes.NB_ADOPTR, rule_invalid="175"),
        _warn("SEX_ADOPTR", CODE, codes=codes.SEX_ADOPTR, rule_invalid="176"),
        _warn("LS_ADOPTR", CODE, codes=codes.LS_ADOPTR, rule_invalid="177"),
    ),
)

PLACED_ADOPTION = TableSpec(
    name="PlacedAdoption",
    label="Decisions to place for adoption",
    key=("CHILD", "DATE_PLACED"),
    repeats=REPEATS_LATER_WINS,
    indicators=ADOPTION_INDICATORS,
    columns=(
        _child(),
        _dob(),
        Column("DATE_PLACED", DATE, required=True, rule_invalid="115", rule_missing="115"),
        Column("DATE_PLACED_CEASED", DATE, rule_invalid="116"),
        _warn("REASON_PLACED_CEASED", CODE, codes=codes.REASON_PLACED_CEASED,
              rule_invalid="120"),
    ),
)  # fmt: skip

PREV_PERM = TableSpec(
    name="PrevPerm",
    label="Previous permanence",
    key=("CHILD",),
    key_rule="INT35",
    repeats=REPEATS_DROP_COPIES,
    columns=(
        _child(),
        _dob(),
        _warn("PREV_PERM", CODE, required=True, codes=codes.PREV_PERM, rule_invalid="631",
              rule_missing="631"),
        _warn("LA_PERM", ID, max_length=3, rule_invalid="633"),
        _warn("DATE_PERM", PARTIAL_DATE, max_length=10, rule_invalid="632"),
    ),
)  # fmt: skip

MISSING = TableSpec(
    name="Missing",
    label="Missing or away from placement",
    key=("CHILD", "MIS_START"),
    repeats=REPEATS_LATER_WINS,
    indicators=MISSING_INDICATORS,
    columns=(
        _child(),
        _dob(),
        _warn("MISSING", CODE, required=True, codes=codes.MISSING, rule_invalid="1006",
              rule_missing="565", indicators=MISSING_INDICATORS),
        Column("MIS_START", DATE, required=True, rule_invalid="1004", rule_missing="564"),
        Column("MIS_END", DATE, rule_invalid="1005"),
    ),
)  # fmt: skip

SW_EPISODES = TableSpec(
    name="SWEpisodes",
    label="Social worker episodes",
    key=("CHILD", "SW_DECOM"),
    repeats=REPEATS_LATER_WINS,
    columns=(
        _child(),
        _dob(),
        _warn("SW_ID", TEXT, required=True, max_length=48, rule_missing="SW03STG1"),
        Column("SW_DECOM", DATE, required=True, rule_invalid="SW04STG1",
               rule_missing="SW03STG1"),
        Column("SW_DEC", DATE, rule_invalid="SW05STG1"),
        _warn("SW_REASON", CODE, codes=codes.SW_REASON, rule_invalid="SW13STG1"),
    ),
)  # fmt: skip

DOLO = TableSpec(
    name="DoLo",
    label="Deprivation of liberty orders",
    key=("CHILD", "DOLO_START"),
    repeats=REPEATS_LATER_WINS,
    columns=(
        _child(),
        _dob(),
        Column("DOLO_START", DATE, required=True),
        Column("DOLO_END", DATE),
    ),
)

TABLES = (
    HEADER, EPISODES, REVIEWS, UASC, OC2, OC3, AD1, PLACED_ADOPTION, PREV_PERM, MISSING,
    SW_EPISODES, DOLO,
)  # fmt: skip
