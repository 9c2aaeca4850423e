"""Demo → SSD files → import into an empty authority → the same rows; again → no change.

The demo generator writes casework straight into the models; ``ssd_export`` writes it out
as SSD extract files. Imported into the authority after its data are deleted, the files
must give back every row the SSD carries (compared on natural keys, without provenance:
``source`` and the ids an extract adds), the periods of care and placements derived from
the episodes included; imported a second time they must change nothing.

Care-leaver history takes one extract per as-at date (an extract holds only the status on
its day), as it would from a council. UASC status is 903-only, so the distance of a UASC
child's placement — blank in the demo (DfE rule 406) — is derived from the postcodes after
an SSD-only import; it is left out of the comparison for those children.
"""

from __future__ import annotations

from datetime import date

import pytest

from children.models import (
    CareLeaverObservation,
    Child,
    CINAssessment,
    CINEpisode,
    Episode,
    ExploitationRisk,
    MissingEpisode,
    PeriodOfCare,
    PersonalEducationPlan,
    SchoolPlacement,
    SupervisionRecord,
    UASCRecord,
)
from health.models import HealthAssessment, ImmunisationStatus
from imports.formats.ssd_export import ssd_export
from imports.models import CodeMap
from organisations.models import (
    Allocation,
    LocalAuthority,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
)
from placements.models import Placement
from reviews.models import Review, StatutoryVisit
from tests.imports.ssd.conftest import issues_text, ssd_import

TODAY = date(2024, 3, 31)
SCALE = 0.05


def _rows(model, la, key: tuple[str, ...], values: tuple[str, ...], **filters) -> dict:
    fields = (*key, *values)
    return {
        row[: len(key)]: row[len(key) :]
        for row in model.objects.filter(la=la, **filters).values_list(*fields)
    }


def snapshot(la: LocalAuthority, uasc: set[str]) -> dict[str, dict]:
    """Everything the SSD carries, by natural key, without provenance (``uasc``: the ids
    of children whose placement distance is not compared)."""
    child = "child__child_id"
    episodes = _rows(
        Episode, la, (child, "decom"),
        ("rne", "ls", "cin", "place", "place_provider", "dec", "rec", "reason_place_change",
         "home_post", "pl_post", "urn", "pl_la", "pl_location", "pl_distance", "is_short_break",
         "is_temporary", "is_move", "placement_group"),
    )  # fmt: skip
    episodes = {k: v[:13] + ((None,) if k[0] in uasc else v[13:14]) + v[14:]
                for k, v in episodes.items()}  # fmt: skip
    placements = _rows(
        Placement, la, (child, "start_date"),
        ("end_date", "place", "latest_place", "placement_group", "place_provider",
         "is_temporary", "is_short_break", "home_post", "pl_post", "urn", "pl_la",
         "pl_location", "pl_distance"),
    )  # fmt: skip
    placements = {k: v[:-1] + ((None,) if k[0] in uasc else v[-1:]) for k, v in placements.items()}
    return {
        "children": {
            (c.child_id,): (c.forename, c.surname, c.sex, c.dob, c.ethnicity, c.upn,
                            c.death_date, c.legacy_id)
            for c in Child.objects.filter(la=la)
        },  # fmt: skip
        "episodes": episodes,
        "periods": _rows(PeriodOfCare, la, (child, "start_date"),
                         ("end_date", "reason_ceased", "starts_with_s", "is_short_break")),
        "placements": placements,
        "visits": _rows(StatutoryVisit, la, ("visit_id",),
                        (child, "visit_date", "seen", "seen_alone", "ssd_cla_id")),
        "reviews": _rows(Review, la, ("ssd_review_id",),
                         (child, "review_date", "review_code", "cancelled", "supplied_due_date",
                          "ssd_cla_id")),
        "health": _rows(HealthAssessment, la, ("check_id",),
                        (child, "kind", "recorded_type", "check_date", "status")),
        "immunisations": _rows(ImmunisationStatus, la, (child,), ("up_to_date", "status_date")),
        "peps": _rows(PersonalEducationPlan, la, ("record_id",),
                      (child, "pep_date", "status", "review_due_date")),
        "schools": _rows(SchoolPlacement, la, ("record_id",),
                         (child, "school_urn", "school_name", "start_date", "end_date")),
        "missing": _rows(MissingEpisode, la, (child, "start_date"),
                         ("missing_type", "end_date", "rhi_offered", "rhi_accepted",
                          "rhi_completed_date", "ssd_id")),
        "allocations": _rows(Allocation, la, ("involvement_id",),
                             (child, "worker__professional_id", "team__team_id", "role",
                              "local_role", "start_date", "end_date", "change_reason",
                              "referral_id")),
        "supervision": _rows(SupervisionRecord, la, ("record_id",),
                             (child, "supervision_date", "supervisor_id", "professional_id")),
        "risks": _rows(ExploitationRisk, la, ("record_id",),
                       (child, "risk_type", "level", "start_date", "end_date", "assessment_id")),
        "cin_episodes": _rows(CINEpisode, la, ("referral_id",),
                              (child, "referral_date", "close_date")),
        "assessments": _rows(CINAssessment, la, ("assessment_id",),
                             (child, "referral_id", "start_date", "authorised_date", "team_id",
                              "worker_id", "factors")),
        "care_leavers": _rows(CareLeaverObservation, la, (child, "as_at"),
                              ("eligibility", "in_touch", "latest_contact", "accommodation",
                               "accommodation_suitable", "activity", "pathway_plan_review_date",
                               "personal_advisor", "allocated_team", "worker_id")),
        "workers": _rows(Worker, la, ("professional_id",),
                         ("staff_id", "name", "registration_no", "job_title", "department", "fte",
                          "supplied_caseload", "is_agency", "role")),
        "teams": _rows(Team, la, ("team_id",), ("name", "parent__team_id")),
        "memberships": _rows(TeamMembership, la, ("membership_id",),
                             ("worker__professional_id", "team__team_id", "role", "start_date",
                              "end_date")),
        "establishment": _rows(StaffEstablishment, la, ("role", "as_at_date"), ("fte_posts",)),
    }  # fmt: skip


@pytest.fixture
def demo(db, settings, tmp_path):
    from organisations.demo.services import demo_data_generate
    from placements.location import placement_locations_derive

    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo_data_generate(seed=11, scale=SCALE, today=TODAY, snapshots=False, log=lambda _: None)
    la = LocalAuthority.objects.get(code="873")
    # The demo's placements as any import leaves them: location derived from postcodes.
    placement_locations_derive(la=la)
    return la


def test_demo_casework_round_trips_through_ssd_files(demo, tmp_path):
    from organisations.demo.services import demo_data_delete

    la = demo
    uasc = set(UASCRecord.objects.filter(la=la).values_list("child__child_id", flat=True))
    before = snapshot(la, uasc)
    assert all(before[name] for name in ("children", "episodes", "visits", "reviews", "health",
                                         "allocations", "care_leavers", "workers"))  # fmt: skip
    main = tmp_path / "ssd"
    written = ssd_export(la=la, folder=main)
    (main / "ssd_care_leavers.csv").unlink()
    dates = sorted({key[1] for key in before["care_leavers"]})
    for day in dates:
        ssd_export(la=la, folder=tmp_path / f"cl-{day}", care_leavers_as_at=day,
                   tables={"ssd_care_leavers"})  # fmt: skip
    assert written["ssd_cla_visits"] == len(before["visits"])

    demo_data_delete(la=la)
    CodeMap.objects.filter(la=la).delete()
    assert not Child.objects.filter(la=la).exists()

    batch = ssd_import(la, main, as_at=TODAY)
    assert batch.status == "done", issues_text(batch)
    assert batch.error_count == 0
    for day in dates:
        leavers = ssd_import(la, tmp_path / f"cl-{day}", as_at=day)
        assert leavers.status == "done", issues_text(leavers)

    after = snapshot(la, uasc)
    for name, rows in before.items():
        differ = {k: (rows.get(k), after[name].get(k)) for k in rows.keys() | after[name].keys()
                  if rows.get(k) != after[name].get(k)}  # fmt: skip
        assert not differ, (name, len(differ), sorted(differ.items())[:3])

    again = ssd_import(la, main, as_at=TODAY)
    assert again.status == "done", issues_text(again)
    changed = {
        table: counts
        for table, counts in again.counts.items()
        if any(counts.get(k) for k in ("inserted", "updated", "removed"))
    }
    assert changed == {}
    assert snapshot(la, uasc) == after
