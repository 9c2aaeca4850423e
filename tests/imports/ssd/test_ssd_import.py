"""The SSD import end to end: the §5 worked example, re-imports, partial feeds, care-leaver
observations and the SSD/903 overlap rules (``ssd-extracts.md`` §3–§5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from children.models import (
    CareLeaverObservation,
    Child,
    CINAssessment,
    Episode,
    MissingEpisode,
    PeriodOfCare,
    Source,
)
from children.services import care_histories_derive
from health.models import HealthAssessment
from imports.models import CodeMap, ImportBatch
from organisations.models import Allocation, SocialWorkerEpisode, Team, TeamMembership, Worker
from placements.models import Placement
from reviews.models import Review, StatutoryVisit
from tests.imports.ssd.conftest import (
    WORKED_EXAMPLE,
    issues_text,
    ssd_import,
)

DONE = ImportBatch.Status.DONE


def _changes(batch: ImportBatch) -> int:
    return sum(
        counts.get(k, 0)
        for counts in batch.counts.values()
        for k in ("inserted", "updated", "removed")
    )


def test_worked_example_imports_cleanly(la, example_folder):
    batch = ssd_import(la, example_folder)

    assert batch.status == DONE, issues_text(batch)
    assert (batch.error_count, batch.warning_count) == (0, 0), issues_text(batch)
    girl = Child.objects.get(la=la, child_id="C1001")
    assert (girl.sex, girl.dob) == ("F", date(2010, 5, 14))
    episode = Episode.objects.get(child=girl)
    assert (episode.source, episode.decom, episode.rne, episode.ls, episode.place) == (
        Source.SSD, date(2024, 1, 8), "S", "C2", "U6",
    )  # fmt: skip
    assert (episode.pl_location, episode.pl_la, episode.pl_distance) == (
        "IN",
        "873",
        Decimal("12.5"),
    )
    period = PeriodOfCare.objects.get(child=girl)
    assert (period.start_date, period.end_date, period.ssd_cla_id) == (
        date(2024, 1, 8),
        None,
        "P501",
    )
    assert (
        Placement.objects.get(child=girl).place,
        Placement.objects.get(child=girl).ssd_placement_id,
    ) == ("U6", "PL501")

    visits = {
        v.visit_id: (v.visit_date, v.seen, v.seen_alone) for v in StatutoryVisit.objects.all()
    }
    assert visits == {
        "V1": (date(2024, 1, 12), True, False),
        "V2": (date(2024, 2, 20), True, True),
        "V3": (date(2024, 4, 10), True, True),
        "V4": (date(2024, 5, 20), False, False),
    }
    health = {
        h.check_id: (h.kind, h.status, h.recorded_type) for h in HealthAssessment.objects.all()
    }
    assert health == {
        "H1": ("IHA", "COMPLETED", "Initial Health Assessment"),
        "H2": ("DENTAL", "COMPLETED", "Dental Check"),
        "H3": ("RHA", "COMPLETED", "Review Health Assessment"),
        "H4": ("DENTAL", "REFUSED", "Dental Check"),
    }
    reviews = {r.ssd_review_id: (r.child.child_id, r.review_date, r.cancelled, r.supplied_due_date)
               for r in Review.objects.select_related("child")}  # fmt: skip
    assert reviews["R2"] == ("C1001", date(2024, 4, 29), True, date(2024, 5, 1))
    assert reviews["R5"] == ("C1002", date(2024, 8, 15), False, date(2024, 8, 20))
    assert all(r.source == Source.SSD for r in Review.objects.all())

    leaver = CareLeaverObservation.objects.get(child__child_id="C1002")
    assert (
        leaver.as_at,
        leaver.eligibility,
        leaver.in_touch,
        leaver.accommodation,
        leaver.accommodation_suitable,
        leaver.activity,
        leaver.pathway_plan_review_date,
        leaver.allocated_team,
    ) == (date(2025, 3, 31), "Former Relevant", "YES", "D", "1", "G5", date(2024, 12, 5), "T30")

    allocations = {
        a.involvement_id: (
            a.child.child_id,
            a.role,
            a.local_role,
            a.team.team_id,
            a.worker.professional_id,
        )
        for a in Allocation.objects.select_related("child", "team", "worker")
    }
    assert allocations == {
        "I1": ("C1001", "ALLOCATED_SW", "CW", "T10", "PR101"),
        "I2": ("C1002", "PA", "16PLUS", "T30", "PR204"),
    }
    assert Team.objects.get(la=la, team_id="T10").parent.team_id == "T01"
    assert Worker.objects.get(la=la, professional_id="PR204").fte == Decimal("0.80")
    assert TeamMembership.objects.get(membership_id="M1").role == "cic_social_worker"
    assert CINAssessment.objects.get(assessment_id="A77").factors == ["10A", "11A"]
    assert CodeMap.objects.filter(la=la).count() == 5


def test_the_same_files_again_change_nothing(la, example_folder):
    first = ssd_import(la, example_folder)
    assert first.status == DONE, issues_text(first)

    again = ssd_import(la, example_folder)

    assert again.status == DONE, issues_text(again)
    assert _changes(again) == 0, again.counts
    assert again.message.startswith("Nothing changed")
    assert again.counts["ssd_cla_visits"] == {
        "read": 4, "inserted": 0, "updated": 0, "unchanged": 4, "removed": 0,
    }  # fmt: skip


def test_feed_status_records_the_as_at_date_of_each_table(la, example_folder):
    from imports.models import FeedStatus

    ssd_import(la, example_folder, as_at=date(2025, 3, 31))

    feeds = dict(FeedStatus.objects.filter(la=la).values_list("feed", "as_at"))
    assert feeds["ssd:ssd_cla_visits"] == date(2025, 3, 31)
    assert feeds["ssd:ssd_care_leavers"] == date(2025, 3, 31)


def test_the_worked_example_as_printed_links_to_the_903_which_wins(la):
    """§5 shows no placement: with the 903 holding both children, none is needed."""
    girl = Child.objects.create(la=la, child_id="C1001", sex="F", dob=date(2010, 5, 14),
                                header_year=2025)  # fmt: skip
    boy = Child.objects.create(la=la, child_id="C1002", sex="M", dob=date(2006, 11, 2),
                               header_year=2025)  # fmt: skip
    Episode.objects.create(la=la, child=girl, decom=date(2024, 1, 8), rne="S", ls="C2",
                           place="U6", collection_year=2025)  # fmt: skip
    # The 903 says C1002 left care a day later than the SSD does.
    Episode.objects.create(la=la, child=boy, decom=date(2021, 3, 1), rne="S", ls="C2",
                           place="U4", dec=date(2024, 11, 3), rec="E5",
                           collection_year=2025)  # fmt: skip
    care_histories_derive(la=la)

    batch = ssd_import(la, WORKED_EXAMPLE)

    assert batch.status == DONE, issues_text(batch)
    assert batch.error_count == 0
    kinds = set(batch.issues.values_list("kind", flat=True))
    assert kinds == {"ssd_differs_from_903", "no_role"}, issues_text(batch)
    differs = batch.issues.get(kind="ssd_differs_from_903")
    assert "end date" in differs.message and differs.row_number == 3
    assert Episode.objects.filter(la=la).count() == 2
    assert not Episode.objects.filter(la=la, source=Source.SSD).exists()
    assert Episode.objects.get(child=boy).dec == date(2024, 11, 3)  # the 903's
    assert Episode.objects.get(child=girl).ssd_cla_id == "P501"
    assert PeriodOfCare.objects.get(child=girl).ssd_cla_id == "P501"
    assert batch.counts["ssd_cla_episodes"]["linked_to_903"] == 2


def test_reviews_without_a_person_are_linked_through_their_period_of_care(la, example_folder):
    ssd_import(la, example_folder)
    files = {
        "reviews.csv": (
            "clar_cla_review_id,clar_cla_id,clar_cla_review_date,clar_cla_review_cancelled\n"
            "R6,P501,2025-03-01,N\n"
        )
    }

    batch = ssd_import(la, files=files)

    assert batch.status == DONE, issues_text(batch)
    assert Review.objects.get(ssd_review_id="R6").child.child_id == "C1001"


def test_a_review_whose_period_is_unknown_is_an_error(la, example_folder):
    ssd_import(la, example_folder)
    files = {
        "reviews.csv": ("clar_cla_review_id,clar_cla_id,clar_cla_review_date\nR6,P999,2025-03-01\n")
    }

    batch = ssd_import(la, files=files)

    assert batch.status == ImportBatch.Status.REJECTED
    issue = batch.issues.get()
    assert (issue.kind, issue.row_number, issue.value) == ("unknown_period", 2, "P999")


@pytest.mark.parametrize("table", ["visits", "health"])
def test_a_visit_or_health_row_for_an_unknown_child_is_an_error(la, example_folder, table):
    ssd_import(la, example_folder)
    files = {
        "visits": "clav_cla_visit_id,clav_person_id,clav_cla_visit_date,clav_cla_visit_seen\n"
        "V9,C1001,2025-03-01,Y\nV10,C7777,2025-03-02,Y\n",
        "health": "clah_health_check_id,clah_person_id,clah_health_check_type,"
        "clah_health_check_date\nH9,C1001,Dental Check,2025-03-01\nH10,C7777,Dental Check,"
        "2025-03-02\n",
    }

    batch = ssd_import(la, files={f"{table}.csv": files[table]})

    assert batch.status == ImportBatch.Status.REJECTED
    issue = batch.issues.get()
    assert (issue.kind, issue.row_number, issue.value) == ("unknown_child", 3, "C7777")
    assert "C7777 is not in ssd_person" in issue.message
    assert StatutoryVisit.objects.count() == 4 and HealthAssessment.objects.count() == 4


def test_a_partial_feed_replaces_only_that_table_within_its_date_range(la, example_folder):
    ssd_import(la, example_folder)
    before = {
        "health": HealthAssessment.objects.count(),
        "reviews": Review.objects.count(),
        "allocations": Allocation.objects.count(),
    }
    # This week's visits file covers 1 Feb – 30 Apr 2024: V2 corrected, V3 gone, V5 new.
    files = {
        "visits_week.csv": (
            "clav_cla_visit_id,clav_cla_id,clav_person_id,clav_cla_visit_date,"
            "clav_cla_visit_seen,clav_cla_visit_seen_alone\n"
            "V2,P501,C1001,2024-02-20,Y,N\n"
            "V5,P501,C1001,2024-03-01,Y,Y\n"
            "V6,P501,C1001,2024-04-30,N,\n"
        )
    }

    batch = ssd_import(la, files=files, as_at=date(2025, 4, 7))

    assert batch.status == DONE, issues_text(batch)
    assert list(batch.counts) == ["ssd_cla_visits"]
    assert batch.counts["ssd_cla_visits"] == {
        "read": 3, "inserted": 2, "updated": 1, "unchanged": 0, "removed": 1,
    }  # fmt: skip
    assert sorted(StatutoryVisit.objects.values_list("visit_id", flat=True)) == [
        "V1",
        "V2",
        "V4",
        "V5",
        "V6",
    ]  # fmt: skip  (V1 before and V4 after the file's dates are kept)
    assert StatutoryVisit.objects.get(visit_id="V2").seen_alone is False
    assert batch.earliest_changed_date == date(2024, 2, 20)
    after = {
        "health": HealthAssessment.objects.count(),
        "reviews": Review.objects.count(),
        "allocations": Allocation.objects.count(),
    }
    assert after == before


def test_care_leaver_observations_accumulate_by_as_at_date(la, example_folder):
    ssd_import(la, example_folder, as_at=date(2025, 3, 31))
    april = {
        "care_leavers.csv": (
            "clea_person_id,clea_care_leaver_eligibility,clea_care_leaver_in_touch,"
            "clea_care_leaver_accommodation,clea_care_leaver_accom_suitable,"
            "clea_care_leaver_activity\n"
            "C1002,b) Former relevant child,YES,U,Suitable,F5\n"
        )
    }

    first = ssd_import(la, files=april, as_at=date(2025, 4, 30))
    again = ssd_import(la, files=april, as_at=date(2025, 4, 30))

    assert first.status == DONE, issues_text(first)
    assert first.counts["ssd_care_leavers"]["inserted"] == 1
    assert _changes(again) == 0
    observed = list(
        CareLeaverObservation.objects.filter(child__child_id="C1002")
        .order_by("as_at")
        .values_list("as_at", "eligibility", "accommodation", "activity")
    )
    assert observed == [
        (date(2025, 3, 31), "Former Relevant", "D", "G5"),
        (date(2025, 4, 30), "Former Relevant", "U", "F5"),
    ]


def _903_child(la, child_id="C1001"):
    child = Child.objects.create(la=la, child_id=child_id, sex="F", dob=date(2010, 5, 14),
                                 header_year=2025)  # fmt: skip
    Episode.objects.create(la=la, child=child, decom=date(2024, 1, 8), rne="S", ls="C2",
                           place="U6", collection_year=2025)  # fmt: skip
    care_histories_derive(la=la)
    return child


def test_ssd_reviews_replace_903_reviews_for_the_dates_they_cover(la):
    child = _903_child(la)
    for day in (date(2023, 12, 1), date(2024, 2, 1), date(2024, 6, 1), date(2025, 1, 10)):
        Review.objects.create(la=la, child=child, review_date=day, review_code="PN1")
    files = {
        "reviews.csv": (
            "clar_cla_review_id,clar_cla_id,clar_cla_person_id,clar_cla_review_date,"
            "clar_cla_review_cancelled,clar_cla_review_participation\n"
            "R1,P501,C1001,2024-02-01,N,PN1\n"
            "R3,P501,C1001,2024-05-09,N,Child physically attends and speaks for him or herself\n"
            "R4,P501,C1001,2024-11-04,No,\n"
        )
    }

    batch = ssd_import(la, files=files)

    assert batch.status == DONE, issues_text(batch)
    assert batch.counts["ssd_cla_reviews"]["replaced_903"] == 2
    held = sorted(Review.objects.filter(child=child).values_list("source", "review_date",
                                                                 "review_code"))  # fmt: skip
    assert held == [
        ("903", date(2023, 12, 1), "PN1"),
        ("903", date(2025, 1, 10), "PN1"),
        ("ssd", date(2024, 2, 1), "PN1"),
        ("ssd", date(2024, 5, 9), "PN1"),
        ("ssd", date(2024, 11, 4), ""),
    ]


def test_ssd_missing_episodes_replace_the_903s_for_the_dates_they_cover(la):
    child = _903_child(la)
    for start in (date(2024, 2, 1), date(2024, 3, 5), date(2024, 9, 1)):
        MissingEpisode.objects.create(la=la, child=child, start_date=start, missing_type="M",
                                      collection_year=2025)  # fmt: skip
    files = {
        "missing.csv": (
            "miss_table_id,miss_person_id,miss_missing_episode_start_date,"
            "miss_missing_episode_type,miss_missing_episode_end_date,miss_missing_rhi_offered,"
            "miss_missing_rhi_accepted\n"
            "M1,C1001,2024-02-01,Missing,2024-02-02,Y,Y\n"
            "M2,C1001,2024-04-01 00:00:00.000,A,2024-04-01,Yes,No\n"
        ),
        "rhi.csv": "miss_table_id,miss_missing_rhi_completed_date\nM1,04/02/2024\n",
    }

    batch = ssd_import(la, files=files)

    assert batch.status == DONE, issues_text(batch)
    held = sorted(MissingEpisode.objects.filter(child=child).values_list(
        "start_date", "source", "missing_type", "rhi_offered", "rhi_accepted",
        "rhi_completed_date"))  # fmt: skip
    assert held == [
        (date(2024, 2, 1), "ssd", "M", "Y", "Y", date(2024, 2, 4)),
        (date(2024, 4, 1), "ssd", "A", "Y", "N", None),
        (date(2024, 9, 1), "903", "M", "", "", None),
    ]
    assert batch.counts["ssd_missing"]["replaced_903"] == 2


def test_ssd_involvements_replace_903_social_worker_episodes_for_their_dates(la, example_folder):
    child = _903_child(la)
    SocialWorkerEpisode.objects.create(la=la, child=child, sw_id="SW1", start_date=date(2024, 1, 8))
    SocialWorkerEpisode.objects.create(la=la, child=child, sw_id="SW0", start_date=date(2023, 1, 1))

    batch = ssd_import(la, example_folder)

    assert batch.status == DONE, issues_text(batch)
    assert list(SocialWorkerEpisode.objects.values_list("sw_id", flat=True)) == ["SW0"]
    assert batch.counts["ssd_involvements"]["replaced_903"] == 1


def test_case_system_spellings_are_read(la, example_folder):
    """Mosaic keywords, SystemC descriptions, 1900-01-01, SQL Server datetimes, dd/mm/YYYY,
    team names for ids, involvements linked through their referral."""
    ssd_import(la, example_folder)
    files = {
        "care_leavers.csv": (
            "clea_person_id,clea_care_leaver_eligibility,clea_care_leaver_in_touch,"
            "clea_care_leaver_latest_contact,clea_care_leaver_accommodation,"
            "clea_care_leaver_accom_suitable,clea_care_leaver_activity,"
            "clea_pathway_plan_review_date,clea_care_leaver_allocated_team\n"
            "C1002,a) Relevant child,Returned home,1900-01-01 00:00:00.000,"
            '"Semi-independent, transitional accommodation",Unsuitable,'
            "Not in education training or employment owing to other reasons,1900-01-01,"
            "leaving care team\n"
        ),
        "cin.csv": "cine_referral_id,cine_person_id,cine_referral_date\nRF1,C1002,01/10/2024\n",
        "involvements.csv": (
            "invo_involvements_id,invo_professional_id,invo_professional_role_id,"
            "invo_professional_team,invo_involvement_start_date,invo_referral_id\n"
            "I9,PR204,16PLUS,Leaving Care Team,2024-12-10 00:00:00.000,RF1\n"
        ),
    }

    batch = ssd_import(la, files=files, as_at=date(2025, 4, 30))

    assert batch.status == DONE, issues_text(batch)
    leaver = CareLeaverObservation.objects.get(as_at=date(2025, 4, 30))
    assert (
        leaver.eligibility,
        leaver.in_touch,
        leaver.latest_contact,
        leaver.accommodation,
        leaver.accommodation_suitable,
        leaver.activity,
        leaver.pathway_plan_review_date,
        leaver.allocated_team,
    ) == ("Relevant", "RHOM", None, "D", "2", "G5", None, "T30")
    allocation = Allocation.objects.get(involvement_id="I9")
    assert (allocation.child.child_id, allocation.team.team_id, allocation.start_date) == (
        "C1002", "T30", date(2024, 12, 10),
    )  # fmt: skip


def test_an_unmapped_description_names_the_value_and_the_fix(la, example_folder):
    ssd_import(la, example_folder)
    files = {
        "health.csv": "clah_health_check_id,clah_person_id,clah_health_check_type,"
        "clah_health_check_date\nH9,C1001,Hearing test,2025-03-01\n"
    }

    rejected = ssd_import(la, files=files)
    mapped = ssd_import(la, files=files | {
        "map.csv": "cmap_table,cmap_field,cmap_local_value,cmap_ssd_value\n"
        "ssd_cla_health,clah_health_check_type,hearing test,OTHER\n"
    })  # fmt: skip

    issue = rejected.issues.get()
    assert (issue.kind, issue.value, issue.column) == (
        "invalid_code", "Hearing test", "clah_health_check_type",
    )  # fmt: skip
    assert "ext_code_map.csv" in issue.message
    assert mapped.status == DONE, issues_text(mapped)
    assert HealthAssessment.objects.get(check_id="H9").kind == "OTHER"
    # The map is kept: next week's file needs no map of its own.
    again = ssd_import(la, files=files)
    assert again.status == DONE, issues_text(again)


def test_ssd_only_episodes_without_legal_status_warn(la, example_folder):
    (example_folder / "ssd_legal_status.csv").unlink()

    batch = ssd_import(la, example_folder)

    assert batch.status == DONE
    warnings = batch.issues.filter(kind="no_legal_status")
    assert warnings.count() == 2  # once per child whose episodes come from SSD
    assert "short breaks" in warnings.first().message
    assert Episode.objects.get(child__child_id="C1001").ls == ""


def test_a_short_break_legal_status_marks_the_ssd_period(la, example_folder):
    (example_folder / "ssd_legal_status.csv").write_text(
        "lega_legal_status_id,lega_person_id,lega_legal_status,lega_legal_status_start_date\n"
        "LS1,C1001,V3,2024-01-08\nLS2,C1002,C2,2021-03-01\n"
    )

    batch = ssd_import(la, example_folder)

    assert batch.status == DONE, issues_text(batch)
    episode = Episode.objects.get(child__child_id="C1001")
    assert (episode.ls, episode.is_short_break) == ("V3", True)
    assert not PeriodOfCare.objects.filter(child__child_id="C1001").exists()


def test_home_postcode_from_ssd_address_gives_the_distance(la, example_folder):
    (example_folder / "ext_cla_placement_location.csv").unlink()
    (example_folder / "ssd_cla_placement.csv").write_text(
        "clap_cla_placement_id,clap_cla_id,clap_cla_placement_start_date,"
        "clap_cla_placement_end_date,clap_cla_placement_type,clap_cla_placement_postcode,"
        "clap_cla_placement_distance\n"
        "PL501,P501,2024-01-08,,U6,PE1 1HF,\n"
        "PL502,P502,2021-03-01,2024-11-02,U4,CB11PT,999.9\n"
    )
    (example_folder / "ssd_address.csv").write_text(
        "addr_table_id,addr_person_id,addr_address_type,addr_address_start_date,"
        "addr_address_end_date,addr_address_postcode\n"
        "AD1,C1001,Home,2015-01-01,2024-01-08,CB2 1TN\n"
        "AD2,C1001,Placement,2024-01-08,,PE1 1HF\n"
        "AD3,C1002,Home,2006-11-02,,CB2 1TN\n"
    )

    batch = ssd_import(la, example_folder)

    assert batch.status == DONE, issues_text(batch)
    girl = Episode.objects.get(child__child_id="C1001")
    assert (girl.home_post, girl.pl_post, girl.pl_la, girl.pl_location) == (
        "CB2 1TN", "PE1 1HF", "874", "OUT",
    )  # fmt: skip
    # √((544705−519240)² + (258430−298522)²) / 1000 / 1.6093 = 29.5 miles
    assert girl.pl_distance == Decimal("29.5")
    boy = Episode.objects.get(child__child_id="C1002")
    assert (boy.pl_location, boy.pl_distance) == ("IN", Decimal("0.8"))  # 999.9 = unknown
    again = ssd_import(la, example_folder)
    assert _changes(again) == 0, again.counts


def test_an_xlsx_with_one_sheet_per_table_imports(la, tmp_path):
    import csv

    from openpyxl import Workbook

    from tests.imports.ssd.conftest import WORKED_EXAMPLE_EXTRA

    book = Workbook()
    book.remove(book.active)
    for folder in (WORKED_EXAMPLE, WORKED_EXAMPLE_EXTRA):
        for path in sorted(folder.glob("*.csv")):
            sheet = book.create_sheet(path.stem[:31])
            with path.open(newline="") as handle:
                for row in csv.reader(handle):
                    sheet.append(row)
    target = tmp_path / "extract.xlsx"
    book.save(target)

    batch = ssd_import(la, target)

    assert batch.status == DONE, issues_text(batch)
    assert StatutoryVisit.objects.filter(la=la).count() == 4


def test_a_dry_run_writes_nothing(la, example_folder):
    batch = ssd_import(la, example_folder, dry_run=True)

    assert batch.status == DONE, issues_text(batch)
    assert not Child.objects.filter(la=la).exists()
    assert batch.counts["ssd_cla_visits"]["inserted"] == 4


def test_one_authoritys_import_leaves_another_alone(la, other_la, example_folder):
    ssd_import(other_la, example_folder)

    ssd_import(la, example_folder)
    files = {
        "visits.csv": "clav_cla_visit_id,clav_person_id,clav_cla_visit_date,clav_cla_visit_seen\n"
        "V1,C1001,2024-01-12,Y\n"
    }
    ssd_import(la, files=files)

    assert StatutoryVisit.objects.filter(la=other_la).count() == 4
    assert StatutoryVisit.objects.filter(la=la).count() == 4  # only V1 in range: the rest kept


def test_a_first_load_copied_straight_in_matches_the_upsert(la, other_la, example_folder,
                                                            monkeypatch):  # fmt: skip
    """On PostgreSQL a first load of an event table is COPYed (``copy_into_empty``); it
    must leave the same rows, counts and earliest date as ``table_upsert``."""
    import imports.formats.ssd.write as ssd_write

    def rows(authority):
        return sorted(
            StatutoryVisit.objects.filter(la=authority).values_list(
                "visit_id", "child__child_id", "visit_date", "seen", "seen_alone", "ssd_cla_id"
            )
        )

    upserted = ssd_import(other_la, example_folder)
    monkeypatch.setattr(ssd_write, "FRESH_COPY_MIN_ROWS", 1)
    copied = ssd_import(la, example_folder)
    again = ssd_import(la, example_folder)

    assert copied.status == DONE, issues_text(copied)
    assert rows(la) == rows(other_la)
    assert copied.counts["ssd_cla_visits"] == upserted.counts["ssd_cla_visits"]
    assert copied.earliest_changed_date == upserted.earliest_changed_date
    assert _changes(again) == 0, again.counts


def test_the_command_line_takes_the_as_at_date(la, example_folder):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_extract", str(example_folder), "--la", "873", "--format", "ssd",
                 "--as-at", "2025-02-28", stdout=out)  # fmt: skip

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.format, batch.as_at) == (DONE, "ssd", date(2025, 2, 28))
    assert "DONE" in out.getvalue()
    assert CareLeaverObservation.objects.get().as_at == date(2025, 2, 28)


def test_unknown_columns_warn_and_the_nhs_number_is_not_kept(la):
    files = {
        "persons.csv": "pers_person_id,pers_sex,pers_dob,pers_common_child_id,favourite_colour\n"
        "C1,F,2010-05-14,9434765919,blue\n"
    }

    batch = ssd_import(la, files=files)

    assert batch.status == DONE
    assert list(batch.issues.values_list("kind", "column")) == [
        ("unknown_columns", "FAVOURITE_COLOUR")
    ]
    child = Child.objects.get(child_id="C1")
    assert "9434765919" not in str([getattr(child, f.attname) for f in Child._meta.fields])


def test_a_blank_health_status_is_completed_up_to_the_as_at_date(la, example_folder, settings):
    ssd_import(la, example_folder)
    files = {
        "health.csv": "clah_health_check_id,clah_person_id,clah_health_check_type,"
        "clah_health_check_date,clah_health_check_status\n"
        "H7,C1001,Dental Check,2025-03-31,\nH8,C1001,Dental Check,2025-04-01,\n"
        "H9,C1001,Health Assessment,2025-02-01,COMPLETE\n"
    }

    ssd_import(la, files=files, as_at=date(2025, 3, 31))
    statuses = dict(HealthAssessment.objects.values_list("check_id", "status"))
    settings.SSD_BLANK_HEALTH_STATUS_COMPLETED = False
    ssd_import(la, files=files, as_at=date(2025, 3, 31))
    configured = dict(HealthAssessment.objects.values_list("check_id", "status"))

    assert (statuses["H7"], statuses["H8"], statuses["H9"]) == ("COMPLETED", "PLANNED", "COMPLETED")
    assert HealthAssessment.objects.get(check_id="H9").kind == "HA"
    assert configured["H7"] == "PLANNED"


def test_a_required_date_sent_as_1900_01_01_is_an_error(la, example_folder):
    ssd_import(la, example_folder)
    files = {
        "visits.csv": "clav_cla_visit_id,clav_person_id,clav_cla_visit_date,clav_cla_visit_seen\n"
        "V9,C1001,1900-01-01 00:00:00.000,Y\n"
    }

    batch = ssd_import(la, files=files)

    issue = batch.issues.get()
    assert (batch.status, issue.kind, issue.column) == (
        "rejected",
        "required",
        "clav_cla_visit_date",
    )
    assert "1900-01-01" in issue.message


def test_sex_falls_back_to_gender_and_case_system_spellings(la):
    files = {
        "persons.csv": "pers_person_id,pers_sex,pers_gender,pers_dob,pers_ethnicity,"
        "pers_upn_unknown\nC1,,02,14/05/2010,White British,un2\n"
        "C2,1,,2009-01-02,CNHE,\nC3,I,,2008-01-02,,\n"
    }

    batch = ssd_import(la, files=files)

    assert batch.status == DONE, issues_text(batch)
    held = {c.child_id: (c.sex, c.dob, c.ethnicity, c.upn) for c in Child.objects.all()}
    assert held == {
        "C1": ("F", date(2010, 5, 14), "WBRI", "UN2"),
        "C2": ("M", date(2009, 1, 2), "CHNE", ""),
        "C3": ("U", date(2008, 1, 2), "", ""),
    }


def test_exports_null_dash_and_apostrophes_are_blank_but_n_a_stays_an_ssd_code(la):
    """Cells are read as exports write them (``ssda903.md`` §6) without breaking the SSD
    contract: in a code column ``N/A`` is the SSD's "not applicable" (``NA``), only
    ``NULL``/``NaN`` are blank; in date and id columns ``NULL``, ``-`` and ``'`` are read."""
    child = _903_child(la)
    files = {
        "missing.csv": (
            "miss_table_id,miss_person_id,miss_missing_episode_start_date,"
            "miss_missing_episode_type,miss_missing_episode_end_date,miss_missing_rhi_offered,"
            "miss_missing_rhi_accepted\n"
            "M1,C1001,2024-02-01,Missing,NULL,N/A,NULL\n"
            "M2,'C1001,2024-04-01,A,-,Yes,No\n"
        ),
    }

    batch = ssd_import(la, files=files)

    assert batch.status == DONE, issues_text(batch)
    held = sorted(MissingEpisode.objects.filter(child=child).values_list(
        "start_date", "end_date", "rhi_offered", "rhi_accepted"))  # fmt: skip
    assert held == [
        (date(2024, 2, 1), None, "NA", ""),
        (date(2024, 4, 1), None, "Y", "N"),
    ]
