"""A bad file for each SSD table is rejected with row errors, and nothing is written."""

from __future__ import annotations

import pytest

from children.models import (
    CareLeaverObservation,
    Child,
    CINAssessment,
    CINEpisode,
    Episode,
    ExploitationRisk,
    MissingEpisode,
    PersonalEducationPlan,
    SchoolPlacement,
    SupervisionRecord,
)
from health.models import HealthAssessment, ImmunisationStatus
from imports.formats.ssd.tables import SSD_TABLES
from imports.models import CodeMap, ImportBatch
from organisations.models import Allocation, StaffEstablishment, Team, TeamMembership, Worker
from reviews.models import Review, StatutoryVisit
from tests.imports.ssd.conftest import issues_text, ssd_import

PERSONS = "pers_person_id,pers_sex,pers_dob\nC1,F,2010-05-14\nC2,M,2008-01-02\n"

#: table → (file text whose second data row — file row 3 — is bad, error kind, column)
BAD_FILES: dict[str, tuple[str, str, str]] = {
    "ssd_person": (
        "pers_person_id,pers_sex,pers_dob\nC1,F,2010-05-14\nC2,M,2010-13-45\n",
        "invalid_date", "PERS_DOB",
    ),
    "ssd_cla_episodes": (
        "clae_cla_episode_id,clae_person_id,clae_cla_id,clae_cla_episode_start_date,"
        "clae_cla_episode_start_reason,clae_cla_placement_id\n"
        "E1,C1,P1,2024-01-08,S,PL1\nE2,C2,P2,2024-02-01,Q,PL2\n",
        "invalid_code", "clae_cla_episode_start_reason",
    ),
    "ssd_cla_placement": (
        "clap_cla_placement_id,clap_cla_id,clap_cla_placement_start_date,"
        "clap_cla_placement_type\nPL1,P1,2024-01-08,U6\nPL2,P2,2024-02-01,ZZ\n",
        "invalid_code", "clap_cla_placement_type",
    ),
    "ssd_cla_visits": (
        "clav_cla_visit_id,clav_person_id,clav_cla_visit_date,clav_cla_visit_seen\n"
        "V1,C1,2024-01-12,Y\nV2,C2,2024-01-13,maybe\n",
        "invalid_code", "clav_cla_visit_seen",
    ),
    "ssd_cla_health": (
        "clah_health_check_id,clah_person_id,clah_health_check_type,clah_health_check_date\n"
        "H1,C1,Dental Check,2024-01-30\nH2,C2,Hearing test,2024-01-30\n",
        "invalid_code", "clah_health_check_type",
    ),
    "ssd_cla_immunisations": (
        "clai_person_id,clai_immunisations_status\nC1,Y\nC2,X\n",
        "invalid_code", "clai_immunisations_status",
    ),
    "ssd_cla_reviews": (
        "clar_cla_review_id,clar_cla_id,clar_cla_person_id,clar_cla_review_date,"
        "clar_cla_review_cancelled\nR1,P1,C1,2024-02-01,N\nR2,P1,C1,,N\n",
        "required", "clar_cla_review_date",
    ),
    "ssd_care_leavers": (
        "clea_person_id,clea_care_leaver_eligibility\nC1,Relevant\nC2,Unsure\n",
        "invalid_code", "clea_care_leaver_eligibility",
    ),
    "ssd_missing": (
        "miss_table_id,miss_person_id,miss_missing_episode_start_date,"
        "miss_missing_episode_type,miss_missing_episode_end_date\n"
        "M1,C1,2024-02-01,M,2024-02-02\nM2,C2,2024-03-05,A,2024-03-01\n",
        "end_before_start", "miss_missing_episode_end_date",
    ),
    "ssd_professionals": (
        "prof_professional_id,prof_full_time_equivalency\nPR1,1.0\nPR2,full\n",
        "invalid_number", "prof_full_time_equivalency",
    ),
    "ssd_department": (
        "dept_team_id,dept_team_name\nT1,Team one\nT2,\n",
        "required", "DEPT_TEAM_NAME",
    ),
    "ssd_involvements": (
        "invo_involvements_id,invo_person_id,invo_professional_id,invo_professional_role_id,"
        "invo_professional_team,invo_involvement_start_date\n"
        "I1,C1,PR1,CW,T1,2024-01-08\nI2,C2,PR1,XYZ,T1,2024-01-08\n",
        "invalid_code", "invo_professional_role_id",
    ),
    "ssd_cin_episodes": (
        "cine_referral_id,cine_person_id,cine_referral_date\nRF1,C1,2024-01-01\n"
        "RF2,C9,2024-01-01\n",
        "unknown_child", "cine_person_id",
    ),
    "ssd_cin_assessments": (
        "cina_assessment_id,cina_person_id,cina_assessment_auth_date\nA1,C1,2024-06-20\nA2,C2,\n",
        "required", "CINA_ASSESSMENT_AUTH_DATE",
    ),
    "ssd_assessment_factors": (
        "cinf_assessment_id,cinf_assessment_factors_json\nA1,\"[\"\"11A\"\"]\"\nA1B,11A\n",
        "invalid_json", "cinf_assessment_factors_json",
    ),
    "ssd_legal_status": (
        "lega_legal_status_id,lega_person_id,lega_legal_status,lega_legal_status_start_date\n"
        "LS1,C1,C2,2024-01-08\nLS2,C2,C2,yesterday\n",
        "invalid_date", "LEGA_LEGAL_STATUS_START_DATE",
    ),
    "ssd_address": (
        "addr_table_id,addr_person_id,addr_address_postcode\nAD1,C1,CB2 1TN\nAD2,,CB2 1TN\n",
        "required", "ADDR_PERSON_ID",
    ),
    "ext_cla_pep": (
        "clpe_table_id,clpe_person_id,clpe_pep_date,clpe_pep_status\n"
        "PEP1,C1,2024-03-01,COMPLETE\nPEP2,C2,2024-03-01,FINISHED\n",
        "invalid_code", "clpe_pep_status",
    ),
    "ext_cla_school": (
        "clsc_table_id,clsc_person_id,clsc_school_urn,clsc_start_date\n"
        "S1,C1,100001,2023-09-01\nS2,C2,100002,01/13/2023\n",
        "invalid_date", "CLSC_START_DATE",
    ),
    "ext_cla_placement_location": (
        "clap_cla_placement_id,clap_cla_placement_in_area\nPL1,IN\nPL2,MAYBE\n",
        "invalid_code", "clap_cla_placement_in_area",
    ),
    "ext_supervision": (
        "supe_table_id,supe_person_id,supe_supervision_date\nSU1,C1,2024-03-01\n"
        "SU2,C9,2024-03-01\n",
        "unknown_child", "supe_person_id",
    ),
    "ext_exploitation_risk": (
        "expl_table_id,expl_person_id,expl_risk_type,expl_start_date\nX1,C1,CSE,2024-03-01\n"
        "X2,C2,FRAUD,2024-03-01\n",
        "invalid_code", "expl_risk_type",
    ),
    "ext_missing_rhi": (
        "miss_table_id,miss_missing_rhi_completed_date\nM1,2024-02-04\nM9,2024-02-04\n",
        "unknown_missing", "miss_table_id",
    ),
    "ext_team_membership": (
        "tmem_table_id,tmem_professional_id,tmem_team_id,tmem_role,tmem_start_date\n"
        "TM1,PR1,T1,iro,2024-01-01\nTM2,PR1,T1,boss,2024-01-01\n",
        "invalid_code", "tmem_role",
    ),
    "ext_staff_establishment": (
        "esta_role,esta_as_at_date,esta_fte_posts\niro,2024-03-31,4\n"
        "cic_social_worker,2024-03-31,n\n",
        "invalid_number", "esta_fte_posts",
    ),
    "ext_code_map": (
        "cmap_table,cmap_field,cmap_local_value,cmap_ssd_value\n"
        "ssd_cla_health,clah_health_check_type,Dental,DENTAL\n"
        "ssd_cla_health,clah_health_check_type,Hearing,EARS\n",
        "code_map_target", "cmap_ssd_value",
    ),
}  # fmt: skip

#: What the bad files may refer to, sent alongside so that only the bad row is wrong.
SUPPORT = {
    "ssd_cla_episodes": {"placements.csv": (
        "clap_cla_placement_id,clap_cla_id,clap_cla_placement_start_date,"
        "clap_cla_placement_type\nPL1,P1,2024-01-08,U6\nPL2,P2,2024-02-01,U6\n")},
    "ssd_cla_reviews": {"episodes.csv": (
        "clae_cla_episode_id,clae_person_id,clae_cla_id,clae_cla_episode_start_date,"
        "clae_cla_episode_start_reason\nE1,C1,P1,2024-01-08,S\n"),
        "placements.csv": ("clap_cla_placement_id,clap_cla_id,clap_cla_placement_start_date,"
                           "clap_cla_placement_type\nPL1,P1,2024-01-08,U6\n")},
    "ssd_involvements": {
        "teams.csv": "dept_team_id,dept_team_name\nT1,Team one\n",
        "professionals.csv": "prof_professional_id\nPR1\n"},
    "ssd_assessment_factors": {"assessments.csv": (
        "cina_assessment_id,cina_person_id,cina_assessment_auth_date\n"
        "A1,C1,2024-06-20\nA1B,C2,2024-06-20\n")},
    "ext_missing_rhi": {"missing.csv": (
        "miss_table_id,miss_person_id,miss_missing_episode_start_date,"
        "miss_missing_episode_type\nM1,C1,2024-02-01,M\n")},
    "ext_team_membership": {
        "teams.csv": "dept_team_id,dept_team_name\nT1,Team one\n",
        "professionals.csv": "prof_professional_id\nPR1\n"},
    "ext_cla_placement_location": {"placements.csv": (
        "clap_cla_placement_id,clap_cla_id,clap_cla_placement_start_date,"
        "clap_cla_placement_type\nPL1,P1,2024-01-08,U6\nPL2,P2,2024-02-01,U6\n")},
}  # fmt: skip

WRITTEN_MODELS = (
    Child, Episode, StatutoryVisit, HealthAssessment, ImmunisationStatus, Review,
    CareLeaverObservation, MissingEpisode, Worker, Team, TeamMembership, StaffEstablishment,
    Allocation, CINEpisode, CINAssessment, PersonalEducationPlan, SchoolPlacement,
    SupervisionRecord, ExploitationRisk, CodeMap,
)  # fmt: skip


def test_every_table_has_a_bad_file():
    assert set(BAD_FILES) == {table.name for table in SSD_TABLES}


@pytest.mark.parametrize("table", sorted(BAD_FILES))
def test_a_bad_file_is_rejected_with_row_errors_and_nothing_written(la, table):
    text, kind, column = BAD_FILES[table]
    files = {f"{table}_bad.csv": text, **SUPPORT.get(table, {})}
    if table != "ssd_person":
        files["persons.csv"] = PERSONS

    batch = ssd_import(la, files=files)

    assert batch.status == ImportBatch.Status.REJECTED, issues_text(batch)
    errors = list(batch.issues.filter(severity="error"))
    assert [(e.kind, e.file_name, e.row_number, e.column.lower()) for e in errors] == [
        (kind, f"{table}_bad.csv", 3, column.lower())
    ], issues_text(batch)
    assert errors[0].message
    assert batch.message.startswith("Rejected")
    assert {model.__name__: model.objects.count() for model in WRITTEN_MODELS} == dict.fromkeys(
        (model.__name__ for model in WRITTEN_MODELS), 0
    )
