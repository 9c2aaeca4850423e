"""An authority's casework written out as SSD extract files (``ssd-extracts.md``).

The inverse of the SSD import: one CSV per SSD table and project extension, with the SSD
field names as headers, so that what the app holds — the demo generator's data included
— can be re-imported (``import_extract --format ssd``) and must come back unchanged. The
round-trip test holds both directions to that.

Choices, where the database has more or less than an extract:

- **Ids**: rows keep their extract ids; rows that never came from an extract (a 903
  review, a 903 episode without SSD ids) get a stable made-up one from their primary key.
- **Episodes**: each episode is an ``ssd_cla_episodes`` row of its period of care. A
  placement that spans episodes with the same placement details is one
  ``ssd_cla_placement`` row; otherwise each episode gets its own. The legal status of each
  episode goes to ``ssd_legal_status`` and the home postcode to ``ssd_address`` (a home
  address from the child's birth to the start of care), so that the import can apply the
  short-break rule and derive distances; a known location goes to
  ``ext_cla_placement_location``.
- **Care leavers**: an extract holds one status per young person, so only the
  observations made on one as-at date are written (default: the latest); re-creating the
  history takes one extract per date.
- **Codes**: local codes and descriptions are written as held, with ``ext_code_map`` lines
  that map them to the canonical codes.
- Flags are ``Y``/``N``, dates ISO ``YYYY-MM-DD``. The NHS number is never held, so never
  written.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl

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
from imports.models import CodeMap
from organisations.models import (
    Allocation,
    LocalAuthority,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
)
from reviews.models import Review, StatutoryVisit


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class _Tables:
    rows: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    code_map: set[tuple[str, str, str, str]] = field(default_factory=set)

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append({k: _text(v) for k, v in row.items()})

    def map(self, table: str, column: str, local: str, code: str) -> None:
        if local and local.upper() != code.upper():
            self.code_map.add((table, column, local, code))


def ssd_export(
    *,
    la: LocalAuthority,
    folder: Path,
    care_leavers_as_at: date | None = None,
    tables: set[str] | None = None,
) -> dict[str, int]:
    """Write the authority's SSD tables into ``folder``; returns rows written per table.

    ``tables`` limits the files written (e.g. ``{"ssd_care_leavers"}``);
    ``care_leavers_as_at`` chooses whose observations ``ssd_care_leavers`` holds.
    """
    out = _Tables()
    children = dict(Child.objects.filter(la=la).values_list("pk", "child_id"))
    _persons(la, out)
    _episodes(la, children, out)
    _casework(la, children, out)
    _care_leavers(la, children, out, care_leavers_as_at)
    _staff(la, children, out)
    for table, column, local, code in CodeMap.objects.filter(la=la).values_list(
        "table", "field", "local_value", "ssd_value"
    ):
        out.code_map.add((table, column.lower(), local, code))
    for table, column, local, code in sorted(out.code_map):
        out.add("ext_code_map", {"cmap_table": table, "cmap_field": column,
                                 "cmap_local_value": local, "cmap_ssd_value": code})  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table, rows in out.rows.items():
        if tables is not None and table not in tables or not rows:
            continue
        columns = list(dict.fromkeys(k for row in rows for k in row))
        frame = pl.DataFrame(
            {col: [row.get(col) for row in rows] for col in columns},
            schema=dict.fromkeys(columns, pl.String),
        )
        frame.write_csv(folder / f"{table}.csv")
        written[table] = frame.height
    return written


def _persons(la, out: _Tables) -> None:
    for child in Child.objects.filter(la=la).order_by("child_id"):
        upn_unknown = (
            child.upn if child.upn.upper().startswith("UN") and len(child.upn) == 3 else ""
        )
        out.add("ssd_person", {
            "pers_person_id": child.child_id, "pers_legacy_id": child.legacy_id,
            "pers_forename": child.forename, "pers_surname": child.surname,
            "pers_sex": child.sex, "pers_ethnicity": child.ethnicity, "pers_dob": child.dob,
            "pers_upn": "" if upn_unknown else child.upn, "pers_upn_unknown": upn_unknown,
            "pers_death_date": child.death_date,
        })  # fmt: skip


_PLACEMENT_FIELDS = ("place", "place_provider", "pl_post", "urn", "pl_distance", "pl_la",
                     "pl_location")  # fmt: skip


def _episodes(la, children: dict[int, str], out: _Tables) -> None:
    episodes = list(
        Episode.objects.filter(la=la).select_related("period_of_care").order_by("child_id", "decom")
    )
    groups: dict[tuple[int, str], list[Episode]] = defaultdict(list)
    for episode in episodes:
        if episode.ssd_placement_id:
            groups[(episode.child_id, episode.ssd_placement_id)].append(episode)
    placement_of: dict[int, str] = {}
    for (_, pid), members in groups.items():
        same = len({tuple(getattr(e, f) for f in _PLACEMENT_FIELDS) for e in members}) == 1
        for episode in members:
            placement_of[episode.pk] = (
                pid if same else f"{pid}-{episode.ssd_episode_id or episode.pk}"
            )
    first_start: dict[str, date] = {}
    home_until: dict[int, date] = {}  # child → the day the last home address written ended
    written_placements: set[str] = set()
    for episode in episodes:
        person = children[episode.child_id]
        episode_id = episode.ssd_episode_id or f"E{episode.pk}"
        period = episode.period_of_care
        cla_id = (
            episode.ssd_cla_id
            or (period.ssd_cla_id if period else "")
            or (f"P{period.pk}" if period else f"P{episode.pk}")
        )
        placement_id = placement_of.get(episode.pk, f"PL{episode.pk}")
        first_start.setdefault(cla_id, episode.decom)
        out.add("ssd_cla_episodes", {
            "clae_cla_episode_id": episode_id, "clae_person_id": person, "clae_cla_id": cla_id,
            "clae_cla_episode_start_date": episode.decom,
            "clae_cla_episode_start_reason": episode.rne,
            "clae_cla_episode_ceased_date": episode.dec,
            "clae_cla_episode_ceased_reason": episode.rec,
            "clae_cla_primary_need_code": episode.cin, "clae_cla_placement_id": placement_id,
            "clae_entered_care_date": period.start_date if period else episode.decom,
        })  # fmt: skip
        if episode.ls:
            out.add("ssd_legal_status", {
                "lega_legal_status_id": f"LS-{episode_id}", "lega_person_id": person,
                "lega_legal_status": episode.ls,
                "lega_legal_status_start_date": episode.decom,
                "lega_legal_status_end_date": episode.dec,
            })  # fmt: skip
        if episode.home_post and episode.decom == first_start[cla_id]:
            # Home until care began; a later period's home starts the day after.
            since = home_until.get(episode.child_id)
            out.add("ssd_address", {
                "addr_table_id": f"AD-{episode_id}", "addr_person_id": person,
                "addr_address_type": "Home",
                "addr_address_start_date": since + timedelta(days=1) if since else None,
                "addr_address_end_date": episode.decom,
                "addr_address_postcode": episode.home_post,
            })  # fmt: skip
            home_until[episode.child_id] = episode.decom
        members = groups.get((episode.child_id, episode.ssd_placement_id), [episode])
        shared = placement_id == episode.ssd_placement_id
        if placement_id in written_placements:
            continue
        written_placements.add(placement_id)
        last = members[-1] if shared else episode
        out.add("ssd_cla_placement", {
            "clap_cla_placement_id": placement_id, "clap_cla_id": cla_id,
            "clap_person_id": person,
            "clap_cla_placement_start_date": episode.decom,
            "clap_cla_placement_end_date": last.dec,
            "clap_cla_placement_type": episode.place,
            "clap_cla_placement_distance": episode.pl_distance,
            "clap_cla_placement_provider": episode.place_provider,
            "clap_cla_placement_postcode": episode.pl_post,
            "clap_cla_placement_urn": episode.urn,
            "clap_cla_placement_change_reason": last.reason_place_change,
        })  # fmt: skip
        if episode.pl_location:
            out.add("ext_cla_placement_location", {
                "clap_cla_placement_id": placement_id,
                "clap_cla_placement_in_area": episode.pl_location,
                "clap_cla_placement_la": episode.pl_la,
            })  # fmt: skip


def _casework(la, children: dict[int, str], out: _Tables) -> None:
    for visit in StatutoryVisit.objects.filter(la=la).order_by("visit_date", "visit_id"):
        out.add("ssd_cla_visits", {
            "clav_cla_visit_id": visit.visit_id, "clav_cla_id": visit.ssd_cla_id,
            "clav_person_id": children[visit.child_id], "clav_cla_visit_date": visit.visit_date,
            "clav_cla_visit_seen": _flag(visit.seen),
            "clav_cla_visit_seen_alone": _flag(visit.seen_alone),
        })  # fmt: skip
    for check in HealthAssessment.objects.filter(la=la).order_by("check_date", "check_id"):
        sent = check.recorded_type or check.kind
        out.map("ssd_cla_health", "clah_health_check_type", sent, check.kind)
        out.add("ssd_cla_health", {
            "clah_health_check_id": check.check_id, "clah_person_id": children[check.child_id],
            "clah_health_check_type": sent, "clah_health_check_date": check.check_date,
            "clah_health_check_status": check.status,
        })  # fmt: skip
    for status in ImmunisationStatus.objects.filter(la=la):
        out.add("ssd_cla_immunisations", {
            "clai_person_id": children[status.child_id],
            "clai_immunisations_status": _flag(status.up_to_date),
            "clai_immunisations_status_date": status.status_date,
        })  # fmt: skip
    for review in Review.objects.filter(la=la).order_by("review_date", "pk"):
        out.add("ssd_cla_reviews", {
            "clar_cla_review_id": review.ssd_review_id or f"R{review.pk}",
            "clar_cla_id": review.ssd_cla_id or f"R{review.pk}",
            "clar_cla_person_id": children[review.child_id],
            "clar_cla_review_due_date": review.supplied_due_date,
            "clar_cla_review_date": review.review_date,
            "clar_cla_review_cancelled": _flag(review.cancelled),
            "clar_cla_review_participation": review.review_code,
        })  # fmt: skip
    for missing in MissingEpisode.objects.filter(la=la).order_by("start_date", "pk"):
        missing_id = missing.ssd_id or f"M{missing.pk}"
        out.add("ssd_missing", {
            "miss_table_id": missing_id, "miss_person_id": children[missing.child_id],
            "miss_missing_episode_start_date": missing.start_date,
            "miss_missing_episode_type": missing.missing_type,
            "miss_missing_episode_end_date": missing.end_date,
            "miss_missing_rhi_offered": missing.rhi_offered,
            "miss_missing_rhi_accepted": missing.rhi_accepted,
        })  # fmt: skip
        out.add("ext_missing_rhi", {
            "miss_table_id": missing_id,
            "miss_missing_rhi_completed_date": missing.rhi_completed_date,
        })  # fmt: skip
    for pep in PersonalEducationPlan.objects.filter(la=la).order_by("pep_date", "record_id"):
        out.add("ext_cla_pep", {
            "clpe_table_id": pep.record_id, "clpe_person_id": children[pep.child_id],
            "clpe_pep_date": pep.pep_date, "clpe_pep_status": pep.status,
            "clpe_pep_review_due_date": pep.review_due_date,
        })  # fmt: skip
    for school in SchoolPlacement.objects.filter(la=la).order_by("start_date", "record_id"):
        out.add("ext_cla_school", {
            "clsc_table_id": school.record_id, "clsc_person_id": children[school.child_id],
            "clsc_school_urn": school.school_urn, "clsc_start_date": school.start_date,
            "clsc_end_date": school.end_date, "clsc_school_name": school.school_name,
        })  # fmt: skip
    for record in SupervisionRecord.objects.filter(la=la).order_by("supervision_date", "record_id"):
        out.add("ext_supervision", {
            "supe_table_id": record.record_id, "supe_person_id": children[record.child_id],
            "supe_supervision_date": record.supervision_date,
            "supe_supervisor_id": record.supervisor_id,
            "supe_professional_id": record.professional_id,
        })  # fmt: skip
    for risk in ExploitationRisk.objects.filter(la=la).order_by("start_date", "record_id"):
        out.add("ext_exploitation_risk", {
            "expl_table_id": risk.record_id, "expl_person_id": children[risk.child_id],
            "expl_risk_type": risk.risk_type, "expl_risk_level": risk.level,
            "expl_start_date": risk.start_date, "expl_end_date": risk.end_date,
            "expl_assessment_id": risk.assessment_id,
        })  # fmt: skip
    for episode in CINEpisode.objects.filter(la=la).order_by("referral_id"):
        out.add("ssd_cin_episodes", {
            "cine_referral_id": episode.referral_id, "cine_person_id": children[episode.child_id],
            "cine_referral_date": episode.referral_date, "cine_close_date": episode.close_date,
        })  # fmt: skip
    for assessment in CINAssessment.objects.filter(la=la).order_by("assessment_id"):
        out.add("ssd_cin_assessments", {
            "cina_assessment_id": assessment.assessment_id,
            "cina_person_id": children[assessment.child_id],
            "cina_referral_id": assessment.referral_id,
            "cina_assessment_start_date": assessment.start_date,
            "cina_assessment_auth_date": assessment.authorised_date,
            "cina_assessment_team": assessment.team_id,
            "cina_assessment_worker_id": assessment.worker_id,
        })  # fmt: skip
        out.add("ssd_assessment_factors", {
            "cinf_assessment_id": assessment.assessment_id,
            "cinf_assessment_factors_json": json.dumps(assessment.factors or []),
        })  # fmt: skip


def _care_leavers(la, children: dict[int, str], out: _Tables, as_at: date | None) -> None:
    observations = CareLeaverObservation.objects.filter(la=la)
    if as_at is None:
        as_at = observations.order_by("-as_at").values_list("as_at", flat=True).first()
    for seen in observations.filter(as_at=as_at).order_by("child_id"):
        out.add("ssd_care_leavers", {
            "clea_person_id": children[seen.child_id],
            "clea_care_leaver_eligibility": seen.eligibility,
            "clea_care_leaver_in_touch": seen.in_touch,
            "clea_care_leaver_latest_contact": seen.latest_contact,
            "clea_care_leaver_accommodation": seen.accommodation,
            "clea_care_leaver_accom_suitable": seen.accommodation_suitable,
            "clea_care_leaver_activity": seen.activity,
            "clea_pathway_plan_review_date": seen.pathway_plan_review_date,
            "clea_care_leaver_personal_advisor": seen.personal_advisor,
            "clea_care_leaver_allocated_team": seen.allocated_team,
            "clea_care_leaver_worker_id": seen.worker_id,
        })  # fmt: skip


def _staff(la, children: dict[int, str], out: _Tables) -> None:
    teams = {team.pk: team for team in Team.objects.filter(la=la)}
    for team in sorted(teams.values(), key=lambda t: t.team_id):
        parent = teams.get(team.parent_id)
        out.add("ssd_department", {
            "dept_team_id": team.team_id, "dept_team_name": team.name,
            "dept_team_parent_id": parent.team_id if parent else None,
            "dept_team_parent_name": parent.name if parent else None,
        })  # fmt: skip
    workers = {worker.pk: worker for worker in Worker.objects.filter(la=la)}
    for worker in sorted(workers.values(), key=lambda w: w.professional_id):
        out.add("ssd_professionals", {
            "prof_professional_id": worker.professional_id, "prof_staff_id": worker.staff_id,
            "prof_professional_name": worker.name,
            "prof_social_worker_registration_no": worker.registration_no,
            "prof_professional_job_title": worker.job_title,
            "prof_professional_caseload": worker.supplied_caseload,
            "prof_professional_department": worker.department,
            "prof_full_time_equivalency": worker.fte,
            "prof_agency_worker_flag": _flag(worker.is_agency),
        })  # fmt: skip
    for member in TeamMembership.objects.filter(la=la).order_by("membership_id"):
        out.add("ext_team_membership", {
            "tmem_table_id": member.membership_id,
            "tmem_professional_id": workers[member.worker_id].professional_id,
            "tmem_team_id": teams[member.team_id].team_id, "tmem_role": member.role,
            "tmem_start_date": member.start_date, "tmem_end_date": member.end_date,
        })  # fmt: skip
    for post in StaffEstablishment.objects.filter(la=la).order_by("role", "as_at_date"):
        out.add("ext_staff_establishment", {
            "esta_role": post.role, "esta_as_at_date": post.as_at_date,
            "esta_fte_posts": post.fte_posts,
        })  # fmt: skip
    for allocation in Allocation.objects.filter(la=la).order_by("start_date", "involvement_id"):
        sent = allocation.local_role or allocation.role
        out.map("ssd_involvements", "invo_professional_role_id", sent, allocation.role)
        worker = workers.get(allocation.worker_id)
        team = teams.get(allocation.team_id)
        out.add("ssd_involvements", {
            "invo_involvements_id": allocation.involvement_id,
            "invo_person_id": children[allocation.child_id],
            "invo_professional_id": worker.professional_id if worker else None,
            "invo_professional_role_id": sent,
            "invo_professional_team": team.team_id if team else None,
            "invo_involvement_start_date": allocation.start_date,
            "invo_involvement_end_date": allocation.end_date,
            "invo_worker_change_reason": allocation.change_reason,
            "invo_referral_id": allocation.referral_id,
        })  # fmt: skip
