"""The SSD tables and project extensions the app imports (``ssd-extracts.md`` §3–§4).

Each table is a generic ``TableSpec`` (headers, kinds, required flags, lengths; checked
column by column by ``imports.validation``) plus what the generic checks do not cover,
kept beside it in ``SsdTable``: code columns (read through ``codes.SsdCodes``, so that
descriptions and the authority's ``ext_code_map.csv`` can be applied before a value is
judged), Y/N flags, decimals, the person column that links the row to a child, and for
event tables the date column whose range the file replaces.

Column names are upper case because the readers normalise headers that way (header
matching is case- and whitespace-tolerant, §1). Req (§1): **PK** and **Y**/**Y\\*** are
``required`` and must be in the header; **N** columns may be absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from imports.formats.base import DATE, EMPTY_MARKERS, ID, INT, POSTCODE, TEXT, Column, TableSpec
from imports.formats.ssd import codes as c

FLOAT = "float"  # read as TEXT by the generic checks, parsed by ``validate.normalise``
#: Text columns hold codes and descriptions mapped by ``codes.SsdCodes``, where ``N/A`` is a
#: value (``NA``, "no current eligibility"): only SQL Server's NULL and pandas' NaN are blank.
TEXT_EMPTY_MARKERS = frozenset({"NULL", "NAN"})


@dataclass(frozen=True)
class SsdTable:
    """A table with the SSD-specific reading of its columns."""

    spec: TableSpec
    codes: Mapping[str, c.SsdCodes] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    floats: tuple[str, ...] = ()
    person: str | None = None  # column holding pers_person_id
    person_required: bool = True
    main_date: str | None = None  # event tables: the date column whose range is replaced
    indicators: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # known columns never stored (data minimisation)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_event(self) -> bool:
        return self.main_date is not None


def _c(
    name: str,
    kind: str = ID,
    *,
    req: bool = False,
    header: bool | None = None,
    max_len: int | None = 48,
) -> Column:
    """A column; ``req`` = a value in every row; in the header when required unless told."""
    if kind in (DATE, INT, FLOAT):
        max_len = None
    return Column(
        name=name.upper(),
        kind=TEXT if kind == FLOAT else kind,
        required=req,
        header_required=req if header is None else header,
        max_length=max_len,
        empty_markers=TEXT_EMPTY_MARKERS if kind == TEXT else EMPTY_MARKERS,
    )


def _table(name: str, key: str | tuple[str, ...] | None, *columns: Column, label: str) -> TableSpec:
    if isinstance(key, str):
        key = (key,)
    return TableSpec(
        name=name,
        columns=columns,
        key=tuple(k.upper() for k in key or ()),
        label=label,
    )


U = str.upper

VISIT_INDICATORS = ("visits_on_time", "visits_due", "visits_seen_6_weeks")
HEALTH_INDICATORS = ("iha_on_time", "health_assessment_on_time", "dental_on_time")
REVIEW_INDICATORS = ("reviews_on_time", "reviews_late")
CARE_LEAVER_INDICATORS = (
    "pathway_plan", "cl_19_21_neet", "cl_19_21_unsuitable_accommodation", "cl_19_21_in_touch",
    "cl_birthday_cohort",
)  # fmt: skip
MISSING_INDICATORS = ("missing_incidents", "missing_children", "return_interviews")
EPISODE_INDICATORS = (
    "cla_count", "cla_rate_per_10k", "cla_started", "cla_ceased", "placements_3plus_12m",
    "placements_3plus_ytd", "long_term_stability", "placement_type_breakdown",
)  # fmt: skip
LOCATION_INDICATORS = (
    "placed_in_county", "out_of_county_non_uasc", "out_of_county_20_miles", "uasc_out_of_county",
)  # fmt: skip
RISK_INDICATORS = ("cse_risk", "gang_risk")
STAFF_INDICATORS = ("staffing",)

PERSON = SsdTable(
    spec=_table(
        "ssd_person", "pers_person_id",
        _c("pers_person_id", req=True),
        _c("pers_legacy_id"),
        _c("pers_forename", TEXT, max_len=100),
        _c("pers_surname", TEXT, max_len=100),
        _c("pers_sex", TEXT, max_len=20),
        _c("pers_gender", TEXT, max_len=10),
        _c("pers_ethnicity", TEXT),
        _c("pers_dob", DATE, req=True),
        _c("pers_upn", TEXT, max_len=13),
        _c("pers_upn_unknown", TEXT, max_len=6),
        _c("pers_death_date", DATE),
        _c("pers_common_child_id", TEXT, max_len=None),
        _c("pers_single_unique_id", TEXT, max_len=None),
        _c("pers_expected_dob", DATE),
        _c("pers_send_flag", TEXT, max_len=None),
        _c("pers_is_mother", TEXT, max_len=None),
        _c("pers_nationality", TEXT, max_len=None),
        label="Children (persons)",
    ),
    codes={U("pers_sex"): c.SEX, U("pers_gender"): c.GENDER, U("pers_ethnicity"): c.ETHNICITY},
    person=U("pers_person_id"),
    indicators=("cla_count", "gender_breakdown", "age_breakdown", "cse_risk", "gang_risk"),
    dropped=(U("pers_common_child_id"), U("pers_single_unique_id")),
)  # fmt: skip

EPISODES = SsdTable(
    spec=_table(
        "ssd_cla_episodes", "clae_cla_episode_id",
        _c("clae_cla_episode_id", req=True),
        _c("clae_person_id", req=True),
        _c("clae_cla_id", req=True),
        _c("clae_cla_episode_start_date", DATE, req=True),
        _c("clae_cla_episode_start_reason", TEXT, req=True, max_len=100),
        _c("clae_cla_episode_ceased_date", DATE),
        _c("clae_cla_episode_ceased_reason", TEXT, max_len=255),
        _c("clae_cla_primary_need_code", TEXT, max_len=100),
        _c("clae_cla_placement_id"),
        _c("clae_entered_care_date", DATE),
        _c("clae_referral_id"),
        _c("clae_cla_last_iro_contact_date", DATE),
        label="Episodes of care",
    ),
    codes={
        U("clae_cla_episode_start_reason"): c.START_REASON,
        U("clae_cla_episode_ceased_reason"): c.CEASED_REASON,
        U("clae_cla_primary_need_code"): c.PRIMARY_NEED,
    },
    person=U("clae_person_id"),
    indicators=EPISODE_INDICATORS,
)  # fmt: skip

PLACEMENTS = SsdTable(
    spec=_table(
        "ssd_cla_placement", "clap_cla_placement_id",
        _c("clap_cla_placement_id", req=True),
        _c("clap_cla_id", req=True),
        _c("clap_person_id"),
        _c("clap_cla_placement_start_date", DATE, req=True),
        _c("clap_cla_placement_end_date", DATE),
        _c("clap_cla_placement_type", TEXT, req=True, max_len=100),
        _c("clap_cla_placement_distance", FLOAT),
        _c("clap_cla_placement_provider", TEXT),
        _c("clap_cla_placement_postcode", POSTCODE, max_len=8),
        _c("clap_cla_placement_urn", TEXT, max_len=8),
        _c("clap_cla_placement_change_reason", TEXT, max_len=100),
        label="Placements",
    ),
    codes={
        U("clap_cla_placement_type"): c.PLACEMENT_TYPE,
        U("clap_cla_placement_provider"): c.PROVIDER,
        U("clap_cla_placement_change_reason"): c.PLACEMENT_CHANGE_REASON,
    },
    floats=(U("clap_cla_placement_distance"),),
    person=U("clap_person_id"),
    person_required=False,
    indicators=EPISODE_INDICATORS + LOCATION_INDICATORS,
)  # fmt: skip

VISITS = SsdTable(
    spec=_table(
        "ssd_cla_visits", "clav_cla_visit_id",
        _c("clav_cla_visit_id", req=True),
        _c("clav_cla_id"),
        _c("clav_person_id", req=True),
        _c("clav_cla_visit_date", DATE, req=True),
        _c("clav_cla_visit_seen", TEXT, req=True, max_len=None),
        _c("clav_cla_visit_seen_alone", TEXT, max_len=None),
        label="Statutory visits",
    ),
    codes={U("clav_cla_visit_seen"): c.YES_NO, U("clav_cla_visit_seen_alone"): c.YES_NO},
    flags=(U("clav_cla_visit_seen"), U("clav_cla_visit_seen_alone")),
    person=U("clav_person_id"),
    main_date=U("clav_cla_visit_date"),
    indicators=VISIT_INDICATORS,
)  # fmt: skip

HEALTH = SsdTable(
    spec=_table(
        "ssd_cla_health", "clah_health_check_id",
        _c("clah_health_check_id", req=True),
        _c("clah_person_id", req=True),
        _c("clah_health_check_type", TEXT, req=True, max_len=500),
        _c("clah_health_check_date", DATE, req=True),
        _c("clah_health_check_status", TEXT),
        label="Health checks",
    ),
    codes={
        U("clah_health_check_type"): c.HEALTH_TYPE,
        U("clah_health_check_status"): c.HEALTH_STATUS,
    },
    person=U("clah_person_id"),
    main_date=U("clah_health_check_date"),
    indicators=HEALTH_INDICATORS,
)  # fmt: skip

IMMUNISATIONS = SsdTable(
    spec=_table(
        "ssd_cla_immunisations", "clai_person_id",
        _c("clai_person_id", req=True),
        _c("clai_immunisations_status", TEXT, max_len=None),
        _c("clai_immunisations_status_date", DATE),
        label="Immunisations",
    ),
    codes={U("clai_immunisations_status"): c.YES_NO},
    flags=(U("clai_immunisations_status"),),
    person=U("clai_person_id"),
)  # fmt: skip

REVIEWS = SsdTable(
    spec=_table(
        "ssd_cla_reviews", "clar_cla_review_id",
        _c("clar_cla_review_id", req=True),
        _c("clar_cla_id", req=True),
        _c("clar_cla_person_id"),
        _c("clar_cla_review_due_date", DATE),
        # Y*, but may be blank on a cancelled review: checked in ``validate``.
        _c("clar_cla_review_date", DATE, header=True),
        _c("clar_cla_review_cancelled", TEXT, max_len=None),
        _c("clar_cla_review_participation", TEXT, max_len=100),
        label="Looked-after reviews",
    ),
    codes={
        U("clar_cla_review_cancelled"): c.YES_NO,
        U("clar_cla_review_participation"): c.PARTICIPATION,
    },
    flags=(U("clar_cla_review_cancelled"),),
    person=U("clar_cla_person_id"),
    person_required=False,  # resolved through clar_cla_id when absent (§2)
    main_date=U("clar_cla_review_date"),
    indicators=REVIEW_INDICATORS,
)  # fmt: skip

CARE_LEAVERS = SsdTable(
    spec=_table(
        "ssd_care_leavers", "clea_person_id",
        _c("clea_table_id"),
        _c("clea_person_id", req=True),
        _c("clea_care_leaver_eligibility", TEXT, req=True, max_len=100),
        _c("clea_care_leaver_in_touch", TEXT, max_len=100),
        _c("clea_care_leaver_latest_contact", DATE),
        _c("clea_care_leaver_accommodation", TEXT, max_len=100),
        _c("clea_care_leaver_accom_suitable", TEXT, max_len=100),
        _c("clea_care_leaver_activity", TEXT, max_len=100),
        _c("clea_pathway_plan_review_date", DATE),
        _c("clea_care_leaver_personal_advisor", TEXT, max_len=100),
        _c("clea_care_leaver_allocated_team", TEXT, max_len=255),
        _c("clea_care_leaver_worker_id", TEXT, max_len=100),
        label="Care leavers",
    ),
    codes={
        U("clea_care_leaver_eligibility"): c.ELIGIBILITY,
        U("clea_care_leaver_in_touch"): c.IN_TOUCH,
        U("clea_care_leaver_accommodation"): c.ACCOMMODATION,
        U("clea_care_leaver_accom_suitable"): c.SUITABILITY,
        U("clea_care_leaver_activity"): c.ACTIVITY,
    },
    person=U("clea_person_id"),
    indicators=CARE_LEAVER_INDICATORS,
)  # fmt: skip

MISSING = SsdTable(
    spec=_table(
        "ssd_missing", "miss_table_id",
        _c("miss_table_id", req=True),
        _c("miss_person_id", req=True),
        _c("miss_missing_episode_start_date", DATE, req=True),
        _c("miss_missing_episode_type", TEXT, req=True, max_len=100),
        _c("miss_missing_episode_end_date", DATE),
        _c("miss_missing_rhi_offered", TEXT, max_len=None),
        _c("miss_missing_rhi_accepted", TEXT, max_len=None),
        label="Missing episodes",
    ),
    codes={
        U("miss_missing_episode_type"): c.MISSING_TYPE,
        U("miss_missing_rhi_offered"): c.YES_NO_NA,
        U("miss_missing_rhi_accepted"): c.YES_NO_NA,
    },
    person=U("miss_person_id"),
    main_date=U("miss_missing_episode_start_date"),
    indicators=MISSING_INDICATORS,
)  # fmt: skip

PROFESSIONALS = SsdTable(
    spec=_table(
        "ssd_professionals", "prof_professional_id",
        _c("prof_professional_id", req=True),
        _c("prof_staff_id"),
        _c("prof_professional_name", TEXT, max_len=300),
        _c("prof_social_worker_registration_no", TEXT),
        _c("prof_professional_job_title", TEXT, max_len=500),
        _c("prof_professional_caseload", INT),
        _c("prof_professional_department", TEXT, max_len=100),
        _c("prof_full_time_equivalency", FLOAT),
        _c("prof_agency_worker_flag", TEXT, max_len=None),
        label="Professionals",
    ),
    codes={U("prof_agency_worker_flag"): c.YES_NO},
    flags=(U("prof_agency_worker_flag"),),
    floats=(U("prof_full_time_equivalency"),),
    indicators=STAFF_INDICATORS,
)  # fmt: skip

DEPARTMENT = SsdTable(
    spec=_table(
        "ssd_department", "dept_team_id",
        _c("dept_team_id", req=True),
        _c("dept_team_name", TEXT, req=True, max_len=255),
        _c("dept_team_parent_id"),
        _c("dept_team_parent_name", TEXT, max_len=255),
        label="Teams",
    ),
)  # fmt: skip

INVOLVEMENTS = SsdTable(
    spec=_table(
        "ssd_involvements", "invo_involvements_id",
        _c("invo_involvements_id", req=True),
        # Y*, but Mosaic omits it: then resolved through invo_referral_id (§3.11).
        _c("invo_person_id"),
        _c("invo_professional_id", req=True),
        _c("invo_professional_role_id", TEXT, req=True, max_len=200),
        _c("invo_professional_team", TEXT, req=True, max_len=255),
        _c("invo_involvement_start_date", DATE, req=True),
        _c("invo_involvement_end_date", DATE),
        _c("invo_worker_change_reason", TEXT, max_len=200),
        _c("invo_referral_id"),
        label="Involvements (allocations)",
    ),
    codes={
        U("invo_professional_role_id"): c.ALLOCATION_ROLE,
        U("invo_worker_change_reason"): c.WORKER_CHANGE_REASON,
    },
    person=U("invo_person_id"),
    person_required=False,
    main_date=U("invo_involvement_start_date"),
    indicators=STAFF_INDICATORS,
)  # fmt: skip

CIN_EPISODES = SsdTable(
    spec=_table(
        "ssd_cin_episodes", "cine_referral_id",
        _c("cine_referral_id", req=True),
        _c("cine_person_id", req=True),
        _c("cine_referral_date", DATE),
        _c("cine_close_date", DATE),
        label="Children in need episodes",
    ),
    person=U("cine_person_id"),
    indicators=RISK_INDICATORS,
)  # fmt: skip

CIN_ASSESSMENTS = SsdTable(
    spec=_table(
        "ssd_cin_assessments", "cina_assessment_id",
        _c("cina_assessment_id", req=True),
        _c("cina_person_id", req=True),
        _c("cina_referral_id"),
        _c("cina_assessment_start_date", DATE),
        _c("cina_assessment_auth_date", DATE, req=True),
        _c("cina_assessment_team", TEXT, max_len=255),
        _c("cina_assessment_worker_id"),
        label="Assessments",
    ),
    person=U("cina_person_id"),
    indicators=RISK_INDICATORS,
)  # fmt: skip

ASSESSMENT_FACTORS = SsdTable(
    spec=_table(
        "ssd_assessment_factors", "cinf_assessment_id",
        _c("cinf_table_id"),
        _c("cinf_assessment_id", req=True),
        _c("cinf_assessment_factors_json", TEXT, req=True, max_len=None),
        label="Assessment factors",
    ),
    indicators=RISK_INDICATORS,
)  # fmt: skip

LEGAL_STATUS = SsdTable(
    spec=_table(
        "ssd_legal_status", "lega_legal_status_id",
        _c("lega_legal_status_id", req=True),
        _c("lega_person_id", req=True),
        _c("lega_legal_status", TEXT, req=True, max_len=100),
        _c("lega_legal_status_start_date", DATE, req=True),
        _c("lega_legal_status_end_date", DATE),
        label="Legal statuses",
    ),
    person=U("lega_person_id"),
    indicators=EPISODE_INDICATORS,
)  # fmt: skip

ADDRESS = SsdTable(
    spec=_table(
        "ssd_address", "addr_table_id",
        _c("addr_table_id", req=True),
        _c("addr_person_id", req=True),
        _c("addr_address_type", TEXT, max_len=100),
        _c("addr_address_start_date", DATE),
        _c("addr_address_end_date", DATE),
        _c("addr_address_postcode", POSTCODE, header=True, max_len=8),
        _c("addr_address_json", TEXT, max_len=None),
        label="Addresses",
    ),
    person=U("addr_person_id"),
    indicators=LOCATION_INDICATORS,
    dropped=(U("addr_address_json"),),
)  # fmt: skip

PEP = SsdTable(
    spec=_table(
        "ext_cla_pep", "clpe_table_id",
        _c("clpe_table_id", req=True),
        _c("clpe_person_id", req=True),
        _c("clpe_pep_date", DATE, req=True),
        _c("clpe_pep_status", TEXT),
        _c("clpe_pep_review_due_date", DATE),
        label="Personal education plans",
    ),
    codes={U("clpe_pep_status"): c.PEP_STATUS},
    person=U("clpe_person_id"),
    main_date=U("clpe_pep_date"),
    indicators=("pep_in_place",),
)  # fmt: skip

SCHOOL = SsdTable(
    spec=_table(
        "ext_cla_school", "clsc_table_id",
        _c("clsc_table_id", req=True),
        _c("clsc_person_id", req=True),
        _c("clsc_school_urn", ID, req=True, max_len=8),
        _c("clsc_start_date", DATE, req=True),
        _c("clsc_end_date", DATE),
        _c("clsc_school_name", TEXT, max_len=200),
        label="Schools attended",
    ),
    person=U("clsc_person_id"),
    indicators=("good_outstanding_school",),
)  # fmt: skip

PLACEMENT_LOCATION = SsdTable(
    spec=_table(
        "ext_cla_placement_location", "clap_cla_placement_id",
        _c("clap_cla_placement_id", req=True),
        _c("clap_cla_placement_in_area", TEXT, req=True),
        _c("clap_cla_placement_la", ID, max_len=3),
        label="Placement location (in or out of authority)",
    ),
    codes={U("clap_cla_placement_in_area"): c.IN_AREA},
    indicators=LOCATION_INDICATORS,
)  # fmt: skip

SUPERVISION = SsdTable(
    spec=_table(
        "ext_supervision", "supe_table_id",
        _c("supe_table_id", req=True),
        _c("supe_person_id", req=True),
        _c("supe_supervision_date", DATE, req=True),
        _c("supe_supervisor_id"),
        _c("supe_professional_id"),
        label="Case supervision",
    ),
    person=U("supe_person_id"),
    main_date=U("supe_supervision_date"),
    indicators=("supervision_in_month",),
)  # fmt: skip

EXPLOITATION_RISK = SsdTable(
    spec=_table(
        "ext_exploitation_risk", "expl_table_id",
        _c("expl_table_id", req=True),
        _c("expl_person_id", req=True),
        _c("expl_risk_type", TEXT, req=True),
        _c("expl_risk_level", TEXT),
        _c("expl_start_date", DATE, req=True),
        _c("expl_end_date", DATE),
        _c("expl_assessment_id"),
        label="Exploitation risk",
    ),
    codes={U("expl_risk_type"): c.RISK_TYPE, U("expl_risk_level"): c.RISK_LEVEL},
    person=U("expl_person_id"),
    main_date=U("expl_start_date"),
    indicators=RISK_INDICATORS,
)  # fmt: skip

MISSING_RHI = SsdTable(
    spec=_table(
        "ext_missing_rhi", "miss_table_id",
        _c("miss_table_id", req=True),
        _c("miss_missing_rhi_completed_date", DATE, header=True),
        label="Return interviews completed",
    ),
    indicators=("return_interviews",),
)  # fmt: skip

TEAM_MEMBERSHIP = SsdTable(
    spec=_table(
        "ext_team_membership", "tmem_table_id",
        _c("tmem_table_id", req=True),
        _c("tmem_professional_id", req=True),
        _c("tmem_team_id", TEXT, req=True, max_len=255),
        _c("tmem_role", TEXT, req=True),
        _c("tmem_start_date", DATE, req=True),
        _c("tmem_end_date", DATE),
        label="Team membership",
    ),
    codes={U("tmem_role"): c.CATALOGUE_ROLE},
    indicators=STAFF_INDICATORS,
)  # fmt: skip

STAFF_ESTABLISHMENT = SsdTable(
    spec=_table(
        "ext_staff_establishment", ("esta_role", "esta_as_at_date"),
        _c("esta_role", TEXT, req=True),
        _c("esta_as_at_date", DATE, req=True),
        _c("esta_fte_posts", FLOAT, req=True),
        label="Staff establishment",
    ),
    codes={U("esta_role"): c.CATALOGUE_ROLE},
    floats=(U("esta_fte_posts"),),
    indicators=STAFF_INDICATORS,
)  # fmt: skip

CODE_MAP = SsdTable(
    spec=_table(
        "ext_code_map", ("cmap_table", "cmap_field", "cmap_local_value"),
        _c("cmap_table", TEXT, req=True, max_len=60),
        _c("cmap_field", TEXT, req=True, max_len=60),
        _c("cmap_local_value", TEXT, req=True, max_len=255),
        _c("cmap_ssd_value", TEXT, req=True, max_len=60),
        label="Local code map",
    ),
)  # fmt: skip

#: Every table, in the order the writer loads them (references before referrers).
SSD_TABLES: tuple[SsdTable, ...] = (
    CODE_MAP, DEPARTMENT, PROFESSIONALS, TEAM_MEMBERSHIP, STAFF_ESTABLISHMENT, PERSON,
    LEGAL_STATUS, ADDRESS, EPISODES, PLACEMENTS, PLACEMENT_LOCATION, VISITS, HEALTH,
    IMMUNISATIONS, REVIEWS, CARE_LEAVERS, MISSING, MISSING_RHI, CIN_EPISODES, INVOLVEMENTS,
    CIN_ASSESSMENTS, ASSESSMENT_FACTORS, PEP, SCHOOL, SUPERVISION, EXPLOITATION_RISK,
)  # fmt: skip
BY_NAME: dict[str, SsdTable] = {t.name: t for t in SSD_TABLES}
TABLE_SPECS: tuple[TableSpec, ...] = tuple(t.spec for t in SSD_TABLES)
