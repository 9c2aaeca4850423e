"""Cross-row checks for an SSD file set, run after every cell has been typed.

In order:

1. ``validate_normalise`` — reads the SSD-specific column kinds: ``1900-01-01`` is blank
   (SystemC fills a missing date with it), code columns go through ``codes.SsdCodes``
   and the authority's ``ext_code_map`` (stored ``CodeMap`` rows, overridden by an
   ``ext_code_map.csv`` in the same batch), Y/N become booleans, decimals are parsed.
   Frames are replaced with the normalised values; unmappable values are row errors.
2. ``validate_links`` — every row must belong to a known child: one in this batch's
   ``ssd_person`` or one already held for the authority. Reviews without
   ``clar_cla_person_id`` are resolved through ``clar_cla_id`` → ``clae_cla_id``;
   involvements without ``invo_person_id`` through ``invo_referral_id`` →
   ``cine_person_id``; team references by id, then by name. The resolved values are
   written back into the frame so the writer reads one column.
3. ``validate_dates`` — ends before starts (which the database would refuse) are errors.
4. ``validate_episodes`` — where episodes come from SSD (children the 903 does not hold)
   each is completed from its placement, legal status (``ssd_legal_status``, for the
   short-break rule), home address (``ssd_address``) and location (supplied, else derived
   from the postcodes as ``ssda903.md`` §4); where the 903 holds the child, differences
   from its episodes are warnings and the 903 is kept (§3.2).

Messages never include a child's name; they name the row, the column and the value.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import polars as pl

from children.models import Child, CINAssessment, CINEpisode, Episode, MissingEpisode, PeriodOfCare
from imports.formats.base import DATE, ValidationContext
from imports.formats.ssd import codes as c
from imports.formats.ssd import tables as t
from imports.issues import ERROR, WARNING
from imports.models import CodeMap
from imports.readers import ROW
from organisations.models import Team, Worker

BLANK_DATE = date(1900, 1, 1)
CHUNK = 5000
LARGE = 50_000  # rows beyond which every held child id is read at once

MSG_1900_REQUIRED = "{column} is 1900-01-01, which SSD uses for a blank date, but it is required."
MSG_UNMAPPED = (
    "{column} '{value}' is not a known code (expected one of {codes}). If this is your case "
    "system's own wording, map it to a code in ext_code_map.csv."
)
MSG_SEX_BLANK = "pers_sex is blank and there is no pers_gender to fall back on."
MSG_BAD_FLOAT = "{column} '{value}' is not a number."
MSG_CODE_MAP_TARGET = (
    "cmap_ssd_value '{value}' is not a valid code for {CMAP_TABLE}.{CMAP_FIELD} "
    "(expected one of {codes})."
)
MSG_CODE_MAP_FIELD = (
    "ext_code_map names {CMAP_TABLE}.{CMAP_FIELD}, which is not a column the app maps: the "
    "line is kept but not used."
)
MSG_UNKNOWN_CHILD = (
    "Child {value} is not in ssd_person and is not already held for this authority: every "
    "{label} row must belong to a known child."
)
MSG_REVIEW_NO_CHILD = (
    "clar_cla_person_id is blank and clar_cla_id {value} matches no period of care "
    "(clae_cla_id) in this batch or already held: the review cannot be linked to a child."
)
MSG_REVIEW_OTHER_CHILD = (
    "clar_cla_id {value} belongs to child {episode_child} in the episodes, but the review "
    "names child {CLAR_CLA_PERSON_ID}: the review's own child is used."
)
MSG_INVOLVEMENT_NO_CHILD = (
    "invo_person_id is blank and invo_referral_id '{value}' matches no ssd_cin_episodes "
    "referral: the involvement cannot be linked to a child."
)
MSG_UNKNOWN_TEAM = (
    "{column} '{value}' matches no team (dept_team_id or dept_team_name) in ssd_department "
    "or already held."
)
MSG_UNKNOWN_TEAM_WARN = (
    "{column} '{value}' matches no team in ssd_department or already held: kept as given, "
    "the care leaver has no team for scoping."
)
MSG_UNKNOWN_PARENT = (
    "dept_team_parent_id '{value}' is not a team: the team is kept without a parent."
)
MSG_UNKNOWN_WORKER = (
    "{column} '{value}' is not in ssd_professionals and is not already held for this authority."
)
MSG_UNKNOWN_MISSING = (
    "miss_table_id '{value}' matches no missing episode in ssd_missing or already held."
)
MSG_UNKNOWN_ASSESSMENT = (
    "cinf_assessment_id '{value}' matches no assessment in ssd_cin_assessments or already held."
)
MSG_UNKNOWN_PLACEMENT = (
    "clap_cla_placement_id '{value}' matches no placement in ssd_cla_placement or already held."
)
MSG_BAD_FACTORS = (
    "cinf_assessment_factors_json {value} is not a JSON list of factor codes (e.g. "
    '["11A","13A"]) or object (e.g. {{"11A":"Yes"}}).'
)
MSG_REVIEW_DATE = "clar_cla_review_date is blank on a review that is not cancelled."
MSG_END_BEFORE_START = "{end} {value} is before {start} {start_value}: it ends before it starts."
MSG_DUPLICATE_CHILD_DATE = (
    "Child {person} has two {label} rows starting on {value}: each must start on a different day."
)
MSG_NO_ROLE = (
    "prof_professional_job_title '{value}' has no catalogue role (map it in ext_code_map.csv "
    "or send ext_team_membership.csv): the professional is not counted in staffing."
)
MSG_COMPANION_ALONE = (
    "{table} is used only to complete the SSD episodes sent with it: without "
    "ssd_cla_episodes in the same batch its rows are not used."
)
MSG_NO_PLACEMENT = (
    "Episode of child {person} from {value} (the 903 does not hold this child) has no "
    "placement: clae_cla_placement_id is blank or not in ssd_cla_placement, and no placement "
    "of period {cla} is open on that day."
)
MSG_NO_LEGAL_STATUS_TABLE = (
    "ssd_legal_status was not sent, but the episodes of child {person} come from SSD (the 903 "
    "does not hold the child): short breaks (legal status V3/V4) cannot be excluded."
)
MSG_NO_LEGAL_STATUS = (
    "No 903 legal status in ssd_legal_status is open on {value}, the start of child "
    "{person}'s episode: short breaks (V3/V4) cannot be recognised for it."
)
MSG_903_MISSING = (
    "The 903 holds child {person} but has no episode starting on {value}: the SSD episode is "
    "not used (the 903 is the source of this child's periods of care)."
)
MSG_903_DIFFERS = (
    "The 903 episode of child {person} starting on {value} differs in {what}: the 903's is used."
)
MSG_903_PERSON_DIFFERS = (
    "{column} '{value}' differs from the 903 header ({held}): the 903's is kept."
)


# ---------------------------------------------------------------------------------------
# Helpers


def _label(name: str) -> str:
    return name.lower()


def _issue(ctx, severity, table, frame, kind, message, *, column="", value=None, indicators=()):
    return ctx.log.add_rows(
        severity,
        kind,
        frame,
        message,
        file_name=ctx.files.get(table, ""),
        table=table,
        column=_label(column),
        value_column=value if value is not None else column,
        indicators=indicators,
    )


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _held_child_ids(ctx: ValidationContext, ids: Iterable[str]) -> set[str]:
    """Which of these child ids the authority already holds (one query when many)."""
    wanted = set(ids)
    children = Child.objects.filter(la=ctx.la).order_by()
    if len(wanted) > CHUNK:
        return wanted & set(children.values_list("child_id", flat=True))
    return set(children.filter(child_id__in=sorted(wanted)).values_list("child_id", flat=True))


def code_maps_load(ctx: ValidationContext) -> dict[tuple[str, str], dict[str, str]]:
    """(table, FIELD) → {local value casefolded: ssd value}: stored rows, then this batch's."""
    maps: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for table, field, local, ssd in CodeMap.objects.filter(la=ctx.la).values_list(
        "table", "field", "local_value", "ssd_value"
    ):
        maps[(table.strip().lower(), field.strip().upper())][local.strip().casefold()] = ssd.strip()
    frame = ctx.tables.get(t.CODE_MAP.name)
    if frame is not None:
        for table, field, local, ssd in frame.select(
            "CMAP_TABLE", "CMAP_FIELD", "CMAP_LOCAL_VALUE", "CMAP_SSD_VALUE"
        ).iter_rows():
            if None in (table, field, local, ssd):
                continue
            maps[(table.strip().lower(), field.strip().upper())][local.strip().casefold()] = (
                ssd.strip()
            )
    return maps


#: Columns mapped through ext_code_map that are not code columns of a table.
JOB_TITLE = ("ssd_professionals", "PROF_PROFESSIONAL_JOB_TITLE")
LEGAL_STATUS_FIELD = ("ssd_legal_status", "LEGA_LEGAL_STATUS")
EXTRA_MAPPED = {JOB_TITLE: c.CATALOGUE_ROLE, LEGAL_STATUS_FIELD: None}
#: Values kept as sent beside their code: the health check type and the local role.
_ORIGINALS = {
    "ssd_cla_health": {"CLAH_HEALTH_CHECK_TYPE": "_RECORDED_TYPE"},
    "ssd_involvements": {"INVO_PROFESSIONAL_ROLE_ID": "_LOCAL_ROLE"},
}


# ---------------------------------------------------------------------------------------
# 1. Normalise


def validate_normalise(ctx: ValidationContext) -> None:
    """Blank 1900 dates, map codes and descriptions, read Y/N and decimals (see module)."""
    maps = code_maps_load(ctx)
    _code_map_check(ctx)
    for table in t.SSD_TABLES:
        frame = ctx.tables.get(table.name)
        if frame is None:
            continue
        frame = _blank_dates(ctx, table, frame)
        for column, original in _ORIGINALS.get(table.name, {}).items():
            frame = frame.with_columns(pl.col(column).alias(original))
        for column, codes in table.codes.items():
            frame = _codes_apply(
                ctx, table, frame, column, codes, maps.get((table.name, column), {})
            )
        for column in table.flags:
            frame = frame.with_columns(
                pl.when(pl.col(column) == "Y")
                .then(True)
                .when(pl.col(column) == "N")
                .then(False)
                .otherwise(None)
                .alias(column)
            )
        for column in table.floats:
            frame = _float_parse(ctx, table, frame, column)
        if table is t.PERSON:
            frame = _sex_resolve(ctx, frame)
        if table is t.PROFESSIONALS:
            frame = _roles_from_titles(frame, maps.get(JOB_TITLE, {}))
        if table is t.LEGAL_STATUS:
            frame = _legal_status_codes(frame, maps.get(LEGAL_STATUS_FIELD, {}))
        ctx.tables[table.name] = frame


def _code_map_check(ctx: ValidationContext) -> None:
    frame = ctx.tables.get(t.CODE_MAP.name)
    if frame is None:
        return
    frame = frame.with_columns(
        pl.col("CMAP_TABLE").str.strip_chars().str.to_lowercase(),
        pl.col("CMAP_FIELD").str.strip_chars().str.to_uppercase(),
    )
    targets = {
        (table.name, column): codes
        for table in t.SSD_TABLES
        for column, codes in table.codes.items()
    } | EXTRA_MAPPED
    bad_target, unknown = [], []
    for row in frame.iter_rows(named=True):
        key = (row["CMAP_TABLE"], row["CMAP_FIELD"])
        if key not in targets:
            unknown.append(row)
            continue
        codes = targets[key]
        if codes is not None and codes.builtin(row["CMAP_SSD_VALUE"] or "") is None:
            bad_target.append(row | {"codes": codes.shown()})
    for rows, severity, kind, message, value in (
        (bad_target, ERROR, "code_map_target", MSG_CODE_MAP_TARGET, "CMAP_SSD_VALUE"),
        (unknown, WARNING, "code_map_field", MSG_CODE_MAP_FIELD, "CMAP_FIELD"),
    ):
        if rows:
            _issue(ctx, severity, t.CODE_MAP.name, pl.DataFrame(rows), kind, message,
                   column=value, value=value)  # fmt: skip
    ctx.tables[t.CODE_MAP.name] = frame


def _blank_dates(ctx: ValidationContext, table: t.SsdTable, frame: pl.DataFrame) -> pl.DataFrame:
    dates = [col for col in table.spec.columns if col.kind == DATE]
    for col in dates:
        if col.required:
            hits = frame.filter(pl.col(col.name) == BLANK_DATE)
            if hits.height:
                _issue(ctx, ERROR, table.name, hits.with_columns(pl.lit("1900-01-01").alias("v")),
                       "required", MSG_1900_REQUIRED.replace("{column}", _label(col.name)),
                       column=col.name, value="v", indicators=table.indicators)  # fmt: skip
    if not dates:
        return frame
    return frame.with_columns(
        pl.when(pl.col(col.name) == BLANK_DATE)
        .then(None)
        .otherwise(pl.col(col.name))
        .alias(col.name)
        for col in dates
    )


def _code_for(value: str, codes: c.SsdCodes, code_map: dict[str, str]) -> tuple[bool, str | None]:
    """(known, code): ``known`` False when nothing maps the value."""
    code = codes.builtin(value)
    if code is not None:
        return True, code
    mapped = code_map.get(value.strip().casefold())
    if mapped is not None:
        code = codes.builtin(mapped)
        if code is not None:
            return True, code
    code = codes.described(value)
    if code is not None:
        return True, code
    if value.strip().upper() in codes.blank:
        return True, None
    return False, None


def _codes_apply(
    ctx: ValidationContext,
    table: t.SsdTable,
    frame: pl.DataFrame,
    column: str,
    codes: c.SsdCodes,
    code_map: dict[str, str],
) -> pl.DataFrame:
    values = frame[column].drop_nulls().unique().to_list()
    mapping: dict[str, str | None] = {}
    unmapped: list[str] = []
    for value in values:
        known, code = _code_for(value, codes, code_map)
        if known:
            mapping[value] = code
        else:
            unmapped.append(value)
    if unmapped:
        bad = frame.filter(pl.col(column).is_in(unmapped))
        message = MSG_UNMAPPED.replace("{column}", _label(column)).replace("{codes}", codes.shown())
        _issue(ctx, ERROR, table.name, bad, "invalid_code", message, column=column,
               indicators=table.indicators)  # fmt: skip
    if not values:
        return frame
    keys = list(mapping)
    lookup = pl.DataFrame(
        {"__from": keys, "__to": [mapping[k] for k in keys]},
        schema={"__from": pl.String, "__to": pl.String},
    )
    return (
        frame.join(lookup, left_on=column, right_on="__from", how="left", maintain_order="left")
        .with_columns(pl.col("__to").alias(column))
        .drop("__to")
    )


def _float_parse(
    ctx: ValidationContext, table: t.SsdTable, frame: pl.DataFrame, column: str
) -> pl.DataFrame:
    parsed = pl.col(column).str.strip_chars().cast(pl.Float64, strict=False)
    bad = frame.filter(pl.col(column).is_not_null() & parsed.is_null())
    if bad.height:
        _issue(ctx, ERROR, table.name, bad, "invalid_number",
               MSG_BAD_FLOAT.replace("{column}", _label(column)), column=column,
               indicators=table.indicators)  # fmt: skip
    return frame.with_columns(parsed.alias(column))


def _sex_resolve(ctx: ValidationContext, frame: pl.DataFrame) -> pl.DataFrame:
    """pers_gender is the fallback for a blank pers_sex (§3.1)."""
    gender_sex = pl.col("PERS_GENDER").replace_strict(c.GENDER_TO_SEX, default=None)
    frame = frame.with_columns(pl.coalesce(pl.col("PERS_SEX"), gender_sex).alias("PERS_SEX"))
    blank = frame.filter(pl.col("PERS_SEX").is_null())
    if blank.height:
        _issue(ctx, ERROR, t.PERSON.name, blank, "required", MSG_SEX_BLANK, column="PERS_SEX",
               indicators=t.PERSON.indicators)  # fmt: skip
    return frame


def _roles_from_titles(frame: pl.DataFrame, code_map: dict[str, str]) -> pl.DataFrame:
    """``_ROLE``: the catalogue role a job title maps to in ext_code_map (§3.9), else null."""
    titles = frame["PROF_PROFESSIONAL_JOB_TITLE"].drop_nulls().unique().to_list()
    roles = {}
    for title in titles:
        mapped = code_map.get(title.strip().casefold())
        code = c.CATALOGUE_ROLE.builtin(mapped) if mapped else None
        roles[title] = code.lower() if code else None
    return frame.with_columns(
        pl.col("PROF_PROFESSIONAL_JOB_TITLE")
        .replace_strict(roles, default=None, return_dtype=pl.String)
        .alias("_ROLE")
    )


def _legal_status_codes(frame: pl.DataFrame, code_map: dict[str, str]) -> pl.DataFrame:
    """``_LS``: the 903 legal status, when the SSD value is one (after the code map)."""
    values = frame["LEGA_LEGAL_STATUS"].drop_nulls().unique().to_list()
    out = {}
    for value in values:
        up = value.strip().upper()
        mapped = code_map.get(value.strip().casefold())
        if mapped and mapped.strip().upper() in c.LEGAL_STATUS_903:
            out[value] = mapped.strip().upper()
        elif up in c.LEGAL_STATUS_903:
            out[value] = up
        else:
            out[value] = None
    return frame.with_columns(
        pl.col("LEGA_LEGAL_STATUS")
        .replace_strict(out, default=None, return_dtype=pl.String)
        .alias("_LS")
    )


# ---------------------------------------------------------------------------------------
# 2. Links


def validate_links(ctx: ValidationContext) -> None:
    """Every row to a known child, worker, team, episode or assessment (see module)."""
    person = ctx.tables.get(t.PERSON.name)
    in_file = set(person["PERS_PERSON_ID"].drop_nulls().to_list()) if person is not None else set()
    _reviews_resolve(ctx)
    _involvements_resolve(ctx)

    frames = [
        (table, ctx.tables[table.name])
        for table in t.SSD_TABLES
        if table.person and table is not t.PERSON and table.name in ctx.tables
    ]
    if sum(frame.height for _, frame in frames) > LARGE:
        # A large extract: the authority's children in one query beat a unique() pass.
        held = set(Child.objects.filter(la=ctx.la).order_by().values_list("child_id", flat=True))
    else:
        referenced: set[str] = set()
        for table, frame in frames:
            referenced.update(frame[table.person].drop_nulls().unique().to_list())
        held = _held_child_ids(ctx, referenced - in_file)
    known = pl.DataFrame({"__known": sorted(in_file | held)}, schema={"__known": pl.String})
    for table, frame in frames:
        unknown = frame.filter(pl.col(table.person).is_not_null()).join(
            known, left_on=table.person, right_on="__known", how="anti"
        )
        if unknown.height:
            _issue(ctx, ERROR, table.name, unknown.sort(ROW), "unknown_child",
                   MSG_UNKNOWN_CHILD.replace("{label}", table.name), column=table.person,
                   indicators=table.indicators)  # fmt: skip

    _teams_resolve(ctx)
    _workers_check(ctx)
    _references_check(ctx)
    _factors_parse(ctx)
    _roles_check(ctx)
    _person_vs_903(ctx)


def cla_children(ctx: ValidationContext, cla_ids: Iterable[str]) -> dict[str, str]:
    """clae_cla_id → child id, from this batch's episodes, then the stored links."""
    wanted = set(cla_ids)
    out: dict[str, str] = {}
    episodes = ctx.tables.get(t.EPISODES.name)
    if episodes is not None:
        for cla, person in (
            episodes.select("CLAE_CLA_ID", "CLAE_PERSON_ID").drop_nulls().unique().iter_rows()
        ):
            out.setdefault(cla, person)
    rest = sorted(wanted - set(out))
    for chunk in _chunks(rest):
        for cla, child in (
            Episode.objects.filter(la=ctx.la, ssd_cla_id__in=chunk)
            .values_list("ssd_cla_id", "child__child_id")
            .distinct()
        ):
            out.setdefault(cla, child)
        for cla, child in PeriodOfCare.objects.filter(la=ctx.la, ssd_cla_id__in=chunk).values_list(
            "ssd_cla_id", "child__child_id"
        ):
            out.setdefault(cla, child)
    return out


def _reviews_resolve(ctx: ValidationContext) -> None:
    frame = ctx.tables.get(t.REVIEWS.name)
    if frame is None:
        return
    mapping = cla_children(ctx, frame["CLAR_CLA_ID"].drop_nulls().unique().to_list())
    lookup = pl.DataFrame(
        {"CLAR_CLA_ID": list(mapping), "episode_child": list(mapping.values())},
        schema={"CLAR_CLA_ID": pl.String, "episode_child": pl.String},
    )
    joined = frame.join(lookup, on="CLAR_CLA_ID", how="left", maintain_order="left")
    other = joined.filter(
        pl.col("CLAR_CLA_PERSON_ID").is_not_null()
        & pl.col("episode_child").is_not_null()
        & (pl.col("CLAR_CLA_PERSON_ID") != pl.col("episode_child"))
    )
    if other.height:
        _issue(ctx, WARNING, t.REVIEWS.name, other, "review_child_differs",
               MSG_REVIEW_OTHER_CHILD, column="CLAR_CLA_ID",
               indicators=t.REVIEWS.indicators)  # fmt: skip
    unresolved = joined.filter(
        pl.col("CLAR_CLA_PERSON_ID").is_null() & pl.col("episode_child").is_null()
    )
    if unresolved.height:
        _issue(ctx, ERROR, t.REVIEWS.name, unresolved, "unknown_period", MSG_REVIEW_NO_CHILD,
               column="CLAR_CLA_ID", indicators=t.REVIEWS.indicators)  # fmt: skip
    ctx.tables[t.REVIEWS.name] = joined.with_columns(
        pl.coalesce("CLAR_CLA_PERSON_ID", "episode_child").alias("CLAR_CLA_PERSON_ID")
    ).drop("episode_child")


def _involvements_resolve(ctx: ValidationContext) -> None:
    frame = ctx.tables.get(t.INVOLVEMENTS.name)
    if frame is None:
        return
    need = frame.filter(pl.col("INVO_PERSON_ID").is_null())
    if not need.height:
        return
    referrals = need["INVO_REFERRAL_ID"].drop_nulls().unique().to_list()
    mapping: dict[str, str] = {}
    cin = ctx.tables.get(t.CIN_EPISODES.name)
    if cin is not None:
        mapping.update(
            dict(cin.select("CINE_REFERRAL_ID", "CINE_PERSON_ID").drop_nulls().iter_rows())
        )
    rest = [r for r in referrals if r not in mapping]
    for chunk in _chunks(rest):
        mapping.update(
            CINEpisode.objects.filter(la=ctx.la, referral_id__in=chunk).values_list(
                "referral_id", "child__child_id"
            )
        )
    lookup = pl.DataFrame(
        {"INVO_REFERRAL_ID": list(mapping), "referral_child": list(mapping.values())},
        schema={"INVO_REFERRAL_ID": pl.String, "referral_child": pl.String},
    )
    joined = frame.join(lookup, on="INVO_REFERRAL_ID", how="left", maintain_order="left")
    unresolved = joined.filter(
        pl.col("INVO_PERSON_ID").is_null() & pl.col("referral_child").is_null()
    )
    if unresolved.height:
        _issue(ctx, ERROR, t.INVOLVEMENTS.name,
               unresolved.with_columns(pl.col("INVO_REFERRAL_ID").fill_null("")),
               "unknown_child", MSG_INVOLVEMENT_NO_CHILD, column="INVO_REFERRAL_ID",
               indicators=t.INVOLVEMENTS.indicators)  # fmt: skip
    ctx.tables[t.INVOLVEMENTS.name] = joined.with_columns(
        pl.coalesce("INVO_PERSON_ID", "referral_child").alias("INVO_PERSON_ID")
    ).drop("referral_child")


def teams_known(ctx: ValidationContext) -> tuple[dict[str, str], dict[str, str]]:
    """(team id → team id, casefolded team name → team id): this batch's, then stored."""
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    for team_id, name in Team.objects.filter(la=ctx.la).values_list("team_id", "name"):
        ids[team_id] = team_id
        names.setdefault(name.strip().casefold(), team_id)
    dept = ctx.tables.get(t.DEPARTMENT.name)
    if dept is not None:
        for team_id, name in dept.select("DEPT_TEAM_ID", "DEPT_TEAM_NAME").iter_rows():
            ids[team_id] = team_id
            if name:
                names[name.strip().casefold()] = team_id
    return ids, names


def _team_column(ctx, table: t.SsdTable, column: str, ids, names, *, severity: str | None):
    """Replace a team reference (id or name) by the team id; report the unknown ones."""
    frame = ctx.tables.get(table.name)
    if frame is None or column not in frame.columns:
        return
    values = frame[column].drop_nulls().unique().to_list()
    resolved: dict[str, str] = {}
    unknown: list[str] = []
    for value in values:
        team = ids.get(value) or ids.get(value.strip()) or names.get(value.strip().casefold())
        if team is None:
            unknown.append(value)
        else:
            resolved[value] = team
    if unknown and severity is not None:
        bad = frame.filter(pl.col(column).is_in(unknown))
        message = MSG_UNKNOWN_TEAM if severity == ERROR else MSG_UNKNOWN_TEAM_WARN
        _issue(ctx, severity, table.name, bad, "unknown_team",
               message.replace("{column}", _label(column)), column=column,
               indicators=table.indicators)  # fmt: skip
    if resolved:
        ctx.tables[table.name] = frame.with_columns(pl.col(column).replace(resolved).alias(column))


def _teams_resolve(ctx: ValidationContext) -> None:
    ids, names = teams_known(ctx)
    _team_column(ctx, t.INVOLVEMENTS, "INVO_PROFESSIONAL_TEAM", ids, names, severity=ERROR)
    _team_column(ctx, t.TEAM_MEMBERSHIP, "TMEM_TEAM_ID", ids, names, severity=ERROR)
    _team_column(ctx, t.CARE_LEAVERS, "CLEA_CARE_LEAVER_ALLOCATED_TEAM", ids, names,
                 severity=WARNING)  # fmt: skip
    _team_column(ctx, t.CIN_ASSESSMENTS, "CINA_ASSESSMENT_TEAM", ids, names, severity=None)
    dept = ctx.tables.get(t.DEPARTMENT.name)
    if dept is not None:
        orphan = dept.filter(
            pl.col("DEPT_TEAM_PARENT_ID").is_not_null()
            & ~pl.col("DEPT_TEAM_PARENT_ID").is_in(list(ids))
        )
        if orphan.height:
            _issue(ctx, WARNING, t.DEPARTMENT.name, orphan, "unknown_team", MSG_UNKNOWN_PARENT,
                   column="DEPT_TEAM_PARENT_ID")  # fmt: skip
            ctx.tables[t.DEPARTMENT.name] = dept.with_columns(
                pl.when(pl.col("DEPT_TEAM_PARENT_ID").is_in(list(ids)))
                .then(pl.col("DEPT_TEAM_PARENT_ID"))
                .otherwise(None)
                .alias("DEPT_TEAM_PARENT_ID")
            )


def _known_ids(
    ctx, table: t.SsdTable, column: str, model, field: str, wanted: set[str]
) -> set[str]:
    known: set[str] = set()
    frame = ctx.tables.get(table.name)
    if frame is not None:
        known.update(frame[column].drop_nulls().to_list())
    rest = sorted(wanted - known)
    for chunk in _chunks(rest):
        known.update(
            model.objects.filter(la=ctx.la, **{f"{field}__in": chunk}).values_list(field, flat=True)
        )
    return known


def _unknown_report(ctx, table: t.SsdTable, column: str, known: set[str], kind, message) -> None:
    frame = ctx.tables.get(table.name)
    if frame is None or column not in frame.columns:
        return
    bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(known)))
    if bad.height:
        _issue(ctx, ERROR, table.name, bad, kind, message.replace("{column}", _label(column)),
               column=column, indicators=table.indicators)  # fmt: skip


def _workers_check(ctx: ValidationContext) -> None:
    wanted: set[str] = set()
    for table, column in ((t.INVOLVEMENTS, "INVO_PROFESSIONAL_ID"),
                          (t.TEAM_MEMBERSHIP, "TMEM_PROFESSIONAL_ID")):  # fmt: skip
        frame = ctx.tables.get(table.name)
        if frame is not None:
            wanted.update(frame[column].drop_nulls().unique().to_list())
    if not wanted:
        return
    known = _known_ids(ctx, t.PROFESSIONALS, "PROF_PROFESSIONAL_ID", Worker, "professional_id",
                       wanted)  # fmt: skip
    _unknown_report(ctx, t.INVOLVEMENTS, "INVO_PROFESSIONAL_ID", known, "unknown_worker",
                    MSG_UNKNOWN_WORKER)  # fmt: skip
    _unknown_report(ctx, t.TEAM_MEMBERSHIP, "TMEM_PROFESSIONAL_ID", known, "unknown_worker",
                    MSG_UNKNOWN_WORKER)  # fmt: skip


def _references_check(ctx: ValidationContext) -> None:
    rhi = ctx.tables.get(t.MISSING_RHI.name)
    if rhi is not None:
        known = _known_ids(ctx, t.MISSING, "MISS_TABLE_ID", MissingEpisode, "ssd_id",
                           set(rhi["MISS_TABLE_ID"].drop_nulls().to_list()))  # fmt: skip
        _unknown_report(ctx, t.MISSING_RHI, "MISS_TABLE_ID", known, "unknown_missing",
                        MSG_UNKNOWN_MISSING)  # fmt: skip
    factors = ctx.tables.get(t.ASSESSMENT_FACTORS.name)
    if factors is not None:
        known = _known_ids(ctx, t.CIN_ASSESSMENTS, "CINA_ASSESSMENT_ID", CINAssessment,
                           "assessment_id",
                           set(factors["CINF_ASSESSMENT_ID"].drop_nulls().to_list()))  # fmt: skip
        _unknown_report(ctx, t.ASSESSMENT_FACTORS, "CINF_ASSESSMENT_ID", known,
                        "unknown_assessment", MSG_UNKNOWN_ASSESSMENT)  # fmt: skip
    location = ctx.tables.get(t.PLACEMENT_LOCATION.name)
    if location is not None:
        wanted = set(location["CLAP_CLA_PLACEMENT_ID"].drop_nulls().to_list())
        known = _known_ids(ctx, t.PLACEMENTS, "CLAP_CLA_PLACEMENT_ID", Episode, "ssd_placement_id",
                           wanted)  # fmt: skip
        _unknown_report(ctx, t.PLACEMENT_LOCATION, "CLAP_CLA_PLACEMENT_ID", known,
                        "unknown_placement", MSG_UNKNOWN_PLACEMENT)  # fmt: skip


def factors_read(text: str | None) -> list[str] | None:
    """``["11A","13A"]`` or ``{"11A": "Yes", "13A": "No"}`` → sorted codes; None if neither."""
    if text is None:
        return []
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    if isinstance(value, list):
        if not all(isinstance(v, str | int) for v in value):
            return None
        return sorted({str(v).strip().upper() for v in value if str(v).strip()})
    if isinstance(value, dict):
        yes = {"Y", "YES", "TRUE", "1"}
        return sorted(
            str(k).strip().upper()
            for k, v in value.items()
            if v is True or (isinstance(v, str | int) and str(v).strip().upper() in yes)
        )
    return None


def _factors_parse(ctx: ValidationContext) -> None:
    frame = ctx.tables.get(t.ASSESSMENT_FACTORS.name)
    if frame is None:
        return
    parsed = [factors_read(v) for v in frame["CINF_ASSESSMENT_FACTORS_JSON"].to_list()]
    ok = pl.Series("ok", [p is not None for p in parsed])
    bad = frame.filter(~ok)
    if bad.height:
        _issue(ctx, ERROR, t.ASSESSMENT_FACTORS.name, bad, "invalid_json", MSG_BAD_FACTORS,
               column="CINF_ASSESSMENT_FACTORS_JSON",
               indicators=t.ASSESSMENT_FACTORS.indicators)  # fmt: skip
    ctx.tables[t.ASSESSMENT_FACTORS.name] = frame.with_columns(
        pl.Series("_FACTORS", [json.dumps(p or []) for p in parsed], dtype=pl.String)
    )


def _roles_check(ctx: ValidationContext) -> None:
    frame = ctx.tables.get(t.PROFESSIONALS.name)
    if frame is None:
        return
    members = ctx.tables.get(t.TEAM_MEMBERSHIP.name)
    with_membership = (
        set(members["TMEM_PROFESSIONAL_ID"].drop_nulls().to_list())
        if members is not None
        else set()
    )
    from organisations.models import TeamMembership

    with_membership.update(
        TeamMembership.objects.filter(la=ctx.la).values_list("worker__professional_id", flat=True)
    )
    no_role = frame.filter(
        pl.col("_ROLE").is_null()
        & pl.col("PROF_PROFESSIONAL_JOB_TITLE").is_not_null()
        & ~pl.col("PROF_PROFESSIONAL_ID").is_in(list(with_membership))
    )
    held_roles = set(
        Worker.objects.filter(la=ctx.la).exclude(role="").values_list("professional_id", flat=True)
    )
    no_role = no_role.filter(~pl.col("PROF_PROFESSIONAL_ID").is_in(list(held_roles)))
    if no_role.height:
        _issue(ctx, WARNING, t.PROFESSIONALS.name, no_role, "no_role", MSG_NO_ROLE,
               column="PROF_PROFESSIONAL_JOB_TITLE",
               indicators=t.PROFESSIONALS.indicators)  # fmt: skip


def _person_vs_903(ctx: ValidationContext) -> None:
    """The 903 header wins for sex and date of birth of the children it holds."""
    frame = ctx.tables.get(t.PERSON.name)
    if frame is None:
        return
    ids = frame["PERS_PERSON_ID"].drop_nulls().to_list()
    held: list[tuple] = []
    for chunk in _chunks(ids):
        held.extend(
            Child.objects.filter(
                la=ctx.la, child_id__in=chunk, header_year__isnull=False
            ).values_list("child_id", "sex", "dob")
        )
    if not held:
        return
    header = pl.DataFrame(
        held, schema={"PERS_PERSON_ID": pl.String, "H_SEX": pl.String, "H_DOB": pl.Date},
        orient="row",
    )  # fmt: skip
    joined = frame.join(header, on="PERS_PERSON_ID", how="inner")
    for column, held_column in (("PERS_SEX", "H_SEX"), ("PERS_DOB", "H_DOB")):
        differs = joined.filter(
            pl.col(column).is_not_null()
            & pl.col(held_column).is_not_null()
            & (pl.col(column) != pl.col(held_column))
        ).with_columns(
            pl.col(column).cast(pl.String).alias("v"),
            pl.col(held_column).cast(pl.String).alias("held"),
        )
        if differs.height:
            _issue(ctx, WARNING, t.PERSON.name, differs, "differs_from_903",
                   MSG_903_PERSON_DIFFERS.replace("{column}", _label(column)), column=column,
                   value="v", indicators=t.PERSON.indicators)  # fmt: skip


# ---------------------------------------------------------------------------------------
# 3. Dates

_SPANS = (
    (t.EPISODES, "CLAE_CLA_EPISODE_START_DATE", "CLAE_CLA_EPISODE_CEASED_DATE", ERROR),
    (t.PLACEMENTS, "CLAP_CLA_PLACEMENT_START_DATE", "CLAP_CLA_PLACEMENT_END_DATE", ERROR),
    (t.MISSING, "MISS_MISSING_EPISODE_START_DATE", "MISS_MISSING_EPISODE_END_DATE", ERROR),
    (t.INVOLVEMENTS, "INVO_INVOLVEMENT_START_DATE", "INVO_INVOLVEMENT_END_DATE", ERROR),
    (t.EXPLOITATION_RISK, "EXPL_START_DATE", "EXPL_END_DATE", ERROR),
    (t.TEAM_MEMBERSHIP, "TMEM_START_DATE", "TMEM_END_DATE", ERROR),
    (t.SCHOOL, "CLSC_START_DATE", "CLSC_END_DATE", ERROR),
    (t.LEGAL_STATUS, "LEGA_LEGAL_STATUS_START_DATE", "LEGA_LEGAL_STATUS_END_DATE", WARNING),
    (t.ADDRESS, "ADDR_ADDRESS_START_DATE", "ADDR_ADDRESS_END_DATE", WARNING),
    (t.CIN_EPISODES, "CINE_REFERRAL_DATE", "CINE_CLOSE_DATE", WARNING),
)
#: Rows that must differ in (child, start) because the model keys them so.
_CHILD_START_UNIQUE = (
    (t.MISSING, "MISS_MISSING_EPISODE_START_DATE"),
    (t.EPISODES, "CLAE_CLA_EPISODE_START_DATE"),
)


def validate_dates(ctx: ValidationContext) -> None:
    """Ends before starts; cancelled-only blank review dates; one row per child and day."""
    for table, start, end, severity in _SPANS:
        frame = ctx.tables.get(table.name)
        if frame is None:
            continue
        bad = frame.filter(pl.col(end) < pl.col(start)).with_columns(
            pl.col(end).dt.strftime("%d/%m/%Y").alias("v"),
            pl.col(start).dt.strftime("%d/%m/%Y").alias("start_value"),
        )
        if bad.height:
            message = MSG_END_BEFORE_START.replace("{end}", _label(end)).replace(
                "{start}", _label(start)
            )
            _issue(ctx, severity, table.name, bad, "end_before_start", message, column=end,
                   value="v", indicators=table.indicators)  # fmt: skip
    reviews = ctx.tables.get(t.REVIEWS.name)
    if reviews is not None:
        bad = reviews.filter(
            pl.col("CLAR_CLA_REVIEW_DATE").is_null()
            & (pl.col("CLAR_CLA_REVIEW_CANCELLED").is_null() | ~pl.col("CLAR_CLA_REVIEW_CANCELLED"))
        )
        if bad.height:
            _issue(ctx, ERROR, t.REVIEWS.name, bad, "required", MSG_REVIEW_DATE,
                   column="CLAR_CLA_REVIEW_DATE", indicators=t.REVIEWS.indicators)  # fmt: skip
    for table, start in _CHILD_START_UNIQUE:
        frame = ctx.tables.get(table.name)
        if frame is None:
            continue
        keyed = frame.drop_nulls([table.person, start])
        dup = keyed.filter(pl.struct(table.person, start).is_duplicated())
        first = dup.group_by(table.person, start).agg(pl.col(ROW).min().alias("first"))
        repeats = (
            dup.join(first, on=[table.person, start])
            .filter(pl.col(ROW) != pl.col("first"))
            .with_columns(
                pl.col(start).dt.strftime("%d/%m/%Y").alias("v"),
                pl.col(table.person).alias("person"),
            )
        )
        if repeats.height:
            _issue(ctx, ERROR, table.name, repeats, "duplicate_child_date",
                   MSG_DUPLICATE_CHILD_DATE.replace("{label}", table.name), column=start,
                   value="v", indicators=table.indicators)  # fmt: skip


# ---------------------------------------------------------------------------------------
# 4. Episodes


def children_in_903(*, la, child_ids: Iterable[str]) -> set[str]:
    """Children with SSDA903 episodes: the 903 is the only source of their care history."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(child_ids))):
        found.update(
            Episode.objects.filter(la=la, child__child_id__in=chunk)
            .exclude(source="ssd")
            .values_list("child__child_id", flat=True)
            .distinct()
        )
    return found


def validate_episodes(ctx: ValidationContext) -> None:
    """Complete SSD-sourced episodes; compare the others with the 903 (see module)."""
    episodes = ctx.tables.get(t.EPISODES.name)
    if episodes is None:
        for companion in (t.PLACEMENTS, t.LEGAL_STATUS, t.ADDRESS, t.PLACEMENT_LOCATION):
            frame = ctx.tables.get(companion.name)
            if frame is not None and companion is not t.PLACEMENT_LOCATION:
                ctx.log.add(
                    WARNING, "companion_alone",
                    MSG_COMPANION_ALONE.replace("{table}", companion.name),
                    file_name=ctx.files.get(companion.name, ""), table=companion.name,
                    indicators=companion.indicators,
                )  # fmt: skip
        return
    held = children_in_903(la=ctx.la, child_ids=episodes["CLAE_PERSON_ID"].drop_nulls().to_list())
    episodes = episodes.with_columns(pl.col("CLAE_PERSON_ID").is_in(list(held)).alias("_IN_903"))
    _compare_with_903(ctx, episodes.filter(pl.col("_IN_903")))
    ssd_only = episodes.filter(~pl.col("_IN_903"))
    completed = _complete_ssd_episodes(ctx, ssd_only) if ssd_only.height else None
    if completed is not None:
        episodes = episodes.join(
            completed, on="CLAE_CLA_EPISODE_ID", how="left", maintain_order="left"
        )
    ctx.tables[t.EPISODES.name] = episodes


def _compare_with_903(ctx: ValidationContext, frame: pl.DataFrame) -> None:
    if not frame.height:
        return
    ids = frame["CLAE_PERSON_ID"].unique().to_list()
    rows = []
    for chunk in _chunks(ids):
        rows.extend(
            Episode.objects.filter(la=ctx.la, child__child_id__in=chunk)
            .exclude(source="ssd")
            .values_list("child__child_id", "decom", "dec", "rne", "place")
        )
    held = pl.DataFrame(
        rows,
        schema={"CLAE_PERSON_ID": pl.String, "CLAE_CLA_EPISODE_START_DATE": pl.Date,
                "H_DEC": pl.Date, "H_RNE": pl.String, "H_PLACE": pl.String},
        orient="row",
    )  # fmt: skip
    joined = frame.join(held, on=["CLAE_PERSON_ID", "CLAE_CLA_EPISODE_START_DATE"], how="left")
    fmt = pl.col("CLAE_CLA_EPISODE_START_DATE").dt.strftime("%d/%m/%Y").alias("v")
    absent = joined.filter(pl.col("H_RNE").is_null()).with_columns(
        fmt, pl.col("CLAE_PERSON_ID").alias("person")
    )
    if absent.height:
        _issue(ctx, WARNING, t.EPISODES.name, absent, "ssd_episode_not_in_903", MSG_903_MISSING,
               column="CLAE_CLA_EPISODE_START_DATE", value="v",
               indicators=t.EPISODES.indicators)  # fmt: skip
    present = joined.filter(pl.col("H_RNE").is_not_null())
    differs = present.with_columns(
        pl.concat_str(
            [
                pl.when(~pl.col("CLAE_CLA_EPISODE_CEASED_DATE").eq_missing(pl.col("H_DEC")))
                .then(pl.lit("end date"))
                .otherwise(None),
                pl.when(~pl.col("CLAE_CLA_EPISODE_START_REASON").eq_missing(pl.col("H_RNE")))
                .then(pl.lit("reason for new episode"))
                .otherwise(None),
            ],
            separator=", ",
            ignore_nulls=True,
        ).alias("what"),
        fmt,
        pl.col("CLAE_PERSON_ID").alias("person"),
    ).filter(pl.col("what") != "")
    if differs.height:
        _issue(ctx, WARNING, t.EPISODES.name, differs, "ssd_differs_from_903", MSG_903_DIFFERS,
               column="CLAE_CLA_EPISODE_START_DATE", value="v",
               indicators=t.EPISODES.indicators)  # fmt: skip
    placements = ctx.tables.get(t.PLACEMENTS.name)
    if placements is not None and present.height:
        place = _placement_for(present, placements).filter(
            pl.col("_PLACE").is_not_null() & (pl.col("_PLACE") != pl.col("H_PLACE"))
        ).with_columns(fmt, pl.col("CLAE_PERSON_ID").alias("person"),
                       pl.lit("placement type").alias("what"))  # fmt: skip
        if place.height:
            _issue(ctx, WARNING, t.EPISODES.name, place, "ssd_differs_from_903",
                   MSG_903_DIFFERS, column="CLAE_CLA_EPISODE_START_DATE", value="v",
                   indicators=t.EPISODES.indicators)  # fmt: skip


_PLACEMENT_COLUMNS = {
    "CLAP_CLA_PLACEMENT_ID": "_PLACEMENT_ID",
    "CLAP_CLA_PLACEMENT_TYPE": "_PLACE",
    "CLAP_CLA_PLACEMENT_PROVIDER": "_PROVIDER",
    "CLAP_CLA_PLACEMENT_POSTCODE": "_PL_POST",
    "CLAP_CLA_PLACEMENT_URN": "_URN",
    "CLAP_CLA_PLACEMENT_DISTANCE": "_DISTANCE",
    "CLAP_CLA_PLACEMENT_CHANGE_REASON": "_CHANGE_REASON",
    "CLAP_CLA_PLACEMENT_END_DATE": "_PLACEMENT_END",
}


def _placement_for(episodes: pl.DataFrame, placements: pl.DataFrame | None) -> pl.DataFrame:
    """Each episode with its placement: by ``clae_cla_placement_id``, else the placement of
    the same period (``clap_cla_id``) open on the episode's start day (latest start wins)."""
    cols = ["CLAE_CLA_EPISODE_ID", *_PLACEMENT_COLUMNS.values()]
    if placements is None:
        return episodes.with_columns(
            pl.lit(None, dtype=pl.String).alias(n) for n in cols[1:]
        ).with_columns(pl.col("_DISTANCE").cast(pl.Float64), pl.col("_PLACEMENT_END").cast(pl.Date))
    renamed = placements.select(
        pl.col("CLAP_CLA_ID"),
        pl.col("CLAP_CLA_PLACEMENT_START_DATE").alias("_PLACEMENT_START"),
        *(pl.col(k).alias(v) for k, v in _PLACEMENT_COLUMNS.items()),
    )
    by_id = episodes.join(
        renamed.drop("CLAP_CLA_ID", "_PLACEMENT_START"),
        left_on="CLAE_CLA_PLACEMENT_ID",
        right_on="_PLACEMENT_ID",
        how="left",
        maintain_order="left",
        coalesce=False,
    )
    missing = by_id.filter(pl.col("_PLACEMENT_ID").is_null()).select(
        "CLAE_CLA_EPISODE_ID", "CLAE_CLA_ID", "CLAE_CLA_EPISODE_START_DATE"
    )
    if missing.height:
        candidates = (
            missing.join(renamed, left_on="CLAE_CLA_ID", right_on="CLAP_CLA_ID", how="inner")
            .filter(
                (pl.col("_PLACEMENT_START") <= pl.col("CLAE_CLA_EPISODE_START_DATE"))
                & (
                    pl.col("_PLACEMENT_END").is_null()
                    | (pl.col("_PLACEMENT_END") > pl.col("CLAE_CLA_EPISODE_START_DATE"))
                )
            )
            .sort("_PLACEMENT_START", descending=True)
            .unique("CLAE_CLA_EPISODE_ID", keep="first")
            .select(cols)
        )
        by_id = by_id.update(candidates, on="CLAE_CLA_EPISODE_ID", how="left")
    return by_id


def _complete_ssd_episodes(ctx: ValidationContext, frame: pl.DataFrame) -> pl.DataFrame:
    """For SSD-sourced episodes: place, provider, postcodes, legal status and location."""
    from placements.location import placement_location
    from placements.postcodes import postcodes_lookup

    placements = ctx.tables.get(t.PLACEMENTS.name)
    frame = _placement_for(frame, placements)
    frame = _placement_from_store(ctx, frame)
    no_place = frame.filter(pl.col("_PLACE").is_null()).with_columns(
        pl.col("CLAE_CLA_EPISODE_START_DATE").dt.strftime("%d/%m/%Y").alias("v"),
        pl.col("CLAE_PERSON_ID").alias("person"),
        pl.col("CLAE_CLA_ID").alias("cla"),
    )
    if no_place.height:
        _issue(ctx, ERROR, t.EPISODES.name, no_place, "no_placement", MSG_NO_PLACEMENT,
               column="CLAE_CLA_PLACEMENT_ID", value="v",
               indicators=t.EPISODES.indicators)  # fmt: skip

    # Legal status open on the episode's start (the short-break rule needs V3/V4).
    legal = ctx.tables.get(t.LEGAL_STATUS.name)
    starts = frame.select("CLAE_CLA_EPISODE_ID", "CLAE_PERSON_ID", "CLAE_CLA_EPISODE_START_DATE")
    if legal is None:
        first_rows = frame.unique("CLAE_PERSON_ID", keep="first", maintain_order=True).with_columns(
            pl.col("CLAE_PERSON_ID").alias("person")
        )
        _issue(ctx, WARNING, t.EPISODES.name, first_rows, "no_legal_status",
               MSG_NO_LEGAL_STATUS_TABLE, column="CLAE_PERSON_ID",
               indicators=t.EPISODES.indicators)  # fmt: skip
        ls = starts.select("CLAE_CLA_EPISODE_ID").with_columns(
            pl.lit(None, dtype=pl.String).alias("_LS")
        )
    else:
        ls = (
            starts.join(
                legal.filter(pl.col("_LS").is_not_null()).select(
                    pl.col("LEGA_PERSON_ID"), "LEGA_LEGAL_STATUS_START_DATE",
                    "LEGA_LEGAL_STATUS_END_DATE", "_LS",
                ),
                left_on="CLAE_PERSON_ID", right_on="LEGA_PERSON_ID", how="inner",
            )
            .filter(
                (pl.col("LEGA_LEGAL_STATUS_START_DATE") <= pl.col("CLAE_CLA_EPISODE_START_DATE"))
                & (
                    pl.col("LEGA_LEGAL_STATUS_END_DATE").is_null()
                    | (pl.col("LEGA_LEGAL_STATUS_END_DATE")
                       >= pl.col("CLAE_CLA_EPISODE_START_DATE"))
                )
            )
            .sort("LEGA_LEGAL_STATUS_START_DATE", descending=True)
            .unique("CLAE_CLA_EPISODE_ID", keep="first")
            .select("CLAE_CLA_EPISODE_ID", "_LS")
        )  # fmt: skip
    frame = frame.join(ls, on="CLAE_CLA_EPISODE_ID", how="left", maintain_order="left")
    if legal is not None:
        lacking = frame.filter(pl.col("_LS").is_null()).with_columns(
            pl.col("CLAE_CLA_EPISODE_START_DATE").dt.strftime("%d/%m/%Y").alias("v"),
            pl.col("CLAE_PERSON_ID").alias("person"),
        )
        if lacking.height:
            _issue(ctx, WARNING, t.EPISODES.name, lacking, "no_legal_status",
                   MSG_NO_LEGAL_STATUS, column="CLAE_CLA_EPISODE_START_DATE", value="v",
                   indicators=t.EPISODES.indicators)  # fmt: skip

    # Home postcode: the child's address open on the day care began (§3.13).
    address = ctx.tables.get(t.ADDRESS.name)
    if address is not None:
        homes = address.filter(
            pl.col("ADDR_ADDRESS_POSTCODE").is_not_null()
            & ~pl.col("ADDR_ADDRESS_TYPE")
            .fill_null("")
            .str.to_lowercase()
            .str.contains("placement")
        )
        first_day = frame.group_by("CLAE_CLA_ID").agg(
            pl.col("CLAE_CLA_EPISODE_START_DATE").min().alias("_CARE_START")
        )
        with_start = frame.select("CLAE_CLA_EPISODE_ID", "CLAE_PERSON_ID", "CLAE_CLA_ID").join(
            first_day, on="CLAE_CLA_ID", how="left"
        )
        home = (
            with_start.join(homes, left_on="CLAE_PERSON_ID", right_on="ADDR_PERSON_ID", how="inner")
            .filter(
                (pl.col("ADDR_ADDRESS_START_DATE").is_null()
                 | (pl.col("ADDR_ADDRESS_START_DATE") <= pl.col("_CARE_START")))
                & (pl.col("ADDR_ADDRESS_END_DATE").is_null()
                   | (pl.col("ADDR_ADDRESS_END_DATE") >= pl.col("_CARE_START")))
            )
            .sort("ADDR_ADDRESS_START_DATE", descending=True, nulls_last=True)
            .unique("CLAE_CLA_EPISODE_ID", keep="first")
            .select("CLAE_CLA_EPISODE_ID", pl.col("ADDR_ADDRESS_POSTCODE").alias("_HOME_POST"))
        )  # fmt: skip
        frame = frame.join(home, on="CLAE_CLA_EPISODE_ID", how="left", maintain_order="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("_HOME_POST"))
    frame = _home_from_store(ctx, frame)

    # Location: supplied (ext_cla_placement_location, distance) wins; else derived.
    location = ctx.tables.get(t.PLACEMENT_LOCATION.name)
    if location is not None:
        frame = frame.join(
            location.select(
                pl.col("CLAP_CLA_PLACEMENT_ID").alias("_PLACEMENT_ID"),
                pl.col("CLAP_CLA_PLACEMENT_IN_AREA").alias("_PL_LOCATION"),
                pl.col("CLAP_CLA_PLACEMENT_LA").alias("_PL_LA"),
            ),
            on="_PLACEMENT_ID", how="left", maintain_order="left",
        )  # fmt: skip
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias("_PL_LOCATION"),
            pl.lit(None, dtype=pl.String).alias("_PL_LA"),
        )
    frame = frame.with_columns(
        pl.when(pl.col("_DISTANCE") >= 999.9)
        .then(None)
        .otherwise(pl.col("_DISTANCE"))
        .alias("_DISTANCE")
    )
    rows = frame.select(
        "_HOME_POST", "_PL_POST", "_PLACE", "_LS", "_PL_LA", "_PL_LOCATION", "_DISTANCE"
    ).to_dicts()
    points = postcodes_lookup(p for r in rows for p in (r["_HOME_POST"], r["_PL_POST"]))
    derived_la, derived_location, derived_distance = [], [], []
    for row in rows:
        found = placement_location(
            la_code=ctx.la.code, home_post=row["_HOME_POST"], pl_post=row["_PL_POST"],
            place=row["_PLACE"] or "", ls=row["_LS"] or "", points=points,
        )  # fmt: skip
        derived_la.append(row["_PL_LA"] or found.pl_la or None)
        derived_location.append(row["_PL_LOCATION"] or found.pl_location or None)
        distance = row["_DISTANCE"]
        derived_distance.append(
            str(Decimal(str(distance)).quantize(Decimal("0.1")))
            if distance is not None
            else (str(found.pl_distance) if found.pl_distance is not None else None)
        )
    frame = frame.with_columns(
        pl.Series("_PL_LA", derived_la, dtype=pl.String),
        pl.Series("_PL_LOCATION", derived_location, dtype=pl.String),
        pl.Series("_PL_DISTANCE", derived_distance, dtype=pl.String),
    )
    unknown = frame.filter(pl.col("_PL_LOCATION").is_null() & pl.col("_PLACE").is_not_null())
    if unknown.height:
        _issue(
            ctx, WARNING, t.EPISODES.name,
            unknown.with_columns(pl.col("_PL_POST").fill_null("blank").alias("v")),
            "unknown_postcode",
            "Placement postcode {value} is blank, partial or not in the ONS directory: the "
            "placement's authority and distance are unknown (counted as unknown).",
            column="CLAP_CLA_PLACEMENT_POSTCODE", value="v", indicators=t.LOCATION_INDICATORS,
        )  # fmt: skip
    keep = ["CLAE_CLA_EPISODE_ID", "_PLACEMENT_ID", "_PLACE", "_PROVIDER", "_PL_POST", "_URN",
            "_CHANGE_REASON", "_PLACEMENT_END", "_LS", "_HOME_POST", "_PL_LA", "_PL_LOCATION",
            "_PL_DISTANCE"]  # fmt: skip
    return frame.select(keep)


def _placement_from_store(ctx: ValidationContext, frame: pl.DataFrame) -> pl.DataFrame:
    """A placement id not in this batch: take what the stored SSD episode says about it."""
    need = frame.filter(pl.col("_PLACE").is_null() & pl.col("CLAE_CLA_PLACEMENT_ID").is_not_null())
    if not need.height:
        return frame
    ids = need["CLAE_CLA_PLACEMENT_ID"].unique().to_list()
    rows = []
    for chunk in _chunks(ids):
        rows.extend(
            Episode.objects.filter(la=ctx.la, source="ssd", ssd_placement_id__in=chunk)
            .order_by("ssd_placement_id", "decom")
            .values_list(
                "ssd_placement_id", "place", "place_provider", "pl_post", "urn", "pl_distance"
            )  # fmt: skip
        )
    if not rows:
        return frame
    stored = pl.DataFrame(
        [(r[0], r[1], r[2] or None, r[3] or None, r[4] or None,
          float(r[5]) if r[5] is not None else None) for r in rows],
        schema={"CLAE_CLA_PLACEMENT_ID": pl.String, "_S_PLACE": pl.String,
                "_S_PROVIDER": pl.String, "_S_PL_POST": pl.String, "_S_URN": pl.String,
                "_S_DISTANCE": pl.Float64},
        orient="row",
    ).unique("CLAE_CLA_PLACEMENT_ID", keep="first")  # fmt: skip
    frame = frame.join(stored, on="CLAE_CLA_PLACEMENT_ID", how="left", maintain_order="left")
    filled = frame.with_columns(
        pl.when(pl.col("_PLACE").is_null() & pl.col("_S_PLACE").is_not_null())
        .then(pl.col("CLAE_CLA_PLACEMENT_ID"))
        .otherwise(pl.col("_PLACEMENT_ID"))
        .alias("_PLACEMENT_ID"),
        *(
            pl.when(pl.col("_PLACE").is_null()).then(pl.col(f"_S{n}")).otherwise(pl.col(n)).alias(n)
            for n in ("_PROVIDER", "_PL_POST", "_URN", "_DISTANCE")
        ),
    ).with_columns(pl.coalesce("_PLACE", "_S_PLACE").alias("_PLACE"))
    return filled.drop("_S_PLACE", "_S_PROVIDER", "_S_PL_POST", "_S_URN", "_S_DISTANCE")


def _home_from_store(ctx: ValidationContext, frame: pl.DataFrame) -> pl.DataFrame:
    """No address in this batch: keep the home postcode and legal status already stored."""
    need = frame.filter(pl.col("_HOME_POST").is_null() | pl.col("_LS").is_null())
    if not need.height:
        return frame
    keys = need.select("CLAE_PERSON_ID", "CLAE_CLA_EPISODE_START_DATE").unique()
    rows = []
    for chunk in _chunks(keys["CLAE_PERSON_ID"].unique().to_list()):
        rows.extend(
            Episode.objects.filter(la=ctx.la, source="ssd", child__child_id__in=chunk).values_list(
                "child__child_id", "decom", "home_post", "ls"
            )
        )
    if not rows:
        return frame
    stored = pl.DataFrame(
        [(a, b, h or None, ls or None) for a, b, h, ls in rows],
        schema={"CLAE_PERSON_ID": pl.String, "CLAE_CLA_EPISODE_START_DATE": pl.Date,
                "_S_HOME": pl.String, "_S_LS": pl.String},
        orient="row",
    )  # fmt: skip
    return (
        frame.join(
            stored,
            on=["CLAE_PERSON_ID", "CLAE_CLA_EPISODE_START_DATE"],
            how="left",
            maintain_order="left",
        )  # fmt: skip
        .with_columns(
            pl.coalesce("_HOME_POST", "_S_HOME").alias("_HOME_POST"),
            pl.coalesce("_LS", "_S_LS").alias("_LS"),
        )
        .drop("_S_HOME", "_S_LS")
    )


VALIDATORS = (validate_normalise, validate_links, validate_dates, validate_episodes)
